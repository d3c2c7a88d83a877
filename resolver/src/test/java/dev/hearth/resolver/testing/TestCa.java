package dev.hearth.resolver.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority made with the {@code openssl} command, as an operator
 * would make one: a CA certificate and server certificates it signs, written as PEM files.
 * Clients in tests trust {@link #caFile()} (or the {@link #sslContext()}) and nothing else.
 */
public final class TestCa {
  private final Path dir;
  private final Path caCert;
  private final Path caKey;
  private int serial;

  /** Makes a new CA (EC P-256) in {@code dir}. */
  public TestCa(Path dir) throws IOException {
    this.dir = dir;
    this.caCert = dir.resolve("ca.pem");
    this.caKey = dir.resolve("ca.key");
    Path ext = Files.writeString(dir.resolve("ca.ext"),
        "[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
            + "subjectKeyIdentifier=hash\n");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", caKey.toString(), "-out", caCert.toString(), "-days", "3", "-subj",
        "/CN=Hearth Test CA", "-config", ext.toString(), "-extensions", "v3");
  }

  public Path caFile() {
    return caCert;
  }

  /** A server certificate and key. */
  public record Issued(Path cert, Path key) {}

  /**
   * Issues a server certificate for {@code names} (DNS names, {@code *.} wildcards, or IP
   * addresses) with the given key type: {@code ec}, {@code rsa} (PKCS#8) or {@code rsa-pkcs1}
   * / {@code ec-sec1} (the traditional PEM forms). The chain file holds the leaf then the CA.
   */
  public Issued issue(String name, String keyType, String... names) throws IOException {
    int n = ++serial;
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path leaf = dir.resolve(name + ".leaf.pem");
    Path chain = dir.resolve(name + ".pem");
    switch (keyType) {
      case "ec" -> openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-out", key.toString());
      case "rsa" -> openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
          "-out", key.toString());
      case "rsa-pkcs1" -> openssl("genrsa", "-traditional", "-out", key.toString(), "2048");
      case "ec-sec1" -> openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
          key.toString());
      default -> throw new IllegalArgumentException(keyType);
    }
    openssl("req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj",
        "/CN=" + names[0]);
    List<String> san = new ArrayList<>();
    for (String s : names) {
      san.add((s.matches("[0-9.]+|.*:.*") ? "IP:" : "DNS:") + s);
    }
    Path ext = Files.writeString(dir.resolve(name + ".ext"), "basicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        + "subjectAltName=" + String.join(",", san) + "\n");
    openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey",
        caKey.toString(), "-set_serial", String.valueOf(1000 + n), "-out", leaf.toString(),
        "-days", "2", "-extfile", ext.toString());
    Path tmp = dir.resolve(name + ".pem.tmp");
    Files.writeString(tmp, Files.readString(leaf) + Files.readString(caCert));
    Files.move(tmp, chain, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return new Issued(chain, key);
  }

  /** An SSL context that trusts this CA only. */
  public SSLContext sslContext() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", certificate(caCert));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** The first certificate of a PEM file. */
  public static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /**
   * The base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as Chromium's
   * {@code --ignore-certificate-errors-spki-list} takes it.
   */
  public static String spkiHash(Path pem) throws Exception {
    byte[] spki = certificate(pem).getPublicKey().getEncoded();
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki));
  }

  private void openssl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("openssl " + args[0] + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
    }
  }
}
