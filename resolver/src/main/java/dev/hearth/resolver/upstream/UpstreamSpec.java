package dev.hearth.resolver.upstream;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One configured upstream server. {@code validating} marks an upstream the operator trusts to
 * validate DNSSEC: only its AD bit is passed on to clients (RFC 6840 section 5.7).
 *
 * <p>Encrypted upstreams ({@link Transport#TLS}, {@link Transport#HTTPS}) keep the questions
 * private on the way out of the operator's network; for those, {@code host} is the name or IP as
 * the operator wrote it, {@code address} what it resolved to at start, {@code tlsName} the name the
 * server certificate must carry (and the SNI sent) when it differs from {@code host}, and
 * {@code caFile} PEM trust anchors replacing the JDK's trust store (for a private CA).
 */
public record UpstreamSpec(Transport transport, InetSocketAddress address, String host,
    String path, String tlsName, Path caFile, boolean validating) {

  /** How queries travel to the upstream. */
  public enum Transport {
    /** UDP, with TCP when a reply is truncated. */
    PLAIN("", 53),
    /** DNS over TLS, RFC 7858. */
    TLS("tls://", 853),
    /** DNS over HTTPS, RFC 8484 (HTTP/2, or HTTP/1.1 with a server that offers only that). */
    HTTPS("https://", 443);

    public final String scheme;
    public final int defaultPort;

    Transport(String scheme, int defaultPort) {
      this.scheme = scheme;
      this.defaultPort = defaultPort;
    }
  }

  public UpstreamSpec {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(address, "address");
    if (host == null) {
      host = address.getAddress().getHostAddress();
    }
    if (transport == Transport.HTTPS && (path == null || !path.startsWith("/"))) {
      throw new IllegalArgumentException("a DNS-over-HTTPS upstream needs a path such as /dns-query");
    }
    if (transport != Transport.HTTPS) {
      path = null;
    }
    if (transport == Transport.PLAIN && (tlsName != null || caFile != null)) {
      throw new IllegalArgumentException("tls_name and ca_file only apply to tls:// and https:// upstreams");
    }
  }

  /** A plain UDP/TCP upstream. */
  public UpstreamSpec(InetSocketAddress address, boolean validating) {
    this(Transport.PLAIN, address, null, null, null, null, validating);
  }

  public boolean encrypted() {
    return transport != Transport.PLAIN;
  }

  /** The name the certificate must match, also sent as SNI when it is not an IP address. */
  public String verifyName() {
    return tlsName != null ? tlsName : host;
  }

  /** The upstream as an address form ({@code tls://dns.example:853}), without the validating mark. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (transport == Transport.PLAIN) {
      return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
    return transport.scheme + h + ":" + address.getPort() + (path == null ? "" : path);
  }

  @Override
  public String toString() {
    return url() + (validating ? " (validating)" : "");
  }
}
