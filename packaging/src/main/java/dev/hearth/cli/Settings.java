package dev.hearth.cli;

import dev.hearth.admin.policy.PolicyCompiler;
import dev.hearth.blocklists.ListSource;
import dev.hearth.blocklists.SafetyPolicy;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.encrypted.EncryptedConfig;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Everything {@code hearth serve} runs with: the resolver's own {@link ResolverConfig} plus the
 * settings that belong to the rest of the program (data directory, web address, blocklists).
 * They travel together so that the embedded defaults, the config file and the flags are merged
 * in one place, in that order, before anything is started.
 *
 * <p>{@link #encrypted()} holds the DoT and DoH listeners ({@code encrypted:} section,
 * {@code --dot}, {@code --doh}): the public {@link EncryptedConfig#hostname()} devices are given
 * and their personal {@link EncryptedConfig#dohUrl(String) DoH URL} and
 * {@link EncryptedConfig#dotHost(String) DoT host}; {@link EncryptedConfig#NONE} when off.
 */
public record Settings(
    ResolverConfig resolver, Path dataDir, InetSocketAddress httpListen, List<Path> blocklists,
    List<ListSource> listSources, SafetyPolicy listSafety, PolicySnapshot policy,
    PolicyCompiler policyCompiler, InetSocketAddress blockPageListen,
    PublicSiteConfig publicSite, int activityRetentionDays, EncryptedConfig encrypted,
    ObservabilityConfig observability, FleetConfig fleet) {

  public static final String DEFAULT_DNS_LISTEN = "127.0.0.1:5335";
  public static final String DEFAULT_HTTP_LISTEN = "127.0.0.1:8080";
  public static final String DEFAULT_DATA_DIR = "./hearth-data";
  /** How long households' daily activity summaries are kept ({@code activity.retention_days}). */
  public static final int DEFAULT_ACTIVITY_RETENTION_DAYS = 30;
  /** {@code --http off}: no web interface or API at all. */
  static final InetSocketAddress HTTP_OFF = InetSocketAddress.createUnresolved("off", 1);

  /** Whether the web interface and API listen ({@code --http off} turns them off). */
  public boolean webEnabled() {
    return !HTTP_OFF.equals(httpListen);
  }

  /** The admin database in the data directory. */
  public Path adminDatabase() {
    return dataDir.resolve("admin.db");
  }

  public Settings {
    Objects.requireNonNull(resolver, "resolver");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(httpListen, "httpListen");
    blocklists = List.copyOf(blocklists);
    listSources = List.copyOf(listSources);
    Objects.requireNonNull(listSafety, "listSafety");
    policy = policy == null ? PolicySnapshot.everyListForEveryone() : policy;
    policyCompiler = policyCompiler == null
        ? new StorePolicyCompiler(ConfigFile.detached("config"), null, policy) : policyCompiler;
    publicSite = publicSite == null ? PublicSiteConfig.DEFAULTS : publicSite;
    if (activityRetentionDays < 1) {
      throw new IllegalArgumentException("activity retention must be at least one day");
    }
    encrypted = encrypted == null ? EncryptedConfig.NONE : encrypted;
    observability = observability == null ? ObservabilityConfig.DEFAULTS : observability;
    fleet = fleet == null ? FleetConfig.NONE : fleet;
  }


  static Builder builder() {
    return new Builder();
  }

  /**
   * Collects settings in precedence order: it starts from the embedded defaults, then the file
   * and then the flags overwrite what they set. Upstreams stay unset (rather than empty) until
   * someone sets them, so the caller can fall back to the system resolvers.
   */
  static final class Builder {
    private final ResolverConfig defaults =
        ResolverConfig.defaults(List.of(HostPort.parseListen(DEFAULT_DNS_LISTEN)), List.of());

    private List<InetSocketAddress> dnsListen = defaults.dnsListen();
    private List<UpstreamSpec> upstreams; // null: not configured
    private ClientNetworks allowedClients = defaults.allowedClients();
    private boolean dropRefused = defaults.dropRefused();
    private int rateLimitPerClient = defaults.rateLimitPerClient();
    private int threads = defaults.threads();
    private ResolverConfig.Cache cache = defaults.cache();
    private ResolverConfig.Tcp tcp = defaults.tcp();
    private Duration upstreamTimeout = defaults.upstreamTimeout();
    private Duration resolutionTimeout = defaults.resolutionTimeout();
    private int ednsUdpSize = defaults.ednsUdpSize();
    private int maxInFlight = defaults.maxInFlight();
    private Path dataDir = Path.of(DEFAULT_DATA_DIR);
    private InetSocketAddress httpListen = HostPort.parseListen(DEFAULT_HTTP_LISTEN);
    private List<Path> blocklists = List.of();
    private List<ListSource> listSources = List.of();
    private SafetyPolicy listSafety = SafetyPolicy.defaults();
    private PolicySnapshot policy; // null: every list for every client
    private PolicyCompiler policyCompiler; // null: no policy section in the config
    private InetSocketAddress blockPageListen; // null: block pages on the --http listener
    private PublicSiteConfig publicSite = PublicSiteConfig.DEFAULTS;
    private int activityRetentionDays = DEFAULT_ACTIVITY_RETENTION_DAYS;
    private List<InetSocketAddress> dot = List.of();
    private List<InetSocketAddress> doh = List.of();
    private Path tlsCert;
    private Path tlsKey;
    private String encryptedHostname;
    private int encryptedMaxPerClient = EncryptedConfig.DEFAULT_MAX_CONNECTIONS_PER_CLIENT;
    private Duration encryptedIdle = EncryptedConfig.DEFAULT_IDLE_TIMEOUT;
    private int encryptedMaxRequest = EncryptedConfig.DEFAULT_MAX_REQUEST_SIZE;
    private int encryptedMaxStreams = EncryptedConfig.DEFAULT_MAX_STREAMS;
    private ObservabilityConfig observability = ObservabilityConfig.DEFAULTS;

    ObservabilityConfig observability() {
      return observability;
    }

    Builder observability(ObservabilityConfig v) {
      observability = v;
      return this;
    }

    private FleetConfig fleet = FleetConfig.NONE;

    FleetConfig fleet() {
      return fleet;
    }

    Builder fleet(FleetConfig v) {
      fleet = v;
      return this;
    }

    Builder dot(List<InetSocketAddress> v) {
      dot = List.copyOf(new LinkedHashSet<>(v));
      return this;
    }

    Builder doh(List<InetSocketAddress> v) {
      doh = List.copyOf(new LinkedHashSet<>(v));
      return this;
    }

    Builder tlsCert(Path v) {
      tlsCert = v;
      return this;
    }

    Builder tlsKey(Path v) {
      tlsKey = v;
      return this;
    }

    Builder encryptedHostname(String v) {
      encryptedHostname = v;
      return this;
    }

    Builder encryptedLimits(Integer perClient, Duration idle, Integer maxRequest,
        Integer maxStreams) {
      encryptedMaxPerClient = perClient != null ? perClient : encryptedMaxPerClient;
      encryptedIdle = idle != null ? idle : encryptedIdle;
      encryptedMaxRequest = maxRequest != null ? maxRequest : encryptedMaxRequest;
      encryptedMaxStreams = maxStreams != null ? maxStreams : encryptedMaxStreams;
      return this;
    }

    Builder activityRetentionDays(int v) {
      activityRetentionDays = v;
      return this;
    }

    Builder dnsListen(List<InetSocketAddress> v) {
      dnsListen = List.copyOf(new LinkedHashSet<>(v)); // the same address twice cannot be bound
      return this;
    }

    Builder upstreams(List<UpstreamSpec> v) {
      upstreams = List.copyOf(new LinkedHashSet<>(v));
      return this;
    }

    boolean hasUpstreams() {
      return upstreams != null;
    }

    Builder allowedClients(ClientNetworks v) {
      allowedClients = v;
      return this;
    }

    Builder dropRefused(boolean v) {
      dropRefused = v;
      return this;
    }

    Builder rateLimitPerClient(int v) {
      rateLimitPerClient = v;
      return this;
    }

    Builder threads(int v) {
      threads = v;
      return this;
    }

    Builder ednsUdpSize(int v) {
      ednsUdpSize = v;
      return this;
    }

    Builder maxInFlight(int v) {
      maxInFlight = v;
      return this;
    }

    ResolverConfig.Cache cache() {
      return cache;
    }

    Builder cache(ResolverConfig.Cache v) {
      cache = v;
      return this;
    }

    /** Only the cache size has a flag; this keeps the file's TTL settings. */
    Builder cacheSize(long bytes) {
      cache = new ResolverConfig.Cache(bytes, cache.minTtl(), cache.maxTtl(), cache.negativeMaxTtl(),
          cache.prefetch(), cache.serveStale(), cache.staleMaxAge(), cache.staleAnswerTtl());
      return this;
    }

    ResolverConfig.Tcp tcp() {
      return tcp;
    }

    Builder tcp(ResolverConfig.Tcp v) {
      tcp = v;
      return this;
    }

    Duration upstreamTimeout() {
      return upstreamTimeout;
    }

    Duration resolutionTimeout() {
      return resolutionTimeout;
    }

    Builder timeouts(Duration perTry, Duration total) {
      upstreamTimeout = perTry;
      resolutionTimeout = total;
      return this;
    }

    Builder dataDir(Path v) {
      dataDir = v;
      return this;
    }

    Builder httpListen(InetSocketAddress v) {
      httpListen = v;
      return this;
    }

    Builder blocklists(List<Path> v) {
      blocklists = List.copyOf(v);
      return this;
    }

    Builder listSources(List<ListSource> v) {
      listSources = List.copyOf(v);
      return this;
    }

    Builder listSafety(SafetyPolicy v) {
      listSafety = v;
      return this;
    }

    Builder policy(PolicySnapshot v) {
      policy = v;
      return this;
    }

    /** How the admin store's documents are compiled with the config's policy section. */
    Builder blockPageListen(InetSocketAddress v) {
      blockPageListen = v;
      return this;
    }

    Builder publicSite(PublicSiteConfig v) {
      publicSite = v;
      return this;
    }

    Builder policyCompiler(PolicyCompiler v) {
      policyCompiler = v;
      return this;
    }

    SafetyPolicy listSafety() {
      return listSafety;
    }

    /**
     * Validates the combination and builds. Single values were checked where they were read (so
     * those errors name the file line or the flag); what is left here is what only shows when
     * settings from different places meet.
     */
    Settings build() throws ConfigException {
      List<UpstreamSpec> ups = upstreams == null ? List.of() : upstreams;
      for (UpstreamSpec u : ups) {
        // Each transport reaches the listener of its own kind: plain DNS the DNS listeners,
        // DoT the --dot ones, DoH the --doh ones.
        List<InetSocketAddress> own = switch (u.transport()) {
          case PLAIN -> dnsListen;
          case TLS -> dot;
          case HTTPS -> doh;
        };
        String kind = switch (u.transport()) {
          case PLAIN -> "DNS";
          case TLS -> "DNS-over-TLS";
          case HTTPS -> "DNS-over-HTTPS";
        };
        for (InetSocketAddress l : own) {
          if (pointsAt(u.address(), l)) {
            throw new ConfigException("upstream " + Values.format(u) + " is Hearth's own " + kind
                + " listen address " + HostPort.format(l) + ": queries would loop back to Hearth");
          }
        }
      }
      ResolverConfig config;
      try {
        config = new ResolverConfig(dnsListen, ups, allowedClients, dropRefused, rateLimitPerClient,
            threads, cache, tcp, upstreamTimeout, resolutionTimeout, ednsUdpSize, maxInFlight);
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new ConfigException("invalid settings: " + e.getMessage());
      }
      EncryptedConfig encrypted;
      try {
        encrypted = new EncryptedConfig(dot, doh, tlsCert, tlsKey, encryptedHostname,
            encryptedMaxPerClient, encryptedIdle, encryptedMaxRequest, encryptedMaxStreams);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
      for (InetSocketAddress a : concat(dot, doh)) {
        for (InetSocketAddress l : dnsListen) {
          if (a.equals(l)) {
            throw new ConfigException("the encrypted DNS listener " + HostPort.format(a)
                + " is also a plain DNS listen address (TCP): give it another port");
          }
        }
      }
      if (!dot.isEmpty() && !doh.isEmpty()) {
        for (InetSocketAddress a : dot) {
          if (doh.contains(a)) {
            throw new ConfigException("DoT and DoH cannot share " + HostPort.format(a));
          }
        }
      }
      if (fleet.node() && fleet.postgres()) {
        throw new ConfigException("fleet.policy_from (a node) and store.url (an admin) exclude"
            + " each other: a node has no admin store, it pulls the admin's snapshots");
      }
      if (fleet.node() && fleet.nodeTokenFile() == null) {
        throw new ConfigException("fleet.policy_from needs fleet.node_token_file (or"
            + " --node-token-file): the admin only serves snapshots to nodes with the token");
      }
      return new Settings(config, dataDir, httpListen, new ArrayList<>(blocklists), listSources,
          listSafety, policy, policyCompiler, blockPageListen, publicSite, activityRetentionDays,
          encrypted, observability, fleet);
    }
  }

  private static List<InetSocketAddress> concat(List<InetSocketAddress> a,
      List<InetSocketAddress> b) {
    List<InetSocketAddress> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Whether sending to {@code server} would reach the listener {@code listen}. */
  static boolean pointsAt(InetSocketAddress server, InetSocketAddress listen) {
    if (server.getPort() != listen.getPort()) {
      return false;
    }
    if (server.getAddress().equals(listen.getAddress())) {
      return true;
    }
    return listen.getAddress().isAnyLocalAddress() && server.getAddress().isLoopbackAddress();
  }
}
