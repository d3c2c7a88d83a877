package dev.hearth.resolver.encrypted;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a certificate chain and its private key from PEM files as certbot, openssl and most CAs
 * write them: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC
 * ({@code EC PRIVATE KEY}), without BouncyCastle. It also checks that the key belongs to the
 * leaf certificate: a certificate renewed before its key is written must not be served.
 */
public final class PemKeys {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d,
      0x02, 0x01};

  private PemKeys() {}

  /** A certificate chain (leaf first) with the leaf's private key. */
  public record Identity(List<X509Certificate> chain, PrivateKey key) {}

  /**
   * Loads and cross-checks both files.
   *
   * @throws IOException with a message naming the file and the problem
   */
  public static Identity load(Path certFile, Path keyFile) throws IOException {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    if (!matches(key, chain.get(0).getPublicKey())) {
      throw new IOException(keyFile + " is not the private key of the certificate in "
          + certFile);
    }
    return new Identity(chain, key);
  }

  static List<X509Certificate> certificates(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    List<X509Certificate> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      while (m.find()) {
        if (m.group(1).equals("CERTIFICATE")) {
          out.add((X509Certificate) cf.generateCertificate(
              new ByteArrayInputStream(decode(m.group(2), file))));
        }
      }
    } catch (CertificateException e) {
      throw new IOException(file + ": not a valid certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
    return out;
  }

  static PrivateKey privateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = decode(m.group(2), file);
      byte[] pkcs8;
      switch (type) {
        case "PRIVATE KEY" -> pkcs8 = der;
        case "RSA PRIVATE KEY" -> pkcs8 = wrap(RSA_OID, new byte[] {0x05, 0x00}, der);
        case "EC PRIVATE KEY" -> {
          try {
            pkcs8 = wrap(EC_OID, curveOf(der, file), der);
          } catch (RuntimeException e) {
            throw new IOException(file + ": not a valid EC private key");
          }
        }
        case "ENCRYPTED PRIVATE KEY" -> throw new IOException(file + ": the key is encrypted;"
            + " Hearth needs it unencrypted (openssl pkcs8 -topk8 -nocrypt)");
        default -> {
          continue;
        }
      }
      for (String alg : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
          // try the next algorithm
        }
      }
      throw new IOException(file + ": not an RSA or EC private key");
    }
    throw new IOException(file + ": no PEM private key (-----BEGIN PRIVATE KEY-----) in it");
  }

  private static byte[] decode(String base64, Path file) throws IOException {
    try {
      return Base64.getMimeDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": broken PEM: " + e.getMessage(), e);
    }
  }

  private static boolean matches(PrivateKey key, PublicKey pub) {
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (alg == null) {
      return true; // nothing to check with; the handshake will tell
    }
    try {
      byte[] probe = "hearth".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** The named-curve OID ({@code [0]} parameters) of a SEC1 ECPrivateKey. */
  private static byte[] curveOf(byte[] sec1, Path file) throws IOException {
    int[] p = {0};
    header(sec1, p, 0x30);
    skip(sec1, p); // version
    skip(sec1, p); // privateKey
    if (p[0] < sec1.length && (sec1[p[0]] & 0xff) == 0xa0) {
      int len = header(sec1, p, 0xa0);
      byte[] oid = new byte[len];
      System.arraycopy(sec1, p[0], oid, 0, len);
      return oid;
    }
    throw new IOException(file + ": the EC key does not name its curve; convert it with"
        + " openssl pkcs8 -topk8 -nocrypt");
  }

  private static int header(byte[] d, int[] p, int tag) {
    if ((d[p[0]++] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER tag");
    }
    int len = d[p[0]++] & 0xff;
    if (len >= 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (d[p[0]++] & 0xff);
      }
    }
    return len;
  }

  private static void skip(byte[] d, int[] p) {
    int len = header(d, p, d[p[0]] & 0xff);
    p[0] += len;
  }

  /** PrivateKeyInfo { version 0, AlgorithmIdentifier { oid, params }, OCTET STRING key }. */
  private static byte[] wrap(byte[] oid, byte[] params, byte[] key) {
    ByteArrayOutputStream alg = new ByteArrayOutputStream();
    alg.writeBytes(oid);
    alg.writeBytes(params);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(tlv(0x30, alg.toByteArray()));
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }
}
