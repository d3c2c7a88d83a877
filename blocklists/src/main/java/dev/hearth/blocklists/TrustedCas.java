package dev.hearth.blocklists;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An operator's CA bundle for an HTTPS list source: the PEM certificates of one file become the
 * only trust anchors of that source's TLS connections (like {@code curl --cacert}); the JDK's
 * default store is not consulted. Host names are still verified against the server certificate.
 */
public final class TrustedCas {
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);
  /** Far larger than any sensible bundle (the Mozilla bundle is about 220 KB). */
  private static final long MAX_BYTES = 4L << 20;

  private TrustedCas() {}

  /**
   * The certificates of a PEM file, in order.
   *
   * @throws IOException with a reason fit for a config error: the file cannot be read, is too
   *     large, holds no {@code BEGIN CERTIFICATE} block, or a block is not a valid certificate
   */
  public static List<X509Certificate> read(Path pemFile) throws IOException {
    String text;
    try {
      if (Files.size(pemFile) > MAX_BYTES) {
        throw new IOException(pemFile + " is larger than " + (MAX_BYTES >> 20)
            + " MiB: not a CA bundle");
      }
      text = new String(Files.readAllBytes(pemFile), StandardCharsets.US_ASCII);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("cannot read " + pemFile + ": no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw new IOException("cannot read " + pemFile + ": permission denied");
    } catch (IOException e) {
      throw e.getMessage() != null && e.getMessage().startsWith(pemFile.toString()) ? e
          : new IOException("cannot read " + pemFile + ": " + e.getMessage());
    }
    List<X509Certificate> out = new ArrayList<>();
    CertificateFactory cf;
    try {
      cf = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      int n = out.size() + 1;
      try {
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
      } catch (IllegalArgumentException | CertificateException e) {
        throw new IOException(pemFile + ": certificate " + n + " is not a valid X.509"
            + " certificate");
      }
    }
    if (out.isEmpty()) {
      throw new IOException("no certificate in " + pemFile
          + " (expected PEM blocks: -----BEGIN CERTIFICATE-----)");
    }
    return out;
  }

  /** A TLS context that trusts exactly the certificates of {@code pemFile}. */
  public static SSLContext context(Path pemFile) throws IOException {
    List<X509Certificate> certs = read(pemFile);
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      for (int i = 0; i < certs.size(); i++) {
        ks.setCertificateEntry("ca-" + i, certs.get(i));
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, tmf.getTrustManagers(), null);
      return tls;
    } catch (GeneralSecurityException e) {
      throw new IOException(pemFile + ": cannot make a trust store of it: " + e.getMessage());
    }
  }
}
