package dev.hearth.resolver.client;

import dev.hearth.resolver.access.Prefix;
import java.nio.charset.StandardCharsets;

/**
 * What a subscriber's router says about the asking device in EDNS(0) options (RFC 6891): the
 * device's MAC address (dnsmasq {@code --add-mac}: option 65001, six bytes, or the same option as
 * text {@code aa:bb:cc:dd:ee:ff}), the router's CPE identifier (dnsmasq {@code --add-cpe-id}:
 * option 65074, a string) and an EDNS Client Subnet (RFC 7871, option 8; believed only from
 * trusted forwarders). Hearth builds its own upstream queries, so none of these ever leaves it.
 *
 * <p>Malformed options are ignored, never an error: identification falls back to the next source.
 *
 * @param mac the MAC as a 48-bit number, or -1
 * @param cpeId the CPE identifier, or null
 * @param clientSubnet the ECS prefix, or null
 */
public record ClientOptions(long mac, String cpeId, Prefix clientSubnet) {
  public static final int MAC = 65001;
  public static final int CPE_ID = 65074;
  public static final int CLIENT_SUBNET = 8;
  public static final ClientOptions NONE = new ClientOptions(-1, null, null);
  /** A CPE identifier longer than this is ignored (dnsmasq sends short strings). */
  static final int MAX_CPE_ID = 64;

  /** Reads the options of one OPT record's RDATA ({@code options} may be empty). */
  public static ClientOptions parse(byte[] options) {
    if (options == null || options.length < 4) {
      return NONE;
    }
    long mac = -1;
    String cpe = null;
    Prefix ecs = null;
    int p = 0;
    while (p + 4 <= options.length) {
      int code = (options[p] & 0xff) << 8 | (options[p + 1] & 0xff);
      int len = (options[p + 2] & 0xff) << 8 | (options[p + 3] & 0xff);
      int data = p + 4;
      if (data + len > options.length) {
        break; // truncated option list: keep what was read
      }
      // The first usable option of each kind counts; a later malformed one never erases it.
      if (code == MAC && mac == -1) {
        mac = mac(options, data, len);
      } else if (code == CPE_ID && cpe == null && len > 0 && len <= MAX_CPE_ID) {
        cpe = printable(options, data, len);
      } else if (code == CLIENT_SUBNET && ecs == null) {
        ecs = clientSubnet(options, data, len);
      }
      p = data + len;
    }
    return mac == -1 && cpe == null && ecs == null ? NONE : new ClientOptions(mac, cpe, ecs);
  }

  /** Six raw bytes, or 12 hex digits with optional ':' or '-' separators; else -1. */
  static long mac(byte[] b, int at, int len) {
    if (len == 6) {
      long v = 0;
      for (int i = 0; i < 6; i++) {
        v = v << 8 | (b[at + i] & 0xff);
      }
      return v;
    }
    if (len < 12 || len > 17) {
      return -1;
    }
    return parseMac(new String(b, at, len, StandardCharsets.ISO_8859_1));
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff}, {@code aa-bb-...} or {@code aabbccddeeff}; -1 if not a MAC. */
  public static long parseMac(String text) {
    String hex = text.trim().replace(":", "").replace("-", "");
    if (hex.length() != 12) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < 12; i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  /** {@code aa:bb:cc:dd:ee:ff}. */
  public static String formatMac(long mac) {
    StringBuilder sb = new StringBuilder(17);
    for (int shift = 40; shift >= 0; shift -= 8) {
      if (shift != 40) {
        sb.append(':');
      }
      int v = (int) (mac >>> shift) & 0xff;
      sb.append(Character.forDigit(v >>> 4, 16)).append(Character.forDigit(v & 15, 16));
    }
    return sb.toString();
  }

  private static String printable(byte[] b, int at, int len) {
    for (int i = at; i < at + len; i++) {
      if (b[i] < 0x21 || b[i] > 0x7e) {
        return null;
      }
    }
    return new String(b, at, len, StandardCharsets.US_ASCII);
  }

  /** RFC 7871 section 6: family, source prefix length, scope, then only the needed bytes. */
  static Prefix clientSubnet(byte[] b, int at, int len) {
    if (len < 4) {
      return null;
    }
    int family = (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    int source = b[at + 2] & 0xff;
    int size = family == 1 ? 4 : family == 2 ? 16 : -1;
    if (size < 0 || source > size * 8 || len - 4 != (source + 7) / 8) {
      return null;
    }
    byte[] addr = new byte[size];
    System.arraycopy(b, at + 4, addr, 0, len - 4);
    return new Prefix(addr, source);
  }
}
