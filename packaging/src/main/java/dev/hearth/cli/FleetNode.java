package dev.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.fleet.FleetSnapshot;
import dev.hearth.admin.fleet.FleetSnapshot.InvalidSnapshotException;
import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.lists.SourceRefusedException;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.blocklists.ListSource;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.policy.PolicySnapshot;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A resolver node of a fleet ({@code fleet.policy_from}): no admin store of its own, it serves
 * the admin's policy from immutable snapshots. It asks the admin every poll interval (with
 * jitter) whether the snapshot changed ({@code If-None-Match}; a 304 costs a hash compare), and
 * applies a new one only after checking it whole: its bytes must hash to their ETag, parse, and
 * compile with this node's config. Each good snapshot is kept in the data directory first, so a
 * node restarted while the admin is down serves the last policy it had. A bad snapshot, or an
 * admin that does not answer, leaves the policy in force as it is, and the log says why once.
 */
final class FleetNode implements AutoCloseable {
  /** The last good snapshot, in the data directory. */
  static final String FILE = "fleet-snapshot.json";
  private static final Duration FIRST_FETCH_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A snapshot checked and compiled, ready to put in force. */
  record Prepared(FleetSnapshot snapshot, String etag, PolicySnapshot policy,
      List<ListSource> lists, byte[] body) {}

  private final Settings settings;
  private final Logger log;
  private final URI url;
  private final String token;
  private final Path file;
  private final StoredListSources reader;
  private final HttpClient http;
  private ScheduledExecutorService poller;
  private DnsServer server;
  private ListOperations lists;
  private Javalin web;
  /** {@code /metrics} and {@code /readyz} on the status listener; null: not served. */
  private volatile dev.hearth.admin.web.Operations operations;

  // State of what is in force; written by the start and then the poll thread only.
  private volatile Prepared inForce;
  private volatile String origin = "config";
  private volatile Instant appliedAt;
  private volatile Instant lastContact;
  private volatile String problem;
  private Map<String, String> boundNow = Map.of();

  FleetNode(Settings settings, Logger log, List<ListSource> configSources)
      throws ConfigException {
    this.settings = settings;
    this.log = log;
    this.url = settings.fleet().policyFrom();
    this.token = FleetConfig.readSecret(settings.fleet().nodeTokenFile(),
        "fleet.node_token_file");
    this.file = settings.dataDir().resolve(FILE);
    this.reader = new StoredListSources(configSources);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * The snapshot to start with, before the resolver starts: the one kept on disk, else one
   * fetched from the admin (waiting at most 3 s), else none (the config file's policy serves
   * until the admin answers).
   */
  Prepared openAtStart() {
    if (Files.exists(file)) {
      try {
        byte[] body = Files.readAllBytes(file);
        Prepared p = prepare(body, FleetSnapshot.etag(body));
        inForce = p;
        origin = "disk";
        appliedAt = Instant.now();
        log.info("fleet: serving the last good policy snapshot from {} (serial {}) until the"
            + " admin {} answers", file, p.snapshot().serial(), url);
        return p;
      } catch (IOException | InvalidSnapshotException e) {
        log.error("fleet: the kept snapshot {} is unusable ({}); asking the admin", file,
            e.getMessage());
      }
    }
    try {
      Prepared p = fetch(null, FIRST_FETCH_TIMEOUT);
      if (p != null) {
        keep(p);
        inForce = p;
        origin = "admin";
        appliedAt = Instant.now();
        lastContact = appliedAt;
        log.info("fleet: policy snapshot serial {} from {}", p.snapshot().serial(), url);
        return p;
      }
    } catch (IOException | InvalidSnapshotException e) {
      problem = e.getMessage();
      log.error("fleet: no snapshot kept and the admin {} gave none ({}); serving the config"
          + " file's policy until it does", url, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  /** The lists of the start snapshot's run-time sources, to load with the config file's. */
  List<ListSource> startLists() {
    Prepared p = inForce;
    return p == null ? List.of() : p.lists();
  }

  /** The policy to start the resolver with. */
  PolicySnapshot startPolicy() {
    Prepared p = inForce;
    return p == null ? settings.policy() : p.policy();
  }

  /**
   * Connects to the running resolver (the start snapshot's bindings go in), starts the status
   * listener ({@code --http}) and the polling.
   */
  void start(DnsServer server, ListOperations lists) {
    this.server = server;
    this.lists = lists;
    Prepared p = inForce;
    if (p != null) {
      syncBindings(p.snapshot().bindings());
    }
    if (settings.webEnabled()) {
      try {
        startWeb(settings.httpListen());
      } catch (RuntimeException e) {
        log.error("node status listener not started, DNS keeps serving: {}", e.getMessage());
      }
    }
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hearth-fleet-poll");
      t.setDaemon(true);
      return t;
    });
    poller.schedule(this::poll, 0, TimeUnit.MILLISECONDS);
  }

  private void poll() {
    try {
      pollOnce();
    } catch (RuntimeException | Error e) {
      report("fleet: snapshot check failed: " + e);
    } finally {
      long base = settings.fleet().pollInterval().toMillis();
      long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
      if (!poller.isShutdown()) {
        poller.schedule(this::poll, Math.max(50, delay), TimeUnit.MILLISECONDS);
      }
    }
  }

  private void pollOnce() {
    Prepared current = inForce;
    Prepared next;
    try {
      next = fetch(current == null ? null : current.etag(), FETCH_TIMEOUT);
      lastContact = Instant.now();
    } catch (IOException e) {
      report("fleet: the admin " + url + " did not answer (" + describe(e) + "); serving"
          + " snapshot " + (current == null ? "none (config policy)" : "serial "
          + current.snapshot().serial()));
      return;
    } catch (InvalidSnapshotException e) {
      lastContact = Instant.now();
      report("fleet: snapshot refused, the last good one keeps serving: " + e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (next == null) {
      clearProblem();
      return; // 304: what is in force is current
    }
    try {
      keep(next);
    } catch (IOException e) {
      report("fleet: cannot keep the snapshot in " + file + " (" + e.getMessage() + "); applying"
          + " it anyway");
    }
    apply(next);
    clearProblem();
  }

  /** Puts a checked snapshot in force: policy swap, then bindings, then lists if they changed. */
  private void apply(Prepared next) {
    Prepared before = inForce;
    server.policy().replacePolicy(next.policy());
    syncBindings(next.snapshot().bindings());
    if (before == null || !before.snapshot().listSources().equals(
        next.snapshot().listSources())) {
      if (lists != null) {
        try {
          lists.applyStoredSources(next.lists());
        } catch (RuntimeException e) {
          log.error("fleet: the snapshot's list sources could not be applied: {}",
              e.getMessage());
        }
      }
    }
    inForce = next;
    origin = "admin";
    appliedAt = Instant.now();
    log.info("fleet: policy snapshot serial {} applied ({} profile(s), {} subscriber(s), {}"
        + " binding(s))", next.snapshot().serial(), next.policy().profiles().size(),
        next.policy().directory().subscribers().size(), next.snapshot().bindings().size());
  }

  private void syncBindings(Map<String, String> wanted) {
    AddressBindings b = server.policy().bindings();
    for (String prefix : boundNow.keySet()) {
      if (!wanted.containsKey(prefix)) {
        b.unbind(Prefix.parse(prefix));
      }
    }
    Map<String, String> now = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : wanted.entrySet()) {
      try {
        if (!e.getValue().equals(boundNow.get(e.getKey()))) {
          b.bind(Prefix.parse(e.getKey()), e.getValue());
        }
        now.put(e.getKey(), e.getValue());
      } catch (IllegalArgumentException bad) {
        log.warn("fleet: binding {} ignored: {}", e.getKey(), bad.getMessage());
      }
    }
    boundNow = now;
  }

  /**
   * Asks the admin; null when it answers 304 (the node has {@code etag} already).
   *
   * @throws IOException the admin did not answer, or answered with an error status
   * @throws InvalidSnapshotException it answered with something that is not a good snapshot
   */
  private Prepared fetch(String etag, Duration timeout)
      throws IOException, InterruptedException, InvalidSnapshotException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("User-Agent", "hearth-node/" + Hearth.version());
    if (etag != null) {
      rb.header("If-None-Match", etag);
    }
    HttpResponse<byte[]> r = http.send(rb.GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() == 304) {
      return null;
    }
    if (r.statusCode() != 200) {
      throw new IOException("HTTP " + r.statusCode() + (r.statusCode() == 401
          ? " (the node token is not the admin's fleet.node_token_file)" : ""));
    }
    String tag = r.headers().firstValue("ETag").orElse(null);
    if (tag == null) {
      throw new InvalidSnapshotException("the answer has no ETag (is " + url + " a Hearth"
          + " admin's snapshot URL?)");
    }
    byte[] body = r.body();
    if (body.length > FleetSnapshot.MAX_BYTES) {
      throw new InvalidSnapshotException("larger than " + FleetSnapshot.MAX_BYTES + " bytes");
    }
    if (!FleetSnapshot.etag(body).equals(tag)) {
      throw new InvalidSnapshotException("its " + body.length + " bytes do not hash to its ETag"
          + " (truncated or altered in transit)");
    }
    return prepare(body, tag);
  }

  /** Parses and compiles: a snapshot this node cannot serve is refused as a whole. */
  private Prepared prepare(byte[] body, String etag) throws InvalidSnapshotException {
    FleetSnapshot s = FleetSnapshot.parse(body);
    PolicySnapshot policy;
    try {
      policy = settings.policyCompiler().compile(s.documents()).withAppealOverrides(
          s.overrides());
    } catch (InvalidPolicyException e) {
      throw new InvalidSnapshotException("its policy does not compile with this node's config: "
          + PolicyService.describe(e));
    }
    List<ListSource> out = new ArrayList<>();
    for (String doc : s.listSources()) {
      try {
        out.addAll(reader.read(JSON.readTree(doc), false).lists());
      } catch (SourceRefusedException | IOException e) {
        log.error("fleet: a list source of snapshot serial {} is left out: {}", s.serial(),
            e.getMessage());
      }
    }
    return new Prepared(s, etag, policy, List.copyOf(out), body);
  }

  /** Writes the snapshot next to its place, syncs it, and renames it in. */
  private void keep(Prepared p) throws IOException {
    Path tmp = file.resolveSibling(FILE + ".partial");
    byte[] body = p.body(); // as the admin sent them: their hash is the ETag
    try (var ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(body));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void report(String message) {
    if (!message.equals(problem)) {
      log.warn(message);
    }
    problem = message;
  }

  private void clearProblem() {
    if (problem != null) {
      log.info("fleet: the admin {} answers again; snapshot serial {} in force", url,
          inForce == null ? "none" : inForce.snapshot().serial());
      problem = null;
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Serves {@code /metrics} and {@code /readyz} on the node's listener; call before start. */
  void operations(dev.hearth.admin.web.Operations ops) {
    this.operations = ops;
  }

  /** The serial of the snapshot in force, 0 while the node serves its config's policy. */
  long serial() {
    Prepared p = inForce;
    return p == null ? 0 : p.snapshot().serial();
  }

  /** What the status endpoints show: mode, serial, ETag, where it came from, when. */
  ObjectNode status(boolean withProblem) {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", "ok");
    n.put("mode", "node");
    Prepared p = inForce;
    if (p == null) {
      n.putNull("policy_serial");
      n.putNull("policy_etag");
    } else {
      n.put("policy_serial", p.snapshot().serial());
      n.put("policy_etag", p.etag());
    }
    n.put("policy_origin", origin);
    n.put("policy_applied_at", appliedAt == null ? null : appliedAt.toString());
    n.put("admin_last_contact", lastContact == null ? null : lastContact.toString());
    n.put("admin_reachable", problem == null && lastContact != null);
    if (withProblem && problem != null) {
      n.put("problem", problem);
    }
    return n;
  }

  /**
   * The node's {@code --http} listener: {@code /healthz} (serial and whether the admin answers),
   * {@code /readyz} and {@code /metrics} as on an admin, and {@code /api/v1/status} (also the
   * reason, for callers with the node token). There is no
   * console on a node: policy is changed on the admin.
   */
  private void startWeb(InetSocketAddress listen) {
    byte[] tokenHash = FleetSnapshot.sha256(token);
    web = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.routes.get("/healthz", ctx -> ctx.contentType("application/json")
          .result(JSON.writeValueAsString(status(false))));
      config.routes.get("/readyz",
          ctx -> dev.hearth.admin.web.OperationsRoutes.ready(ctx, operations));
      config.routes.get("/metrics",
          ctx -> dev.hearth.admin.web.OperationsRoutes.metrics(ctx, operations));
      config.routes.get("/api/v1/status", ctx -> {
        String h = ctx.header("Authorization");
        byte[] given = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
            ? FleetSnapshot.sha256(h.substring(7).trim()) : null;
        if (given == null || !java.security.MessageDigest.isEqual(given, tokenHash)) {
          ctx.status(401).contentType("application/json").result(
              "{\"error\":\"the fleet's node token is required (Authorization: Bearer TOKEN)\"}");
          return;
        }
        ctx.contentType("application/json").result(JSON.writeValueAsString(status(true)));
      });
    });
    web.start(listen.getAddress().getHostAddress(), listen.getPort());
    log.info("node status on http://{}/healthz", HostPort.format(
        new InetSocketAddress(listen.getAddress(), web.port())));
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    if (web != null) {
      web.stop();
    }
  }
}
