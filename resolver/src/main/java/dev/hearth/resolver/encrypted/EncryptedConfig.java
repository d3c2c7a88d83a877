package dev.hearth.resolver.encrypted;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The DNS-over-TLS (RFC 7858) and DNS-over-HTTPS (RFC 8484) listeners, already validated. Kept
 * apart from the plain listeners' settings because it carries files (certificate, key) and the
 * public name that devices are given, which the parent portal also shows
 * ({@link #dohUrl(String)}, {@link #dotHost(String)}).
 *
 * @param dot DoT listen addresses (empty: no DoT)
 * @param doh DoH listen addresses (empty: no DoH)
 * @param cert PEM certificate chain (leaf first), or null when neither listener is on
 * @param key PEM private key (PKCS#8, RSA or EC), or null when neither listener is on
 * @param hostname the public name the certificate covers (and {@code *.hostname} for DoT
 *     tokens), or null when not configured: then DDR answers nothing and DoT has no tokens
 * @param maxConnectionsPerClient open TLS connections per client address (IPv6: per /64)
 * @param idleTimeout a connection with no request for this long is closed
 * @param maxRequestSize the largest DNS query (DoT frame, DoH body or decoded GET parameter)
 * @param maxStreams HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per DoH connection
 */
public record EncryptedConfig(
    List<InetSocketAddress> dot,
    List<InetSocketAddress> doh,
    Path cert,
    Path key,
    String hostname,
    int maxConnectionsPerClient,
    Duration idleTimeout,
    int maxRequestSize,
    int maxStreams) {

  public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 32;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_REQUEST_SIZE = 4096;
  public static final int DEFAULT_MAX_STREAMS = 100;
  /** The DoH path; a profile token may follow as one more segment. */
  public static final String DOH_PATH = "/dns-query";

  /** No encrypted listeners (the default). */
  public static final EncryptedConfig NONE = new EncryptedConfig(List.of(), List.of(), null, null,
      null, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_REQUEST_SIZE,
      DEFAULT_MAX_STREAMS);

  public EncryptedConfig {
    dot = List.copyOf(dot);
    doh = List.copyOf(doh);
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if ((!dot.isEmpty() || !doh.isEmpty()) && (cert == null || key == null)) {
      throw new IllegalArgumentException("DNS over TLS and DNS over HTTPS need a certificate and"
          + " its key: --tls-cert PEM and --tls-key PEM (encrypted.cert and encrypted.key)");
    }
    if (maxConnectionsPerClient < 1 || maxStreams < 1) {
      throw new IllegalArgumentException("encrypted listener limits must be at least 1");
    }
    if (maxRequestSize < 12 || maxRequestSize > 65535) {
      throw new IllegalArgumentException("the maximum request size must be 12 to 65535 bytes");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("the idle timeout must be positive");
    }
  }

  /** Whether any encrypted listener is configured. */
  public boolean enabled() {
    return !dot.isEmpty() || !doh.isEmpty();
  }

  /**
   * A device's personal DoH URL ({@code https://HOSTNAME[:PORT]/dns-query/TOKEN}; without a
   * token the network default's), or null without DoH or a hostname. The port is the first DoH
   * listener's, left out when it is 443.
   */
  public String dohUrl(String token) {
    if (doh.isEmpty() || hostname == null) {
      return null;
    }
    int port = doh.get(0).getPort();
    return "https://" + hostname + (port == 443 ? "" : ":" + port) + DOH_PATH
        + (token == null ? "" : "/" + token);
  }

  /**
   * A device's personal DoT host name ({@code TOKEN.HOSTNAME}, what Android's Private DNS takes),
   * or null without DoT or a hostname.
   */
  public String dotHost(String token) {
    if (dot.isEmpty() || hostname == null) {
      return null;
    }
    return token == null ? hostname : token + "." + hostname;
  }

  /** The first DoT listener's port (853 unless configured otherwise), or -1 without DoT. */
  public int dotPort() {
    return dot.isEmpty() ? -1 : dot.get(0).getPort();
  }

  public EncryptedConfig withDot(List<InetSocketAddress> v) {
    return new EncryptedConfig(v, doh, cert, key, hostname, maxConnectionsPerClient, idleTimeout,
        maxRequestSize, maxStreams);
  }

  public EncryptedConfig withDoh(List<InetSocketAddress> v) {
    return new EncryptedConfig(dot, v, cert, key, hostname, maxConnectionsPerClient, idleTimeout,
        maxRequestSize, maxStreams);
  }

  public EncryptedConfig withTls(Path certFile, Path keyFile) {
    return new EncryptedConfig(dot, doh, certFile, keyFile, hostname, maxConnectionsPerClient,
        idleTimeout, maxRequestSize, maxStreams);
  }

  public EncryptedConfig withHostname(String v) {
    return new EncryptedConfig(dot, doh, cert, key, v, maxConnectionsPerClient, idleTimeout,
        maxRequestSize, maxStreams);
  }

  public EncryptedConfig withLimits(int perClient, Duration idle, int requestSize, int streams) {
    return new EncryptedConfig(dot, doh, cert, key, hostname, perClient, idle, requestSize,
        streams);
  }
}
