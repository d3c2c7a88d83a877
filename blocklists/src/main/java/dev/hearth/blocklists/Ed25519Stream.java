package dev.hearth.blocklists;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks a pure Ed25519 signature (RFC 8032, section 5.1.7) over a message that streams past
 * once, keeping nothing of it.
 *
 * <p>Why not {@link java.security.Signature}: pure Ed25519 hashes {@code R || A || M}, and the
 * JDK's verifier learns R only when {@code verify} is called, so it buffers the whole message; a
 * signed list then costs its size in heap while it downloads. Given the signature first, this
 * class feeds R, A and then each chunk of the body into SHA-512.
 *
 * <p>The arithmetic follows the RFC's reference verification in extended coordinates with
 * {@link BigInteger}; it handles public data only (key, signature, message), so it needs no
 * constant-time care. The signature is rejected when {@code S} is not below the group order (no
 * malleable copies) or when R or the key is not a canonical point encoding. Tests hold it to the
 * RFC's vectors and to the JDK's verifier on random keys, messages and tampering.
 */
final class Ed25519Stream {
  private static final BigInteger P = BigInteger.TWO.pow(255).subtract(BigInteger.valueOf(19));
  private static final BigInteger L =
      BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));
  private static final BigInteger D = BigInteger.valueOf(-121665)
      .multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
  private static final BigInteger TWO_D = D.shiftLeft(1).mod(P);
  private static final BigInteger SQRT_M1 =
      BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
  private static final BigInteger[] IDENTITY =
      {BigInteger.ZERO, BigInteger.ONE, BigInteger.ONE, BigInteger.ZERO};
  private static final BigInteger[] BASE;

  static {
    BigInteger y = BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P);
    BigInteger x = recoverX(y, false);
    BASE = new BigInteger[] {x, y, BigInteger.ONE, x.multiply(y).mod(P)};
  }

  private final MessageDigest sha512;
  private final BigInteger[] key;
  private final BigInteger[] r;
  private final BigInteger s;

  private Ed25519Stream(byte[] publicKey, byte[] signature) {
    if (publicKey.length != 32 || signature.length != 64) {
      throw new IllegalArgumentException("an Ed25519 key has 32 bytes and a signature 64");
    }
    try {
      this.sha512 = MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has it
    }
    byte[] rBytes = java.util.Arrays.copyOf(signature, 32);
    this.key = decode(publicKey);
    this.r = decode(rBytes);
    this.s = littleEndian(java.util.Arrays.copyOfRange(signature, 32, 64));
    sha512.update(rBytes);
    sha512.update(publicKey);
  }

  /** Starts checking {@code signature} (R then S, 64 bytes) by the raw 32-byte {@code publicKey}. */
  static Ed25519Stream start(byte[] publicKey, byte[] signature) {
    return new Ed25519Stream(publicKey, signature);
  }

  /** Feeds the next part of the signed message. */
  void update(byte[] b, int off, int len) {
    sha512.update(b, off, len);
  }

  /** Whether the signature is valid for everything fed so far. Call once. */
  boolean verify() {
    byte[] digest = sha512.digest();
    if (key == null || r == null || s.compareTo(L) >= 0) {
      return false;
    }
    BigInteger k = littleEndian(digest).mod(L);
    return equal(multiply(s, BASE), add(r, multiply(k, key)));
  }

  private static BigInteger littleEndian(byte[] b) {
    byte[] be = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      be[i] = b[b.length - 1 - i];
    }
    return new BigInteger(1, be);
  }

  /** The point a 32-byte encoding names, or null if it names none (or not canonically). */
  private static BigInteger[] decode(byte[] encoded) {
    BigInteger y = littleEndian(encoded);
    boolean sign = y.testBit(255);
    y = y.clearBit(255);
    BigInteger x = recoverX(y, sign);
    return x == null ? null : new BigInteger[] {x, y, BigInteger.ONE, x.multiply(y).mod(P)};
  }

  private static BigInteger recoverX(BigInteger y, boolean sign) {
    if (y.compareTo(P) >= 0) {
      return null;
    }
    BigInteger yy = y.multiply(y);
    BigInteger x2 = yy.subtract(BigInteger.ONE)
        .multiply(D.multiply(yy).add(BigInteger.ONE).modInverse(P)).mod(P);
    if (x2.signum() == 0) {
      return sign ? null : BigInteger.ZERO;
    }
    BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
    if (x.multiply(x).subtract(x2).mod(P).signum() != 0) {
      x = x.multiply(SQRT_M1).mod(P);
    }
    if (x.multiply(x).subtract(x2).mod(P).signum() != 0) {
      return null;
    }
    if (x.testBit(0) != sign) {
      x = P.subtract(x);
    }
    return x;
  }

  private static BigInteger[] add(BigInteger[] p, BigInteger[] q) {
    BigInteger a = p[1].subtract(p[0]).multiply(q[1].subtract(q[0])).mod(P);
    BigInteger b = p[1].add(p[0]).multiply(q[1].add(q[0])).mod(P);
    BigInteger c = p[3].multiply(TWO_D).multiply(q[3]).mod(P);
    BigInteger d = p[2].shiftLeft(1).multiply(q[2]).mod(P);
    BigInteger e = b.subtract(a);
    BigInteger f = d.subtract(c);
    BigInteger g = d.add(c);
    BigInteger h = b.add(a);
    return new BigInteger[] {
      e.multiply(f).mod(P), g.multiply(h).mod(P), f.multiply(g).mod(P), e.multiply(h).mod(P)
    };
  }

  private static BigInteger[] multiply(BigInteger scalar, BigInteger[] point) {
    BigInteger[] q = IDENTITY;
    for (int i = scalar.bitLength() - 1; i >= 0; i--) {
      q = add(q, q);
      if (scalar.testBit(i)) {
        q = add(q, point);
      }
    }
    return q;
  }

  private static boolean equal(BigInteger[] p, BigInteger[] q) {
    return p[0].multiply(q[2]).subtract(q[0].multiply(p[2])).mod(P).signum() == 0
        && p[1].multiply(q[2]).subtract(q[1].multiply(p[2])).mod(P).signum() == 0;
  }
}
