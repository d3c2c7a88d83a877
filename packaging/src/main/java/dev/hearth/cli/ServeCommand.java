package dev.hearth.cli;

import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.HttpListFetcher;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListSource;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.StartupException;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.observe.QueryLog;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code hearth serve}: merges defaults, the config file and the flags into {@link Settings},
 * starts the resolver and stays in the foreground until SIGTERM or SIGINT. Option fields stay
 * {@code null} unless given, so "not given" never overrides the config file.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Hearth.Version.class,
    sortOptions = false,
    description = {
        "Run the resolver in the foreground until SIGTERM or SIGINT.",
        "Settings come from the built-in defaults, then the --config file, then the flags:"
            + " a flag wins over the file, the file wins over the defaults."},
    footerHeading = "%n",
    footer = {
        "Exit status: 1 when the resolver cannot start (for example an address already in use"
            + " or a data directory that cannot be created), 2 for a bad flag or config file. After"
            + " SIGTERM or SIGINT the server closes cleanly and the JVM exits with 143 or 130."})
final class ServeCommand implements Callable<Integer> {
  /** A list with more invalid lines than this share is refused as a whole. */
  static final double MAX_INVALID_RATIO = 0.5;
  /** How often list sources are looked at; each is only checked when its refresh interval is due. */
  static final long LIST_TICK_MILLIS = 1000;
  /**
   * How long a stop waits for the lists parsed at start-up to be saved (see savePending): well
   * inside the unit's TimeoutStopSec (20 s), so the listeners and stores still close in order.
   */
  static final long SAVE_AT_STOP_SECONDS = 10;

  enum RefusedAction { refuse, drop }

  enum LogLevel { error, warn, info, debug, trace }

  enum LogFormat { text, json }

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML config file with the same settings as the flags and more (cache TTLs,"
          + " timeouts, TCP limits); see hearth.example.yaml. Default: none.")
  Path config;

  @Option(names = "--check",
      description = "Only read the configuration (file and flags): report the first problem with"
          + " its file and line and exit 2, or print \"configuration OK\" and exit 0. Nothing"
          + " is started or written. Default: off.")
  boolean checkOnly;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Directory for Hearth's state, created if missing. Default: "
          + Settings.DEFAULT_DATA_DIR + ".")
  Path dataDir;

  @Option(names = "--dns", paramLabel = "HOST:PORT", split = ",", converter = ListenConverter.class,
      description = "Address to answer DNS on, over UDP and TCP. Repeat the flag or separate with"
          + " commas for several; IPv6 as [::1]:5335; port 0 picks a free port."
          + " Default: " + Settings.DEFAULT_DNS_LISTEN + ".")
  List<InetSocketAddress> dns;

  @Option(names = "--http", paramLabel = "HOST:PORT", converter = HttpConverter.class,
      description = "Address of the admin API (/api/v1) and health check (/healthz), or 'off'."
          + " Default: " + Settings.DEFAULT_HTTP_LISTEN + ".")
  InetSocketAddress http;

  @Option(names = "--block-page", paramLabel = "HOST:PORT", converter = ListenConverter.class,
      description = "Address of a listener that serves only the public pages and the block page"
          + " (any Host), without the console or the API: the address policy.block_page points"
          + " browsers to, usually port 80. Default: the --http listener serves block pages too.")
  InetSocketAddress blockPage;

  @Option(names = "--dot", paramLabel = "HOST:PORT", split = ",",
      converter = ListenConverter.class,
      description = "Address to answer DNS over TLS (RFC 7858) on, usually port 853; needs"
          + " --tls-cert and --tls-key. Repeatable. Default: none.")
  List<InetSocketAddress> dot;

  @Option(names = "--doh", paramLabel = "HOST:PORT", split = ",",
      converter = ListenConverter.class,
      description = "Address to answer DNS over HTTPS (RFC 8484, HTTP/2 and HTTP/1.1, path"
          + " /dns-query) on, usually port 443; needs --tls-cert and --tls-key. Repeatable."
          + " Default: none.")
  List<InetSocketAddress> doh;

  @Option(names = "--tls-cert", paramLabel = "PEM",
      description = "Certificate chain (PEM, leaf first) for --dot and --doh; re-read when it"
          + " changes. Default: none.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM",
      description = "Private key (PEM, PKCS#8, RSA or EC) of --tls-cert; re-read when it"
          + " changes. Default: none.")
  Path tlsKey;

  @Option(names = "--upstream", paramLabel = "UPSTREAM", split = ",", converter = UpstreamConverter.class,
      description = "Upstream resolver to forward to: HOST[:PORT] for plain DNS (an IP address,"
          + " port 53, IPv6 as [2001:db8::1]:53), tls://HOST[:PORT] for DNS over TLS (port 853)"
          + " or https://HOST[:PORT][/PATH] for DNS over HTTPS (port 443, path /dns-query); an"
          + " encrypted upstream's HOST may be a name (resolved once at start with the system"
          + " resolver) and its certificate must match HOST (tls_name and ca_file in the config"
          + " file change that). Repeat or separate with commas for several. The +validating"
          + " suffix marks an upstream trusted to validate DNSSEC (only its AD bit reaches"
          + " clients), e.g. tls://9.9.9.9+validating."
          + " Default: the nameserver lines of /etc/resolv.conf.")
  List<UpstreamSpec> upstreams;

  @Option(names = "--allow", paramLabel = "CIDR", split = ",", converter = PrefixConverter.class,
      description = "Client network allowed to query; all others are refused (Hearth is never an"
          + " open resolver). Repeat or separate with commas. Default: " + ServeCommand.DEFAULT_ALLOW
          + ".")
  List<Prefix> allow;

  @Option(names = "--refused-action", paramLabel = "ACTION",
      description = "What clients outside --allow get: refuse (a REFUSED answer) or drop (no"
          + " answer at all). Default: refuse.")
  RefusedAction refusedAction;

  @Option(names = "--rate-limit", paramLabel = "N", converter = NonNegativeConverter.class,
      description = "Responses per second per client address; 0 turns limiting off. Default: 1000.")
  Integer rateLimit;

  @Option(names = "--threads", paramLabel = "N", converter = PositiveConverter.class,
      description = "Threads answering queries. Default: one per CPU core.")
  Integer threads;

  @Option(names = "--cache-size", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Memory for the answer cache in bytes, with an optional k, m or g suffix"
          + " (powers of 1024). Default: 64m.")
  Long cacheSize;

  @Option(names = "--blocklist", paramLabel = "FILE",
      description = "Blocklist file (domains, hosts or AdBlock format, detected); repeatable. A"
          + " listed name is blocked with its subdomains and answered NXDOMAIN with an Extended"
          + " DNS Error naming the list. Files are re-read when they change (checked every 10 s);"
          + " a bad new version keeps the previous one. Default: none.")
  List<Path> blocklists;

  @Option(names = "--policy-from", paramLabel = "URL",
      description = "Run as a fleet node: no admin store here; serve the policy snapshots of the"
          + " admin at URL (e.g. http://admin:8080/api/v1/fleet/snapshot), checked every"
          + " fleet.poll_interval (1 s) and kept in the data directory for starts while the"
          + " admin is down. Needs --node-token-file. Default: none (this is an admin).")
  String policyFrom;

  @Option(names = "--node-token-file", paramLabel = "FILE",
      description = "The fleet's shared node token (first line of FILE): a node sends it, an"
          + " admin serves snapshots only to callers that have it. Default: none (an admin"
          + " serves no snapshots).")
  Path nodeTokenFile;

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "Logging detail: error, warn, info, debug or trace. Logs go to standard"
          + " error. Default: info.")
  LogLevel logLevel;

  @Option(names = "--log-format", paramLabel = "FORMAT",
      description = "text (one line per event) or json (one JSON object per line: ts, level,"
          + " logger, msg, error, stack). Queries are never logged here; see query_log."
          + " Default: text.")
  LogFormat logFormat;

  /**
   * The configured sources plus one per --blocklist flag (a file, or a UT1 directory giving one
   * list per category), with ids derived from the file names.
   */
  static List<ListSource> allListSources(Settings settings) throws IOException {
    List<ListSource> out = new ArrayList<>(settings.listSources());
    Set<String> ids = new HashSet<>();
    out.forEach(s -> ids.add(s.id()));
    for (Path file : settings.blocklists()) {
      Path name = file.toAbsolutePath().normalize().getFileName();
      String base = ListSource.idFor(name == null ? "root" : name.toString()); // "/" has none
      String id = base;
      for (int n = 2; ids.contains(id); n++) {
        id = base + "-" + n;
      }
      ids.add(id);
      if (Files.isDirectory(file)) {
        for (String cat : ListLoader.categories(file)) {
          out.add(new ListSource(id + "/" + ListSource.idFor(cat), file.resolve(cat).toString(),
              Format.DOMAINS, cat, false, false, Duration.ofSeconds(10), null, null, null));
        }
      } else {
        out.add(ListSource.file(id, file.toString()));
      }
    }
    return out;
  }

  /**
   * An HTTP fetcher only when some source is a URL: the JDK's HTTP client and TLS stack cost a
   * few hundred milliseconds of start-up and ~950 classes that a file-only setup never needs.
   */
  static HttpListFetcher fetcherFor(List<ListSource> sources) {
    return sources.stream().anyMatch(ListSource::isHttp)
        ? new HttpListFetcher(HttpListFetcher.Options.defaults()) : null;
  }

  /** Counted down once the server is ready (what /readyz reports); `hearth selftest` waits on it. */
  final CountDownLatch ready = new CountDownLatch(1);

  /** What SIGTERM runs, while serving; {@link #stop()} runs it without ending the JVM. */
  private volatile Thread shutdownHook;

  /**
   * Stops a running serve the way SIGTERM does (listeners closed, stores closed) and lets
   * {@link #call()} return; for `hearth selftest`, which must not end its own JVM to stop one.
   */
  void stop() {
    Thread hook = shutdownHook;
    if (hook == null) {
      return;
    }
    try {
      if (!Runtime.getRuntime().removeShutdownHook(hook)) {
        return;
      }
    } catch (IllegalStateException e) {
      return; // the JVM is shutting down: the hook runs anyway
    }
    hook.run();
  }

  /** Where the default upstreams come from; replaced by tests. */
  Path resolvConf = ResolvConf.DEFAULT_PATH;

  /** The default of --allow, as shown in the help (a test checks it matches the resolver's). */
  static final String DEFAULT_ALLOW = "127.0.0.0/8, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,"
      + " 169.254.0.0/16, ::1/128, fc00::/7, fe80::/10 (loopback, private and link-local ranges)";

  @Override
  public Integer call() {
    Boolean jsonLogs = logFormat == null ? null : logFormat == LogFormat.json;
    configureLogging(logLevel, jsonLogs);
    spareLibraryStartUpWork();
    PrintWriter err = spec.commandLine().getErr();

    Settings settings;
    List<String> warnings = new ArrayList<>();
    try {
      settings = settings(warnings::add);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      err.flush();
      return Hearth.EXIT_USAGE;
    }
    // The config file may choose the format; its warnings are logged once it is in force.
    dev.hearth.cli.logging.HearthLogging.json(settings.observability().jsonLogs());
    Logger log = LoggerFactory.getLogger(Hearth.class);
    warnings.forEach(log::warn);
    if (settings.encrypted().enabled()) {
      try {
        dev.hearth.resolver.encrypted.PemKeys.load(settings.encrypted().cert(),
            settings.encrypted().key());
      } catch (IOException e) {
        err.println("hearth: TLS certificate: " + e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      }
    }
    if (checkOnly) {
      return check(settings, err);
    }
    try {
      prepareDataDir(settings.dataDir());
    } catch (StartupException e) {
      err.println("hearth: " + e.getMessage());
      err.flush();
      return Hearth.EXIT_STARTUP;
    }
    if (!blocklistsReadable(settings, err)) {
      return Hearth.EXIT_USAGE;
    }
    // The admin store first: sources added at run time load with the config file's.
    AdminRuntime admin = new AdminRuntime(settings, log, spec.commandLine().getOut());
    FleetNode node = null;
    if (!settings.fleet().node()) {
      admin.openStore();
    }
    // Saved versions are served at once; a list never loaded before is loaded now. A list that
    // is mostly garbage or fails a safety check is not applied; the others still are.
    ListCatalog lists;
    List<ListSource> configSources;
    try {
      configSources = allListSources(settings);
      List<ListSource> sources = new ArrayList<>(configSources);
      if (settings.fleet().node()) {
        // A node: the policy and run-time sources of the last good snapshot, or the admin's.
        node = new FleetNode(settings, log, configSources);
        node.openAtStart();
        sources.addAll(node.startLists());
      } else {
        sources.addAll(admin.openListSources(configSources));
      }
      lists = new ListCatalog(settings.dataDir(), sources, settings.listSafety(),
          fetcherFor(sources), log::info, Clock.systemUTC());
      // A list parsed now is saved to the data directory once the listeners are up (below):
      // the first answer does not wait for the disk.
      lists.openSavingLater();
    } catch (IOException | IllegalArgumentException e) {
      admin.close();
      err.println("hearth: lists: " + e.getMessage());
      err.flush();
      return Hearth.EXIT_STARTUP;
    } catch (ConfigException e) {
      err.println("hearth: " + e.getMessage());
      err.flush();
      return Hearth.EXIT_USAGE;
    }
    logSettings(log, settings);

    var startPolicy = node != null ? node.startPolicy() : admin.openPolicy();
    DnsServer server;
    try {
      server = DnsServer.start(settings.resolver(), settings.encrypted(), lists.snapshot(),
          startPolicy);
    } catch (StartupException e) {
      admin.close();
      err.println("hearth: " + e.getMessage());
      err.flush();
      return Hearth.EXIT_STARTUP;
    }
    ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hearth-list-reload");
      t.setDaemon(true);
      return t;
    });
    // Its first task, with the listeners already answering: save what was parsed at start-up.
    // Done before the listeners opened, it held the first answer back by the time it takes
    // (~0.2 s for a million names here, seconds on a slow SD card). A stop waits for it, so
    // even a short first run leaves the compiled lists for the next start.
    java.util.concurrent.Future<?> savedAtStart = !lists.hasPendingSaves() ? null
        : reloader.submit(() -> {
          try {
            if (lists.savePending() > 0) {
              server.policy().replace(lists.snapshot()); // now served from the saved files
              // What parsing left on the heap (the compiled tables, now served from their
              // files, and the parser's buffers: ~70 MB for a million names) is garbage. One
              // collection now, while the caches are still nearly empty, takes tens of ms and
              // lets the heap shrink back; left to itself it would stay committed until a full
              // collection under load.
              if (!HeapRelease.collectAndShrink()) {
                log.info("the heap that compiling the lists took stays committed until the next"
                    + " full collection (the JVM did not collect on request)");
              }
            }
          } catch (RuntimeException | InternalError e) {
            log.error("saving the lists loaded at start failed; the next start loads them again",
                e);
          }
        });
    // Off the query path: each source is checked on its own interval, parsed here, then the
    // whole set is swapped in as one snapshot.
    reloader.scheduleWithFixedDelay(() -> {
      try {
        if (lists.refresh(false)) {
          server.policy().replace(lists.snapshot());
        }
      } catch (RuntimeException | InternalError e) {
        // InternalError: a mapped list file that failed under a read (an I/O error, or a file
        // changed in place by hand). Caught, or the periodic task would stop for good.
        log.error("blocklist reload failed; the lists in force stay", e);
      }
    }, LIST_TICK_MILLIS, LIST_TICK_MILLIS, TimeUnit.MILLISECONDS);
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<OperationsEndpoints> stopping =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<QueryLog> stoppingLog =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicReference<dev.hearth.resolver.observe.Dnstap> stoppingTap =
        new java.util.concurrent.atomic.AtomicReference<>();
    FleetNode fleetNode = node;
    Thread hook = new Thread(() -> {
      log.info("shutting down");
      if (stopping.get() != null) {
        stopping.get().notReady("shutting down");
      }
      try {
        if (savedAtStart != null) {
          savedAtStart.get(SAVE_AT_STOP_SECONDS, TimeUnit.SECONDS);
        }
      } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException
          | java.util.concurrent.CancellationException e) {
        log.warn("the lists loaded at start were not saved before the stop; the next start"
            + " loads them from their sources");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reloader.shutdownNow();
      try {
        if (fleetNode != null) {
          fleetNode.close();
        }
        admin.close();
        server.close();
        if (stoppingLog.get() != null) {
          stoppingLog.get().close();
        }
        if (stoppingTap.get() != null) {
          stoppingTap.get().close();
        }
      } finally {
        stopped.countDown();
      }
      log.info("stopped");
    }, "hearth-shutdown");
    shutdownHook = hook;
    Runtime.getRuntime().addShutdownHook(hook);
    for (InetSocketAddress a : new LinkedHashSet<>(server.boundAddresses())) {
      log.info("listening for DNS on {} (UDP and TCP)", HostPort.format(a));
    }
    for (InetSocketAddress a : server.encrypted().dotAddresses()) {
      log.info("listening for DNS over TLS on {}", HostPort.format(a));
    }
    for (InetSocketAddress a : server.encrypted().dohAddresses()) {
      log.info("listening for DNS over HTTPS on {}", HostPort.format(a));
    }
    OperationsEndpoints ops = new OperationsEndpoints(server, settings.observability(),
        Clock.systemUTC());
    QueryLog queryLog = startQueryLog(settings, server, log);
    if (queryLog != null) {
      ops.counter("hearth.querylog.written", "Entries written to the query log",
          queryLog::written);
      ops.counter("hearth.querylog.dropped", "Query-log entries dropped because the writer was"
          + " behind (queries never wait for it)", queryLog::dropped);
      ops.counter("hearth.querylog.children.left.out", "Queries under a children's profile left"
          + " out of the query log (no household opt-in)", queryLog::leftOutChildren);
      stoppingLog.set(queryLog);
    }
    dev.hearth.resolver.observe.Dnstap dnstap = null;
    if (settings.observability().dnstapSocket() != null) {
      dnstap = new dev.hearth.resolver.observe.Dnstap(settings.observability().dnstapSocket(),
          "hearth", Hearth.version(), 65_536, Clock.systemUTC());
      log.info("dnstap: sending client queries and responses to {}",
          settings.observability().dnstapSocket());
      ops.counter("hearth.dnstap.sent", "dnstap messages written to the collector",
          dnstap::sent);
      ops.counter("hearth.dnstap.dropped", "dnstap messages dropped (collector slow or away;"
          + " queries never wait for it)", dnstap::dropped);
      stoppingTap.set(dnstap);
    }
    server.observe(dev.hearth.resolver.observe.QueryObserver.both(queryLog, dnstap));
    var listOperations = new ServerListOperations(lists, server, reloader, settings.dataDir(),
        configSources);
    if (node != null) {
      ops.attach(listOperations, node::serial, null);
      node.operations(ops);
      node.start(server, listOperations);
    } else {
      admin.operations(ops);
      admin.start(server, listOperations);
    }
    // Lists loaded, every listener bound, the API up: from now on /readyz says ready.
    ops.ready();
    stopping.set(ops);
    ready.countDown();
    try {
      reloader.execute(() -> ClassArchive.report(log));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Stopped the moment it became ready: the stop shut the reloader down already.
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * The query log when {@code query_log.enabled}, writing to {@code <data>/query-log/}; null
   * when off or when it cannot start (logged: DNS serves either way).
   */
  static QueryLog startQueryLog(Settings settings, DnsServer server, Logger log) {
    ObservabilityConfig o = settings.observability();
    if (!o.queryLog()) {
      return null;
    }
    try {
      QueryLog q = new QueryLog(new QueryLog.Options(settings.dataDir().resolve("query-log"),
          o.queryLogClients() == ObservabilityConfig.ClientAddresses.PSEUDONYMISE
              ? QueryLog.Clients.PSEUDONYMISE : QueryLog.Clients.TRUNCATE,
          o.queryLogRetention(), o.queryLogChildProfiles(), 65_536),
          id -> server.policy().directory().subscriber(id), Clock.systemUTC());
      log.info("query log on: {}, clients {}, kept {} h{}", settings.dataDir().resolve(
          "query-log"), o.queryLogClients().name().toLowerCase(java.util.Locale.ROOT),
          o.queryLogRetention().toHours(), o.queryLogChildProfiles().isEmpty() ? ""
              : ", children's profiles " + o.queryLogChildProfiles() + " only with the"
                  + " household's opt-in");
      return q;
    } catch (IOException | RuntimeException e) {
      log.error("query log not started, DNS keeps serving: {}", e.getMessage());
      return null;
    }
  }

  /** Whether every --blocklist file can be read; names the first that cannot. */
  private static boolean blocklistsReadable(Settings settings, PrintWriter err) {
    for (Path file : settings.blocklists()) {
      if (!Files.isReadable(file)) {
        err.println("hearth: blocklist " + file + ": cannot read it (missing or no permission)");
        err.flush();
        return false;
      }
    }
    return true;
  }

  /** {@code --check}: what a start would refuse before serving, without starting anything. */
  private int check(Settings settings, PrintWriter err) {
    if (!blocklistsReadable(settings, err)) {
      return Hearth.EXIT_USAGE;
    }
    try {
      allListSources(settings);
    } catch (IOException | IllegalArgumentException e) {
      err.println("hearth: lists: " + e.getMessage());
      err.flush();
      return Hearth.EXIT_USAGE;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("configuration OK" + (config == null ? " (embedded defaults and flags)"
        : ": " + config));
    out.flush();
    return 0;
  }

  /**
   * Merges defaults, the config file and the flags, in that order, and falls back to the
   * system resolvers when no upstream is configured anywhere.
   *
   * @param warn receives problems worth telling the operator that do not stop the start
   */
  Settings settings(Consumer<String> warn) throws ConfigException {
    Settings.Builder b = Settings.builder();
    if (config != null) {
      ConfigFile.read(config, b);
    }
    if (dataDir != null) {
      b.dataDir(dataDir);
    }
    if (logFormat != null) {
      b.observability(b.observability().withJsonLogs(logFormat == LogFormat.json));
    }
    if (dns != null) {
      b.dnsListen(dns);
    }
    if (http != null) {
      b.httpListen(http);
    }
    if (blockPage != null) {
      b.blockPageListen(blockPage);
    }
    if (upstreams != null) {
      b.upstreams(upstreams);
    }
    if (dot != null) {
      b.dot(dot);
    }
    if (doh != null) {
      b.doh(doh);
    }
    if (tlsCert != null) {
      b.tlsCert(readable(tlsCert, "--tls-cert"));
    }
    if (tlsKey != null) {
      b.tlsKey(readable(tlsKey, "--tls-key"));
    }
    if (allow != null) {
      b.allowedClients(new ClientNetworks(allow));
    }
    if (refusedAction != null) {
      b.dropRefused(refusedAction == RefusedAction.drop);
    }
    if (rateLimit != null) {
      b.rateLimitPerClient(rateLimit);
    }
    if (threads != null) {
      b.threads(threads);
    }
    if (cacheSize != null) {
      b.cacheSize(cacheSize);
    }
    if (blocklists != null) {
      b.blocklists(blocklists);
    }
    if (policyFrom != null) {
      try {
        b.fleet(b.fleet().withPolicyFrom(FleetConfig.snapshotUrl(policyFrom)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--policy-from: " + e.getMessage());
      }
    }
    if (nodeTokenFile != null) {
      b.fleet(b.fleet().withNodeTokenFile(readable(nodeTokenFile, "--node-token-file")));
    }
    if (!b.hasUpstreams()) {
      ResolvConf.Result system = ResolvConf.read(resolvConf);
      system.warnings().forEach(warn);
      // With Hearth itself in resolv.conf (a common setup), forwarding there would loop.
      Settings probe = b.upstreams(List.of()).build();
      List<UpstreamSpec> usable = new ArrayList<>();
      for (UpstreamSpec u : system.servers()) {
        boolean loops = probe.resolver().dnsListen().stream().anyMatch(l -> Settings.pointsAt(u.address(), l));
        if (loops) {
          warn.accept("ignoring nameserver " + Values.format(u) + " from " + resolvConf
              + ": it is Hearth's own listen address");
        } else {
          usable.add(u);
        }
      }
      if (usable.isEmpty()) {
        warn.accept("no upstream servers configured and none usable in " + resolvConf
            + "; every query will get SERVFAIL until --upstream or upstream.servers is set");
      }
      b.upstreams(usable);
    }
    return b.build();
  }

  private static Path readable(Path file, String flag) throws ConfigException {
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new ConfigException(flag + " " + file + ": cannot read it (missing or no permission)");
    }
    return file;
  }

  /** Creates the data directory if needed and checks that Hearth can write there. */
  static void prepareDataDir(Path dir) throws StartupException {
    try {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      throw new StartupException("cannot create data directory " + dir + ": "
          + (e.getFile() == null ? dir : e.getFile()) + " exists and is not a directory", e);
    } catch (AccessDeniedException e) {
      throw new StartupException("cannot create data directory " + dir + ": permission denied"
          + (e.getFile() != null && !e.getFile().equals(dir.toString()) ? " on " + e.getFile() : ""), e);
    } catch (FileSystemException e) {
      throw new StartupException("cannot create data directory " + dir + ": "
          + (e.getReason() != null ? e.getReason() : e.getMessage()), e);
    } catch (IOException | SecurityException e) {
      throw new StartupException("cannot create data directory " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) {
      throw new StartupException("data directory " + dir + " is not writable", null);
    }
  }

  private static void logSettings(Logger log, Settings s) {
    log.info("hearth {} starting", Hearth.version());
    log.info("data directory {}", s.dataDir().toAbsolutePath().normalize());
    var r = s.resolver();
    if (!r.upstreams().isEmpty()) {
      log.info("upstreams: {}", r.upstreams().stream().map(Values::format).collect(Collectors.joining(", ")));
    }
    log.info("clients allowed from {}; others are {}",
        r.allowedClients().prefixes().stream().map(Values::format).collect(Collectors.joining(", ")),
        r.dropRefused() ? "dropped" : "refused");
    for (Prefix p : r.allowedClients().prefixes()) {
      if (p.length() == 0) {
        log.warn("--allow/dns.allow contains {}: Hearth answers anyone who can reach it (an open resolver)",
            Values.format(p));
      }
    }
    var policy = s.policy();
    var dir = policy.directory();
    log.info("policy: {} profile(s), {} subscriber(s), {} network(s), {} address prefix(es);"
        + " unidentified clients get profile {}", policy.profiles().size(),
        dir.subscribers().size(), dir.networks().size(), dir.prefixCount(),
        dir.defaultProfileId());
  }

  /**
   * Sets up slf4j-simple, which reads system properties once, when the first logger is made:
   * so this runs before anything logs. Properties given with -D win, except that an explicit
   * --log-level wins over them.
   */
  static void configureLogging(LogLevel level) {
    configureLogging(level, null);
  }

  /** As {@link #configureLogging(LogLevel)}, with {@code --log-format} when given. */
  static void configureLogging(LogLevel level, Boolean json) {
    setIfAbsent("slf4j.provider", dev.hearth.cli.logging.HearthLogging.class.getName());
    // SLF4J announces an explicitly chosen provider at INFO on stderr: not a log line.
    setIfAbsent("slf4j.internal.verbosity", "WARN");
    if (json != null) {
      dev.hearth.cli.logging.HearthLogging.json(json);
    }
    String prefix = "org.slf4j.simpleLogger.";
    if (level != null) {
      System.setProperty(prefix + "defaultLogLevel", level.name());
    } else {
      setIfAbsent(prefix + "defaultLogLevel", LogLevel.info.name());
    }
    String effective = System.getProperty(prefix + "defaultLogLevel");
    // Netty's debug output is about Netty, not about DNS: keep it out of --log-level debug.
    setIfAbsent(prefix + "log.io.netty", "debug".equalsIgnoreCase(effective) ? "info" : effective);
    // Jetty and Javalin announce every start step at info; Hearth logs the one line that matters.
    setIfAbsent(prefix + "log.org.eclipse.jetty", "warn");
    setIfAbsent(prefix + "log.io.javalin", "warn");
    setIfAbsent(prefix + "showDateTime", "true");
    setIfAbsent(prefix + "dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    setIfAbsent(prefix + "showThreadName", "false");
    setIfAbsent(prefix + "showShortLogName", "true");
  }

  /**
   * Tells Jetty what it would otherwise ask JMX (a property given with -D wins). To size the
   * padding of its counters, Jetty asks the platform MBean server whether object references are
   * compressed; that one question starts JMX and registers every platform MXBean: ~100 classes
   * and ~1 MB of resident memory that nothing else in Hearth needs.
   */
  static void spareLibraryStartUpWork() {
    // 64-byte cache lines; references are 4 bytes (compressed) in heaps under 32 GB.
    setIfAbsent("org.eclipse.jetty.util.referencesPerCacheLine",
        Runtime.getRuntime().maxMemory() < (32L << 30) ? "16" : "8");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  // --- picocli converters: the same rules as the config file, reported as usage errors --------

  static final class ListenConverter implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
      return wrap(() -> HostPort.parseListen(value));
    }
  }

  /** A listen address, or {@code off}. */
  static final class HttpConverter implements ITypeConverter<InetSocketAddress> {
    @Override
    public InetSocketAddress convert(String value) {
      return value.trim().equalsIgnoreCase("off") ? Settings.HTTP_OFF
          : wrap(() -> HostPort.parseListen(value));
    }
  }

  static final class UpstreamConverter implements ITypeConverter<UpstreamSpec> {
    @Override
    public UpstreamSpec convert(String value) {
      return wrap(() -> Values.upstream(value));
    }
  }

  static final class PrefixConverter implements ITypeConverter<Prefix> {
    @Override
    public Prefix convert(String value) {
      return wrap(() -> Values.prefix(value));
    }
  }

  static final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return wrap(() -> Values.size(value));
    }
  }

  static final class NonNegativeConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return wrap(() -> Values.wholeNumber(value, 0, Integer.MAX_VALUE, "a whole number, 0 or more"));
    }
  }

  static final class PositiveConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return wrap(() -> Values.wholeNumber(value, 1, Integer.MAX_VALUE, "a whole number, at least 1"));
    }
  }

  private interface Parse<T> {
    T get();
  }

  private static <T> T wrap(Parse<T> parse) {
    try {
      return parse.get();
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
