package dev.hearth.resolver.wire;

/** Header flag bits (RFC 1035 section 4.1.1, RFC 4035 for AD and CD) as masks of the 16-bit word. */
public final class Flags {
  public static final int QR = 0x8000;
  public static final int AA = 0x0400;
  public static final int TC = 0x0200;
  public static final int RD = 0x0100;
  public static final int RA = 0x0080;
  public static final int AD = 0x0020;
  public static final int CD = 0x0010;
  public static final int OPCODE_MASK = 0x7800;
  public static final int RCODE_MASK = 0x000f;

  private Flags() {}
}
