package dev.hearth.resolver.wire;

/**
 * A message that cannot be answered normally. {@code answerable} says whether the header was
 * readable, in which case the client gets FORMERR; otherwise the packet is dropped.
 */
public final class MalformedMessageException extends Exception {
  private final boolean answerable;
  private final int rcode;

  public MalformedMessageException(String reason, boolean answerable) {
    this(reason, answerable, Rcode.FORMERR);
  }

  public MalformedMessageException(String reason, boolean answerable, int rcode) {
    super(reason, null, false, false);
    this.answerable = answerable;
    this.rcode = rcode;
  }

  /** The response code to answer with when {@link #answerable()}: FORMERR or NOTIMP. */
  public int rcode() {
    return rcode;
  }

  public boolean answerable() {
    return answerable;
  }
}
