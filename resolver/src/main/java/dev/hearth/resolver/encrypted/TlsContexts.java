package dev.hearth.resolver.encrypted;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server TLS contexts for DoT and DoH, built from the PEM files and rebuilt when either file
 * changes ({@link #reloadIfChanged()}, called every couple of seconds): new handshakes get the
 * new certificate, open connections keep theirs. A file caught half-written, or a certificate
 * that does not match the key yet, leaves the current pair in service and is tried again.
 *
 * <p>TLS 1.3 and 1.2 only, forward-secret AEAD suites only, session resumption (session cache
 * for TLS 1.2, tickets for 1.3), and ALPN: {@code dot} for DoT (RFC 7858 §3.2 is silent; RFC
 * 9461 names it), {@code h2} then {@code http/1.1} for DoH. A client offering no ALPN is served.
 */
public final class TlsContexts {
  private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);
  static final String ALPN_DOT = "dot";
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final Path certFile;
  private final Path keyFile;
  private volatile Pair current;
  private Stamp loaded;
  private String lastFailure;

  /** The two contexts of one certificate and key. */
  private record Pair(SslContext dot, SslContext doh, X509Certificate leaf) {}

  /** What the files looked like when last read. */
  private record Stamp(FileTime certTime, long certSize, FileTime keyTime, long keySize) {}

  /**
   * Reads both files now.
   *
   * @throws IOException naming the file at fault (missing, unreadable, not PEM, key mismatch)
   */
  public TlsContexts(Path certFile, Path keyFile) throws IOException {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.loaded = stamp();
    this.current = build(PemKeys.load(certFile, keyFile));
  }

  SslContext dot() {
    return current.dot;
  }

  SslContext doh() {
    return current.doh;
  }

  /** The leaf certificate being served. */
  public X509Certificate certificate() {
    return current.leaf;
  }

  /**
   * Rebuilds the contexts when a file changed since the last successful read.
   *
   * @return whether a new certificate is now served
   */
  public synchronized boolean reloadIfChanged() {
    Stamp now;
    try {
      now = stamp();
    } catch (IOException e) {
      fail("cannot read the TLS certificate or key: " + e.getMessage());
      return false;
    }
    if (now.equals(loaded)) {
      return false;
    }
    try {
      Pair next = build(PemKeys.load(certFile, keyFile));
      current = next;
      loaded = now;
      lastFailure = null;
      log.info("TLS certificate reloaded from {}: {}, valid until {}", certFile,
          next.leaf.getSubjectX500Principal().getName(), next.leaf.getNotAfter().toInstant());
      return true;
    } catch (IOException | RuntimeException e) {
      fail("the new TLS certificate or key is not usable yet, the previous one stays: "
          + e.getMessage());
      return false;
    }
  }

  private void fail(String message) {
    if (!message.equals(lastFailure)) {
      log.warn(message);
      lastFailure = message;
    }
  }

  private Stamp stamp() throws IOException {
    return new Stamp(Files.getLastModifiedTime(certFile), Files.size(certFile),
        Files.getLastModifiedTime(keyFile), Files.size(keyFile));
  }

  private static Pair build(PemKeys.Identity id) throws IOException {
    X509Certificate[] chain = id.chain().toArray(new X509Certificate[0]);
    return new Pair(context(id, chain, List.of(ALPN_DOT)),
        context(id, chain, List.of(ApplicationProtocolNames.HTTP_2,
            ApplicationProtocolNames.HTTP_1_1)), chain[0]);
  }

  private static SslContext context(PemKeys.Identity id, X509Certificate[] chain,
      List<String> alpn) throws IOException {
    try {
      return SslContextBuilder.forServer(id.key(), chain)
          .sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS)
          .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .sessionCacheSize(20_000)
          .sessionTimeout(3600)
          .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
              SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT,
              alpn))
          .build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IOException("cannot set up TLS: " + e.getMessage(), e);
    }
  }
}
