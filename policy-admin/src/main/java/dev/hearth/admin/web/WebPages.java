package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.activity.ActivitySummaries;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Passwords;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.policy.Preset;
import dev.hearth.admin.store.StoreException;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.PolicyStage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server-rendered pages: one login for everyone, the operator console under {@code /admin}
 * and the parent portal under {@code /family}. Plain HTML forms that work without JavaScript;
 * every POST carries the session's CSRF token (the login form a double-submit cookie), session
 * cookies are HttpOnly and SameSite=Strict (and Secure under TLS), and every change goes through
 * the same {@link PolicyService} as the API, so it is validated, audited and published alike.
 */
final class WebPages {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LOGIN_COOKIE = "hearth_login";
  static final List<String[]> CONSOLE_NAV = List.of(
      new String[] {"/admin", "nav.dashboard"}, new String[] {"/admin/profiles", "nav.profiles"},
      new String[] {"/admin/presets", "nav.presets"},
      new String[] {"/admin/subscribers", "nav.subscribers"},
      new String[] {"/admin/networks", "nav.networks"},
      new String[] {"/admin/lists", "nav.lists"},
      new String[] {"/admin/appeals", "nav.appeals"},
      new String[] {"/admin/explain", "nav.explain"}, new String[] {"/admin/audit", "nav.audit"},
      new String[] {"/admin/users", "nav.users"});
  private static final List<String[]> FAMILY_NAV_BASE =
      List.<String[]>of(new String[] {"/family", "nav.household"});
  static final List<String[]> FAMILY_NAV_ACTIVITY = List.<String[]>of(
      new String[] {"/family", "nav.household"},
      new String[] {"/family/activity", "nav.activity"});
  /** The pause and grant lengths the portal offers; nothing else is accepted. */
  private static final Set<Integer> OFFERED_MINUTES = Set.of(30, 60, 120);
  /** Grants in force per household profile at most (each is a map entry and an audit row). */
  static final int MAX_GRANTS = 50;
  private static final java.util.regex.Pattern ID_PATTERN =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Set<Role> OPERATORS = Set.of(Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER, Role.LIST_CUSTODIAN);

  private final Accounts accounts;
  private final PolicyService policy;
  private final PolicyStage stage;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final AuditReader audit;
  private final java.util.function.Supplier<dev.hearth.resolver.DnsServer.Stats> stats;
  /** The households' activity summaries, or null when this server keeps none. */
  private final ActivitySummaries activity;
  private final ActivityPages activityPages;
  private final List<String[]> familyNav;
  private final DeviceSetupPages deviceSetup;

  /** Reads the audit log for the console (the API's query, reused). */
  interface AuditReader {
    List<Map<String, Object>> read(AuditQuery q) throws StoreException;
  }

  WebPages(Accounts accounts, PolicyService policy, PolicyStage stage, AuditReader audit,
      java.util.function.Supplier<dev.hearth.resolver.DnsServer.Stats> stats, Clock clock,
      ActivitySummaries activity) {
    this.activity = activity;
    this.activityPages = new ActivityPages(this, policy, stage, activity);
    this.familyNav = activity == null ? FAMILY_NAV_BASE : FAMILY_NAV_ACTIVITY;
    this.stats = stats;
    this.accounts = accounts;
    this.policy = policy;
    this.stage = stage;
    this.sessions = new Sessions(clock);
    this.throttle = new LoginThrottle(clock);
    this.audit = audit;
    this.deviceSetup = new DeviceSetupPages(this, policy);
  }

  /** The family area's navigation (with the activity page when this server keeps summaries). */
  List<String[]> familyNav() {
    return familyNav;
  }

  /** The encrypted-DNS listeners and public name the device setup pages describe. */
  void useEncryptedDns(dev.hearth.resolver.encrypted.EncryptedConfig config) {
    deviceSetup.use(config);
  }

  void register(JavalinConfig config) {
    config.routes.get("/static/hearth.css", ctx -> asset(ctx, "hearth.css", "text/css"));
    config.routes.get("/static/schedule.js", ctx -> asset(ctx, "schedule.js",
        "text/javascript"));
    config.routes.get("/static/dashboard.js", ctx -> asset(ctx, "dashboard.js",
        "text/javascript"));
    config.routes.get("/login", this::loginForm);
    config.routes.post("/login", this::login);
    config.routes.post("/logout", this::logout);
    config.routes.get("/password", ctx -> passwordForm(ctx, null));
    config.routes.post("/password", this::changePassword);
    config.routes.get("/admin", this::dashboard);
    config.routes.get("/admin/stats.json", this::statsJson);
    config.routes.get("/admin/profiles", ctx -> profiles(ctx, null, null));
    config.routes.post("/admin/profiles", this::createProfile);
    config.routes.get("/admin/profiles/{id}", ctx -> editProfile(ctx, null, null));
    config.routes.post("/admin/profiles/{id}", this::saveProfile);
    config.routes.post("/admin/profiles/{id}/delete", ctx -> deleteDocument(ctx, Kind.PROFILE));
    config.routes.post("/admin/subscribers/delete", ctx -> deleteDocument(ctx, Kind.SUBSCRIBER));
    config.routes.post("/admin/networks/delete", ctx -> deleteDocument(ctx, Kind.NETWORK));
    config.routes.get("/admin/subscribers", ctx -> subscribers(ctx, null, null));
    config.routes.post("/admin/subscribers", this::saveSubscriber);
    config.routes.post("/admin/bindings", this::bind);
    config.routes.get("/admin/explain", this::explain);
    config.routes.get("/admin/audit", this::auditPage);
    config.routes.get("/family", ctx -> family(ctx, null, null));
    new AccountPages(this, accounts, policy, throttle).register(config);
    new PresetPages(this, policy).register(config);
    activityPages.register(config);
    config.routes.post("/family/profiles/{id}", this::familySave);
    config.routes.post("/family/pause", this::familyPause);
    config.routes.post("/family/grant", this::familyGrant);
    config.routes.post("/family/devices", this::addDevice);
    config.routes.post("/family/devices/remove", this::removeDevice);
    deviceSetup.register(config);
    config.routes.get("/admin/networks", ctx -> networks(ctx, null, null));
    config.routes.post("/admin/networks", this::saveNetwork);
  }

  // --- session plumbing ---

  private Sessions.Session session(Context ctx) {
    return sessions.find(ctx.cookie(Sessions.COOKIE));
  }

  /** The session for a page of {@code roles}; null after redirecting or refusing. */
  Sessions.Session require(Context ctx, Set<Role> roles) {
    return require(ctx, roles, true);
  }

  private Sessions.Session require(Context ctx, Set<Role> roles, boolean touch) {
    Sessions.Session s = touch ? session(ctx) : sessions.peek(ctx.cookie(Sessions.COOKIE));
    if (s == null) {
      ctx.redirect("/login");
      return null;
    }
    if (s.mustChangePassword) {
      ctx.redirect("/password");
      return null;
    }
    if (s.principal.role() == Role.PARENT
        && policy.current().directory().subscriber(s.principal.household()) == null) {
      // The household was deleted: its parents' sessions end with it.
      sessions.end(s.id);
      ctx.redirect("/login");
      return null;
    }
    if (!roles.contains(s.principal.role())) {
      Ui ui = Ui.of(ctx, s);
      ctx.status(403).html(ui.page(ui.t("forbidden.title"), List.of(),
          "<p>" + ui.te("forbidden.text") + "</p>"));
      return null;
    }
    if (ctx.method().name().equals("POST") && !s.csrfMatches(ctx.formParam("_csrf"))) {
      Ui ui = Ui.of(ctx, s);
      ctx.status(403).html(ui.page(ui.t("csrf.title"), List.of(),
          "<p>" + ui.te("csrf.text") + "</p>"));
      return null;
    }
    return s;
  }

  private static void sessionCookie(Context ctx, String value, int maxAge) {
    ctx.cookie(new Cookie(Sessions.COOKIE, value, "/", maxAge, Sessions.secure(ctx),
        true, null, SameSite.STRICT));
  }

  static void asset(Context ctx, String name, String type) throws IOException {
    try (InputStream in = WebPages.class.getResourceAsStream(name)) {
      ctx.contentType(type + "; charset=utf-8").header("Cache-Control", "max-age=3600")
          .result(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  // --- login ---

  private void loginForm(Context ctx) {
    String token = Sessions.randomToken();
    ctx.cookie(new Cookie(LOGIN_COOKIE, token, "/login", 600, Sessions.secure(ctx), true,
        null, SameSite.STRICT));
    renderLogin(ctx, token, null, 200);
  }

  private void renderLogin(Context ctx, String token, String error, int status) {
    Ui ui = Ui.of(ctx, null);
    String body = Ui.notice("error", error)
        + "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"_login\""
        + " value=\"" + Ui.esc(token) + "\">"
        + ui.input("username", "login.username", "", "text", null,
            "autocomplete=\"username\" required")
        + ui.input("password", "login.password", "", "password", null,
            "autocomplete=\"current-password\" required")
        + "<p><button type=\"submit\">" + ui.te("login.submit") + "</button></p></form>"
        + "<p><a href=\"/signup\">" + ui.te("login.signup") + "</a></p>";
    ctx.status(status).html(ui.page(ui.t("login.title"), List.of(), body));
  }

  private void login(Context ctx) throws StoreException {
    String cookie = ctx.cookie(LOGIN_COOKIE);
    String field = ctx.formParam("_login");
    Ui ui = Ui.of(ctx, null);
    String fresh = Sessions.randomToken();
    ctx.cookie(new Cookie(LOGIN_COOKIE, fresh, "/login", 600, Sessions.secure(ctx), true,
        null, SameSite.STRICT));
    if (cookie == null || field == null || !java.security.MessageDigest.isEqual(
        cookie.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII))) {
      renderLogin(ctx, fresh, ui.t("login.expired"), 403);
      return;
    }
    String ip = ctx.ip();
    if (throttle.blocked(ip)) {
      renderLogin(ctx, fresh, ui.t("login.throttled"), 429);
      return;
    }
    String username = ctx.formParam("username");
    String password = ctx.formParam("password");
    Accounts.LoginResult r = password == null ? null
        : accounts.loginDetailed(username, password.toCharArray());
    if (r == null) {
      throttle.failed(ip);
      renderLogin(ctx, fresh, ui.t("login.failed"), 401);
      return;
    }
    throttle.succeeded(ip);
    startSession(ctx, r.principal(), r.mustChangePassword());
    ctx.redirect(r.mustChangePassword() ? "/password"
        : r.principal().role() == Role.PARENT ? "/family" : "/admin");
  }

  /** Ends every browser session of an account (removed, or its household deleted). */
  void endSessionsOf(String principalName) {
    sessions.endAll(principalName, null);
  }

  /** Logs {@code p} in on this browser: a new session and its cookie. */
  void startSession(Context ctx, Principal p, boolean mustChangePassword) {
    Sessions.Session s = sessions.create(p, mustChangePassword);
    sessionCookie(ctx, s.id, -1);
  }

  private void logout(Context ctx) {
    Sessions.Session s = session(ctx);
    if (s != null && s.csrfMatches(ctx.formParam("_csrf"))) {
      sessions.end(s.id);
    }
    sessionCookie(ctx, "", 0);
    ctx.redirect("/login");
  }

  private void passwordForm(Context ctx, String error) {
    Sessions.Session s = session(ctx);
    if (s == null) {
      ctx.redirect("/login");
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String body = (s.mustChangePassword ? "<p>" + ui.te("password.first") + "</p>" : "")
        + Ui.notice("error", error)
        + "<form method=\"post\" action=\"/password\">" + ui.csrfField()
        + ui.input("current", "password.current", "", "password", null,
            "autocomplete=\"current-password\" required")
        + ui.newPasswordFields() + ui.submit("password.submit");
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("password.title"), List.of(), body));
  }

  private void changePassword(Context ctx) throws StoreException {
    Sessions.Session s = session(ctx);
    if (s == null || !s.csrfMatches(ctx.formParam("_csrf"))) {
      ctx.redirect("/login");
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String current = ctx.formParam("current");
    String next = ctx.formParam("new");
    if (current == null || next == null || !next.equals(ctx.formParam("confirm"))) {
      passwordForm(ctx, ui.t("password.mismatch"));
      return;
    }
    String weak = Passwords.weakness(next.toCharArray());
    if (weak != null) {
      passwordForm(ctx, ui.t("password.weak"));
      return;
    }
    String user = s.principal.name().replaceFirst("^user:", "");
    if (!accounts.changePassword(s.principal, user, current.toCharArray(), next.toCharArray())) {
      passwordForm(ctx, ui.t("password.wrong"));
      return;
    }
    s.mustChangePassword = false;
    sessions.endAll(s.principal.name(), s.id);
    ctx.redirect(s.principal.role() == Role.PARENT ? "/family" : "/admin");
  }

  // --- console ---

  /** The presets in force now, by id: built-in ones (as adjusted) and the operator's. */
  Map<String, Preset> presets() {
    Map<String, Preset> out = new LinkedHashMap<>();
    policy.presets().forEach(p -> out.put(p.id(), p));
    return out;
  }

  Set<String> knownCategories() {
    Set<String> out = new TreeSet<>();
    presets().values().forEach(p -> out.addAll(p.categories()));
    for (CompiledList l : stage.lists()) {
      if (l.info().category() != null && !l.info().locked()) {
        out.add(l.info().category());
      }
    }
    return out;
  }

  private void dashboard(Context ctx) {
    Sessions.Session s = require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    var snap = policy.current();
    StringBuilder b = new StringBuilder();
    if (policy.problem() != null) {
      b.append(Ui.notice("error", policy.problem()));
    }
    b.append("<table><caption>").append(ui.te("dash.caption")).append("</caption><tbody>");
    row(b, ui.t("dash.version"), policy.version());
    row(b, ui.t("dash.profiles"), snap.profiles().size());
    row(b, ui.t("dash.subscribers"), snap.directory().subscribers().size());
    row(b, ui.t("dash.networks"), snap.directory().networks().size());
    row(b, ui.t("dash.bindings"), stage.bindings().size());
    row(b, ui.t("dash.lists"), stage.lists().size());
    row(b, ui.t("dash.blocked"), stage.blockedCount());
    b.append("</tbody></table>");
    if (stats != null) {
      var st = stats.get();
      long lookups = st.cacheHits() + st.cacheMisses();
      b.append("<h2>").append(ui.te("dash.traffic")).append("</h2>")
          .append("<p id=\"rate\" aria-live=\"polite\"></p>")
          .append("<table id=\"traffic\"><caption>").append(ui.te("dash.since"))
          .append("</caption><tbody>");
      row(b, ui.t("dash.queries"), st.queries());
      row(b, ui.t("dash.hitratio"), lookups == 0 ? "-"
          : String.format(java.util.Locale.ROOT, "%.1f %%", 100.0 * st.cacheHits() / lookups));
      row(b, ui.t("dash.stale"), st.staleServed());
      row(b, ui.t("dash.malformed"), st.malformed());
      b.append("</tbody></table><table><caption>").append(ui.te("dash.bycategory"))
          .append("</caption><thead><tr><th scope=\"col\">").append(ui.te("col.category"))
          .append("</th><th scope=\"col\">").append(ui.te("col.count"))
          .append("</th></tr></thead><tbody>");
      st.blockedByCategory().forEach((k, v) -> row(b, k, v));
      b.append("</tbody></table><table><caption>").append(ui.te("dash.upstreams"))
          .append("</caption><thead><tr>");
      for (String c : List.of("col.upstream", "col.health", "col.rtt", "col.queries",
          "col.timeouts")) {
        b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
      }
      b.append("</tr></thead><tbody>");
      for (var u : st.upstreams()) {
        b.append("<tr><td>").append(Ui.esc(u.name())).append("</td><td>")
            .append(ui.te(u.up() ? "health.up" : "health.down")).append("</td><td>")
            .append(String.format(java.util.Locale.ROOT, "%.1f ms", u.srttMillis()))
            .append("</td><td>").append(u.queries()).append("</td><td>").append(u.timeouts())
            .append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    b.append("<table><caption>").append(ui.te("dash.lists")).append("</caption><thead><tr>");
    for (String c : List.of("col.id", "col.category", "col.entries", "col.version")) {
      b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (CompiledList l : stage.lists()) {
      b.append("<tr><td>").append(Ui.esc(l.info().id())).append("</td><td>")
          .append(Ui.esc(l.info().category() == null ? "" : l.info().category()))
          .append(l.info().locked() ? " (" + ui.te("locked") + ")" : "").append("</td><td>")
          .append(l.size()).append("</td><td>").append(Ui.esc(l.info().version()))
          .append("</td></tr>");
    }
    b.append("</tbody></table><script src=\"/static/dashboard.js\" defer></script>");
    ctx.html(ui.page(ui.t("dash.title"), CONSOLE_NAV, b.toString()));
  }

  /** The counters for the dashboard's live view (same session rules as the page). */
  private void statsJson(Context ctx) {
    // Polled by the dashboard every 5 s: it must not keep an unattended session alive.
    Sessions.Session peek = sessions.peek(ctx.cookie(Sessions.COOKIE));
    if (peek == null) {
      ctx.status(401); // not signed in: nothing, and not a 200 that looks like data
      return;
    }
    Sessions.Session s = require(ctx, OPERATORS, false);
    if (s == null || stats == null) {
      if (s != null) {
        ctx.json(java.util.Map.of());
      }
      return;
    }
    var st = stats.get();
    ctx.contentType("application/json").result(JSON.createObjectNode()
        .put("queries", st.queries()).put("blocked", st.blocked())
        .put("cache_hits", st.cacheHits()).put("cache_misses", st.cacheMisses()).toString());
  }

  /** The "id" field of a submitted form, trimmed ("" when absent). */
  private static String formId(Context ctx) {
    String id = ctx.formParam("id");
    return id == null ? "" : id.trim();
  }

  /** The schedules of a profile in force (none if it is not in force). */
  private List<dev.hearth.resolver.policy.Schedule> schedulesInForce(String profileId) {
    var p = policy.current().profiles().get(profileId);
    return p == null ? List.of() : p.schedules();
  }

  /** Every profile in force, as select options. */
  private List<String[]> profileOptions() {
    List<String[]> out = new ArrayList<>();
    policy.current().profiles().keySet().forEach(p -> out.add(new String[] {p, p}));
    return out;
  }

  private static void row(StringBuilder b, String label, Object value) {
    b.append("<tr><th scope=\"row\">").append(Ui.esc(label)).append("</th><td>")
        .append(Ui.esc(String.valueOf(value))).append("</td></tr>");
  }

  private void profiles(Context ctx, String error, String ok) {
    Sessions.Session s = require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    Map<String, JsonNode> stored = policy.list(Kind.PROFILE);
    b.append("<table><caption>").append(ui.te("profiles.caption")).append("</caption><thead><tr>")
        .append("<th scope=\"col\">").append(ui.te("col.id")).append("</th><th scope=\"col\">")
        .append(ui.te("col.name")).append("</th><th scope=\"col\">").append(ui.te("col.source"))
        .append("</th></tr></thead><tbody>");
    for (var p : policy.current().profiles().values()) {
      boolean api = stored.containsKey(p.id());
      b.append("<tr><td>").append(api ? "<a href=\"/admin/profiles/" + Ui.esc(p.id()) + "\">"
          + Ui.esc(p.id()) + "</a>" : Ui.esc(p.id())).append("</td><td>")
          .append(Ui.esc(p.name())).append("</td><td>")
          .append(ui.te(api ? "source.store" : "source.config")).append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (s.principal.role() == Role.ADMINISTRATOR) {
      List<String[]> options = new ArrayList<>();
      options.add(new String[] {"", ui.t("preset.none")});
      presets().values().forEach(p -> options.add(new String[] {p.id(), p.name()}));
      b.append("<h2>").append(ui.te("profiles.new")).append("</h2><form method=\"post\"")
          .append(" action=\"/admin/profiles\">").append(ui.csrfField())
          .append(ui.input("id", "col.id", "", "text", null,
              "required pattern=\"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\""))
          .append(ui.select("preset", "profiles.preset", options, ""))
          .append(ui.submit("profiles.create"));
    }
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("profiles.title"), CONSOLE_NAV,
        b.toString()));
  }

  private void createProfile(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = formId(ctx);
    ObjectNode doc = JSON.createObjectNode();
    Preset p = presets().get(ctx.formParam("preset") == null ? "" : ctx.formParam("preset"));
    if (p != null) {
      doc.put("name", p.name());
      ArrayNode cats = doc.putArray("block_categories");
      new TreeSet<>(p.categories()).forEach(cats::add);
      doc.put("block_bypass", p.blockBypass());
    }
    if (!ID_PATTERN.matcher(id).matches()) {
      profiles(ctx, ui.t("error.id", id), null);
      return;
    }
    if (policy.current().profiles().containsKey(id)) {
      profiles(ctx, ui.t("error.exists", id), null);
      return;
    }
    try {
      policy.put(s.principal, Kind.PROFILE, id, doc);
    } catch (InvalidPolicyException e) {
      profiles(ctx, PolicyService.describe(e), null);
      return;
    }
    ctx.redirect("/admin/profiles/" + id);
  }

  private void editProfile(Context ctx, JsonNode submitted, String error) {
    Sessions.Session s = require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.pathParam("id");
    JsonNode doc = submitted != null ? submitted : policy.get(Kind.PROFILE, id);
    if (doc == null) {
      ctx.status(404).html(ui.page(ui.t("notfound.title"), CONSOLE_NAV,
          "<p>" + ui.te("notfound.profile", id) + "</p>"));
      return;
    }
    boolean admin = s.principal.role() == Role.ADMINISTRATOR;
    String body = Ui.notice("error", error)
        + (error == null && ctx.queryParam("saved") != null ? Ui.notice("ok", ui.t("saved")) : "")
        + "<form method=\"post\" action=\"/admin/profiles/" + Ui.esc(id) + "\">"
        + ui.csrfField() + ProfileForm.fields(ui, doc, presets(), knownCategories(), true,
            schedulesInForce(id))
        + (admin ? "<p><button type=\"submit\">" + ui.te("save") + "</button></p>" : "")
        + "</form>"
        + (admin ? "<form method=\"post\" action=\"/admin/profiles/" + Ui.esc(id)
            + "/delete\">" + ui.csrfField() + ui.submit("profile.delete") : "")
        + "<script src=\"/static/schedule.js\" defer></script>";
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("profile.title", id), CONSOLE_NAV,
        body));
  }

  /**
   * Deletes a stored profile, subscriber or network; refused (with the reason, e.g. which
   * household still uses a profile) while the policy refers to it.
   */
  private void deleteDocument(Context ctx, Kind kind) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = kind == Kind.PROFILE ? ctx.pathParam("id")
        : ctx.formParam("delete_id") == null ? "" : ctx.formParam("delete_id").trim();
    String problem = null;
    try {
      if (!policy.delete(s.principal, kind, id)) {
        problem = ui.t("delete.none", id);
      } else if (kind == Kind.SUBSCRIBER) {
        stage.overrides().clear(id);
      }
    } catch (InvalidPolicyException e) {
      problem = PolicyService.describe(e);
    }
    String ok = problem == null ? ui.t("deleted", id) : null;
    switch (kind) {
      case PROFILE -> profiles(ctx, problem == null ? null : problem, ok);
      case SUBSCRIBER -> subscribers(ctx, problem, ok);
      default -> networks(ctx, problem, ok);
    }
  }

  private void saveProfile(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    String id = ctx.pathParam("id");
    JsonNode existing = policy.get(Kind.PROFILE, id);
    ObjectNode doc = ProfileForm.parse(ctx.formParamMap(), existing, true);
    try {
      policy.put(s.principal, Kind.PROFILE, id, doc);
    } catch (InvalidPolicyException e) {
      editProfile(ctx, doc, PolicyService.describe(e));
      return;
    }
    ctx.redirect("/admin/profiles/" + id + "?saved=1");
  }

  private void subscribers(Context ctx, String error, String ok) {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR, Role.SUPPORT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    boolean admin = s.principal.role() == Role.ADMINISTRATOR;
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    b.append("<table><caption>").append(ui.te("subs.caption")).append("</caption><thead><tr>")
        .append("<th scope=\"col\">").append(ui.te("col.id")).append("</th><th scope=\"col\">")
        .append(ui.te("col.profile")).append("</th><th scope=\"col\">")
        .append(ui.te("col.addresses")).append("</th></tr></thead><tbody>");
    String q = ctx.queryParam("q") == null ? "" : ctx.queryParam("q").trim();
    b.insert(0, "<form method=\"get\" action=\"/admin/subscribers\" role=\"search\">"
        + ui.input("q", "subs.search", q, "search", null, null) + "<p><button type=\"submit\">"
        + ui.te("subs.search.submit") + "</button></p></form>");
    for (Map.Entry<String, JsonNode> e : policy.list(Kind.SUBSCRIBER).entrySet()) {
      // Support staff search by household id only: addresses are what masking hides.
      if (!q.isEmpty() && !e.getKey().contains(q) && !(admin
          && ProfileForm.strings(e.getValue().get("addresses")).stream()
              .anyMatch(x -> x.contains(q)))) {
        continue;
      }
      JsonNode doc = admin ? e.getValue() : Masking.subscriber(e.getValue());
      b.append("<tr><td>").append(Ui.esc(e.getKey())).append("</td><td>")
          .append(Ui.esc(doc.path("profile").asText())).append("</td><td>")
          .append(Ui.esc(String.join(", ", ProfileForm.strings(doc.get("addresses")))))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (admin) {
      List<String[]> profileOptions = profileOptions();
      b.append("<h2>").append(ui.te("subs.save")).append("</h2><form method=\"post\"")
          .append(" action=\"/admin/subscribers\">").append(ui.csrfField())
          .append(ui.input("id", "col.id", "", "text", null, "required"))
          .append(ui.select("profile", "col.profile", profileOptions, ""))
          .append(ui.input("timezone", "subs.timezone", "UTC", "text", null, null))
          .append(ui.textarea("addresses", "col.addresses", List.of(), "addresses.hint"))
          .append(ui.submit("save"));
      b.append("<form method=\"post\" action=\"/admin/subscribers/delete\">")
          .append(ui.csrfField())
          .append(ui.input("delete_id", "subs.delete.id", "", "text", null, "required"))
          .append(ui.submit("subs.delete"));
      b.append("<h2>").append(ui.te("bind.title")).append("</h2><form method=\"post\"")
          .append(" action=\"/admin/bindings\">").append(ui.csrfField())
          .append(ui.input("address", "bind.address", "", "text", null, "required"))
          .append(ui.input("subscriber", "bind.subscriber", "", "text", null, "required"))
          .append(ui.submit("bind.submit"));
      b.append("<h2>").append(ui.te("code.title")).append("</h2><p>").append(ui.te("code.intro"))
          .append("</p><form method=\"post\" action=\"/admin/signup-codes\">")
          .append(ui.csrfField())
          .append(ui.input("household", "code.household", "", "text", null, "required"))
          .append(ui.submit("code.submit"));
    }
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("subs.title"), CONSOLE_NAV,
        b.toString()));
  }

  private void saveSubscriber(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = formId(ctx);
    if (!ID_PATTERN.matcher(id).matches()) {
      subscribers(ctx, ui.t("error.id", id), null);
      return;
    }
    JsonNode existing = policy.get(Kind.SUBSCRIBER, id);
    ObjectNode doc = existing instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
    doc.put("profile", ProfileForm.first(ctx.formParamMap(), "profile"));
    String tz = ProfileForm.first(ctx.formParamMap(), "timezone").trim();
    if (!tz.isEmpty()) {
      doc.put("timezone", tz);
    }
    List<String> addresses = ProfileForm.split(ProfileForm.first(ctx.formParamMap(), "addresses"));
    if (!addresses.isEmpty()) {
      ArrayNode a = doc.putArray("addresses");
      addresses.forEach(a::add);
    }
    try {
      policy.put(s.principal, Kind.SUBSCRIBER, id, doc);
    } catch (InvalidPolicyException e) {
      subscribers(ctx, PolicyService.describe(e), null);
      return;
    }
    subscribers(ctx, null, ui.t("saved"));
  }

  private void bind(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    try {
      policy.bind(s.principal, ctx.formParam("address"), ctx.formParam("subscriber"));
    } catch (InvalidPolicyException e) {
      subscribers(ctx, PolicyService.describe(e), null);
      return;
    }
    subscribers(ctx, null, ui.t("bind.done"));
  }

  private void explain(Context ctx) {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR, Role.SUPPORT,
        Role.APPEALS_REVIEWER));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String client = ctx.queryParam("client");
    String name = ctx.queryParam("name");
    StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/admin/explain\">")
        .append(ui.input("client", "explain.client", client == null ? "" : client, "text", null,
            "required"))
        .append(ui.input("name", "explain.name", name == null ? "" : name, "text", null,
            "required"))
        .append(ui.submit("explain.submit"));
    if (client != null && name != null) {
      try {
        var d = Explanations.explain(stage, client, name, null, null, null, Instant.now());
        b.append("<h2>").append(ui.te(d.block() ? "explain.blocked" : "explain.allowed"))
            .append("</h2><ol class=\"trace\">");
        boolean support = s.principal.role() == Role.SUPPORT;
        d.trace().forEach(step -> b.append("<li>").append(Ui.esc(support
            ? Explanations.forSupport(step, d.client()) : step)).append("</li>"));
        b.append("</ol>");
        if (d.block()) {
          b.append("<p>").append(ui.te("explain.ede", d.edeCode())).append(" <q>")
              .append(Ui.esc(s.principal.role() == Role.SUPPORT
                  ? Explanations.forSupport(d.edeText(), d.client()) : d.edeText()))
              .append("</q></p>");
        }
      } catch (IllegalArgumentException e) {
        b.append(Ui.notice("error", e.getMessage()));
      }
    }
    ctx.html(ui.page(ui.t("explain.title"), CONSOLE_NAV, b.toString()));
  }

  private void auditPage(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    AuditQuery q;
    try {
      q = AuditQuery.from(ctx);
    } catch (AdminServer.ApiError e) {
      ctx.status(400).html(ui.page(ui.t("audit.title"), CONSOLE_NAV,
          Ui.notice("error", e.getMessage())));
      return;
    }
    StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/admin/audit\">")
        .append(ui.input("actor", "audit.actor", q.actor() == null ? "" : q.actor(), "text", null,
            null))
        .append(ui.input("action", "audit.action", q.action() == null ? "" : q.action(), "text",
            null, null))
        .append("<p><button type=\"submit\">").append(ui.te("audit.filter"))
        .append("</button></p></form><table><caption>").append(ui.te("audit.caption"))
        .append("</caption><thead><tr>");
    for (String col : List.of("audit.at", "audit.actor", "audit.action", "audit.target",
        "audit.before", "audit.after")) {
      b.append("<th scope=\"col\">").append(ui.te(col)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (Map<String, Object> r : audit.read(q)) {
      b.append("<tr>");
      for (String k : List.of("at", "actor", "action", "target", "before", "after")) {
        b.append("<td>").append(Ui.esc(String.valueOf(r.get(k) == null ? "" : r.get(k))))
            .append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</tbody></table>");
    ctx.html(ui.page(ui.t("audit.title"), CONSOLE_NAV, b.toString()));
  }

  // --- family portal ---

  /** The household's stored document, or null when the operator defined it in the config. */
  JsonNode household(Sessions.Session s) {
    return policy.get(Kind.SUBSCRIBER, s.principal.household());
  }

  /** Profiles this household uses: its own and its devices'. */
  List<String> householdProfiles(String household) {
    Subscriber sub = policy.current().directory().subscriber(household);
    List<String> out = new ArrayList<>();
    if (sub != null) {
      out.add(sub.profileId());
      sub.deviceProfiles().values().stream().filter(p -> !out.contains(p)).forEach(out::add);
      // Devices known by a token only are not in the MAC map: read them from the document.
      JsonNode doc = policy.get(Kind.SUBSCRIBER, household);
      if (doc != null && doc.get("devices") instanceof ArrayNode devices) {
        for (JsonNode d : devices) {
          String p = d.path("profile").asText("");
          if (!p.isEmpty() && !out.contains(p)) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  /**
   * The household's own copy of {@code profile}: the profile itself when it is already the
   * household's ({@code <household>.<name>} and used by no one else), else
   * {@code <household>.<profile>}. Null when that id is taken by anything outside the household
   * (another subscriber or device, a network, a listener or the default): editing it would change
   * someone else's filtering, and names are not proof of ownership.
   */
  private String ownedId(String household, String profile) {
    String candidate = profile.startsWith(household + ".") && !usedElsewhere(profile, household)
        ? profile : household + "." + profile;
    return usedElsewhere(candidate, household) ? null : candidate;
  }

  private boolean usedElsewhere(String profileId, String household) {
    var dir = policy.current().directory();
    if (profileId.equals(dir.defaultProfileId())
        || dir.listenerProfiles().containsValue(profileId)) {
      return true;
    }
    for (Subscriber sub : dir.subscribers().values()) {
      if (!sub.id().equals(household) && (sub.profileId().equals(profileId)
          || sub.deviceProfiles().containsValue(profileId))) {
        return true;
      }
    }
    return dir.networks().values().stream().anyMatch(n -> n.profileId().equals(profileId));
  }

  void family(Context ctx, String error, String ok) {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    b.append("<p>").append(ui.te("family.intro", household)).append("</p>");
    if (household(s) == null) {
      b.append("<p>").append(ui.te("family.readonly")).append("</p>");
    }
    for (String profileId : householdProfiles(household)) {
      JsonNode doc = policy.get(Kind.PROFILE, profileId);
      if (doc == null) {
        var p = policy.current().profiles().get(profileId);
        doc = p == null ? null : ProfileForm.fromProfile(p);
        if (doc == null) {
          doc = JSON.createObjectNode().put("name", profileId);
        }
      }
      b.append("<section aria-labelledby=\"h-").append(Ui.esc(profileId)).append("\"><h2 id=\"h-")
          .append(Ui.esc(profileId)).append("\">").append(ui.te("family.profile",
              doc.path("name").asText(profileId))).append("</h2>");
      if (household(s) == null) {
        b.append(WeekGrid.render(ui, schedulesInForce(profileId)));
      }
      if (household(s) != null) {
        b.append("<form method=\"post\" action=\"/family/profiles/").append(Ui.esc(profileId))
            .append("\">").append(ui.csrfField())
            .append(ProfileForm.fields(ui, doc, presets(), knownCategories(), false,
                schedulesInForce(profileId)))
            .append(ui.submit("save"));
        b.append("<form method=\"post\" action=\"/family/pause\">").append(ui.csrfField())
            .append("<input type=\"hidden\" name=\"profile\" value=\"").append(Ui.esc(profileId))
            .append("\">").append(ui.select("minutes", "family.pause.for", List.of(
                new String[] {"30", ui.t("minutes", 30)}, new String[] {"60", ui.t("minutes", 60)},
                new String[] {"120", ui.t("minutes", 120)}), "60"))
            .append(ui.submit("family.pause"));
        b.append("<form method=\"post\" action=\"/family/grant\">").append(ui.csrfField())
            .append("<input type=\"hidden\" name=\"profile\" value=\"").append(Ui.esc(profileId))
            .append("\">").append(ui.input("target", "family.grant.target", "", "text", null,
                "required"))
            .append(ui.select("grant_minutes", "family.grant.for", List.of(
                new String[] {"30", ui.t("minutes", 30)}, new String[] {"60", ui.t("minutes", 60)},
                new String[] {"120", ui.t("minutes", 120)}), "60"))
            .append(ui.submit("family.grant"));
      }
      b.append("</section>");
    }
    if (household(s) != null) {
      b.append(devicesSection(ui, household(s)));
    }
    b.append(activityPages.section(ui, s));
    b.append("<section aria-labelledby=\"h-limits\"><h2 id=\"h-limits\">")
        .append(ui.te("family.limits.title")).append("</h2><ul>");
    for (String k : List.of("family.limits.networks", "family.limits.mobile",
        "family.limits.vpn", "family.limits.dns", "family.limits.https")) {
      b.append("<li>").append(ui.te(k)).append("</li>");
    }
    b.append("</ul></section><script src=\"/static/schedule.js\" defer></script>");
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("family.title"), familyNav,
        b.toString()));
  }

  private void familySave(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    String profileId = ctx.pathParam("id");
    JsonNode sub = household(s);
    if (sub == null || !householdProfiles(household).contains(profileId)) {
      ctx.status(403).html(ui.page(ui.t("forbidden.title"), familyNav,
          "<p>" + ui.te("forbidden.text") + "</p>"));
      return;
    }
    String owned = ownedId(household, profileId);
    if (owned == null) {
      family(ctx, ui.t("family.shared"), null);
      return;
    }
    JsonNode existing = policy.get(Kind.PROFILE, owned);
    if (existing == null) {
      // First change: start from everything the household has now, as its own copy.
      JsonNode stored = policy.get(Kind.PROFILE, profileId);
      var compiled = policy.current().profiles().get(profileId);
      existing = stored != null ? stored.deepCopy()
          : compiled == null ? null : ProfileForm.fromProfile(compiled);
      if (existing == null) {
        family(ctx, ui.t("family.shared"), null);
        return;
      }
    }
    ObjectNode doc = ProfileForm.parse(ctx.formParamMap(), existing, false);
    ObjectNode subDoc = ((ObjectNode) sub).deepCopy();
    if (profileId.equals(subDoc.path("profile").asText())) {
      subDoc.put("profile", owned);
    }
    if (subDoc.get("devices") instanceof ArrayNode devices) {
      for (JsonNode d : devices) {
        if (d instanceof ObjectNode od && profileId.equals(od.path("profile").asText())) {
          od.put("profile", owned);
        }
      }
    }
    try {
      policy.putAll(s.principal, List.of(new PolicyService.Change(Kind.PROFILE, owned, doc),
          new PolicyService.Change(Kind.SUBSCRIBER, household, subDoc)));
    } catch (InvalidPolicyException e) {
      family(ctx, PolicyService.describe(e), null);
      return;
    }
    family(ctx, null, ui.t("saved"));
  }

  /** Devices with their own profile, at most this many per household. */
  static final int MAX_DEVICES = 32;

  /**
   * The household's devices and the form to add one: a child's tablet gets its own profile,
   * started from an age preset, recognised by its MAC address (sent by the router) or by a
   * personal token for encrypted DNS.
   */
  private String devicesSection(Ui ui, JsonNode sub) {
    StringBuilder b = new StringBuilder("<section aria-labelledby=\"h-devices\"><h2")
        .append(" id=\"h-devices\">").append(ui.te("devices.title")).append("</h2>");
    JsonNode devices = sub.get("devices");
    if (devices != null && devices.isArray() && devices.size() > 0) {
      b.append("<table><caption>").append(ui.te("devices.caption")).append("</caption><thead><tr>");
      for (String c : List.of("devices.name", "devices.mac", "col.profile", "devices.token")) {
        b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
      }
      b.append("</tr></thead><tbody>");
      int i = 0;
      for (JsonNode d : devices) {
        // The token itself is shown on the device's setup page only.
        b.append("<tr><td>").append(Ui.esc(d.path("name").asText(""))).append("</td><td>")
            .append(Ui.esc(d.path("mac").asText(""))).append("</td><td>")
            .append(Ui.esc(d.path("profile").asText(""))).append("</td><td>")
            .append(DeviceSetupPages.link(ui, i++)).append("</td></tr>");
      }
      b.append("</tbody></table><form method=\"post\" action=\"/family/devices/remove\">")
          .append(ui.csrfField())
          .append(ui.input("device", "devices.remove.name", "", "text", null, "required"))
          .append(ui.submit("devices.remove"));
    }
    List<String[]> presetOptions = new ArrayList<>();
    presets().values().forEach(p -> presetOptions.add(new String[] {p.id(), p.name()}));
    b.append("<form method=\"post\" action=\"/family/devices\">").append(ui.csrfField())
        .append(ui.input("device_name", "devices.name", "", "text", null,
            "required maxlength=\"40\""))
        .append(ui.input("mac", "devices.mac.hint", "", "text", null, null))
        .append(ui.select("preset", "devices.preset", presetOptions, "young-child"))
        .append(ui.submit("devices.add")).append("</section>");
    return b.toString();
  }

  private void addDevice(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    JsonNode sub = household(s);
    String name = ctx.formParam("device_name") == null ? "" : ctx.formParam("device_name").trim();
    String mac = ctx.formParam("mac") == null ? "" : ctx.formParam("mac").trim();
    Preset preset = presets().get(ctx.formParam("preset") == null ? "" : ctx.formParam("preset"));
    ArrayNode devices = sub == null ? null : sub.get("devices") instanceof ArrayNode a ? a : null;
    if (sub == null || name.isEmpty() || name.length() > 40 || preset == null
        || (devices != null && devices.size() >= MAX_DEVICES)) {
      family(ctx, ui.t("devices.invalid"), null);
      return;
    }
    String slug = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        .replaceAll("(^-+|-+$)", "");
    String profileId = household + "." + (slug.isEmpty() ? "device" : slug);
    for (int n = 2; policy.current().profiles().containsKey(profileId)
        || policy.get(Kind.PROFILE, profileId) != null; n++) {
      profileId = household + "." + (slug.isEmpty() ? "device" : slug) + "-" + n;
    }
    ObjectNode profile = JSON.createObjectNode();
    profile.put("name", name);
    ArrayNode cats = profile.putArray("block_categories");
    new TreeSet<>(preset.categories()).forEach(cats::add);
    profile.put("block_bypass", preset.blockBypass());
    ObjectNode subDoc = ((ObjectNode) sub).deepCopy();
    ArrayNode list = subDoc.get("devices") instanceof ArrayNode a ? a : subDoc.putArray("devices");
    ObjectNode device = list.addObject();
    device.put("name", name);
    device.put("profile", profileId);
    if (!mac.isEmpty()) {
      device.put("mac", mac);
    } else {
      // No MAC: the device is recognised by a personal token in its encrypted DNS settings.
      device.put("token", DeviceTokens.generate());
    }
    try {
      policy.putAll(s.principal, List.of(new PolicyService.Change(Kind.PROFILE, profileId,
          profile), new PolicyService.Change(Kind.SUBSCRIBER, household, subDoc)));
    } catch (InvalidPolicyException e) {
      family(ctx, PolicyService.describe(e), null);
      return;
    }
    family(ctx, null, ui.t("devices.added", name));
  }

  private void removeDevice(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    JsonNode sub = household(s);
    String name = ctx.formParam("device") == null ? "" : ctx.formParam("device").trim();
    if (sub == null || !(sub.get("devices") instanceof ArrayNode)) {
      family(ctx, ui.t("devices.none", name), null);
      return;
    }
    ObjectNode subDoc = ((ObjectNode) sub).deepCopy();
    ArrayNode devices = (ArrayNode) subDoc.get("devices");
    boolean removed = false;
    for (int i = devices.size() - 1; i >= 0; i--) {
      if (name.equals(devices.get(i).path("name").asText())) {
        devices.remove(i);
        removed = true;
      }
    }
    if (!removed) {
      family(ctx, ui.t("devices.none", name), null);
      return;
    }
    if (devices.isEmpty()) {
      subDoc.remove("devices");
    }
    try {
      policy.put(s.principal, Kind.SUBSCRIBER, s.principal.household(), subDoc);
    } catch (InvalidPolicyException e) {
      family(ctx, PolicyService.describe(e), null);
      return;
    }
    family(ctx, null, ui.t("devices.removed", name));
  }

  /** "Allow YouTube for an hour": a name or {@code category:X}, ending by itself. */
  private void familyGrant(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    String profileId = ctx.formParam("profile");
    String raw = ctx.formParam("target") == null ? "" : ctx.formParam("target").trim();
    int minutes;
    try {
      minutes = Integer.parseInt(ctx.formParam("grant_minutes"));
    } catch (NumberFormatException | NullPointerException e) {
      minutes = -1;
    }
    String target;
    try {
      target = raw.startsWith("category:") ? "category:" + raw.substring(9).trim()
          : dev.hearth.blocklists.DomainNames.normalize(raw);
    } catch (IllegalArgumentException e) {
      family(ctx, ui.t("family.grant.invalid"), null);
      return;
    }
    if (household(s) == null || profileId == null
        || !householdProfiles(household).contains(profileId)
        || !OFFERED_MINUTES.contains(minutes)
        || (target.startsWith("category:") && !ID_PATTERN.matcher(target.substring(9)).matches())
        || stage.overrides().grantCount(household, profileId) >= MAX_GRANTS) {
      family(ctx, ui.t("family.grant.invalid"), null);
      return;
    }
    Instant until = Instant.now().plus(Duration.ofMinutes(minutes));
    policy.auditOnly(s.principal, "override.grant", "subscriber:" + household,
        JSON.createObjectNode().put("profile", profileId).put("target", target)
            .put("until", until.toString()).toString());
    stage.overrides().grant(household, profileId, target, until);
    family(ctx, null, ui.t("family.granted", target, minutes));
  }

  private void networks(Context ctx, String error, String ok) {
    Sessions.Session s = require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    Map<String, JsonNode> stored = policy.list(Kind.NETWORK);
    b.append("<table><caption>").append(ui.te("networks.caption")).append("</caption><thead><tr>")
        .append("<th scope=\"col\">").append(ui.te("col.id")).append("</th><th scope=\"col\">")
        .append(ui.te("col.profile")).append("</th><th scope=\"col\">")
        .append(ui.te("col.addresses")).append("</th><th scope=\"col\">")
        .append(ui.te("col.source")).append("</th></tr></thead><tbody>");
    for (var n : policy.current().directory().networks().values()) {
      JsonNode doc = stored.get(n.id());
      b.append("<tr><td>").append(Ui.esc(n.id())).append("</td><td>")
          .append(Ui.esc(n.profileId())).append("</td><td>")
          .append(Ui.esc(doc == null ? "" : String.join(", ",
              ProfileForm.strings(doc.get("addresses"))))).append("</td><td>")
          .append(ui.te(doc != null ? "source.store" : "source.config")).append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (s.principal.role() == Role.ADMINISTRATOR) {
      List<String[]> profileOptions = profileOptions();
      b.append("<h2>").append(ui.te("networks.save")).append("</h2><p>")
          .append(ui.te("networks.intro")).append("</p><form method=\"post\"")
          .append(" action=\"/admin/networks\">").append(ui.csrfField())
          .append(ui.input("id", "col.id", "", "text", null, "required"))
          .append(ui.select("profile", "col.profile", profileOptions, ""))
          .append(ui.textarea("addresses", "col.addresses", List.of(), "addresses.hint"))
          .append(ui.submit("save"));
      b.append("<form method=\"post\" action=\"/admin/networks/delete\">")
          .append(ui.csrfField())
          .append(ui.input("delete_id", "networks.delete.id", "", "text", null, "required"))
          .append(ui.submit("networks.delete"));
    }
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("networks.title"), CONSOLE_NAV,
        b.toString()));
  }

  private void saveNetwork(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = formId(ctx);
    if (!ID_PATTERN.matcher(id).matches()) {
      networks(ctx, ui.t("error.id", id), null);
      return;
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("profile", ProfileForm.first(ctx.formParamMap(), "profile"));
    ArrayNode a = doc.putArray("addresses");
    ProfileForm.split(ProfileForm.first(ctx.formParamMap(), "addresses")).forEach(a::add);
    try {
      policy.put(s.principal, Kind.NETWORK, id, doc);
    } catch (InvalidPolicyException e) {
      networks(ctx, PolicyService.describe(e), null);
      return;
    }
    networks(ctx, null, ui.t("saved"));
  }

  private void familyPause(Context ctx) throws StoreException {
    Sessions.Session s = require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    String profileId = ctx.formParam("profile");
    int minutes;
    try {
      minutes = Integer.parseInt(ctx.formParam("minutes"));
    } catch (NumberFormatException | NullPointerException e) {
      minutes = -1;
    }
    if (household(s) == null || profileId == null
        || !householdProfiles(household).contains(profileId)
        || !OFFERED_MINUTES.contains(minutes)) {
      family(ctx, ui.t("family.pause.invalid"), null);
      return;
    }
    Instant until = Instant.now().plus(Duration.ofMinutes(minutes));
    // Recorded first: a pause that cannot be audited is not applied.
    policy.auditOnly(s.principal, "override.pause", "subscriber:" + household,
        JSON.createObjectNode().put("profile", profileId).put("until", until.toString())
            .toString());
    stage.overrides().pause(household, profileId, until);
    family(ctx, null, ui.t("family.paused", minutes));
  }
}
