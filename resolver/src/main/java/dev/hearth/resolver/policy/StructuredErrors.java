package dev.hearth.resolver.policy;

import dev.hearth.resolver.wire.Ede;

/**
 * When block answers carry structured EXTRA-TEXT (draft-ietf-dnsop-structured-dns-error) instead
 * of the plain sentence. The draft's own request option has no code yet, so by default a client
 * asks by sending an EDE option (15), as AdGuard DNS and early deployments do; an operator may name
 * one more option code that its clients send, or answer everyone (or no one) the structured way.
 *
 * @param mode always, on request, or never
 * @param requestOption an extra EDNS option code that also asks for them, or -1 for none
 */
public record StructuredErrors(Mode mode, int requestOption) {
  /** Today's behaviour: on request, by the EDE option only. */
  public static final StructuredErrors DEFAULT = new StructuredErrors(Mode.ON_REQUEST, -1);

  public enum Mode {
    ALWAYS,
    ON_REQUEST,
    NEVER
  }

  public StructuredErrors {
    java.util.Objects.requireNonNull(mode, "mode");
    if (requestOption < -1 || requestOption > 65535) {
      throw new IllegalArgumentException("an EDNS option code is between 0 and 65535");
    }
  }

  /** Whether a query with these EDNS options (an OPT record's RDATA, or null) gets them. */
  public boolean wanted(byte[] options) {
    if (mode != Mode.ON_REQUEST) {
      return mode == Mode.ALWAYS;
    }
    for (int p = 0; options != null && p + 4 <= options.length; ) {
      int code = (options[p] & 0xff) << 8 | (options[p + 1] & 0xff);
      int len = (options[p + 2] & 0xff) << 8 | (options[p + 3] & 0xff);
      if (code == Ede.OPTION_CODE || code == requestOption) {
        return true;
      }
      p += 4 + len;
    }
    return false;
  }
}
