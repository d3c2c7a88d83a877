package dev.hearth.cli;

import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.admin.web.PublicSettings;
import dev.hearth.blocklists.ListSource;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.PolicyStage;
import java.util.List;
import org.slf4j.Logger;

/**
 * The admin side of {@code hearth serve}: the store opened and its policy compiled before the
 * resolver starts (so the first query already runs under it), then, once DNS is answering,
 * bindings applied and the API started. A broken admin side never stops DNS: with the store
 * unusable the config file's policy serves and the log says why.
 */
final class AdminRuntime implements AutoCloseable {
  private final Settings settings;
  private final Logger log;
  private final java.io.PrintWriter console;
  private AdminStore store;
  private PolicyService policy;
  private ListSourceService sources;
  private AdminServer web;
  private java.util.concurrent.ScheduledExecutorService jobs;
  private DnsServer server;
  private dev.hearth.admin.activity.ActivitySummaries activity;
  private java.util.concurrent.ScheduledExecutorService flusher;
  private OperationsEndpoints operations;

  /**
   * @param console where the first administrator's one-time password is shown: the serving
   *     command's standard output, never the log
   */
  AdminRuntime(Settings settings, Logger log, java.io.PrintWriter console) {
    this.settings = settings;
    this.log = log;
    this.console = console;
  }

  /**
   * Opens the admin store, first of all: the list sources stored there load with the config
   * file's, before the resolver starts. An unusable store is logged; DNS starts without it.
   */
  void openStore() {
    try {
      store = openStore(settings);
      store.lockForServing();
      if (settings.fleet().postgres()) {
        log.info("admin store: {}", store.location());
      }
    } catch (StoreException | RuntimeException e) {
      log.error("admin store unusable, serving the config file's policy and lists only: {}",
          e.getMessage());
      close();
    }
  }

  /** Opens the configured admin store: the SQLite file in the data directory, or PostgreSQL. */
  static AdminStore openStore(Settings settings) throws StoreException {
    FleetConfig f = settings.fleet();
    if (!f.postgres()) {
      return AdminStore.open(settings.adminDatabase());
    }
    String password = null;
    if (f.storePasswordFile() != null) {
      try {
        password = FleetConfig.readSecret(f.storePasswordFile(), "store.password_file");
      } catch (ConfigException e) {
        throw new StoreException(e.getMessage());
      }
    }
    return AdminStore.openPostgres(new AdminStore.PostgresLocation(f.storeUrl(), f.storeUser(),
        password), java.time.Clock.systemUTC());
  }

  /**
   * The lists of the sources stored at run time, to load after {@code config}'s (their saved
   * versions serve at once, without the network). A stored source that no longer reads, or whose
   * id the config file now uses, is left out and the log and the console say why.
   */
  List<ListSource> openListSources(List<ListSource> config) {
    if (store == null) {
      return List.of();
    }
    try {
      sources = new ListSourceService(store, new StoredListSources(config));
      return sources.open();
    } catch (StoreException | RuntimeException e) {
      log.error("list sources in the admin store unusable, serving the config file's lists"
          + " only: {}", e.getMessage());
      sources = null;
      return List.of();
    }
  }

  /** The policy to start the resolver with: the config's plus the store's. */
  PolicySnapshot openPolicy() {
    if (store == null) {
      return settings.policy();
    }
    try {
      policy = new PolicyService(store, settings.policyCompiler());
      return policy.open();
    } catch (StoreException | RuntimeException e) {
      log.error("admin store unusable, serving the config file's policy only: {}",
          e.getMessage());
      close();
      return settings.policy();
    }
  }

  /** Serves {@code /metrics} and {@code /readyz} from these on the {@code --http} listener. */
  void operations(OperationsEndpoints operations) {
    this.operations = operations;
  }

  /** Connects to the running resolver and starts the API (unless {@code --http off}). */
  void start(DnsServer server, dev.hearth.admin.lists.ListOperations lists) {
    if (policy == null) {
      return;
    }
    PolicyStage stage = server.policy();
    if (sources != null && lists != null) {
      sources.attach(lists);
    }
    try {
      policy.attach(stage::replacePolicy, stage.bindings());
      Accounts accounts = new Accounts(store);
      char[] first = accounts.ensureFirstAdministrator();
      if (first != null) {
        // Printed once, on the console only; the store keeps just its hash.
        console.println("hearth: first start: created administrator 'admin' with one-time"
            + " password " + new String(first) + " (change it at first login)");
        console.flush();
      }
      activity = new dev.hearth.admin.activity.ActivitySummaries(store, stage.activity(),
          () -> policy.current().directory(), settings.activityRetentionDays());
      flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hearth-activity");
        t.setDaemon(true);
        return t;
      });
      flusher.scheduleWithFixedDelay(this::flushActivity, 1, 1,
          java.util.concurrent.TimeUnit.MINUTES);
      if (!settings.webEnabled() && settings.blockPageListen() == null) {
        log.info("admin API off (--http off)");
        return;
      }
      web = new AdminServer(store, accounts, policy, stage, server::stats, lists,
          sources, activity, publicSettings(settings));
      web.useEncryptedDns(settings.encrypted());
      if (operations != null) {
        operations.attach(lists, policy::version, web.appeals());
        web.useOperations(operations);
      }
      if (settings.fleet().nodeTokenFile() != null) {
        try {
          web.serveFleet(new dev.hearth.admin.fleet.SnapshotPublisher(store, policy, sources),
              FleetConfig.readSecret(settings.fleet().nodeTokenFile(), "fleet.node_token_file"));
          log.info("serving policy snapshots to fleet nodes at /api/v1/fleet/snapshot");
        } catch (ConfigException | IllegalArgumentException e) {
          log.error("fleet snapshots not served: {}", e.getMessage());
        }
      }
      if (settings.webEnabled()) {
        web.start(settings.httpListen());
        log.info("admin API on http://{}/api/v1 (health: /healthz)",
            HostPort.format(new java.net.InetSocketAddress(settings.httpListen().getAddress(),
                web.port())));
      }
      if (settings.blockPageListen() != null) {
        web.startBlockPages(settings.blockPageListen());
        log.info("block pages on http://{}/", HostPort.format(new java.net.InetSocketAddress(
            settings.blockPageListen().getAddress(), web.blockPagePort())));
      }
      if (!settings.resolver().upstreams().isEmpty()) {
        // Through the forwarder, so encrypted upstreams stay the only way out.
        web.appeals().useProofChecker(
            new SiteProof(new ForwarderResolver(server.forwarder()), false, 80));
      }
      startJobs(server);
    } catch (StoreException | RuntimeException e) {
      log.error("admin API not started, DNS keeps serving: {}", e.getMessage());
    }
  }

  /** The public pages' settings: the config file's, and the facts the privacy page states. */
  static PublicSettings publicSettings(Settings settings) {
    PublicSiteConfig site = settings.publicSite();
    var r = settings.resolver();
    List<String> upstreams = r.upstreams().stream().map(Values::format).toList();
    boolean encrypted = !r.upstreams().isEmpty()
        && r.upstreams().stream().allMatch(dev.hearth.resolver.upstream.UpstreamSpec::encrypted);
    var privacy = new PublicSettings.Privacy(upstreams, encrypted, false, r.cache().maxTtl(),
        settings.activityRetentionDays(),
        (int) Math.max(1, site.keepClosed().toDays()));
    String url = site.publicUrl();
    if (url == null) {
      var listen = settings.webEnabled() ? settings.httpListen() : settings.blockPageListen();
      url = "http://" + HostPort.format(listen);
    }
    return new PublicSettings(site.hostnames(), site.acknowledgeWithin(), site.decideWithin(),
        privacy, url, site.mail() != null, site.perAddressPerHour());
  }

  /**
   * Background work of the admin side, on one thread: the mail outbox every 2 s, the day's
   * block counters every minute, forgetting closed appeals' addresses every hour.
   */
  private void startJobs(DnsServer server) {
    jobs = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hearth-admin-jobs");
      t.setDaemon(true);
      return t;
    });
    this.server = server;
    PublicSiteConfig.Mail mail = settings.publicSite().mail();
    if (mail != null) {
      String password = null;
      if (mail.passwordFile() != null) {
        try {
          password = java.nio.file.Files.readString(mail.passwordFile()).strip();
        } catch (java.io.IOException e) {
          log.error("mail.password_file {} unreadable, mail will fail: {}", mail.passwordFile(),
              e.getMessage());
        }
      }
      var outbox = new dev.hearth.admin.appeals.Outbox(store,
          new dev.hearth.admin.appeals.SmtpMailer(mail.host(), mail.port(), mail.from(),
              mail.startTls(), mail.username(), password));
      jobs.scheduleWithFixedDelay(() -> guard("mail outbox", outbox::deliver), 1, 2,
          java.util.concurrent.TimeUnit.SECONDS);
    }
    jobs.scheduleWithFixedDelay(this::recordBlocks, 60, 60, java.util.concurrent.TimeUnit.SECONDS);
    jobs.scheduleWithFixedDelay(() -> guard("appeal retention", web.appeals()::forgetClosed),
        1, 3600, java.util.concurrent.TimeUnit.SECONDS);
  }

  private void recordBlocks() {
    guard("daily block counters", () -> {
      web.dailyBlocks().record(server.stats().blockedByCategory());
      return null;
    });
  }

  private interface Job {
    Object run() throws Exception;
  }

  private void guard(String what, Job job) {
    try {
      job.run();
    } catch (Exception | Error e) {
      log.warn("{}: {}", what, e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** Stores the activity counted since the last flush (households that opted in only). */
  private void flushActivity() {
    try {
      activity.flush();
    } catch (StoreException | RuntimeException e) {
      log.warn("activity summaries not stored this time (kept for the next try): {}",
          e.getMessage());
    }
  }

  @Override
  public void close() {
    if (jobs != null) {
      jobs.shutdownNow();
      if (web != null && server != null) {
        recordBlocks();
      }
    }
    if (web != null) {
      web.close();
    }
    if (flusher != null) {
      flusher.shutdownNow();
      flushActivity(); // what was counted since the last minute
    }
    if (store != null) {
      store.close();
      store = null;
    }
  }
}
