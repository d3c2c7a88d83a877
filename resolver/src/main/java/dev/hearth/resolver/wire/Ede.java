package dev.hearth.resolver.wire;

import java.nio.charset.StandardCharsets;

/**
 * An Extended DNS Error (RFC 8914): an INFO-CODE and a short human-readable text, so a client
 * (and the person debugging it) learns why an answer is what it is.
 *
 * @param shorterText a shorter text to send instead when the full one would not fit a UDP answer
 *     (structured errors drop their justification and organisation first), or null
 */
public record Ede(int code, String text, String shorterText) {
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

  /** The EDNS option code of an EDE (RFC 8914). */
  public static final int OPTION_CODE = 15;
  /** Longest EXTRA-TEXT sent, in bytes. */
  public static final int MAX_TEXT = 400;

  /** An EDE with one text. */
  public Ede(int code, String text) {
    this(code, text, null);
  }

  byte[] encode() {
    return encode(text);
  }

  /** The shorter form, or null when there is none. */
  byte[] encodeShorter() {
    return shorterText == null ? null : encode(shorterText);
  }

  private byte[] encode(String text) {
    byte[] t = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    int len = Math.min(t.length, MAX_TEXT);
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
