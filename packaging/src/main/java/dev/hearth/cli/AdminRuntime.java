package dev.hearth.cli;

import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.policy.Preset;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.PolicyStage;
import java.util.ArrayList;
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
  private AdminStore store;
  private PolicyService policy;
  private AdminServer web;
  private dev.hearth.admin.activity.ActivitySummaries activity;
  private java.util.concurrent.ScheduledExecutorService flusher;

  AdminRuntime(Settings settings, Logger log) {
    this.settings = settings;
    this.log = log;
  }

  /** The policy to start the resolver with: the config's plus the store's. */
  PolicySnapshot openPolicy() {
    try {
      store = AdminStore.open(settings.adminDatabase());
      store.lockForServing();
      policy = new PolicyService(store, settings.policyCompiler());
      return policy.open();
    } catch (StoreException | RuntimeException e) {
      log.error("admin store unusable, serving the config file's policy only: {}",
          e.getMessage());
      close();
      return settings.policy();
    }
  }

  /** Connects to the running resolver and starts the API (unless {@code --http off}). */
  void start(DnsServer server, dev.hearth.admin.lists.ListOperations lists) {
    if (policy == null) {
      return;
    }
    PolicyStage stage = server.policy();
    try {
      policy.attach(stage::replacePolicy, stage.bindings());
      Accounts accounts = new Accounts(store);
      char[] first = accounts.ensureFirstAdministrator();
      if (first != null) {
        // Printed once, on the console only; the store keeps just its hash.
        System.out.println("hearth: first start: created administrator 'admin' with one-time"
            + " password " + new String(first) + " (change it at first login)");
        System.out.flush();
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
      if (!settings.webEnabled()) {
        log.info("admin API off (--http off)");
        return;
      }
      List<Preset> presets = new ArrayList<>();
      for (var p : PolicyConfig.presets().values()) {
        presets.add(new Preset(p.id(), p.name(), p.blockBypass(), p.categories()));
      }
      web = new AdminServer(store, accounts, policy, stage, presets, server::stats, lists,
          activity).start(settings.httpListen());
      log.info("admin API on http://{}/api/v1 (health: /healthz)",
          HostPort.format(new java.net.InetSocketAddress(settings.httpListen().getAddress(),
              web.port())));
    } catch (StoreException | ConfigException | RuntimeException e) {
      log.error("admin API not started, DNS keeps serving: {}", e.getMessage());
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
    if (web != null) {
      web.close();
    }
    if (flusher != null) {
      flusher.shutdownNow();
      flushActivity(); // what was counted since the last minute
    }
    if (store != null) {
      store.close();
    }
  }
}
