package dev.hearth.admin.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.appeals.AppealException;
import dev.hearth.admin.appeals.Appeals;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.lists.SourceRefusedException;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.policy.Preset;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.admin.transparency.DailyBlocks;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.policy.PolicyDecision;
import dev.hearth.resolver.policy.PolicyStage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.security.RouteRole;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --http} listener: liveness at {@code /healthz}, the REST API under
 * {@code /api/v1} with its OpenAPI description at {@code /api/openapi.json}. API callers present
 * a bearer token ({@code hearth admin create-token}); each route names the roles that may use it
 * and the check runs before the handler. Errors are JSON ({@code error}, and {@code field} when
 * one field is at fault) with a 4xx status; nothing from an invalid request is stored, and no
 * stack trace ever reaches a client.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long MAX_BODY = 1 << 20;
  private static final RouteRole[] OPERATORS = {Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER, Role.LIST_CUSTODIAN};
  private static final RouteRole[] SUBSCRIBER_READERS = {Role.ADMINISTRATOR, Role.SUPPORT};
  private static final RouteRole[] EXPLAINERS = {Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER};
  private static final RouteRole[] ADMIN = {Role.ADMINISTRATOR};
  private static final RouteRole[] REVIEWERS = {Role.ADMINISTRATOR, Role.APPEALS_REVIEWER};
  private static final String PRINCIPAL = "hearth.principal";

  private final AdminStore store;
  private final Accounts accounts;
  private final PolicyService policy;
  private final PolicyStage stage;
  private final Javalin app;
  private final Supplier<DnsServer.Stats> stats;
  private final WebPages pages;
  private final PublicPages publicPages;
  private final AppealPages appealPages;
  private final Appeals appeals;
  private final DailyBlocks dailyBlocks;
  private Javalin blockPages;
  private volatile Operations operations;
  private boolean started;
  /** The fleet's snapshots and the SHA-256 of the node token, or null: no fleet served. */
  private volatile dev.hearth.admin.fleet.SnapshotPublisher fleet;
  private volatile byte[] nodeTokenHash;
  static final String FLEET_SNAPSHOT_PATH = "/api/v1/fleet/snapshot";

  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage) {
    this(store, accounts, policy, stage, null, null);
  }

  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage, Supplier<DnsServer.Stats> stats) {
    this(store, accounts, policy, stage, stats, (ListOperations) null);
  }

  /**
   * With the resolver's counters for the dashboard ({@code stats} may be null: no counters shown).
   */
  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage, Supplier<DnsServer.Stats> stats,
      ListOperations lists) {
    this(store, accounts, policy, stage, stats, lists, null, null,
        PublicSettings.DEFAULTS);
  }

  /**
   * With the server's block lists ({@code lists}, or null: no list pages) and the list sources
   * added at run time ({@code sources}, or null: sources are the config file's only).
   */
  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage, Supplier<DnsServer.Stats> stats,
      ListOperations lists, ListSourceService sources) {
    this(store, accounts, policy, stage, stats, lists, sources, null,
        PublicSettings.DEFAULTS);
  }

  /**
   * With the households' activity summaries ({@code activity} may be null: the parent portal
   * offers none).
   */
  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage, Supplier<DnsServer.Stats> stats,
      ListOperations lists, dev.hearth.admin.activity.ActivitySummaries activity) {
    this(store, accounts, policy, stage, stats, lists, null, activity,
        PublicSettings.DEFAULTS);
  }

  /**
   * Everything: list sources, activity summaries and the public pages' settings (the server's
   * own host names, the published appeal deadlines, the privacy statement's facts).
   */
  public AdminServer(AdminStore store, Accounts accounts, PolicyService policy,
      PolicyStage stage, Supplier<DnsServer.Stats> stats,
      ListOperations lists, ListSourceService sources,
      dev.hearth.admin.activity.ActivitySummaries activity, PublicSettings publicSettings) {
    this.store = store;
    this.accounts = accounts;
    this.policy = policy;
    this.stage = stage;
    this.stats = stats;
    this.pages = new WebPages(accounts, policy, stage, q -> q.run(store),
        stats, Clock.systemUTC(), activity);
    ListPages listPages = lists == null ? null : new ListPages(pages, lists, policy, sources);
    String org = stage.engine().policy().operator().organisation();
    this.appeals = new Appeals(store, policy, new Appeals.Settings(
        publicSettings.acknowledgeWithin(), publicSettings.decideWithin(),
        java.time.Duration.ofDays(publicSettings.privacy().appealRetentionDays()),
        publicSettings.mailEnabled(), publicSettings.publicUrl(),
        org == null ? "the operator of this network" : org,
        publicSettings.appealsPerAddressPerHour()), Clock.systemUTC());
    this.dailyBlocks = new DailyBlocks(store, Clock.systemUTC());
    this.publicPages = new PublicPages(stage, lists, policy::presets, publicSettings,
        Clock.systemUTC(), appeals, dailyBlocks, this::profileChangedAt);
    AppealPages appealPages = new AppealPages(pages, appeals, stage, Clock.systemUTC());
    this.appealPages = appealPages;
    this.app = Javalin.create(config -> {
      pages.register(config);
      publicPages.register(config);
      appealPages.registerPublic(config);
      appealPages.registerConsole(config);
      if (listPages != null) {
        listPages.register(config);
        config.routes.get("/api/v1/lists", ctx -> {
          ArrayNode out = JSON.createArrayNode();
          for (var st : lists.status()) {
            out.addObject().put("id", st.id()).put("category", st.category())
                .put("locked", st.locked()).put("version", st.version())
                .put("entries", st.entries()).put("url_hosts", st.urlHosts())
                .put("last_update", st.lastUpdate() == null ? null : st.lastUpdate().toString())
                .put("last_check", st.lastCheck() == null ? null : st.lastCheck().toString())
                .put("last_error", st.lastError()).put("can_roll_back", st.canRollBack());
          }
          json(ctx, 200, out);
        }, OPERATORS);
        config.routes.post("/api/v1/lists/refresh", ctx -> {
          policy.auditOnly(principal(ctx), "lists.refresh", "lists", null);
          json(ctx, 200, JSON.createObjectNode().put("changed", lists.refreshNow()));
        }, Role.ADMINISTRATOR, Role.LIST_CUSTODIAN);
        config.routes.post("/api/v1/lists/{id}/rollback", ctx -> {
          String problem = listPages.rollback(principal(ctx), ctx.pathParam("id"));
          if (problem != null) {
            throw new ApiError(problem.startsWith("only") ? 403 : problem.startsWith("no list")
                ? 404 : 409, null, problem);
          }
          ctx.status(204);
        }, Role.ADMINISTRATOR, Role.LIST_CUSTODIAN);
        if (sources != null) {
          registerSources(config, lists, sources);
        }
      }
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = MAX_BODY;
      config.routes.before(this::securityHeaders);
      config.routes.before(publicPages::sharedListenerFilter);
      // Page forms are urlencoded only: a multipart body would be spooled to disk by the
      // servlet layer before any check, so it is refused before anything reads it.
      config.routes.before(this::formsOnly);
      config.routes.beforeMatched("/api/v1/*", this::authorize);
      config.routes.get("/healthz", this::health);
      config.routes.get("/readyz", this::ready);
      config.routes.get("/metrics", this::metrics);
      config.routes.get(FLEET_SNAPSHOT_PATH, this::fleetSnapshot);
      config.routes.get("/api/openapi.json", this::openApi);
      config.routes.get("/api/v1/status", this::status, OPERATORS);
      config.routes.get("/api/v1/stats", ctx -> json(ctx, 200, statsJson()), OPERATORS);
      for (Kind kind : Kind.values()) {
        RouteRole[] readers = kind == Kind.SUBSCRIBER ? SUBSCRIBER_READERS : OPERATORS;
        String base = "/api/v1/" + kind.table();
        if (kind == Kind.PRESET) {
          // Built-in presets are listed too, marked; a stored one overrides the built-in.
          config.routes.get(base, this::listPresets, readers);
          config.routes.get(base + "/{id}", this::getPreset, readers);
        } else {
          config.routes.get(base, ctx -> list(ctx, kind), readers);
          config.routes.get(base + "/{id}", ctx -> get(ctx, kind), readers);
        }
        config.routes.put(base + "/{id}", ctx -> put(ctx, kind), ADMIN);
        config.routes.delete(base + "/{id}", ctx -> delete(ctx, kind), ADMIN);
      }
      config.routes.post("/api/v1/subscribers/{id}/pause", this::pause, ADMIN);
      config.routes.delete("/api/v1/subscribers/{id}/pause", this::resume, ADMIN);
      config.routes.post("/api/v1/subscribers/{id}/grants", this::grant, ADMIN);
      config.routes.delete("/api/v1/subscribers/{id}/grants", this::revoke, ADMIN);
      config.routes.get("/api/v1/bindings", this::bindings, SUBSCRIBER_READERS);
      config.routes.post("/api/v1/bindings", this::bind, ADMIN);
      config.routes.delete("/api/v1/bindings", this::unbind, ADMIN);
      config.routes.get("/api/v1/explain", this::explain, EXPLAINERS);
      config.routes.get("/api/v1/audit", this::audit, ADMIN);
      config.routes.get("/api/v1/tokens", ctx -> json(ctx, 200, accounts.tokens()), ADMIN);
      config.routes.post("/api/v1/tokens", this::createToken, ADMIN);
      config.routes.delete("/api/v1/tokens/{id}", this::revokeToken, ADMIN);
      config.routes.post("/api/v1/users", this::createUser, ADMIN);
      config.routes.get("/api/v1/users", ctx -> json(ctx, 200, accounts.users()), ADMIN);
      config.routes.delete("/api/v1/users/{username}", ctx -> {
        String u = ctx.pathParam("username");
        if (!accounts.deleteUser(principal(ctx), u)) {
          throw new ApiError(404, null, "no user '" + u + "'");
        }
        pages.endSessionsOf("user:" + Accounts.username(u));
        ctx.status(204);
      }, ADMIN);
      config.routes.post("/api/v1/subscribers/{id}/signup-code", this::signupCode, ADMIN);
      config.routes.get("/api/v1/appeals", ctx -> json(ctx, 200, AppealPages.json(
          appeals.queue(), java.time.Instant.now())), EXPLAINERS);
      config.routes.get("/api/v1/appeals/{ticket}", ctx -> {
        var found = appeals.find(ctx.pathParam("ticket"));
        if (found == null) {
          throw new ApiError(404, "ticket", "no appeal has this ticket");
        }
        ObjectNode n = AppealPages.json(found.appeal(), java.time.Instant.now());
        ArrayNode events = n.putArray("events");
        for (var e : found.events()) {
          events.addObject().put("at", e.at().toString()).put("actor", e.actor())
              .put("kind", e.kind()).put("text", e.text());
        }
        json(ctx, 200, n);
      }, EXPLAINERS);
      config.routes.post("/api/v1/appeals/{ticket}/take", ctx -> {
        appeals.take(principal(ctx), ctx.pathParam("ticket"));
        ctx.status(204);
      }, REVIEWERS);
      config.routes.post("/api/v1/appeals/{ticket}/decision", ctx -> {
        JsonNode b = body(ctx);
        JsonNode sub = b.get("subdomains");
        appeals.decide(principal(ctx), ctx.pathParam("ticket"), text(b, "outcome", true),
            text(b, "category", false), sub != null && sub.asBoolean(), text(b, "note", true));
        ctx.status(204);
      }, REVIEWERS);
      config.routes.post("/api/v1/appeals/{ticket}/referral", ctx -> {
        JsonNode b = body(ctx);
        appeals.refer(principal(ctx), ctx.pathParam("ticket"), text(b, "to", true),
            text(b, "note", false));
        ctx.status(204);
      }, REVIEWERS);
      config.routes.post("/api/v1/appeals/{ticket}/close", ctx -> {
        appeals.close(principal(ctx), ctx.pathParam("ticket"), null);
        ctx.status(204);
      }, REVIEWERS);
      config.routes.get("/api/v1/appeal-overrides", ctx -> {
        ArrayNode out = JSON.createArrayNode();
        for (var o : policy.appealOverrides()) {
          out.addObject().put("name", o.name()).put("subdomains", o.subdomains())
              .put("category", o.category()).put("ticket", o.ticket());
        }
        json(ctx, 200, out);
      }, OPERATORS);
      config.routes.delete("/api/v1/appeal-overrides/{name}", ctx -> {
        if (!policy.removeAppealOverride(principal(ctx), ctx.pathParam("name"))) {
          throw new ApiError(404, "name", "no override for '" + ctx.pathParam("name") + "'");
        }
        ctx.status(204);
      }, ADMIN);
      config.routes.exception(ApiError.class, (e, ctx) -> error(ctx, e.status, e.field,
          e.getMessage()));
      config.routes.exception(AppealException.class, (e, ctx) -> error(ctx, e.status(),
          e.field(), e.getMessage()));
      config.routes.exception(SourceRefusedException.class, (e, ctx) -> error(ctx, e.status(),
          e.field(), e.getMessage()));
      config.routes.exception(InvalidPolicyException.class, (e, ctx) -> error(ctx, 400,
          field(e), PolicyService.describe(e)));
      config.routes.exception(StoreException.class, (e, ctx) -> {
        log.error("admin store: {}", e.getMessage());
        error(ctx, 503, null, e.getMessage());
      });
      config.routes.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, null,
          e.getMessage()));
      config.routes.exception(Accounts.Busy.class, (e, ctx) -> {
        ctx.header("Retry-After", "5");
        error(ctx, 503, null, e.getMessage());
      });
      config.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
          null, e.getMessage()));
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("admin request {} {} failed", ctx.method(), ctx.path(), e);
        error(ctx, 500, null, "internal error; the server log has the details");
      });
      config.routes.error(404, ctx -> {
        if (!ctx.path().startsWith("/api/")) {
          ctx.html("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not"
              + " found · Hearth</title></head><body><main><h1>Not found</h1><p>There is no page"
              + " at this address. <a href=\"/login\">Sign in</a></p></main></body></html>");
        } else if (ctx.result() == null || ctx.result().isEmpty()) {
          error(ctx, 404, null, "no such API route: " + ctx.path());
        }
      });
      config.routes.error(405, ctx -> error(ctx, 405, null, ctx.method()
          + " is not allowed on " + ctx.path()));
    });
  }

  /**
   * {@code /api/v1/lists/sources}: every source (the config file's read-only, the run-time ones
   * with who added and changed them) and their lists' state; create, replace and remove run-time
   * sources. Locked legal sources and legal overrides are list custodians' only.
   */
  private void registerSources(io.javalin.config.JavalinConfig config, ListOperations lists,
      ListSourceService sources) {
    RouteRole[] managers = {Role.ADMINISTRATOR, Role.LIST_CUSTODIAN};
    config.routes.get("/api/v1/lists/sources", ctx -> {
      Map<String, ListCatalog.Status> status = statusById(lists);
      ArrayNode out = JSON.createArrayNode();
      for (ListSourceService.Source s : sources.all()) {
        out.add(sourceJson(principal(ctx).role(), s, status));
      }
      json(ctx, 200, out);
    }, OPERATORS);
    config.routes.get("/api/v1/lists/sources/{id}", ctx -> {
      ListSourceService.Source s = sources.get(ctx.pathParam("id"));
      if (s == null) {
        throw new ApiError(404, null, "no list source '" + ctx.pathParam("id") + "'");
      }
      json(ctx, 200, sourceJson(principal(ctx).role(), s, statusById(lists)));
    }, OPERATORS);
    config.routes.post("/api/v1/lists/sources", ctx -> {
      ListSourceService.Change ch = sources.put(principal(ctx), null, body(ctx));
      json(ctx, 201, changeJson(principal(ctx).role(), ch, lists));
    }, managers);
    config.routes.put("/api/v1/lists/sources/{id}", ctx -> {
      ListSourceService.Change ch = sources.put(principal(ctx), ctx.pathParam("id"), body(ctx));
      json(ctx, ch.created() ? 201 : 200, changeJson(principal(ctx).role(), ch, lists));
    }, managers);
    config.routes.delete("/api/v1/lists/sources/{id}", ctx -> {
      if (!sources.delete(principal(ctx), ctx.pathParam("id"))) {
        throw new ApiError(404, null, "no list source '" + ctx.pathParam("id")
            + "' in the admin store");
      }
      ctx.status(204);
    }, managers);
  }

  private static Map<String, ListCatalog.Status> statusById(ListOperations lists) {
    Map<String, ListCatalog.Status> out = new java.util.HashMap<>();
    lists.status().forEach(st -> out.put(st.id(), st));
    return out;
  }

  private static ObjectNode changeJson(Role role, ListSourceService.Change ch,
      ListOperations lists) {
    ObjectNode n = sourceJson(role, ch.source(), statusById(lists));
    n.put("applied", ch.applied());
    if (!ch.applied()) {
      n.put("note", "stored, but not in force yet: the list thread is busy (a large download?)"
          + " and applies it when free, or could not apply it (the server log says why)");
    }
    return n;
  }

  /**
   * One source and its lists' state. Roles that may not change it see its URLs without
   * credentials or query; no one sees a list's entries, only counts.
   */
  static ObjectNode sourceJson(Role role, ListSourceService.Source s,
      Map<String, ListCatalog.Status> status) {
    boolean editable = !s.fromConfig() && ListSourceService.mayManage(role, s.custodianOnly());
    ObjectNode n = JSON.createObjectNode();
    n.put("id", s.id());
    n.put("origin", s.fromConfig() ? "config" : "store");
    n.put("editable", editable);
    n.set("source", editable ? s.spec() : ListSourceService.redacted(s.spec()));
    ArrayNode ls = n.putArray("lists");
    for (String id : s.listIds()) {
      ListCatalog.Status st = status.get(id);
      ObjectNode l = ls.addObject().put("id", id);
      if (st != null) {
        l.put("locked", st.locked()).put("version", st.version()).put("entries", st.entries())
            .put("last_update", st.lastUpdate() == null ? null : st.lastUpdate().toString())
            .put("last_error", st.lastError());
      }
    }
    if (s.problem() != null) {
      n.put("problem", s.problem());
    }
    if (!s.fromConfig()) {
      n.put("created_at", s.createdAt()).put("created_by", s.createdBy())
          .put("updated_at", s.updatedAt()).put("updated_by", s.updatedBy());
    }
    return n;
  }

  /** Starts listening; port 0 picks a free one ({@link #port()}). */
  public AdminServer start(InetSocketAddress listen) {
    app.start(listen.getAddress().getHostAddress(), listen.getPort());
    started = true;
    return this;
  }

  /** The port listened on. */
  public int port() {
    return app.port();
  }

  /**
   * Every route, as {@code "METHOD /path/{param}"}, from the router itself, so the security
   * tests cover routes added later without anyone listing them.
   */
  public java.util.List<String> routes() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (io.javalin.router.ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers()) {
      if (e.endpoint.method.isHttpMethod()) {
        out.add(e.endpoint.method.name() + " " + e.endpoint.path);
      }
    }
    return out;
  }

  /**
   * Starts the dedicated block-page listener ({@code --block-page}): the public pages, and the
   * block page for any other Host and path; no console, portal or API. Port 0 picks a free one
   * ({@link #blockPagePort()}).
   */
  public AdminServer startBlockPages(InetSocketAddress listen) {
    blockPages = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.http.maxRequestSize = MAX_BODY;
      config.routes.get("/static/hearth.css", ctx -> {
        try (InputStream in = AdminServer.class.getResourceAsStream("hearth.css")) {
          ctx.contentType("text/css; charset=utf-8").header("Cache-Control", "max-age=3600")
              .result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      });
      publicPages.register(config);
      appealPages.registerPublic(config);
      config.routes.before(this::securityHeaders);
      config.routes.before(publicPages::blockListenerFilter);
      config.routes.before(this::formsOnly);
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("block page request {} {} failed", ctx.method(), ctx.path(), e);
        error(ctx, 500, null, "internal error; the server log has the details");
      });
      config.routes.error(404, ctx -> {
        Ui ui = Ui.of(ctx, null);
        ctx.html(ui.page(ui.t("pub.notfound.title"), PublicPages.NAV, "<p>"
            + ui.te("pub.notfound.text") + "</p>"));
      });
    });
    blockPages.start(listen.getAddress().getHostAddress(), listen.getPort());
    return this;
  }

  /** The block-page listener's port, or -1 when it is not started. */
  public int blockPagePort() {
    return blockPages == null ? -1 : blockPages.port();
  }

  @Override
  public void close() {
    if (blockPages != null) {
      blockPages.stop();
    }
    if (started) {
      app.stop();
    }
  }

  // --- cross-cutting ---

  private void securityHeaders(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-store");
    // Pages use one same-origin style sheet and post forms to themselves; nothing else loads.
    ctx.header("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self';"
        + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }

  private void formsOnly(Context ctx) {
    String m = ctx.method().name();
    if ((m.equals("POST") || m.equals("PUT")) && !ctx.path().startsWith("/api/")) {
      String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(
          java.util.Locale.ROOT);
      if (!type.startsWith("application/x-www-form-urlencoded")) {
        throw new ApiError(415, null, "forms must be sent as"
            + " application/x-www-form-urlencoded");
      }
    }
    // Forms and API alike are refused on the declared length, before a byte of the body is read.
    if (ctx.contentLength() > MAX_BODY) {
      throw new ApiError(413, null, "the request is too large (over " + (MAX_BODY >> 20)
          + " MiB)");
    }
  }

  /** When the stored profile {@code id} last changed; null if it is not stored or unreadable. */
  private java.time.Instant profileChangedAt(String id) {
    try {
      return store.read(c -> {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT updated_at FROM"
            + " profiles WHERE id = ?")) {
          ps.setString(1, id);
          try (java.sql.ResultSet rs = ps.executeQuery()) {
            return rs.next() ? java.time.Instant.parse(rs.getString(1)) : null;
          }
        }
      });
    } catch (StoreException | RuntimeException e) {
      return null; // the block page still explains the rest
    }
  }

  /**
   * The encrypted-DNS listeners and public name the resolver runs with, for the parent portal's
   * device setup pages (personal DoH URLs and DoT host names). Until set, those pages say the
   * operator has not enabled encrypted DNS.
   */
  public AdminServer useEncryptedDns(dev.hearth.resolver.encrypted.EncryptedConfig config) {
    pages.useEncryptedDns(config);
    return this;
  }

  /** The appeals (for the runtime's outbox and retention jobs). */
  public Appeals appeals() {
    return appeals;
  }

  /** The transparency report's daily block counters (fed by the runtime). */
  public DailyBlocks dailyBlocks() {
    return dailyBlocks;
  }

  /**
   * Serves the policy to resolver nodes at {@value #FLEET_SNAPSHOT_PATH}, for callers presenting
   * {@code nodeToken} (a shared secret of the fleet, not a user's token). Call before
   * {@link #start}.
   */
  public AdminServer serveFleet(dev.hearth.admin.fleet.SnapshotPublisher publisher,
      String nodeToken) {
    if (nodeToken == null || nodeToken.length() < 16) {
      throw new IllegalArgumentException("the node token must be at least 16 characters");
    }
    this.nodeTokenHash = dev.hearth.admin.fleet.FleetSnapshot.sha256(nodeToken);
    this.fleet = publisher;
    return this;
  }

  /** The fleet snapshot, with a strong ETag; 304 when the node already has it. */
  private void fleetSnapshot(Context ctx) throws StoreException {
    var publisher = fleet;
    if (publisher == null) {
      throw new ApiError(404, null, "this admin serves no fleet snapshots (set"
          + " fleet.node_token_file)");
    }
    String header = ctx.header("Authorization");
    byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
        ? dev.hearth.admin.fleet.FleetSnapshot.sha256(header.substring(7).trim()) : null;
    if (given == null || !java.security.MessageDigest.isEqual(given, nodeTokenHash)) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"hearth-fleet\"");
      throw new ApiError(401, null, "the fleet's node token is required (Authorization: Bearer"
          + " TOKEN, the contents of fleet.node_token_file)");
    }
    var p = publisher.current();
    ctx.header("ETag", p.etag());
    ctx.header("Cache-Control", "no-cache");
    ctx.header("X-Hearth-Snapshot-Serial", Long.toString(p.serial()));
    String inm = ctx.header("If-None-Match");
    if (inm != null) {
      for (String tag : inm.split(",")) {
        if (tag.trim().equals(p.etag()) || tag.trim().equals("*")) {
          ctx.status(304);
          return;
        }
      }
    }
    ctx.status(200).contentType("application/json").result(p.body());
  }

  private void authorize(Context ctx) throws StoreException {
    if (ctx.path().equals(FLEET_SNAPSHOT_PATH)) {
      return; // nodes authenticate with the fleet's token, checked by the handler
    }
    String header = ctx.header("Authorization");
    Principal p = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      p = accounts.authenticate(header.substring(7));
    }
    if (p == null) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"hearth\"");
      throw new ApiError(401, null, "a valid API token is required (Authorization: Bearer"
          + " hth_...; create one with hearth admin create-token)");
    }
    Set<RouteRole> allowed = ctx.routeRoles();
    if (!allowed.contains(p.role())) {
      throw new ApiError(403, null, "the role " + p.role().id() + " may not use this route");
    }
    ctx.attribute(PRINCIPAL, p);
  }

  private static Principal principal(Context ctx) {
    return ctx.attribute(PRINCIPAL);
  }

  private static void json(Context ctx, int status, Object body) throws JsonProcessingException {
    ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
  }

  /**
   * An error answer: JSON for the API, a plain page for people (the store's own words, e.g.
   * "the disk is full", so the operator knows what to fix; never a stack trace).
   */
  private static void error(Context ctx, int status, String field, String message) {
    if (!ctx.path().startsWith("/api/")) {
      Ui ui = Ui.of(ctx, null);
      ctx.status(status).html(ui.page(ui.t("error.title"), List.of(),
          Ui.notice("error", message) + "<p><a href=\"/login\">"
              + ui.te("error.back") + "</a></p>"));
      return;
    }
    ObjectNode n = JSON.createObjectNode();
    n.put("error", message == null ? "error" : message);
    if (field != null) {
      n.put("field", field);
    }
    ctx.status(status).contentType("application/json").result(n.toString());
  }

  private static String field(InvalidPolicyException e) {
    return e.field();
  }

  private static JsonNode body(Context ctx) throws JsonProcessingException {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(415, null, "send the body as application/json");
    }
    JsonNode n;
    try {
      n = JSON.readTree(ctx.body());
    } catch (JsonProcessingException e) {
      throw new ApiError(400, null, "the body is not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new ApiError(400, null, "the body must be a JSON object");
    }
    return n;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        throw new ApiError(400, field, "'" + field + "' is required");
      }
      return null;
    }
    if (!v.isTextual()) {
      throw new ApiError(400, field, "'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static String id(Context ctx) {
    String id = ctx.pathParam("id");
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new ApiError(400, "id", "'" + id + "' is not an id (letters, digits, '.', '_' and"
          + " '-', at most 64)");
    }
    return id;
  }

  // --- handlers ---

  /**
   * Connects the operations endpoints ({@code /metrics}, {@code /readyz}); call before
   * {@link #start}. Without it {@code /metrics} is 404 and {@code /readyz} answers like
   * {@code /healthz}.
   */
  public void useOperations(Operations operations) {
    this.operations = operations;
  }

  /**
   * Readiness, for load balancers and Kubernetes: 503 until the lists are loaded and the DNS
   * listeners bound. Upstreams being down does not make the node unready: cache, blocks and
   * local answers still work, and taking every replica out of rotation because a shared upstream
   * is down would turn a partial outage into a total one (the liveness probe restarts nothing
   * either: the upstreams come back on their own).
   */
  private void ready(Context ctx) {
    OperationsRoutes.ready(ctx, operations);
  }

  private void metrics(Context ctx) {
    OperationsRoutes.metrics(ctx, operations);
  }

  private void health(Context ctx) throws JsonProcessingException {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", "ok");
    n.put("policy_version", policy.version());
    // Unauthenticated: only whether there is a problem; the words (ids, paths) need a login.
    n.put("policy_problem", policy.problem() != null);
    json(ctx, 200, n);
  }

  private void openApi(Context ctx) throws IOException {
    try (InputStream in = AdminServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new ApiError(500, null, "openapi.json is missing from the jar");
      }
      ctx.contentType("application/json").result(new String(in.readAllBytes(),
          StandardCharsets.UTF_8));
    }
  }

  private void status(Context ctx) throws JsonProcessingException {
    ObjectNode n = JSON.createObjectNode();
    var snap = policy.current();
    n.put("policy_version", policy.version());
    n.put("profiles", snap.profiles().size());
    n.put("subscribers", snap.directory().subscribers().size());
    n.put("networks", snap.directory().networks().size());
    n.put("prefixes", snap.directory().prefixCount());
    n.put("bindings", stage.bindings().size());
    n.put("lists", stage.lists().size());
    n.put("blocked_queries", stage.blockedCount());
    n.put("schema_version", AdminStore.SCHEMA_VERSION);
    if (policy.problem() != null) {
      n.put("problem", policy.problem());
    }
    json(ctx, 200, n);
  }

  /** The resolver's counters and the lists in force, as the dashboard polls them. */
  ObjectNode statsJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("at", Instant.now().toString());
    if (stats != null) {
      DnsServer.Stats st = stats.get();
      n.put("queries", st.queries());
      n.put("malformed", st.malformed());
      n.put("cache_hits", st.cacheHits());
      n.put("cache_misses", st.cacheMisses());
      n.put("cache_entries", st.cacheEntries());
      n.put("stale_served", st.staleServed());
      n.put("blocked", st.blocked());
      ObjectNode cats = n.putObject("blocked_by_category");
      st.blockedByCategory().forEach(cats::put);
      ArrayNode ups = n.putArray("upstreams");
      for (var u : st.upstreams()) {
        ups.addObject().put("name", u.name()).put("up", u.up())
            .put("srtt_ms", Math.round(u.srttMillis() * 10) / 10.0).put("queries", u.queries())
            .put("timeouts", u.timeouts()).put("servfails", u.servfails());
      }
    }
    ArrayNode lists = n.putArray("lists");
    for (var l : stage.lists()) {
      lists.addObject().put("id", l.info().id()).put("category", l.info().category())
          .put("locked", l.info().locked()).put("entries", l.size())
          .put("version", l.info().version());
    }
    return n;
  }

  private void list(Context ctx, Kind kind) throws JsonProcessingException {
    ArrayNode out = JSON.createArrayNode();
    boolean mask = kind == Kind.SUBSCRIBER && principal(ctx).role() == Role.SUPPORT;
    for (JsonNode doc : policy.list(kind).values()) {
      out.add(mask ? Masking.subscriber(doc) : doc);
    }
    json(ctx, 200, out);
  }

  private void get(Context ctx, Kind kind) throws JsonProcessingException {
    String id = id(ctx);
    JsonNode doc = policy.get(kind, id);
    if (doc == null) {
      throw new ApiError(404, null, "no " + kind.singular() + " '" + id + "' in the admin store");
    }
    boolean mask = kind == Kind.SUBSCRIBER && principal(ctx).role() == Role.SUPPORT;
    json(ctx, 200, mask ? Masking.subscriber(doc) : doc);
  }

  /** A preset in force as the API shows it: its settings, whether built in, whether stored. */
  private ObjectNode presetJson(Preset p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", p.id()).put("name", p.name()).put("block_bypass", p.blockBypass());
    ArrayNode cats = n.putArray("block_categories");
    new java.util.TreeSet<>(p.categories()).forEach(cats::add);
    n.put("built_in", policy.builtInPreset(p.id()));
    n.put("stored", policy.get(Kind.PRESET, p.id()) != null);
    return n;
  }

  private void listPresets(Context ctx) throws JsonProcessingException {
    ArrayNode out = JSON.createArrayNode();
    for (Preset p : policy.presets()) {
      out.add(presetJson(p));
    }
    json(ctx, 200, out);
  }

  private void getPreset(Context ctx) throws JsonProcessingException {
    String id = id(ctx);
    for (Preset p : policy.presets()) {
      if (p.id().equals(id)) {
        json(ctx, 200, presetJson(p));
        return;
      }
    }
    throw new ApiError(404, null, "no preset '" + id + "'");
  }

  private void put(Context ctx, Kind kind) throws Exception {
    String id = id(ctx);
    JsonNode body = body(ctx);
    boolean created = policy.put(principal(ctx), kind, id, body);
    json(ctx, created ? 201 : 200, policy.get(kind, id));
  }

  private void delete(Context ctx, Kind kind) throws Exception {
    String id = id(ctx);
    if (!policy.delete(principal(ctx), kind, id)) {
      if (kind == Kind.PRESET && policy.builtInPreset(id)) {
        throw new ApiError(409, null, "preset '" + id + "' is built in and has no stored"
            + " changes; a built-in preset cannot be removed, only adjusted");
      }
      throw new ApiError(404, null, "no " + kind.singular() + " '" + id + "' in the admin store");
    }
    if (kind == Kind.SUBSCRIBER) {
      stage.overrides().clear(id); // a reused id must not inherit pauses or grants
    }
    ctx.status(204);
  }

  private void bindings(Context ctx) throws Exception {
    ArrayNode out = JSON.createArrayNode();
    boolean mask = principal(ctx).role() == Role.SUPPORT;
    for (Map.Entry<String, String> e : policy.storedBindings().entrySet()) {
      out.addObject().put("address", mask ? Masking.address(e.getKey()) : e.getKey())
          .put("subscriber", e.getValue());
    }
    json(ctx, 200, out);
  }

  private void bind(Context ctx) throws Exception {
    JsonNode b = body(ctx);
    String address = text(b, "address", true);
    String subscriber = text(b, "subscriber", true);
    String previous = policy.bind(principal(ctx), address, subscriber);
    ObjectNode out = JSON.createObjectNode();
    out.put("address", Prefix.parse(address.trim()).toString());
    out.put("subscriber", subscriber);
    out.put("previous", previous);
    json(ctx, 200, out);
  }

  private void unbind(Context ctx) throws Exception {
    String address = ctx.queryParam("address");
    if (address == null) {
      throw new ApiError(400, "address", "give the binding to remove as ?address=PREFIX");
    }
    if (policy.unbind(principal(ctx), address) == null) {
      throw new ApiError(404, "address", "no binding for " + address);
    }
    ctx.status(204);
  }

  private String subscriberFor(Context ctx) {
    String id = id(ctx);
    if (policy.current().directory().subscriber(id) == null) {
      throw new ApiError(404, null, "no subscriber '" + id + "'");
    }
    return id;
  }

  private String profileFor(String subscriberId, String given) {
    var s = policy.current().directory().subscriber(subscriberId);
    if (given == null) {
      return s.profileId();
    }
    boolean known = s.profileId().equals(given) || s.deviceProfiles().containsValue(given);
    if (!known) {
      throw new ApiError(400, "profile", "subscriber '" + subscriberId + "' has no profile '"
          + given + "' (its own or a device's)");
    }
    return given;
  }

  private static Duration minutes(JsonNode b) {
    JsonNode v = b.get("minutes");
    if (v == null || !v.canConvertToInt() || v.asInt() < 1 || v.asInt() > 7 * 24 * 60) {
      throw new ApiError(400, "minutes", "'minutes' must be a whole number from 1 to 10080"
          + " (a week)");
    }
    return Duration.ofMinutes(v.asInt());
  }

  private void pause(Context ctx) throws Exception {
    String sub = subscriberFor(ctx);
    JsonNode b = body(ctx);
    String profile = profileFor(sub, text(b, "profile", false));
    Instant until = Instant.now().plus(minutes(b));
    // Recorded first: a pause that cannot be audited is not applied.
    audit(ctx, "override.pause", "subscriber:" + sub, JSON.createObjectNode()
        .put("profile", profile).put("until", until.toString()));
    stage.overrides().pause(sub, profile, until);
    json(ctx, 200, JSON.createObjectNode().put("subscriber", sub).put("profile", profile)
        .put("until", until.toString()));
  }

  private void resume(Context ctx) throws Exception {
    String sub = subscriberFor(ctx);
    String profile = profileFor(sub, ctx.queryParam("profile"));
    if (!stage.overrides().isPaused(sub, profile)) {
      throw new ApiError(404, null, "subscriber '" + sub + "' profile '" + profile
          + "' is not paused");
    }
    audit(ctx, "override.resume", "subscriber:" + sub, JSON.createObjectNode()
        .put("profile", profile));
    stage.overrides().resume(sub, profile);
    ctx.status(204);
  }

  private void grant(Context ctx) throws Exception {
    String sub = subscriberFor(ctx);
    JsonNode b = body(ctx);
    String profile = profileFor(sub, text(b, "profile", false));
    String target = target(text(b, "target", true));
    Instant until = Instant.now().plus(minutes(b));
    audit(ctx, "override.grant", "subscriber:" + sub, JSON.createObjectNode()
        .put("profile", profile).put("target", target).put("until", until.toString()));
    stage.overrides().grant(sub, profile, target, until);
    json(ctx, 200, JSON.createObjectNode().put("subscriber", sub).put("profile", profile)
        .put("target", target).put("until", until.toString()));
  }

  private void revoke(Context ctx) throws Exception {
    String sub = subscriberFor(ctx);
    String profile = profileFor(sub, ctx.queryParam("profile"));
    String raw = ctx.queryParam("target");
    if (raw == null) {
      throw new ApiError(400, "target", "give the grant to end as ?target=NAME or"
          + " ?target=category:NAME");
    }
    String target = target(raw);
    if (!stage.overrides().hasGrant(sub, profile, target)) {
      throw new ApiError(404, "target", "no grant of " + target + " for subscriber '" + sub
          + "' profile '" + profile + "'");
    }
    audit(ctx, "override.revoke", "subscriber:" + sub, JSON.createObjectNode()
        .put("profile", profile).put("target", target));
    stage.overrides().revoke(sub, profile, target);
    ctx.status(204);
  }

  private static String target(String raw) {
    String t = raw.trim();
    if (t.startsWith("category:")) {
      String cat = t.substring(9).trim();
      if (!cat.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new ApiError(400, "target", "'" + cat + "' is not a category name");
      }
      return "category:" + cat;
    }
    try {
      return DomainNames.normalize(t);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "target", e.getMessage());
    }
  }

  private void audit(Context ctx, String action, String target, ObjectNode after)
      throws StoreException {
    store.transaction(c -> {
      store.audit(c, principal(ctx).name(), action, target, null, after.toString());
      return null;
    });
  }

  private void explain(Context ctx) throws Exception {
    String client = ctx.queryParam("client");
    String name = ctx.queryParam("name");
    if (client == null || name == null) {
      throw new ApiError(400, client == null ? "client" : "name",
          "give ?client=IP&name=DOMAIN (and optionally mac, cpe_id, token, at)");
    }
    Instant at = Instant.now();
    String atText = ctx.queryParam("at");
    if (atText != null) {
      try {
        at = OffsetDateTime.parse(atText.trim()).toInstant();
      } catch (DateTimeParseException e) {
        throw new ApiError(400, "at", "'" + atText + "' is not an ISO 8601 time with an offset,"
            + " e.g. 2026-11-26T21:30:00Z");
      }
    }
    InetAddress address;
    String normalized;
    try {
      address = Explanations.address(client);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "client", e.getMessage());
    }
    try {
      normalized = DomainNames.normalize(name);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "name", e.getMessage());
    }
    PolicyDecision d;
    try {
      d = Explanations.explain(stage, client, name, ctx.queryParam("mac"),
          ctx.queryParam("cpe_id"), ctx.queryParam("token"), at);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "mac", e.getMessage());
    }
    ClientIdentity who = d.client();
    ObjectNode out = JSON.createObjectNode();
    out.put("name", normalized);
    out.put("client", address.getHostAddress());
    out.put("at", at.toString());
    boolean support = principal(ctx).role() == Role.SUPPORT;
    java.util.function.UnaryOperator<String> shown = t -> support
        ? Explanations.forSupport(t, who) : t;
    out.put("identified_as", shown.apply(who.describe()));
    out.put("profile", d.profile() == null ? null : d.profile().id());
    out.put("blocked", d.block());
    if (d.block()) {
      out.put("ede_code", d.edeCode());
      out.put("ede_text", shown.apply(d.edeText()));
      out.put("reason_id", d.reasonId());
    }
    ArrayNode steps = out.putArray("trace");
    d.trace().forEach(step -> steps.add(shown.apply(step)));
    json(ctx, 200, out);
  }

  private void audit(Context ctx) throws Exception {
    AuditQuery q = AuditQuery.from(ctx);
    var rows = q.run(store);
    if ("csv".equals(ctx.queryParam("format"))) {
      ctx.contentType("text/csv; charset=utf-8")
          .header("Content-Disposition", "attachment; filename=\"hearth-audit.csv\"")
          .result(AuditQuery.csv(rows));
    } else {
      json(ctx, 200, rows);
    }
  }

  private void createToken(Context ctx) throws Exception {
    JsonNode b = body(ctx);
    Role role = role(text(b, "role", true));
    String token = accounts.createToken(principal(ctx), text(b, "name", true), role,
        text(b, "household", false));
    json(ctx, 201, JSON.createObjectNode().put("token", token).put("note",
        "shown once: store it now"));
  }

  private void revokeToken(Context ctx) throws Exception {
    if (!accounts.revokeToken(principal(ctx), ctx.pathParam("id"))) {
      throw new ApiError(404, null, "no active token '" + ctx.pathParam("id") + "'");
    }
    ctx.status(204);
  }

  private void createUser(Context ctx) throws Exception {
    JsonNode b = body(ctx);
    Role role = role(text(b, "role", true));
    String password = text(b, "password", true);
    String household = text(b, "household", false);
    if (household != null && policy.current().directory().subscriber(household) == null) {
      throw new ApiError(400, "household", "no subscriber '" + household + "'");
    }
    accounts.createUser(principal(ctx), text(b, "username", true), role, household,
        password.toCharArray(), true);
    json(ctx, 201, JSON.createObjectNode().put("username",
        Accounts.username(text(b, "username", true))).put("role", role.id()));
  }

  private void signupCode(Context ctx) throws Exception {
    String sub = subscriberFor(ctx);
    String code = accounts.issueSignupCode(principal(ctx), sub);
    json(ctx, 201, JSON.createObjectNode().put("household", sub).put("code", code)
        .put("valid_days", Accounts.SIGNUP_VALIDITY.toDays()).put("note", "shown once"));
  }

  private static Role role(String text) {
    try {
      return Role.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "role", e.getMessage());
    }
  }

  /** Used by handlers to answer with a status and message (and field) without a stack trace. */
  static final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String field;

    ApiError(int status, String field, String message) {
      super(message, null, false, false);
      this.status = status;
      this.field = field;
    }
  }
}
