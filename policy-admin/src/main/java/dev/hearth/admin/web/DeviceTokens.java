package dev.hearth.admin.web;

import java.security.SecureRandom;

/**
 * Personal encrypted-DNS tokens for the parent portal's devices. A token is the secret that
 * selects a device's profile (the last DoH path segment, the first label of the DoT host name),
 * so it is 128 random bits, and written in lower-case base32 without padding (26 characters of
 * {@code a-z2-7}) because DoT carries it as a host name label: case-insensitive, no {@code _}.
 */
final class DeviceTokens {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  /** 128 bits in 5-bit letters. */
  static final int LENGTH = 26;

  private DeviceTokens() {}

  /** A fresh token. */
  static String generate() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return base32(b);
  }

  static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte x : bytes) {
      buffer = (buffer << 8) | (x & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }
}
