package dev.hearth.resolver;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the resolver needs to run, already validated. The command line and the YAML file
 * both produce one of these; the resolver never reads configuration sources itself, so a bad
 * setting is caught (and named) before any socket is opened.
 */
public record ResolverConfig(
    List<InetSocketAddress> dnsListen,
    List<UpstreamSpec> upstreams,
    ClientNetworks allowedClients,
    boolean dropRefused,
    int rateLimitPerClient,
    int threads,
    Cache cache,
    Tcp tcp,
    Duration upstreamTimeout,
    Duration resolutionTimeout,
    int ednsUdpSize,
    int maxInFlight) {

  /**
   * Distinct questions waiting for upstreams at once before new ones are shed (REFUSED with an
   * Extended DNS Error, or a stale answer when there is one), so a flood of cache misses or a
   * black-holed upstream cannot grow memory without bound (Unbound's num-queries-per-thread,
   * PowerDNS's max-mthreads).
   */
  public static final int DEFAULT_MAX_IN_FLIGHT = 10_000;

  /** With the default limit of questions waiting for upstreams. */
  public ResolverConfig(List<InetSocketAddress> dnsListen, List<UpstreamSpec> upstreams,
      ClientNetworks allowedClients, boolean dropRefused, int rateLimitPerClient, int threads,
      Cache cache, Tcp tcp, Duration upstreamTimeout, Duration resolutionTimeout,
      int ednsUdpSize) {
    this(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient, threads, cache,
        tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, DEFAULT_MAX_IN_FLIGHT);
  }

  /** Cache sizing and TTL policy (RFC 2308 negative caching, RFC 8767 serve-stale). */
  public record Cache(
      long maxBytes,
      int minTtl,
      int maxTtl,
      int negativeMaxTtl,
      boolean prefetch,
      boolean serveStale,
      int staleMaxAge,
      int staleAnswerTtl) {
    public static Cache defaults() {
      return new Cache(64L << 20, 0, 86_400, 3_600, true, true, 86_400, 30);
    }
  }

  /** TCP listener limits (RFC 7766 section 6.2). */
  public record Tcp(Duration idleTimeout, int maxConnections, int maxConnectionsPerClient) {
    public static Tcp defaults() {
      return new Tcp(Duration.ofSeconds(10), 1_000, 32);
    }
  }

  public ResolverConfig {
    dnsListen = List.copyOf(dnsListen);
    upstreams = List.copyOf(upstreams);
    Objects.requireNonNull(allowedClients, "allowedClients");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(tcp, "tcp");
    if (dnsListen.isEmpty()) {
      throw new IllegalArgumentException("at least one DNS listen address is needed");
    }
    if (ednsUdpSize < 512 || ednsUdpSize > 4096) {
      throw new IllegalArgumentException("EDNS UDP size must be between 512 and 4096");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("the in-flight limit must be at least 1");
    }
  }

  /** Embedded defaults, with the given listeners and upstreams. */
  public static ResolverConfig defaults(List<InetSocketAddress> listen, List<UpstreamSpec> upstreams) {
    return new ResolverConfig(
        listen,
        upstreams,
        ClientNetworks.privateDefaults(),
        false,
        1_000,
        Runtime.getRuntime().availableProcessors(),
        Cache.defaults(),
        Tcp.defaults(),
        Duration.ofMillis(800),
        Duration.ofMillis(2_500),
        1232);
  }

  public ResolverConfig withDnsListen(List<InetSocketAddress> v) {
    return new ResolverConfig(v, upstreams, allowedClients, dropRefused, rateLimitPerClient, threads,
        cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withUpstreams(List<UpstreamSpec> v) {
    return new ResolverConfig(dnsListen, v, allowedClients, dropRefused, rateLimitPerClient, threads,
        cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withAllowedClients(ClientNetworks v, boolean drop) {
    return new ResolverConfig(dnsListen, upstreams, v, drop, rateLimitPerClient, threads,
        cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withRateLimitPerClient(int v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, v, threads,
        cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withThreads(int v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient, v,
        cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withCache(Cache v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient,
        threads, v, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withTcp(Tcp v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient,
        threads, cache, v, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withTimeouts(Duration perTry, Duration total) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient,
        threads, cache, tcp, perTry, total, ednsUdpSize, maxInFlight);
  }

  public ResolverConfig withEdnsUdpSize(int v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient,
        threads, cache, tcp, upstreamTimeout, resolutionTimeout, v, maxInFlight);
  }

  public ResolverConfig withMaxInFlight(int v) {
    return new ResolverConfig(dnsListen, upstreams, allowedClients, dropRefused, rateLimitPerClient,
        threads, cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, v);
  }
}
