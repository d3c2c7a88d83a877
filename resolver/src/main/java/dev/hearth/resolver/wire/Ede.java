package dev.hearth.resolver.wire;

import java.nio.charset.StandardCharsets;

/**
 * An Extended DNS Error (RFC 8914): an INFO-CODE and a short human-readable text, so a client
 * (and the person debugging it) learns why an answer is what it is.
 */
public record Ede(int code, String text) {
  public static final int OTHER = 0;
  public static final int FORGED_ANSWER = 4;
  public static final int STALE_ANSWER = 3;
  public static final int BLOCKED = 15;
  public static final int CENSORED = 16;
  public static final int FILTERED = 17;
  public static final int PROHIBITED = 18;
  public static final int STALE_NXDOMAIN = 19;
  public static final int NOT_READY = 14;
  public static final int NOT_SUPPORTED = 21;
  public static final int NO_REACHABLE_AUTHORITY = 22;
  public static final int NETWORK_ERROR = 23;

  static final int OPTION_CODE = 15;

  byte[] encode() {
    byte[] t = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(t.length, 400);
    byte[] out = new byte[4 + 2 + len];
    out[0] = 0;
    out[1] = OPTION_CODE;
    out[2] = (byte) ((2 + len) >> 8);
    out[3] = (byte) (2 + len);
    out[4] = (byte) (code >> 8);
    out[5] = (byte) code;
    System.arraycopy(t, 0, out, 6, len);
    return out;
  }
}
