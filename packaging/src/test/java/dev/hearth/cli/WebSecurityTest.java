package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.admin.auth.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web attacks on every route of the admin server, over real HTTP: authorization of every route
 * for every role (a table over the router's own route list, so a new route fails this test until
 * someone decides who may use it), CSRF on every state-changing form, XSS and SQL metacharacters
 * in every field of every form the pages offer, and path traversal on the static files.
 */
class WebSecurityTest {
  @TempDir static Path dir;
  static HostileWebFixture f;

  /** Who may use a route: anyone, any signed-in operator, or these roles only. */
  private static final Set<Role> ALL_ROLES = EnumSet.allOf(Role.class);
  private static final Set<Role> OPERATORS = EnumSet.of(Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER, Role.LIST_CUSTODIAN);
  private static final Set<Role> ADMIN = EnumSet.of(Role.ADMINISTRATOR);
  private static final Set<Role> ADMIN_SUPPORT = EnumSet.of(Role.ADMINISTRATOR, Role.SUPPORT);
  private static final Set<Role> REVIEWERS = EnumSet.of(Role.ADMINISTRATOR,
      Role.APPEALS_REVIEWER);
  private static final Set<Role> LIST_MANAGERS = EnumSet.of(Role.ADMINISTRATOR,
      Role.LIST_CUSTODIAN);
  private static final Set<Role> PARENT = EnumSet.of(Role.PARENT);
  private static final Set<Role> EXPLAINERS = EnumSet.of(Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER);
  /** Public: anyone, signed in or not (null stands for "also anonymous"). */
  private static final Set<Role> PUBLIC = null;
  /** Routes no user or user token may call: the fleet snapshot wants the nodes' shared token. */
  private static final Set<Role> NOBODY = EnumSet.noneOf(Role.class);

  /**
   * The access table. Keys are the router's "METHOD /path"; every route must be here. A role
   * outside the set must get 401/403 or be sent to sign in; a role inside must not.
   */
  static final Map<String, Set<Role>> ACCESS = new LinkedHashMap<>();

  static {
    for (String p : List.of("/", "/about", "/lists", "/privacy", "/stats", "/stats.json",
        "/stats.csv", "/status", "/check", "/blocked", "/appeal", "/appeal/confirm",
        "/appeal/{ticket}", "/login", "/signup", "/healthz", "/readyz", "/metrics",
        "/api/openapi.json",
        "/static/hearth.css", "/static/schedule.js", "/static/activity.js",
        "/static/dashboard.js")) {
      ACCESS.put("GET " + p, PUBLIC);
    }
    for (String p : List.of("/appeal", "/appeal/confirm", "/appeal/{ticket}/follow-up",
        "/appeal/{ticket}/prove", "/login", "/signup", "/logout")) {
      ACCESS.put("POST " + p, PUBLIC);
    }
    ACCESS.put("GET /password", ALL_ROLES);
    ACCESS.put("POST /password", ALL_ROLES);
    // Console pages.
    ACCESS.put("GET /admin", OPERATORS);
    ACCESS.put("GET /admin/stats.json", OPERATORS);
    ACCESS.put("GET /admin/profiles", OPERATORS);
    ACCESS.put("GET /admin/profiles/{id}", OPERATORS);
    ACCESS.put("GET /admin/presets", OPERATORS);
    ACCESS.put("GET /admin/presets/{id}", OPERATORS);
    ACCESS.put("GET /admin/subscribers", ADMIN_SUPPORT);
    ACCESS.put("GET /admin/networks", OPERATORS);
    ACCESS.put("GET /admin/explain", EXPLAINERS);
    ACCESS.put("GET /admin/audit", ADMIN);
    ACCESS.put("GET /admin/users", ADMIN);
    ACCESS.put("GET /admin/lists", OPERATORS);
    // Support staff read the appeals queue (to answer callers); only reviewers decide.
    ACCESS.put("GET /admin/appeals", EXPLAINERS);
    ACCESS.put("GET /admin/appeals/{ticket}", EXPLAINERS);
    for (String p : List.of("/admin/profiles", "/admin/profiles/{id}",
        "/admin/profiles/{id}/delete", "/admin/presets", "/admin/presets/{id}",
        "/admin/presets/{id}/delete", "/admin/subscribers", "/admin/subscribers/delete",
        "/admin/networks", "/admin/networks/delete", "/admin/bindings", "/admin/users",
        "/admin/users/delete", "/admin/tokens", "/admin/tokens/revoke",
        "/admin/signup-codes")) {
      ACCESS.put("POST " + p, ADMIN);
    }
    for (String p : List.of("/admin/lists/refresh", "/admin/lists/rollback",
        "/admin/lists/sources", "/admin/lists/sources/delete")) {
      ACCESS.put("POST " + p, LIST_MANAGERS);
    }
    ACCESS.put("POST /admin/appeals/{ticket}/{action}", REVIEWERS);
    // Parent portal.
    for (String p : List.of("/family", "/family/activity", "/family/devices/{n}/setup",
        "/family/devices/{n}/hearth.mobileconfig")) {
      ACCESS.put("GET " + p, PARENT);
    }
    for (String p : List.of("/family/activity", "/family/devices", "/family/devices/remove",
        "/family/devices/{n}/token", "/family/grant", "/family/pause",
        "/family/profiles/{id}")) {
      ACCESS.put("POST " + p, PARENT);
    }
    // API.
    ACCESS.put("GET /api/v1/status", OPERATORS);
    ACCESS.put("GET /api/v1/fleet/snapshot", NOBODY);
    ACCESS.put("GET /api/v1/stats", OPERATORS);
    for (String kind : List.of("profiles", "networks", "presets")) {
      ACCESS.put("GET /api/v1/" + kind, OPERATORS);
      ACCESS.put("GET /api/v1/" + kind + "/{id}", OPERATORS);
      ACCESS.put("PUT /api/v1/" + kind + "/{id}", ADMIN);
      ACCESS.put("DELETE /api/v1/" + kind + "/{id}", ADMIN);
    }
    ACCESS.put("GET /api/v1/subscribers", ADMIN_SUPPORT);
    ACCESS.put("GET /api/v1/subscribers/{id}", ADMIN_SUPPORT);
    ACCESS.put("PUT /api/v1/subscribers/{id}", ADMIN);
    ACCESS.put("DELETE /api/v1/subscribers/{id}", ADMIN);
    for (String m : List.of("POST", "DELETE")) {
      ACCESS.put(m + " /api/v1/subscribers/{id}/pause", ADMIN);
      ACCESS.put(m + " /api/v1/subscribers/{id}/grants", ADMIN);
      ACCESS.put(m + " /api/v1/bindings", ADMIN);
    }
    ACCESS.put("GET /api/v1/bindings", ADMIN_SUPPORT);
    ACCESS.put("GET /api/v1/explain", EXPLAINERS);
    ACCESS.put("GET /api/v1/audit", ADMIN);
    ACCESS.put("GET /api/v1/tokens", ADMIN);
    ACCESS.put("POST /api/v1/tokens", ADMIN);
    ACCESS.put("DELETE /api/v1/tokens/{id}", ADMIN);
    ACCESS.put("GET /api/v1/users", ADMIN);
    ACCESS.put("POST /api/v1/users", ADMIN);
    ACCESS.put("DELETE /api/v1/users/{username}", ADMIN);
    ACCESS.put("POST /api/v1/subscribers/{id}/signup-code", ADMIN);
    ACCESS.put("GET /api/v1/appeals", EXPLAINERS);
    ACCESS.put("GET /api/v1/appeals/{ticket}", EXPLAINERS);
    for (String a : List.of("take", "decision", "referral", "close")) {
      ACCESS.put("POST /api/v1/appeals/{ticket}/" + a, REVIEWERS);
    }
    ACCESS.put("GET /api/v1/appeal-overrides", OPERATORS);
    ACCESS.put("DELETE /api/v1/appeal-overrides/{name}", ADMIN);
    ACCESS.put("GET /api/v1/lists", OPERATORS);
    ACCESS.put("POST /api/v1/lists/refresh", LIST_MANAGERS);
    ACCESS.put("POST /api/v1/lists/{id}/rollback", LIST_MANAGERS);
    ACCESS.put("GET /api/v1/lists/sources", OPERATORS);
    ACCESS.put("GET /api/v1/lists/sources/{id}", OPERATORS);
    ACCESS.put("POST /api/v1/lists/sources", LIST_MANAGERS);
    ACCESS.put("PUT /api/v1/lists/sources/{id}", LIST_MANAGERS);
    ACCESS.put("DELETE /api/v1/lists/sources/{id}", LIST_MANAGERS);
  }

  @BeforeAll
  static void start() throws Exception {
    f = new HostileWebFixture(dir);
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  /** A path with its parameters filled by values that name nothing (no route acts on data). */
  static String fill(String path) {
    if (path.startsWith("/family/profiles/")) {
      return "/family/profiles/shared-kids"; // the household's own: ownership is checked too
    }
    return path.replace("{ticket}", "HT-NONE").replace("{action}", "take")
        .replace("{n}", "99").replace("{username}", "zz-none").replace("{name}", "zz.example")
        .replace("{id}", "zz-none");
  }

  /** Signed-in or token request for {@code role} (null: anonymous). */
  static HttpResponse<String> call(String route, Role role) throws Exception {
    String method = route.substring(0, route.indexOf(' '));
    String path = fill(route.substring(route.indexOf(' ') + 1));
    if (path.startsWith("/api/")) {
      boolean body = method.equals("POST") || method.equals("PUT");
      return f.api(method, path, role, body ? "{}" : null);
    }
    HostileWebFixture.Visitor v = role == null ? f.new Visitor() : f.sessions.get(role);
    if (method.equals("POST")) {
      String csrf = role == null ? "" : v.csrf(role == Role.PARENT ? "/family" : "/password");
      return v.send("POST", path, "application/x-www-form-urlencoded",
          HostileWebFixture.form("_csrf", csrf == null ? "" : csrf));
    }
    return v.send(method, path, null, null);
  }

  static boolean denied(HttpResponse<String> r) {
    int s = r.statusCode();
    String to = r.headers().firstValue("Location").orElse("");
    return s == 401 || s == 403 || (s / 100 == 3 && to.startsWith("/login"));
  }

  @Test
  void everyRoute_isInTheAccessTable_andEveryRoleGetsExactlyItsAccess() throws Exception {
    List<String> routes = f.web.routes();
    assertTrue(routes.size() > 100, "the router lists its routes: " + routes.size());
    Set<String> missing = new TreeSet<>();
    for (String r : routes) {
      if (!r.startsWith("HEAD ") && !ACCESS.containsKey(r)) {
        missing.add(r);
      }
    }
    assertTrue(missing.isEmpty(), "routes nobody has decided access for (add them to ACCESS): "
        + missing);
    List<String> wrong = new ArrayList<>();
    for (String route : routes) {
      if (route.startsWith("HEAD ") || route.equals("POST /logout")) {
        continue; // logout would end the shared sessions; it is checked below
      }
      Set<Role> allowed = ACCESS.get(route);
      List<Role> principals = new ArrayList<>(List.of(Role.values()));
      principals.add(null);
      for (Role role : principals) {
        HttpResponse<String> r = call(route, role);
        String who = role == null ? "anonymous" : role.id();
        if (r.statusCode() >= 500) {
          wrong.add(route + " as " + who + ": " + r.statusCode() + " " + r.body());
          continue;
        }
        if (allowed == PUBLIC) {
          continue; // anyone: only "no 5xx" (their forms carry their own pre-session tokens)
        }
        boolean may = role != null && allowed.contains(role);
        if (may == denied(r)) {
          wrong.add(route + " as " + who + ": " + r.statusCode() + " "
              + r.headers().firstValue("Location").orElse("") + (may ? " (should be allowed)"
              : " (should be denied)"));
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void everyStateChangingForm_withoutTheSessionsCsrfToken_isRefused() throws Exception {
    List<String> accepted = new ArrayList<>();
    for (String route : f.web.routes()) {
      if (!route.startsWith("POST ") || route.startsWith("POST /api/")) {
        continue;
      }
      Set<Role> allowed = ACCESS.get(route);
      if (allowed == PUBLIC) {
        continue; // sign-in, sign-up and appeals: before any session (see below)
      }
      Role role = allowed.contains(Role.ADMINISTRATOR) ? Role.ADMINISTRATOR
          : allowed.iterator().next();
      HostileWebFixture.Visitor v = f.sessions.get(role);
      String path = fill(route.substring(5));
      for (String body : new String[] {"", "_csrf=", "_csrf=forged-token-0000"}) {
        HttpResponse<String> r = v.send("POST", path, "application/x-www-form-urlencoded",
            body);
        if (!denied(r)) {
          accepted.add(route + " with '" + body + "': " + r.statusCode());
        }
      }
      // A cross-site form post cannot set another content type without a preflight.
      HttpResponse<String> json = v.send("POST", path, "application/json", "{}");
      if (json.statusCode() != 415 && !denied(json)) {
        accepted.add(route + " as JSON: " + json.statusCode());
      }
    }
    assertTrue(accepted.isEmpty(), String.join("\n", accepted));
    // Signing in needs the login form's own token (no login CSRF), signing out the session's.
    HostileWebFixture.Visitor stranger = f.new Visitor();
    HttpResponse<String> login = stranger.post("/login", "username", "administrator-user",
        "password", HostileWebFixture.PASSWORD);
    assertTrue(login.statusCode() == 403 || login.statusCode() == 400, "" + login.statusCode());
    HostileWebFixture.Visitor admin = f.new Visitor();
    admin.login("administrator-user", HostileWebFixture.PASSWORD);
    String cookie = ((java.net.CookieManager) admin.http.cookieHandler().orElseThrow())
        .getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("hearth_session")).findFirst().orElseThrow().getValue();
    admin.post("/logout");
    HttpResponse<String> still = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(f.uri("/admin"))
            .header("Cookie", "hearth_session=" + cookie).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, still.statusCode(),
        "a logout without the token only drops the cookie: the session lives on");
  }

  static final String XSS = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'";
  static final String SQL = "x'); DROP TABLE users; -- \" OR 1=1 --";
  static final Pattern FORM = Pattern.compile("<form([^>]*)>(.*?)</form>", Pattern.DOTALL);
  static final Pattern ACTION = Pattern.compile("action=\"([^\"]+)\"");
  static int formsSubmitted;
  static final Pattern FIELD = Pattern.compile(
      "<(?:input|textarea|select)[^>]*name=\"([^\"]+)\"", Pattern.DOTALL);

  /** Every form on the pages of every role, every field filled with {@code value}. */
  static List<String> submitEveryForm(String value) throws Exception {
    List<String> problems = new ArrayList<>();
    for (Role role : List.of(Role.ADMINISTRATOR, Role.PARENT)) {
      HostileWebFixture.Visitor v = f.sessions.get(role);
      for (String route : f.web.routes()) {
        if (!route.startsWith("GET ") || route.contains("{") || route.startsWith("GET /api/")
            || route.startsWith("GET /static/")) {
          continue;
        }
        String page = route.substring(4);
        HttpResponse<String> r = v.get(page);
        if (r.statusCode() != 200 || !r.headers().firstValue("Content-Type").orElse("")
            .startsWith("text/html")) {
          continue;
        }
        Matcher forms = FORM.matcher(r.body());
        List<String[]> found = new ArrayList<>();
        while (forms.find()) {
          Matcher a = ACTION.matcher(forms.group(1));
          String action = a.find() ? a.group(1) : page;
          boolean post = forms.group(1).toLowerCase(java.util.Locale.ROOT)
              .contains("method=\"post\"");
          found.add(new String[] {action, forms.group(2), post ? "post" : "get"});
        }
        for (String[] form : found) {
          String action = form[0].replace("&amp;", "&");
          if (action.equals("/logout") || !action.startsWith("/") || action.contains("lang=")) {
            continue;
          }
          List<String> fields = new ArrayList<>();
          Matcher fm = FIELD.matcher(form[1]);
          Set<String> seen = new TreeSet<>();
          while (fm.find()) {
            String name = fm.group(1);
            if (!seen.add(name) || name.equals("_login")) {
              continue;
            }
            fields.add(name);
            if (name.equals("_csrf")) {
              Matcher c = HostileWebFixture.CSRF.matcher(form[1]);
              fields.add(c.find() ? c.group(1) : "");
            } else {
              fields.add(value);
            }
          }
          if (action.equals("/password")) {
            continue; // would change the shared sessions' passwords
          }
          HttpResponse<String> sent = form[2].equals("post")
              ? v.post(action, fields.toArray(String[]::new))
              : v.get(action + (action.contains("?") ? "&" : "?")
                  + HostileWebFixture.form(fields.toArray(String[]::new)));
          formsSubmitted++;
          if (sent.statusCode() >= 500) {
            problems.add(role + " " + page + " -> " + action + ": " + sent.statusCode());
          }
          if (sent.body().contains("<script>alert(1)") || sent.body().contains("<img src=x")) {
            problems.add(role + " " + page + " -> " + action + ": reflected unescaped");
          }
        }
      }
    }
    return problems;
  }

  @Test
  void xssInEveryFieldOfEveryForm_isEscapedEverywhereItShows() throws Exception {
    formsSubmitted = 0;
    List<String> problems = submitEveryForm(XSS);
    assertTrue(formsSubmitted >= 15, "forms found and sent: " + formsSubmitted);
    // Whatever was stored is shown escaped on every page and in every API answer.
    for (Role role : List.of(Role.ADMINISTRATOR, Role.SUPPORT, Role.PARENT)) {
      for (String route : f.web.routes()) {
        if (!route.startsWith("GET ") || route.contains("{")) {
          continue;
        }
        HttpResponse<String> r = route.startsWith("GET /api/")
            ? f.api("GET", route.substring(4), role, null)
            : f.sessions.get(role).get(route.substring(4));
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("text/html") && (r.body().contains("<script>alert(1)")
            || r.body().contains("<img src=x"))) {
          problems.add(role + " " + route + ": shows the payload unescaped");
        }
        if (r.statusCode() >= 500) {
          problems.add(role + " " + route + ": " + r.statusCode());
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertTrue(f.web.routes().size() > 0);
  }

  @Test
  void sqlMetacharactersInEveryField_areData() throws Exception {
    List<String> problems = submitEveryForm(SQL);
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    // The store is intact: users, profiles and the audit log still read and sign-in works.
    assertEquals(200, f.api("GET", "/api/v1/users", Role.ADMINISTRATOR, null).statusCode());
    assertEquals(200, f.api("GET", "/api/v1/profiles", Role.ADMINISTRATOR, null).statusCode());
    assertEquals(200, f.api("GET", "/api/v1/audit", Role.ADMINISTRATOR, null).statusCode());
    HostileWebFixture.Visitor v = f.new Visitor();
    assertEquals(302, v.login("support-user", HostileWebFixture.PASSWORD).statusCode());
    // Through the API too, in ids and query strings.
    for (String path : List.of("/api/v1/profiles/x'%20OR%201=1--",
        "/api/v1/audit?actor=x'%20OR%201=1--&action=%27", "/api/v1/explain?client=1.2.3.4&name=a'--",
        "/api/v1/appeals/x'%3BDROP%20TABLE%20appeals--")) {
      int s = f.api("GET", path, Role.ADMINISTRATOR, null).statusCode();
      assertTrue(s < 500, path + ": " + s);
    }
    int put = f.api("PUT", "/api/v1/profiles/x'%3B--", Role.ADMINISTRATOR,
        "{\"block\": [\"a'; DROP TABLE profiles;--.example\"]}").statusCode();
    assertTrue(put == 400 || put == 404, "refused as a bad id or name: " + put);
  }

  @Test
  void staticFiles_pathTraversal_neverLeavesTheBundledFiles() throws Exception {
    HostileWebFixture.Visitor v = f.new Visitor();
    for (String path : List.of("/static/../admin.db", "/static/..%2fadmin.db",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%252f..%252fetc%252fpasswd",
        "/static/....//....//etc/passwd", "/static/%c0%ae%c0%ae/etc/passwd",
        "/static/hearth.css/../../../pom.xml", "/static/..\\..\\etc\\passwd",
        "/static//etc/passwd", "/static/hearth.css%00.js", "/static/WEB-INF/web.xml",
        "/static/dev/hearth/admin/web/Ui.class", "/static/", "/static")) {
      HttpResponse<String> r;
      try {
        r = v.get(path);
      } catch (IllegalArgumentException clientRefused) {
        continue; // not even a valid URI for the client
      }
      assertTrue(r.statusCode() == 404 || r.statusCode() == 400, path + ": " + r.statusCode());
      assertFalse(r.body().contains("root:") || r.body().contains("SQLite format")
          || r.body().contains("<project"), path + " leaked a file");
    }
    assertEquals(200, v.get("/static/hearth.css").statusCode());
  }

  @Test
  void headers_forbidFramingAndSniffing() throws Exception {
    HttpResponse<String> r = f.new Visitor().get("/login");
    assertNotNull(r.headers().firstValue("Content-Security-Policy").orElse(null));
    assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
  }
}
