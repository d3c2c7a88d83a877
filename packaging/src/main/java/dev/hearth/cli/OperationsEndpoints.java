package dev.hearth.cli;

import dev.hearth.admin.appeals.Appeals;
import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.web.Operations;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.cache.CacheStage;
import dev.hearth.resolver.observe.QueryMetrics;
import dev.hearth.resolver.upstream.Upstream;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The {@code /metrics} and {@code /readyz} of {@code hearth serve}: Micrometer's Prometheus
 * registry, bound where the process is assembled so the resolver and admin modules need no
 * metrics library. Everything is read at scrape time from counters the query path keeps anyway
 * ({@link QueryMetrics}, the cache's and upstreams' own), so a query pays nothing for metrics.
 * Labels are protocol, rcode, type, upstream, list and category only: never a client or a name.
 */
final class OperationsEndpoints implements Operations {
  private final DnsServer server;
  private final ObservabilityConfig config;
  private final Clock clock;
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private volatile ListOperations lists;
  /** The version of the policy in force: the admin's publish count, or a node's snapshot serial. */
  private volatile java.util.function.LongSupplier policy;
  private volatile Appeals appeals;
  private volatile String notReady = "starting";
  /** What the scrape-time meters read; refreshed at the start of each scrape. */
  private final Map<String, ListCatalog.Status> listStatus = new ConcurrentHashMap<>();
  private final Set<String> listMeters = new HashSet<>();
  private final Set<String> categoryMeters = new HashSet<>();
  private final Map<String, Long> blocked = new ConcurrentHashMap<>();
  private volatile int appealsOpen;
  private volatile int appealsOverdue;
  private volatile long policyVersion = -1;
  private volatile Instant policySince;
  private final Instant started;

  OperationsEndpoints(DnsServer server, ObservabilityConfig config, Clock clock) {
    this.server = server;
    this.config = config;
    this.clock = clock;
    this.started = clock.instant();
    bind();
  }

  /**
   * Connects the admin side's parts (each may be null: its metrics are then absent).
   * {@code policyVersion} is the admin's publish count or a fleet node's snapshot serial.
   */
  void attach(ListOperations lists, java.util.function.LongSupplier policyVersion,
      Appeals appeals) {
    this.lists = lists;
    this.policy = policyVersion;
    this.appeals = appeals;
  }

  /** Registers a counter the caller keeps, e.g. the query log's drops. */
  void counter(String name, String help, LongSupplier value) {
    FunctionCounter.builder(name, value, LongSupplier::getAsLong).description(help)
        .register(registry);
  }

  /** Ready from now on (after the lists are loaded and every listener bound). */
  void ready() {
    notReady = null;
  }

  /** Not ready any more (shutting down): load balancers stop sending before the listeners go. */
  void notReady(String why) {
    notReady = why;
  }

  private void bind() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    registry.getPrometheusRegistry().register(new QueryCollector(server.queryMetrics()));
    CacheStage cache = server.pipeline().stage(CacheStage.class);
    FunctionCounter.builder("hearth.dns.malformed", server, s -> s.listeners().malformed())
        .description("Messages that did not parse as a DNS query").register(registry);
    Gauge.builder("hearth.dns.tcp.connections", server, s -> s.listeners().openTcpConnections())
        .description("Open TCP connections (plain DNS)").register(registry);
    Gauge.builder("hearth.cache.entries", cache, c -> c.cache().size())
        .description("Answers in the cache").register(registry);
    FunctionCounter.builder("hearth.cache.hits", cache, CacheStage::hits)
        .description("Queries answered from the cache").register(registry);
    FunctionCounter.builder("hearth.cache.misses", cache, CacheStage::misses)
        .description("Queries the cache could not answer").register(registry);
    FunctionCounter.builder("hearth.cache.stale.served", cache, CacheStage::staleServed)
        .description("Expired answers served because every upstream failed (RFC 8767)")
        .register(registry);
    FunctionCounter.builder("hearth.cache.prefetches", cache, CacheStage::prefetches)
        .description("Popular answers refreshed before they expired").register(registry);
    Gauge.builder("hearth.cache.hit.ratio", cache, c -> {
      long h = c.hits();
      long total = h + c.misses();
      return total == 0 ? 0 : (double) h / total;
    }).description("Cache hits over lookups since start (use rate() of hits and misses for"
        + " a recent ratio)").register(registry);
    List<Upstream> ups = server.forwarder().upstreams();
    for (Upstream u : ups) {
      String name = u.status().name();
      Gauge.builder("hearth.upstream.up", u, x -> x.status().up() ? 1 : 0).tag("upstream", name)
          .description("1 while the upstream answers, 0 while it is marked down")
          .register(registry);
      Gauge.builder("hearth.upstream.rtt", u, x -> x.status().srttMillis() / 1000)
          .baseUnit("seconds").tag("upstream", name)
          .description("Smoothed round-trip time of the upstream").register(registry);
      FunctionCounter.builder("hearth.upstream.queries", u, x -> x.status().queries())
          .tag("upstream", name).description("Queries sent to the upstream").register(registry);
      FunctionCounter.builder("hearth.upstream.timeouts", u, x -> x.status().timeouts())
          .tag("upstream", name).description("Queries to the upstream that timed out")
          .register(registry);
      FunctionCounter.builder("hearth.upstream.servfails", u, x -> x.status().servfails())
          .tag("upstream", name).description("SERVFAIL answers from the upstream")
          .register(registry);
    }
    Gauge.builder("hearth.lists", listStatus, Map::size)
        .description("Block lists configured").register(registry);
    Gauge.builder("hearth.appeals.open", this, o -> o.appealsOpen)
        .description("Appeals confirmed and not yet decided").register(registry);
    Gauge.builder("hearth.appeals.overdue", this, o -> o.appealsOverdue)
        .description("Open appeals past their decision deadline").register(registry);
    Gauge.builder("hearth.policy.version", this, o -> o.policyVersion)
        .description("Version of the policy in force: snapshots published since start on an"
            + " admin, the fleet snapshot's serial on a node (changes on every edit)")
        .register(registry);
    Gauge.builder("hearth.policy.age", this, o -> o.policySince == null ? 0
            : Duration.between(o.policySince, o.clock.instant()).toMillis() / 1000.0)
        .baseUnit("seconds").description("Time since the policy in force was published")
        .register(registry);
    Gauge.builder("hearth.ready", this, o -> o.notReady == null ? 1 : 0)
        .description("1 when /readyz says ready").register(registry);
  }

  @Override
  public boolean metricsEnabled() {
    return config.metricsEnabled();
  }

  @Override
  public boolean metricsAllowed(InetAddress client) {
    ClientNetworks allow = config.metricsAllow();
    return allow == null || allow.contains(client);
  }

  @Override
  public synchronized String scrape() {
    refresh();
    return registry.scrape();
  }

  @Override
  public String notReady() {
    return notReady;
  }

  /** Reads what changes shape at run time (lists, categories) and what costs a query (appeals). */
  private void refresh() {
    ListOperations l = lists;
    if (l != null) {
      Map<String, ListCatalog.Status> now = new HashMap<>();
      for (ListCatalog.Status s : l.status()) {
        now.put(s.id(), s);
      }
      listStatus.keySet().retainAll(now.keySet());
      listStatus.putAll(now);
      for (String id : now.keySet()) {
        if (listMeters.add(id)) {
          registerList(id);
        }
      }
      for (String id : new HashSet<>(listMeters)) {
        if (!now.containsKey(id)) {
          listMeters.remove(id);
          for (Meter m : registry.find("hearth.list.entries").tag("list", id).meters()) {
            registry.remove(m);
          }
          registry.find("hearth.list.age").tag("list", id).meters().forEach(registry::remove);
          registry.find("hearth.list.update.ok").tag("list", id).meters()
              .forEach(registry::remove);
        }
      }
    }
    Map<String, Long> b = server.policy().blockedByCategory();
    blocked.putAll(b);
    for (String cat : b.keySet()) {
      if (categoryMeters.add(cat)) {
        FunctionCounter.builder("hearth.blocked", blocked, m -> m.getOrDefault(cat, 0L))
            .tag("category", cat).description("Queries blocked, by list category")
            .register(registry);
      }
    }
    Appeals a = appeals;
    if (a != null) {
      try {
        Appeals.Stats st = a.stats();
        appealsOpen = st.open();
        appealsOverdue = st.overdue();
      } catch (Exception e) {
        // The store is busy or broken: keep the last figures, the log has the store's problem.
      }
    }
    java.util.function.LongSupplier p = policy;
    long v = p == null ? 1 : p.getAsLong();
    if (v != policyVersion) {
      policyVersion = v;
      policySince = policyVersion == 1 ? started : clock.instant();
    }
  }

  private void registerList(String id) {
    Gauge.builder("hearth.list.entries", listStatus, m -> {
      ListCatalog.Status s = m.get(id);
      return s == null ? 0 : s.entries();
    }).tag("list", id).description("Names in the list version in force").register(registry);
    Gauge.builder("hearth.list.age", listStatus, m -> {
      ListCatalog.Status s = m.get(id);
      return s == null || s.lastUpdate() == null ? Double.NaN
          : Duration.between(s.lastUpdate(), clock.instant()).toMillis() / 1000.0;
    }).baseUnit("seconds").tag("list", id)
        .description("Time since the list in force was last updated").register(registry);
    Gauge.builder("hearth.list.update.ok", listStatus, m -> {
      ListCatalog.Status s = m.get(id);
      return s == null || s.lastError() != null ? 0 : 1;
    }).tag("list", id).description("1 when the list's last update or check succeeded")
        .register(registry);
  }

  /**
   * Answers and latency straight from the resolver's adders: only the cells that moved are
   * exported, so the series are the combinations that happen, not all 256.
   */
  private static final class QueryCollector implements MultiCollector {
    private static final double[] BOUNDS = bounds();
    private final QueryMetrics m;

    QueryCollector(QueryMetrics m) {
      this.m = m;
    }

    private static double[] bounds() {
      double[] b = java.util.Arrays.copyOf(QueryMetrics.LATENCY_BOUNDS_SECONDS,
          QueryMetrics.LATENCY_BOUNDS_SECONDS.length + 1);
      b[b.length - 1] = Double.POSITIVE_INFINITY;
      return b;
    }

    @Override
    public MetricSnapshots collect() {
      CounterSnapshot.Builder answers = CounterSnapshot.builder().name("hearth_dns_queries")
          .help("DNS queries answered, by protocol, response code and response type");
      HistogramSnapshot.Builder latency = HistogramSnapshot.builder()
          .name("hearth_dns_query_duration_seconds")
          .help("Time from a query's arrival to its response being written, by protocol");
      for (int p = 0; p < QueryMetrics.PROTOCOLS.length; p++) {
        for (int r = 0; r < QueryMetrics.RCODES.length; r++) {
          for (int t = 0; t < QueryMetrics.TYPES.length; t++) {
            long n = m.answers(p, r, t);
            if (n > 0) {
              answers.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(n)
                  .labels(Labels.of("protocol", QueryMetrics.PROTOCOLS[p], "rcode",
                      QueryMetrics.RCODES[r], "type", QueryMetrics.TYPES[t])).build());
            }
          }
        }
        long[] counts = new long[BOUNDS.length];
        for (int b = 0; b < counts.length; b++) {
          counts[b] = m.latencyBucket(p, b);
        }
        // Every protocol is exported (zeros included), so dashboards have a series to show.
        latency.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, counts))
            .sum(m.latencySumSeconds(p))
            .labels(Labels.of("protocol", QueryMetrics.PROTOCOLS[p])).build());
      }
      return MetricSnapshots.of(answers.build(), latency.build());
    }

    @Override
    public List<String> getPrometheusNames() {
      return List.of("hearth_dns_queries", "hearth_dns_query_duration_seconds");
    }
  }
}
