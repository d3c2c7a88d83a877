package dev.hearth.blocklists;

import java.net.IDN;

/**
 * Normalizes names taken from block lists to one canonical ASCII form, so that the same name is
 * always hashed the same way whatever the list wrote (case, trailing dot, Unicode, full-width dots).
 */
public final class DomainNames {
  /** Longest name in text form (255 bytes of wire form). */
  public static final int MAX_NAME = 253;
  public static final int MAX_LABEL = 63;

  private DomainNames() {}

  /**
   * Returns the canonical form of {@code raw}: trimmed, ASCII lower case, one trailing dot removed,
   * non-ASCII labels converted to punycode.
   *
   * @throws IllegalArgumentException with a short readable reason if it is not a usable name
   */
  public static String normalize(String raw) {
    if (raw == null) {
      throw new IllegalArgumentException("no name");
    }
    String s = raw.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty name");
    }
    if (!isAscii(s)) {
      s = idnToAscii(s);
    }
    s = lowerAscii(s);
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty name");
    }
    if (s.length() > MAX_NAME) {
      throw new IllegalArgumentException("name longer than " + MAX_NAME + " characters");
    }
    int labels = 0;
    boolean allDigits = true;
    int start = 0;
    int n = s.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? s.charAt(i) : '.';
      if (c == '.') {
        int len = i - start;
        if (len == 0) {
          throw new IllegalArgumentException("empty label");
        }
        if (len > MAX_LABEL) {
          throw new IllegalArgumentException("label longer than " + MAX_LABEL + " characters");
        }
        labels++;
        start = i + 1;
      } else if ((c >= 'a' && c <= 'z') || c == '-' || c == '_') {
        allDigits = false;
      } else if (c < '0' || c > '9') {
        throw new IllegalArgumentException("invalid character " + describe(c));
      }
    }
    if (allDigits && labels == 4) {
      throw new IllegalArgumentException("IP address, not a domain name");
    }
    return s;
  }

  /**
   * The host part of a web address ({@code https://user@Host.example:8443/path?q} gives
   * {@code Host.example}), or the text itself when it is not one; not yet normalised.
   */
  public static String hostOf(String urlOrName) {
    String t = urlOrName;
    int scheme = t.indexOf("://");
    if (scheme > 0 && scheme < 10) {
      t = t.substring(scheme + 3);
    }
    int end = t.length();
    for (char ch : new char[] {'/', '?', '#'}) {
      int i = t.indexOf(ch);
      if (i >= 0) {
        end = Math.min(end, i);
      }
    }
    t = t.substring(0, end);
    int at = t.lastIndexOf('@');
    if (at >= 0) {
      t = t.substring(at + 1);
    }
    int colon = t.lastIndexOf(':');
    if (colon > 0 && t.indexOf(':') == colon) {
      t = t.substring(0, colon);
    }
    return t;
  }

  /** True for a dotted-quad IPv4 literal with every part in 0..255. */
  public static boolean isIpv4Literal(String s) {
    int parts = 0;
    int value = -1;
    for (int i = 0, n = s.length(); i <= n; i++) {
      char c = i < n ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0) {
          return false;
        }
        parts++;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return false;
        }
      } else {
        return false;
      }
    }
    return parts == 4;
  }

  /**
   * True for something shaped like an IPv4 or IPv6 literal. Deliberately syntactic: never resolves
   * anything (unlike {@code InetAddress.getByName}).
   */
  public static boolean isIpLiteral(String s) {
    if (isIpv4Literal(s)) {
      return true;
    }
    int pct = s.indexOf('%');
    String a = pct >= 0 ? s.substring(0, pct) : s;
    if (a.indexOf(':') < 0 || a.length() > 45) {
      return false;
    }
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      boolean ok = c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
          || (c >= 'A' && c <= 'F');
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The fast path of {@link #normalize} followed by {@link #toWire(String, byte[])} for the line
   * shape that makes up nearly every list: an ASCII name of letters, digits, {@code -} and
   * {@code _} with at most one trailing dot, no whitespace. Writes the wire form of
   * {@code src[from, to)} into {@code dst} (at least 256 bytes) in lower case and returns
   * {@code labels << 16 | wireLength}; returns -1 for anything else, which the caller then hands
   * to {@link #normalize} (so only normalize ever reports a name as invalid, and both paths give
   * the same name for the same text).
   */
  static int asciiToWire(byte[] src, int from, int to, byte[] dst) {
    if (to > from && src[to - 1] == '.') {
      to--;
    }
    int n = to - from;
    if (n <= 0 || n > MAX_NAME) {
      return -1;
    }
    int lenPos = 0;
    int p = 1;
    int labels = 0;
    boolean allDigits = true;
    for (int i = from; i < to; i++) {
      int c = src[i];
      if (c == '.') {
        int len = p - lenPos - 1;
        if (len == 0 || len > MAX_LABEL) {
          return -1;
        }
        dst[lenPos] = (byte) len;
        lenPos = p++;
        labels++;
        continue;
      }
      if (c >= 'a' && c <= 'z' || c == '-' || c == '_') {
        allDigits = false;
      } else if (c >= 'A' && c <= 'Z') {
        c |= 0x20;
        allDigits = false;
      } else if (c < '0' || c > '9') {
        return -1;
      }
      dst[p++] = (byte) c;
    }
    int len = p - lenPos - 1;
    if (len == 0 || len > MAX_LABEL) {
      return -1;
    }
    dst[lenPos] = (byte) len;
    dst[p++] = 0;
    labels++;
    if (allDigits && labels == 4) {
      return -1;
    }
    return labels << 16 | p;
  }

  /**
   * Eight bytes (little-endian, as read from a wire name) with ASCII upper case folded to lower
   * case and every other byte unchanged, all at once: for comparing names a word at a time.
   */
  public static long lowerAscii(long eightBytes) {
    return NameHash.lower(eightBytes);
  }

  /** Wire form (length-prefixed labels, final zero byte) of an already normalized name. */
  public static byte[] toWire(String name) {
    byte[] buf = new byte[name.length() + 2];
    int len = toWire(name, buf);
    return len == buf.length ? buf : java.util.Arrays.copyOf(buf, len);
  }

  /**
   * Writes the wire form of a normalized name into {@code dst} (at least {@code name.length() + 2}
   * bytes) and returns its length; reusing {@code dst} keeps bulk builds allocation-free.
   */
  static int toWire(String name, byte[] dst) {
    int n = name.length();
    if (n == 0 || n > MAX_NAME) {
      throw new IllegalArgumentException("bad name length: " + name);
    }
    int lenPos = 0;
    int p = 1;
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c == '.') {
        int len = p - lenPos - 1;
        if (len == 0 || len > MAX_LABEL) {
          throw new IllegalArgumentException("bad label in " + name);
        }
        dst[lenPos] = (byte) len;
        lenPos = p++;
      } else {
        if (c > 0x7f) {
          throw new IllegalArgumentException("name not normalized: " + name);
        }
        dst[p++] = (byte) c;
      }
    }
    int len = p - lenPos - 1;
    if (len == 0 || len > MAX_LABEL) {
      throw new IllegalArgumentException("bad label in " + name);
    }
    dst[lenPos] = (byte) len;
    dst[p++] = 0;
    return p;
  }

  /** Text form of the wire name starting at {@code offset}, without the trailing dot. */
  public static String fromWire(byte[] wire, int offset) {
    StringBuilder sb = new StringBuilder();
    int p = offset;
    while (p < wire.length) {
      int len = wire[p] & 0xff;
      if (len == 0 || len > MAX_LABEL || p + 1 + len > wire.length) {
        break;
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      for (int i = p + 1; i <= p + len; i++) {
        sb.append((char) (wire[i] & 0xff));
      }
      p += len + 1;
    }
    return sb.toString();
  }

  private static String idnToAscii(String s) {
    // Convert label by label so that ASCII labels keep their underscores (STD3 rules forbid them).
    s = s.replace('\u3002', '.').replace('\uff0e', '.').replace('\uff61', '.');
    StringBuilder out = new StringBuilder(s.length() + 16);
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == '.') {
        String label = s.substring(start, i);
        if (!isAscii(label)) {
          try {
            label = hasDeviation(label) ? nonTransitional(label)
                : IDN.toASCII(label, IDN.USE_STD3_ASCII_RULES);
          } catch (IllegalArgumentException e) {
            String why = e.getMessage() == null ? "" : e.getMessage()
                .replaceFirst("^[a-zA-Z0-9_.]+Exception: ", "");
            throw new IllegalArgumentException("invalid international name (" + why + ")");
          }
        }
        out.append(label);
        if (i < s.length()) {
          out.append('.');
        }
        start = i + 1;
      }
    }
    return out.toString();
  }

  /**
   * The four characters IDNA 2003 maps away but IDNA 2008 keeps (UTS 46 "deviations"): ß, final
   * sigma, ZWJ and ZWNJ. {@code faß.de} and {@code fass.de} are different domains under IDNA
   * 2008 (what browsers and registries use now); mapping one onto the other would block the wrong
   * site, so such labels are encoded as IDNA 2008 does.
   */
  private static boolean hasDeviation(String label) {
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (c == '\u00df' || c == '\u03c2' || c == '\u200c' || c == '\u200d') {
        return true;
      }
    }
    return false;
  }

  /** Lower case, NFC, then Punycode (RFC 3492) with the {@code xn--} prefix. */
  private static String nonTransitional(String label) {
    String s = java.text.Normalizer.normalize(label.toLowerCase(java.util.Locale.ROOT),
        java.text.Normalizer.Form.NFC);
    int[] cps = s.codePoints().toArray();
    for (int cp : cps) {
      if (cp < 0x80 && !((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-')) {
        throw new IllegalArgumentException("invalid character in international label");
      }
      if (Character.isWhitespace(cp) || Character.getType(cp) == Character.CONTROL) {
        throw new IllegalArgumentException("invalid character in international label");
      }
    }
    String encoded = "xn--" + punycode(cps);
    if (encoded.length() > MAX_LABEL) {
      throw new IllegalArgumentException("label too long once encoded");
    }
    return encoded;
  }

  /** For tests: {@code xn--} plus the RFC 3492 encoding of {@code label}. */
  static String punycodeLabel(String label) {
    return "xn--" + punycode(label.codePoints().toArray());
  }

  /** RFC 3492 encoder. */
  static String punycode(int[] input) {
    final int base = 36;
    final int tmin = 1;
    final int tmax = 26;
    StringBuilder out = new StringBuilder();
    for (int cp : input) {
      if (cp < 0x80) {
        out.append((char) cp);
      }
    }
    int b = out.length();
    int h = b;
    if (b > 0) {
      out.append('-');
    }
    int n = 0x80;
    long delta = 0;
    int bias = 72;
    while (h < input.length) {
      int m = Integer.MAX_VALUE;
      for (int cp : input) {
        if (cp >= n && cp < m) {
          m = cp;
        }
      }
      delta += (long) (m - n) * (h + 1);
      n = m;
      for (int cp : input) {
        if (cp < n) {
          delta++;
        }
        if (cp == n) {
          long q = delta;
          for (int k = base; ; k += base) {
            int t = k <= bias ? tmin : k >= bias + tmax ? tmax : k - bias;
            if (q < t) {
              break;
            }
            out.append(digit((int) (t + (q - t) % (base - t))));
            q = (q - t) / (base - t);
          }
          out.append(digit((int) q));
          bias = adapt(delta, h + 1, h == b);
          delta = 0;
          h++;
        }
      }
      delta++;
      n++;
    }
    return out.toString();
  }

  private static char digit(int d) {
    return (char) (d < 26 ? 'a' + d : '0' + d - 26);
  }

  private static int adapt(long delta, int numPoints, boolean first) {
    delta = first ? delta / 700 : delta / 2;
    delta += delta / numPoints;
    int k = 0;
    while (delta > ((36 - 1) * 26) / 2) {
      delta /= 36 - 1;
      k += 36;
    }
    return (int) (k + (36 * delta) / (delta + 38));
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) > 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static String lowerAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        char[] a = s.toCharArray();
        for (int j = i; j < a.length; j++) {
          if (a[j] >= 'A' && a[j] <= 'Z') {
            a[j] = (char) (a[j] + 32);
          }
        }
        return new String(a);
      }
    }
    return s;
  }

  private static String describe(char c) {
    if (c < 0x20 || c == 0x7f || Character.isWhitespace(c)) {
      return String.format("U+%04X", (int) c);
    }
    return "'" + c + "'";
  }
}
