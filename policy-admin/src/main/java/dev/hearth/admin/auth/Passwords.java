package dev.hearth.admin.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashing with PBKDF2-HMAC-SHA256 (in the JDK, so no native dependency), at the
 * iteration count OWASP recommends (600,000): slow enough that a stolen database does not give
 * away weak passwords quickly. Stored as {@code pbkdf2-sha256$iterations$salt$hash}, so the
 * count can rise later without invalidating old hashes.
 */
public final class Passwords {
  static final int ITERATIONS = 600_000;
  private static final int MIN_LENGTH = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Passwords() {}

  /** Hashes {@code password} with a fresh salt. */
  public static String hash(char[] password) {
    return hash(password, ITERATIONS);
  }

  static String hash(char[] password, int iterations) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] dk = derive(password, salt, iterations);
    Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
    return "pbkdf2-sha256$" + iterations + "$" + b64.encodeToString(salt) + "$"
        + b64.encodeToString(dk);
  }

  /** Whether {@code password} matches {@code stored}, compared in constant time. */
  public static boolean verify(char[] password, String stored) {
    String[] parts = stored == null ? new String[0] : stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = Base64.getDecoder().decode(parts[2]);
      byte[] expected = Base64.getDecoder().decode(parts[3]);
      return MessageDigest.isEqual(expected, derive(password, salt, iterations));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Why {@code password} is not acceptable, or null if it is. */
  public static String weakness(char[] password) {
    if (password.length < MIN_LENGTH) {
      return "a password needs at least " + MIN_LENGTH + " characters";
    }
    return null;
  }

  /** A random password for first start, shown once: 20 characters from a 57-letter alphabet. */
  public static char[] generate() {
    String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    char[] out = new char[20];
    for (int i = 0; i < out.length; i++) {
      out[i] = alphabet.charAt(RANDOM.nextInt(alphabet.length()));
    }
    return out;
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations) {
    try {
      PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
      try {
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec)
            .getEncoded();
      } finally {
        spec.clearPassword();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is missing from this JDK", e);
    }
  }
}
