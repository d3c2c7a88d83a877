package dev.hearth.resolver;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.resolver.access.AccessControlStage;
import dev.hearth.resolver.access.RateLimitStage;
import dev.hearth.resolver.cache.CacheStage;
import dev.hearth.resolver.pipeline.Pipeline;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.client.ClientIdentificationStage;
import dev.hearth.resolver.encrypted.DdrStage;
import dev.hearth.resolver.encrypted.EncryptedConfig;
import dev.hearth.resolver.encrypted.EncryptedListeners;
import dev.hearth.resolver.encrypted.TlsContexts;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.PolicyStage;
import dev.hearth.resolver.protocol.ProtocolStage;
import dev.hearth.resolver.server.Listeners;
import dev.hearth.resolver.server.Transports;
import dev.hearth.resolver.upstream.Forwarder;
import dev.hearth.resolver.upstream.UpstreamStage;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Hearth resolver: UDP and TCP listeners feeding the query pipeline. Start one with
 * {@link #start(ResolverConfig)}; {@link #close()} stops listening and releases every thread.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  private final EventLoopGroup group;
  private final Forwarder forwarder;
  private final Pipeline pipeline;
  private final Listeners listeners;
  private final EncryptedListeners encrypted;

  private DnsServer(EventLoopGroup group, Forwarder forwarder, Pipeline pipeline,
      Listeners listeners, EncryptedListeners encrypted) {
    this.group = group;
    this.forwarder = forwarder;
    this.pipeline = pipeline;
    this.listeners = listeners;
    this.encrypted = encrypted;
  }

  /**
   * Binds every listener and starts answering. Unreachable upstreams do not stop the start: they
   * are logged and queries get SERVFAIL with an Extended DNS Error until one answers.
   *
   * @throws StartupException when a listener cannot be bound (address in use, no permission)
   */
  public static DnsServer start(ResolverConfig config) throws StartupException {
    return start(config, List.of(), System::nanoTime);
  }

  /** As {@link #start(ResolverConfig)}, filtering from the first query with these lists. */
  public static DnsServer start(ResolverConfig config, List<CompiledList> blocklists)
      throws StartupException {
    return start(config, blocklists, PolicySnapshot.everyListForEveryone(), System::nanoTime);
  }

  /** As {@link #start(ResolverConfig)}, with these lists under this policy from the first query. */
  public static DnsServer start(ResolverConfig config, List<CompiledList> blocklists,
      PolicySnapshot policy) throws StartupException {
    return start(config, blocklists, policy, System::nanoTime);
  }

  /**
   * As {@link #start(ResolverConfig)}, with the monotonic clock used for TTLs and deadlines
   * (tests move it forward instead of sleeping).
   */
  public static DnsServer start(ResolverConfig config, LongSupplier clock) throws StartupException {
    return start(config, List.of(), PolicySnapshot.everyListForEveryone(), clock);
  }

  static DnsServer start(ResolverConfig config, List<CompiledList> blocklists, LongSupplier clock)
      throws StartupException {
    return start(config, blocklists, PolicySnapshot.everyListForEveryone(), clock);
  }

  static DnsServer start(ResolverConfig config, List<CompiledList> blocklists,
      PolicySnapshot policy, LongSupplier clock) throws StartupException {
    return start(config, EncryptedConfig.NONE, blocklists, policy, clock);
  }

  /**
   * As {@link #start(ResolverConfig, List, PolicySnapshot)}, with DNS-over-TLS and DNS-over-HTTPS
   * listeners too.
   *
   * @throws StartupException also when the certificate or key cannot be read
   */
  public static DnsServer start(ResolverConfig config, EncryptedConfig encryptedConfig,
      List<CompiledList> blocklists, PolicySnapshot policy) throws StartupException {
    return start(config, encryptedConfig, blocklists, policy, System::nanoTime);
  }

  static DnsServer start(ResolverConfig config, EncryptedConfig encryptedConfig,
      List<CompiledList> blocklists, PolicySnapshot policy, LongSupplier clock)
      throws StartupException {
    int threads = Math.max(1, config.threads());
    EventLoopGroup group = Transports.newGroup(threads, "hearth-dns");
    Forwarder forwarder = null;
    try {
      forwarder = new Forwarder(config.upstreams(), group, config.upstreamTimeout().toMillis(),
          config.resolutionTimeout().toMillis(), config.ednsUdpSize(), clock);
      Pipeline pipeline = new Pipeline(stages(config, forwarder, blocklists, policy, clock));
      TlsContexts tls = EncryptedListeners.prepare(encryptedConfig);
      Listeners listeners = Listeners.bind(config, group, threads, pipeline, clock);
      EncryptedListeners encrypted;
      try {
        encrypted = EncryptedListeners.bind(encryptedConfig, tls, config, group,
            listeners.handler());
      } catch (StartupException e) {
        listeners.close();
        throw e;
      }
      pipeline.stage(DdrStage.class).publish(encryptedConfig.hostname(),
          encrypted.dotAddresses(), encrypted.dohAddresses());
      log.info("Hearth resolver listening on {} ({} transport{}), {} thread(s)",
          listeners.addresses(), Transports.name(),
          Transports.epoll() ? "" : ": epoll unavailable, " + Transports.fallbackReason(), threads);
      if (config.upstreams().isEmpty()) {
        log.warn("no upstream servers configured: every query gets SERVFAIL until one is");
      } else {
        log.info("upstreams: {}", config.upstreams());
        forwarder.checkReachability();
      }
      return new DnsServer(group, forwarder, pipeline, listeners, encrypted);
    } catch (StartupException e) {
      shutdown(group, forwarder);
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdown(group, forwarder);
      throw new StartupException("interrupted while starting", e);
    }
  }

  /** The query path, in order; each stage's comment says why it sits where it does. */
  static List<QueryStage> stages(ResolverConfig config, Forwarder forwarder,
      List<CompiledList> blocklists, PolicySnapshot policySnapshot, LongSupplier clock) {
    List<QueryStage> stages = new ArrayList<>();
    // First, keyed on the socket address: bounds every UDP reply, refusals included, so even
    // REFUSED cannot be used to reflect traffic at a spoofed address.
    if (config.rateLimitPerClient() > 0) {
      stages.add(new RateLimitStage(config.rateLimitPerClient(), clock));
    }
    // Never serve clients outside the configured networks.
    stages.add(new AccessControlStage(config.allowedClients(), config.dropRefused()));
    // Protocol rules answer locally what must not reach the cache or an upstream.
    stages.add(new ProtocolStage());
    // Discovery of Designated Resolvers: Hearth answers for itself, never an upstream.
    stages.add(new DdrStage());
    // Who is asking (token, router-added MAC or CPE id, trusted Client Subnet, source address),
    // then the policy for them, before the cache: a list or policy change applies to the next
    // query and blocked names never reach the cache or an upstream.
    PolicyStage policy = new PolicyStage(blocklists, policySnapshot);
    stages.add(new ClientIdentificationStage(policy::directory, policy.bindings()));
    stages.add(policy);
    // SafeSearch rewrites a passed name to its engine's locked-down host, looked up below.
    stages.add(new dev.hearth.resolver.policy.SafeSearchStage(policy::safeSearch));
    stages.add(new CacheStage(config.cache(), clock, config.maxInFlight()));
    stages.add(new UpstreamStage(forwarder, config.cache(), clock));
    return stages;
  }

  /** The addresses actually bound, UDP and TCP alike (port 0 in the config becomes the real port). */
  public List<InetSocketAddress> boundAddresses() {
    return listeners.addresses();
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  public Forwarder forwarder() {
    return forwarder;
  }

  /** The policy stage, to swap in reloaded lists and policy snapshots and bind addresses. */
  public PolicyStage policy() {
    return pipeline.stage(PolicyStage.class);
  }

  public Listeners listeners() {
    return listeners;
  }

  /** Answers by protocol, rcode and type, and latency, for the metrics exporter. */
  public dev.hearth.resolver.observe.QueryMetrics queryMetrics() {
    return listeners.handler().metrics();
  }

  /** Hands every answered query to {@code observer} (query log, dnstap); null stops that. */
  public void observe(dev.hearth.resolver.observe.QueryObserver observer) {
    listeners.handler().observe(observer);
  }

  /** The DoT and DoH listeners (none bound unless configured). */
  public EncryptedListeners encrypted() {
    return encrypted;
  }

  /**
   * The counters the admin dashboard shows: totals since start (rates are differences between
   * two readings) and each upstream's health.
   */
  public record Stats(long queries, long malformed, long cacheHits, long cacheMisses,
      long cacheEntries, long staleServed, long blocked,
      java.util.Map<String, Long> blockedByCategory,
      List<dev.hearth.resolver.upstream.Upstream.Status> upstreams) {}

  public Stats stats() {
    CacheStage cache = pipeline.stage(CacheStage.class);
    PolicyStage p = policy();
    return new Stats(listeners.queries(), listeners.malformed(), cache.hits(), cache.misses(),
        cache.cache().size(), cache.staleServed(), p.blockedCount(), p.blockedByCategory(),
        forwarder.upstreams().stream().map(dev.hearth.resolver.upstream.Upstream::status)
            .toList());
  }

  /** One line of counters for logs: queries, cache behaviour, upstream health. */
  public String statsLine() {
    CacheStage cache = pipeline.stage(CacheStage.class);
    StringBuilder sb = new StringBuilder();
    sb.append("queries=").append(listeners.queries())
        .append(" malformed=").append(listeners.malformed())
        .append(" cache_hits=").append(cache.hits())
        .append(" cache_misses=").append(cache.misses())
        .append(" cache_entries=").append(cache.cache().size())
        .append(" stale_served=").append(cache.staleServed())
        .append(" prefetches=").append(cache.prefetches())
        .append(" rejected_upstream_replies=").append(forwarder.rejectedReplies());
    forwarder.upstreams().forEach(u -> sb.append(" | ").append(u.describe()));
    return sb.toString();
  }

  @Override
  public void close() {
    log.info("final counters: {}", statsLine());
    encrypted.close();
    listeners.close();
    shutdown(group, forwarder);
  }

  private static void shutdown(EventLoopGroup group, Forwarder forwarder) {
    if (forwarder != null) {
      forwarder.close();
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
