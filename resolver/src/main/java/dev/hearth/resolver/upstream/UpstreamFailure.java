package dev.hearth.resolver.upstream;

/** Resolution failed at every upstream; the message says why, for the client's EDE text. */
public final class UpstreamFailure extends Exception {
  private final int edeCode;

  public UpstreamFailure(String message, int edeCode) {
    super(message, null, false, false);
    this.edeCode = edeCode;
  }

  public int edeCode() {
    return edeCode;
  }
}
