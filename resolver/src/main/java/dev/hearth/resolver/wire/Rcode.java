package dev.hearth.resolver.wire;

/** Response codes used by the resolver (RFC 1035, RFC 6891 for BADVERS). */
public final class Rcode {
  public static final int NOERROR = 0;
  public static final int FORMERR = 1;
  public static final int SERVFAIL = 2;
  public static final int NXDOMAIN = 3;
  public static final int NOTIMP = 4;
  public static final int REFUSED = 5;
  public static final int BADVERS = 16;

  private Rcode() {}
}
