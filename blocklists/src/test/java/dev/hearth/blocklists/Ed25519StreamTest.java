package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Ed25519StreamTest {
  private static final HexFormat HEX = HexFormat.of();

  // RFC 8032, section 7.1, TEST 1 (empty message), TEST 2 (one byte) and TEST 3 (two bytes)
  private static final String[][] VECTORS = {
    {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701"
          + "cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d"
          + "0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f7609"
          + "84dc6594a7c15e9716ed28dc027beceea1ec40a"},
  };

  @Test
  void acceptsTheRfcVectorsAsTheJdkDoes() throws Exception {
    for (String[] v : VECTORS) {
      byte[] key = HEX.parseHex(v[0]);
      byte[] msg = HEX.parseHex(v[1]);
      byte[] sig = HEX.parseHex(v[2]);
      assertTrue(jdkVerifies(key, msg, sig), "the vector itself is right: " + v[0]);
      assertTrue(streamVerifies(key, msg, sig, 1), v[0]);
      byte[] other = msg.clone().length == 0 ? new byte[] {0} : flip(msg, 0);
      assertFalse(streamVerifies(key, other, sig, 1), "another message: " + v[0]);
    }
  }

  @Test
  void agreesWithTheJdkOnRandomKeysMessagesAndTampering() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
    SplittableRandom rnd = new SplittableRandom(8032);
    for (int round = 0; round < 40; round++) {
      KeyPair pair = gen.generateKeyPair();
      byte[] key = raw(pair.getPublic());
      byte[] msg = new byte[rnd.nextInt(0, 5000)];
      rnd.nextBytes(msg);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(pair.getPrivate());
      signer.update(msg);
      byte[] sig = signer.sign();
      int chunk = 1 + rnd.nextInt(700);
      assertTrue(streamVerifies(key, msg, sig, chunk), "round " + round);

      byte[] badMsg = msg.length == 0 ? new byte[] {1} : flip(msg, rnd.nextInt(msg.length * 8));
      byte[] badSig = flip(sig, rnd.nextInt(512));
      byte[] badKey = flip(key, rnd.nextInt(256));
      assertEquals(jdkVerifies(key, badMsg, sig), streamVerifies(key, badMsg, sig, chunk));
      assertFalse(streamVerifies(key, badMsg, sig, chunk), "tampered message, round " + round);
      assertFalse(streamVerifies(key, msg, badSig, chunk), "tampered signature, round " + round);
      assertFalse(streamVerifies(badKey, msg, sig, chunk), "another key, round " + round);
    }
  }

  @Test
  void refusesTheMalleableCopyWithSPlusTheGroupOrder() throws Exception {
    byte[] key = HEX.parseHex(VECTORS[1][0]);
    byte[] msg = HEX.parseHex(VECTORS[1][1]);
    byte[] sig = HEX.parseHex(VECTORS[1][2]);
    BigInteger order = BigInteger.TWO.pow(252)
        .add(new BigInteger("27742317777372353535851937790883648493"));
    byte[] s = Arrays.copyOfRange(sig, 32, 64);
    BigInteger bumped = new BigInteger(1, reverse(s)).add(order);
    byte[] be = bumped.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < Math.min(32, be.length); i++) {
      le[i] = be[be.length - 1 - i];
    }
    byte[] malleable = sig.clone();
    System.arraycopy(le, 0, malleable, 32, 32);
    assertFalse(streamVerifies(key, msg, malleable, 1));
  }

  private static boolean streamVerifies(byte[] key, byte[] msg, byte[] sig, int chunk) {
    Ed25519Stream v = Ed25519Stream.start(key, sig);
    for (int off = 0; off < msg.length; off += chunk) {
      v.update(msg, off, Math.min(chunk, msg.length - off));
    }
    return v.verify();
  }

  private static boolean jdkVerifies(byte[] key, byte[] msg, byte[] sig) throws Exception {
    byte[] spki = new byte[44];
    System.arraycopy(HEX.parseHex("302a300506032b6570032100"), 0, spki, 0, 12);
    System.arraycopy(key, 0, spki, 12, 32);
    PublicKey pk;
    try {
      pk = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    } catch (java.security.spec.InvalidKeySpecException e) {
      return false;
    }
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(pk);
    s.update(msg);
    try {
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  private static byte[] raw(PublicKey k) {
    byte[] enc = k.getEncoded();
    return Arrays.copyOfRange(enc, enc.length - 32, enc.length);
  }

  private static byte[] flip(byte[] b, int bit) {
    byte[] c = b.clone();
    c[bit / 8] ^= (byte) (1 << (bit % 8));
    return c;
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }
}
