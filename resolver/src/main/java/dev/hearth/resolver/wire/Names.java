package dev.hearth.resolver.wire;

/** Helpers for uncompressed wire-format names. */
public final class Names {
  private Names() {}

  /** Presentation form of the uncompressed wire name starting at {@code offset}. */
  public static String toText(byte[] wire, int offset) {
    StringBuilder sb = new StringBuilder();
    int p = offset;
    while (p < wire.length) {
      int len = wire[p++] & 0xff;
      if (len == 0) {
        break;
      }
      for (int i = 0; i < len && p < wire.length; i++) {
        int c = wire[p++] & 0xff;
        if (c == '.' || c == '\\') {
          sb.append('\\').append((char) c);
        } else if (c <= 0x20 || c >= 0x7f) {
          sb.append('\\').append(String.format("%03d", c));
        } else {
          sb.append((char) c);
        }
      }
      sb.append('.');
    }
    return sb.length() == 0 ? "." : sb.toString();
  }

  static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }
}
