package dev.hearth.resolver.access;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network prefix such as {@code 10.0.0.0/8} or {@code fd00::/8}. */
public record Prefix(byte[] network, int length) {

  public Prefix {
    network = network.clone();
    if (length < 0 || length > network.length * 8) {
      throw new IllegalArgumentException("prefix length " + length + " out of range");
    }
    network = mask(network, length);
  }

  /**
   * Parses {@code address/length} or a bare address (a host prefix).
   *
   * @throws IllegalArgumentException with a readable message when the text is not a prefix
   */
  public static Prefix parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    boolean literal = addr.contains(":") ? addr.chars().allMatch(c -> c == ':' || c == '.'
        || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
        : isDottedQuad(addr);
    if (!literal) { // never let InetAddress look a name up in DNS
      throw new IllegalArgumentException("'" + text + "' is not an IP network (expected e.g. 10.0.0.0/8)");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' is not an IP network (expected e.g. 10.0.0.0/8)");
    }
    int len = bytes.length * 8;
    if (slash >= 0) {
      try {
        len = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' has a bad prefix length");
      }
      if (len < 0 || len > bytes.length * 8) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length out of range");
      }
    }
    return new Prefix(bytes, len);
  }

  /** Four decimal parts of 1 to 3 digits, each at most 255 (no regex: config loads call it
   * once per subscriber address). */
  private static boolean isDottedQuad(String s) {
    int parts = 0;
    int digits = 0;
    int value = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i == s.length() ? '.' : s.charAt(i);
      if (c == '.') {
        if (digits == 0 || value > 255 || ++parts > 4) {
          return false;
        }
        digits = 0;
        value = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        digits++;
        value = value * 10 + (c - '0');
      } else {
        return false;
      }
    }
    return parts == 4;
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    return a.length == network.length && Arrays.equals(mask(a, length), network);
  }

  static byte[] mask(byte[] address, int length) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int bitsHere = Math.max(0, Math.min(8, length - i * 8));
      out[i] &= (byte) (0xff << (8 - bitsHere));
    }
    return out;
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prefix p && p.length == length && Arrays.equals(p.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + length;
  }

  @Override
  public String toString() {
    try {
      String a = InetAddress.getByAddress(network).getHostAddress();
      return a + "/" + length;
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static boolean isIpv4(InetAddress a) {
    return a instanceof Inet4Address;
  }
}
