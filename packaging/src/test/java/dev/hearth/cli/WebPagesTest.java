package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.activity.ActivitySummaries;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The console and the parent portal over real HTTP with real sessions: the one-time password
 * must be changed first, forms without the session's CSRF token are refused, what users type is
 * escaped, a parent reaches only their own household and their change reaches the resolver.
 */
class WebPagesTest {
  static final String CONFIG = """
      policy:
        profiles:
          - {id: shared-kids, block_categories: [adult]}
          - {id: strict-kids, block_categories: [adult], safe_search: strict, allow: [school.test]}
      """;
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  static final Pattern LOGIN = Pattern.compile("name=\"_login\" value=\"([^\"]+)\"");
  static final String PASSWORD = "a long parent password";

  @TempDir Path dir;
  TestAuthServer upstream;
  DnsServer dns;
  AdminStore store;
  PolicyService policy;
  AdminServer web;
  Accounts accounts;
  ActivitySummaries activity;
  char[] adminPassword;

  /** A browser-like client: its own cookie jar, follows no redirects (we check them). */
  final class Visitor {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    String lastPage = "";

    HttpResponse<String> get(String path) throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path))
          .header("Accept-Language", "en").build(), HttpResponse.BodyHandlers.ofString());
      lastPage = r.body();
      return r;
    }

    HttpResponse<String> post(String path, String... fields) throws Exception {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < fields.length; i += 2) {
        parts.add(URLEncoder.encode(fields[i], StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
      }
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path))
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(String.join("&", parts))).build(),
          HttpResponse.BodyHandlers.ofString());
      lastPage = r.body();
      return r;
    }

    String csrf() {
      Matcher m = CSRF.matcher(lastPage);
      assertTrue(m.find(), "the page has a CSRF field: " + lastPage);
      return m.group(1);
    }

    HttpResponse<String> login(String user, String password) throws Exception {
      get("/login");
      Matcher m = LOGIN.matcher(lastPage);
      assertTrue(m.find(), lastPage);
      return post("/login", "_login", m.group(1), "username", user, "password", password);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + web.port() + path);
  }

  @BeforeEach
  void start() throws Exception {
    upstream = new TestAuthServer();
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(CONFIG, "test.yaml", b);
    store = AdminStore.open(dir.resolve("admin.db"));
    policy = new PolicyService(store, b.build().policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(AdminApiTest.adultList()), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    accounts = new Accounts(store);
    adminPassword = accounts.ensureFirstAdministrator();
    // Two households share the operator's profile; each has a parent.
    var mapper = new ObjectMapper();
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-a", mapper.readTree(
        "{\"profile\": \"shared-kids\", \"timezone\": \"UTC\", \"addresses\": [\"127.0.0.1/32\"]}"));
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-b", mapper.readTree(
        "{\"profile\": \"shared-kids\", \"addresses\": [\"192.0.2.0/24\"]}"));
    accounts.createUser(Principal.CLI, "parent-a", Role.PARENT, "house-a", PASSWORD.toCharArray(),
        false);
    accounts.createUser(Principal.CLI, "parent-b", Role.PARENT, "house-b", PASSWORD.toCharArray(),
        false);
    accounts.createUser(Principal.CLI, "helpdesk", Role.SUPPORT, null, PASSWORD.toCharArray(),
        false);
    activity = new ActivitySummaries(store, dns.policy().activity(),
        () -> policy.current().directory(), 30);
    // The built-in teen preset, adjusted by the operator: what the forms offer is the preset
    // in force.
    policy.put(Principal.CLI, Kind.PRESET, "teen", mapper.readTree("{\"name\": \"Teen\","
        + " \"block_bypass\": true, \"block_categories\": [\"adult\", \"gambling\"]}"));
    web = new AdminServer(store, accounts, policy, dns.policy(), dns::stats, null, activity)
        .start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
    }
    if (dns != null) {
      dns.close();
    }
    if (store != null) {
      store.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  Message query(String name) throws Exception {
    SimpleResolver r = new SimpleResolver(dns.boundAddresses().get(0));
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1)));
  }

  @Test
  void firstLogin_mustChangeTheOneTimePassword_thenReachesTheConsole() throws Exception {
    Visitor v = new Visitor();
    assertEquals("/login", v.get("/admin").headers().firstValue("Location").orElse(""));
    HttpResponse<String> r = v.login("admin", new String(adminPassword));
    assertEquals(302, r.statusCode());
    assertEquals("/password", r.headers().firstValue("Location").orElse(""));
    String cookie = r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("hearth_session=")).findFirst().orElseThrow();
    assertTrue(cookie.contains("HttpOnly"), cookie);
    assertTrue(cookie.toLowerCase().contains("samesite=strict"), cookie);
    assertEquals("/password", v.get("/admin").headers().firstValue("Location").orElse(""),
        "nothing else until the password is changed");
    v.get("/password");
    HttpResponse<String> weak = v.post("/password", "_csrf", v.csrf(), "current",
        new String(adminPassword), "new", "short", "confirm", "short");
    assertEquals(400, weak.statusCode());
    v.get("/password");
    HttpResponse<String> changed = v.post("/password", "_csrf", v.csrf(), "current",
        new String(adminPassword), "new", "the administrator's own", "confirm",
        "the administrator's own");
    assertEquals("/admin", changed.headers().firstValue("Location").orElse(""));
    HttpResponse<String> dash = v.get("/admin");
    assertEquals(200, dash.statusCode());
    assertTrue(dash.body().contains("<h1>Dashboard</h1>"), dash.body());
    assertEquals(401, new Visitor().login("admin", new String(adminPassword)).statusCode(),
        "the one-time password no longer works");
  }

  @Test
  void consoleForms_needTheSessionsCsrfToken_andEscapeWhatIsTyped() throws Exception {
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor v = new Visitor();
    assertEquals("/admin", v.login("ops", PASSWORD).headers().firstValue("Location").orElse(""));
    v.get("/admin/profiles");
    String token = v.csrf();
    assertEquals(403, v.post("/admin/profiles", "id", "p1", "preset", "teen").statusCode(),
        "no token");
    assertEquals(403, v.post("/admin/profiles", "_csrf", "forged", "id", "p1").statusCode());
    assertEquals(302, v.post("/admin/profiles", "_csrf", token, "id", "p1", "preset", "teen")
        .statusCode());
    JsonNode created = policy.get(Kind.PROFILE, "p1");
    assertEquals("[\"adult\",\"gambling\"]", created.get("block_categories").toString(),
        "the preset's categories, as a plain list");

    HttpResponse<String> bad = v.post("/admin/profiles/p1", "_csrf", token,
        "name", "<script>alert(1)</script>", "category", "adult", "bedtime_days", "mon",
        "bedtime_from", "25:00", "bedtime_to", "07:00");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), bad.body());
    assertFalse(bad.body().contains("<script>alert"), "typed text is never markup");
    assertTrue(bad.body().contains("schedules[0].from"), "the error names the field");
    assertEquals("Teen", policy.get(Kind.PROFILE, "p1").get("name").asText(), "nothing stored");

    HttpResponse<String> ok = v.post("/admin/profiles/p1", "_csrf", token, "name", "Teen one",
        "category", "adult", "bedtime_days", "mon", "bedtime_days", "tue", "bedtime_from",
        "21:00", "bedtime_to", "07:00", "safe_search", "strict");
    assertEquals(302, ok.statusCode(), ok.body());
    JsonNode saved = policy.get(Kind.PROFILE, "p1");
    assertEquals("[\"mon\",\"tue\"]", saved.get("schedules").get(0).get("days").toString());
    assertEquals("strict", saved.get("safe_search").asText());

    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "house-a (127.0.0.1): adult");
    HttpResponse<String> dash = v.get("/admin");
    assertTrue(dash.body().contains("Blocked queries by category"), dash.body());
    assertTrue(dash.body().matches("(?s).*<th scope=\"row\">adult</th><td>1</td>.*"),
        dash.body());
    assertTrue(dash.body().contains("<script src=\"/static/dashboard.js\" defer>"));
    assertEquals(200, v.get("/static/dashboard.js").statusCode());
    assertTrue(v.get("/admin/stats.json").body().contains("\"blocked\":1"), v.lastPage);

    HttpResponse<String> audit = v.get("/admin/audit?action=profile.");
    assertTrue(audit.body().contains("user:ops"), audit.body());

    v.get("/admin");
    assertEquals(302, v.post("/logout", "_csrf", v.csrf()).statusCode());
    assertEquals("/login", v.get("/admin").headers().firstValue("Location").orElse(""),
        "the session ended");
  }

  @Test
  void supportStaff_readButCannotChange_andSeeHouseholdsMasked() throws Exception {
    Visitor v = new Visitor();
    v.login("helpdesk", PASSWORD);
    HttpResponse<String> subs = v.get("/admin/subscribers");
    assertEquals(200, subs.statusCode());
    assertTrue(subs.body().contains("house-a"));
    assertFalse(subs.body().contains("127.0.0.1/32"), "addresses masked for support");
    assertEquals(403, v.post("/admin/profiles", "_csrf", v.csrf(), "id", "p2").statusCode());
    assertEquals(403, v.get("/admin/audit").statusCode());
    assertEquals(403, v.get("/family").statusCode());
  }

  @Test
  void aParent_changesOnlyTheirOwnHousehold_andTheResolverFollows() throws Exception {
    Visitor a = new Visitor();
    assertEquals("/family", a.login("parent-a", PASSWORD).headers().firstValue("Location")
        .orElse(""));
    HttpResponse<String> home = a.get("/family");
    assertEquals(200, home.statusCode());
    assertTrue(home.body().contains("What this filter does not cover"), home.body());
    assertEquals(403, a.get("/admin").statusCode(), "no console for parents");
    assertEquals(Rcode.NOERROR, query("mx.test.").getRcode());

    // Block a name and set bedtime: house-a gets its own copy of the shared profile.
    HttpResponse<String> saved = a.post("/family/profiles/shared-kids", "_csrf", a.csrf(),
        "category", "adult", "block", "mx.test", "bedtime_days", "sat", "bedtime_from", "20:00",
        "bedtime_to", "07:00");
    assertEquals(200, saved.statusCode(), saved.body());
    assertTrue(saved.body().contains("Saved"), saved.body());
    assertEquals("house-a.shared-kids", policy.get(Kind.SUBSCRIBER, "house-a").get("profile")
        .asText());
    assertEquals("shared-kids", policy.get(Kind.SUBSCRIBER, "house-b").get("profile").asText(),
        "the other household keeps the shared profile");
    assertNotNull(policy.get(Kind.PROFILE, "house-a.shared-kids"));
    assertEquals(Rcode.NXDOMAIN, query("mx.test.").getRcode(), "house-a is 127.0.0.1");

    // Another household's profile, or a forged form, is refused.
    Visitor b = new Visitor();
    b.login("parent-b", PASSWORD);
    b.get("/family");
    assertEquals(403, b.post("/family/profiles/house-a.shared-kids", "_csrf", b.csrf(),
        "category", "adult").statusCode());
    assertEquals(403, a.post("/family/profiles/house-a.shared-kids", "_csrf", "forged",
        "category", "adult").statusCode());

    // Pause now.
    a.get("/family");
    HttpResponse<String> paused = a.post("/family/pause", "_csrf", a.csrf(), "profile",
        "house-a.shared-kids", "minutes", "30");
    assertTrue(paused.body().contains("Paused for 30 minutes"), paused.body());
    assertEquals(Rcode.NXDOMAIN, query("aaaa.test.").getRcode(), "everything paused");
  }

  @Test
  void aParent_canCustomiseAStoredSharedProfile() throws Exception {
    // Regression: the copy of a stored profile kept the original's id.
    var mapper = new ObjectMapper();
    policy.put(Principal.CLI, Kind.PROFILE, "stored-kids", mapper.readTree(
        "{\"name\": \"Kids\", \"block_categories\": [\"adult\"]}"));
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-b", mapper.readTree(
        "{\"profile\": \"stored-kids\"}"));
    Visitor b = new Visitor();
    b.login("parent-b", PASSWORD);
    b.get("/family");
    HttpResponse<String> saved = b.post("/family/profiles/stored-kids", "_csrf", b.csrf(),
        "name", "Our kids", "category", "adult", "block", "x.test");
    assertTrue(saved.body().contains("Saved"), saved.body());
    assertEquals("Our kids", policy.get(Kind.PROFILE, "house-b.stored-kids").get("name")
        .asText());
    assertEquals("Kids", policy.get(Kind.PROFILE, "stored-kids").get("name").asText(),
        "the operator's profile is unchanged");
  }

  @Test
  void anOperatorIssuesASignupCode_andAParentCreatesTheirAccountWithIt() throws Exception {
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    ops.get("/admin/subscribers");
    HttpResponse<String> issued = ops.post("/admin/signup-codes", "_csrf", ops.csrf(),
        "household", "house-b");
    Matcher m = Pattern.compile("<code>([A-Z2-9-]{14})</code>").matcher(issued.body());
    assertTrue(m.find(), issued.body());
    String code = m.group(1);
    assertFalse(ops.get("/admin/users").body().contains(code), "shown once");
    assertEquals(400, ops.post("/admin/signup-codes", "_csrf", ops.csrf(), "household",
        "nobody").statusCode());

    Visitor parent = new Visitor();
    HttpResponse<String> form = parent.get("/signup");
    assertTrue(form.body().contains("Sign-up code"), form.body());
    HttpResponse<String> done = parent.post("/signup", "code", code, "username", "dad-b",
        "new", "dad's long password", "confirm", "dad's long password");
    assertEquals("/family", done.headers().firstValue("Location").orElse(""), done.body());
    assertTrue(parent.get("/family").body().contains("household house-b"), parent.lastPage);
    HttpResponse<String> again = new Visitor().post("/signup", "code", code, "username",
        "someone", "new", "another long password", "confirm", "another long password");
    assertEquals(400, again.statusCode());
    assertTrue(again.body().contains("unknown, used or expired"), again.body());
    assertTrue(ops.get("/admin/users").body().contains("dad-b"));

    HttpResponse<String> token = ops.post("/admin/tokens", "_csrf", ops.csrf(), "name",
        "radius", "role", "administrator");
    Matcher t = Pattern.compile("<code>(hth_[^<]+)</code>").matcher(token.body());
    assertTrue(t.find(), token.body());
    assertNotNull(accounts.authenticate(t.group(1)));
  }

  @Test
  void budgetsGrantsNetworksAndSearch() throws Exception {
    // A parent gives games two hours a day, and lets the adult category through for an hour.
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    a.get("/family");
    HttpResponse<String> bad = a.post("/family/profiles/shared-kids", "_csrf", a.csrf(),
        "category", "adult", "budget_category", "games", "budget_time", "two hours");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("budgets.games"), bad.body());
    HttpResponse<String> ok = a.post("/family/profiles/shared-kids", "_csrf", a.csrf(),
        "category", "adult", "budget_category", "games", "budget_time", "2h",
        "budget_category", "", "budget_time", "");
    assertTrue(ok.body().contains("Saved"), ok.body());
    assertEquals("{\"games\":\"2h\"}", policy.get(Kind.PROFILE, "house-a.shared-kids")
        .get("budgets").toString());
    assertTrue(ok.body().contains("value=\"2h\""), "the form shows the saved budget");
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode());
    HttpResponse<String> granted = a.post("/family/grant", "_csrf", a.csrf(), "profile",
        "house-a.shared-kids", "target", "category:adult", "grant_minutes", "60");
    assertTrue(granted.body().contains("category:adult is allowed for 60 minutes"),
        granted.body());
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "granted");
    assertEquals(400, a.post("/family/grant", "_csrf", a.csrf(), "profile", "shared-kids",
        "target", "x.test", "grant_minutes", "60").statusCode(), "not this household's now");

    // The operator adds a venue network and finds a household.
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    ops.get("/admin/networks");
    HttpResponse<String> net = ops.post("/admin/networks", "_csrf", ops.csrf(), "id", "cafe",
        "profile", "shared-kids", "addresses", "10.20.0.0/16");
    assertTrue(net.body().contains("<td>cafe</td>"), net.body());
    assertEquals("shared-kids", policy.current().directory().identify(null,
        dev.hearth.resolver.client.ClientOptions.NONE,
        java.net.InetAddress.getByName("10.20.1.2"), null).profileId());
    assertEquals(400, ops.post("/admin/networks", "_csrf", ops.csrf(), "id", "bad",
        "profile", "shared-kids", "addresses", "10.20.0.0/99").statusCode());
    HttpResponse<String> found = ops.get("/admin/subscribers?q=192.0.2");
    assertTrue(found.body().contains("<td>house-b</td>"), found.body());
    assertFalse(found.body().contains("<td>house-a</td>"), found.body());
  }

  @Test
  void aStoreFailure_isExplainedOnThePage() throws Exception {
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    ops.get("/admin/profiles");
    String token = ops.csrf();
    try (var other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store.file());
        var st = other.createStatement()) {
      st.execute("BEGIN EXCLUSIVE");
      HttpResponse<String> r = ops.post("/admin/profiles", "_csrf", token, "id", "p9");
      assertEquals(503, r.statusCode());
      assertTrue(r.body().startsWith("<!DOCTYPE html>"), r.body());
      assertTrue(r.body().contains("locked by another process"), r.body());
      st.execute("ROLLBACK");
    }
  }

  @Test
  void reviewFixes_ownershipIsCheckedAndCopiesKeepTheOperatorsSettings() throws Exception {
    var mapper = new ObjectMapper();
    // house-b is pointed at a profile named like house-a's copy: house-a must not edit it.
    policy.put(Principal.CLI, Kind.PROFILE, "house-a.trap", mapper.readTree("{\"name\": \"t\"}"));
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-a", mapper.readTree(
        "{\"profile\": \"house-a.trap\", \"addresses\": [\"127.0.0.1/32\"]}"));
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-b", mapper.readTree(
        "{\"profile\": \"house-a.trap\"}"));
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    a.get("/family");
    HttpResponse<String> saved = a.post("/family/profiles/house-a.trap", "_csrf", a.csrf(),
        "name", "changed");
    assertTrue(saved.body().contains("Saved"), saved.body());
    assertEquals("t", policy.get(Kind.PROFILE, "house-a.trap").get("name").asText(),
        "the shared profile is untouched");
    assertEquals("house-a.trap", policy.get(Kind.SUBSCRIBER, "house-b").get("profile").asText());
    assertEquals("house-a.house-a.trap", policy.get(Kind.SUBSCRIBER, "house-a").get("profile")
        .asText(), "house-a got its own copy instead");
    // And if the operator then gives that copy to house-b as well, house-a's next change again
    // goes to a copy of its own: the profile house-b uses never changes under it.
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-b", mapper.readTree(
        "{\"profile\": \"house-a.house-a.trap\"}"));
    a.get("/family");
    a.post("/family/profiles/house-a.house-a.trap", "_csrf", a.csrf(), "name", "again");
    assertEquals("changed", policy.get(Kind.PROFILE, "house-a.house-a.trap").get("name")
        .asText());
    assertEquals("house-a.house-a.trap", policy.get(Kind.SUBSCRIBER, "house-b").get("profile")
        .asText());

    // A copy of a config profile starts with all of it (SafeSearch, allow names).
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-a", mapper.readTree(
        "{\"profile\": \"strict-kids\", \"addresses\": [\"127.0.0.1/32\"]}"));
    HttpResponse<String> page = a.get("/family");
    assertTrue(page.body().contains("<option value=\"strict\" selected>"), page.body());
    assertTrue(page.body().contains("school.test"), page.body());

    // Pauses only for the lengths offered; multipart forms are refused before being read.
    assertEquals(400, a.post("/family/pause", "_csrf", a.csrf(), "profile", "strict-kids",
        "minutes", "1440").statusCode());
    HttpResponse<String> multipart = a.http.send(HttpRequest.newBuilder(uri("/login"))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .POST(HttpRequest.BodyPublishers.ofString("--x\r\nContent-Disposition: form-data;"
            + " name=\"a\"\r\n\r\nb\r\n--x--\r\n")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(415, multipart.statusCode());

    // A deleted household's parent is signed out at once.
    policy.delete(Principal.CLI, Kind.SUBSCRIBER, "house-a");
    assertEquals("/login", a.get("/family").headers().firstValue("Location").orElse(""));
  }

  @Test
  void aParentAddsDevicesWithTheirOwnProfiles() throws Exception {
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    a.get("/family");
    HttpResponse<String> tablet = a.post("/family/devices", "_csrf", a.csrf(), "device_name",
        "Tablet", "mac", "02:00:00:00:00:aa", "preset", "teen");
    assertTrue(tablet.body().contains("Tablet has its own profile now"), tablet.body());
    assertEquals("[\"adult\",\"gambling\"]", policy.get(Kind.PROFILE, "house-a.tablet")
        .get("block_categories").toString());
    assertEquals("house-a.tablet", policy.current().directory().identify(null,
        new dev.hearth.resolver.client.ClientOptions(0x0200000000aaL, null, null),
        java.net.InetAddress.getByName("127.0.0.1"), null).profileId());
    HttpResponse<String> phone = a.post("/family/devices", "_csrf", a.csrf(), "device_name",
        "Phone", "mac", "", "preset", "teen");
    assertTrue(phone.body().contains("action=\"/family/profiles/house-a.phone\""),
        "a token-only device's profile is editable too: " + phone.body());
    String token = policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(1).get("token")
        .asText();
    assertEquals("house-a.phone", policy.current().directory().identify(token,
        dev.hearth.resolver.client.ClientOptions.NONE,
        java.net.InetAddress.getByName("198.51.100.1"), null).profileId());
    assertEquals(400, a.post("/family/devices", "_csrf", a.csrf(), "device_name", "Bad",
        "mac", "not-a-mac", "preset", "teen").statusCode());
    HttpResponse<String> removed = a.post("/family/devices/remove", "_csrf", a.csrf(),
        "device", "Tablet");
    assertTrue(removed.body().contains("Tablet was removed"), removed.body());
    assertEquals(1, policy.get(Kind.SUBSCRIBER, "house-a").get("devices").size());
  }

  /** DoH on 8443 and DoT on 8853 (non-default, so the page must show both ports). */
  static dev.hearth.resolver.encrypted.EncryptedConfig encrypted() {
    return dev.hearth.resolver.encrypted.EncryptedConfig.NONE
        .withTls(Path.of("cert.pem"), Path.of("key.pem"))
        .withDoh(List.of(new InetSocketAddress("127.0.0.1", 8443)))
        .withDot(List.of(new InetSocketAddress("127.0.0.1", 8853)))
        .withHostname("dns.example.net");
  }

  String profileOfToken(String token) throws Exception {
    return policy.current().directory().identify(token,
        dev.hearth.resolver.client.ClientOptions.NONE,
        java.net.InetAddress.getByName("198.51.100.1"), null).profileId();
  }

  /** The newest audit row about house-a: actor, action and the document after. */
  String lastHouseAAudit() throws Exception {
    try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("admin.db"));
        var rs = c.createStatement().executeQuery("SELECT actor, action, after FROM audit_log"
            + " WHERE target = 'subscriber:house-a' ORDER BY id DESC LIMIT 1")) {
      assertTrue(rs.next());
      return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
    }
  }

  @Test
  void aDeviceForEncryptedDns_getsAnUnguessableToken_andASetupPage() throws Exception {
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    a.get("/family");
    a.post("/family/devices", "_csrf", a.csrf(), "device_name", "Sam's <phone>", "mac", "",
        "preset", "teen");
    String token = policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(0).get("token")
        .asText();
    assertTrue(token.matches("[a-z2-7]{26}"), "128 bits, lower-case base32: " + token);
    assertEquals("house-a.sam-s-phone", profileOfToken(token),
        "the stored device's token reaches the resolver's client directory");
    assertTrue(lastHouseAAudit().startsWith("user:parent-a subscriber."), lastHouseAAudit());
    HttpResponse<String> family = a.get("/family");
    assertTrue(family.body().contains("href=\"/family/devices/0/setup\""), family.body());
    assertFalse(family.body().contains(token), "the token is on the setup page only");

    // Before the operator enables encrypted DNS: said so, and no addresses.
    HttpResponse<String> off = a.get("/family/devices/0/setup");
    assertEquals(200, off.statusCode());
    assertTrue(off.body().contains("has not enabled encrypted DNS"), off.body());
    assertFalse(off.body().contains(token) || off.body().contains("dns-query"), off.body());
    assertEquals(404, a.get("/family/devices/0/hearth.mobileconfig").statusCode());

    web.useEncryptedDns(encrypted());
    HttpResponse<String> page = a.get("/family/devices/0/setup");
    assertEquals(200, page.statusCode());
    String body = page.body();
    assertTrue(body.contains("<h1>Encrypted DNS for Sam&#39;s &lt;phone&gt;</h1>"), body);
    assertTrue(body.contains("value=\"https://dns.example.net:8443/dns-query/" + token + "\""),
        body);
    assertTrue(body.contains("value=\"" + token + ".dns.example.net\""), body);
    assertTrue(body.contains("port 8853"), body);
    for (String section : List.of("Android (Private DNS)", "iPhone, iPad and Mac", "Windows 11",
        "Chrome", "Firefox")) {
      assertTrue(body.contains(section), section + " in " + body);
    }
    assertTrue(body.contains("Type " + token + ".dns.example.net and tap Save"), body);
    assertTrue(body.contains("href=\"/family/devices/0/hearth.mobileconfig\""), body);
    assertFalse(body.contains("<b>") || body.contains("<phone>"), "escaped");

    HttpResponse<String> profile = a.get("/family/devices/0/hearth.mobileconfig");
    assertEquals(200, profile.statusCode());
    assertEquals("application/x-apple-aspen-config",
        profile.headers().firstValue("Content-Type").orElse("").replaceFirst(";.*", ""));
    assertEquals("attachment; filename=\"hearth-dns-sam-s-phone.mobileconfig\"",
        profile.headers().firstValue("Content-Disposition").orElse(""));
    Map<String, String> plist = plist(profile.body());
    assertEquals("Configuration", plist.get("PayloadType"));
    assertEquals("com.apple.dnsSettings.managed", plist.get("PayloadContent.0.PayloadType"));
    assertEquals("HTTPS", plist.get("PayloadContent.0.DNSSettings.DNSProtocol"));
    assertEquals("https://dns.example.net:8443/dns-query/" + token,
        plist.get("PayloadContent.0.DNSSettings.ServerURL"));
    assertTrue(plist.get("PayloadUUID").matches("[0-9A-F-]{36}"), plist.toString());
    assertFalse(plist.get("PayloadUUID").equals(plist.get("PayloadContent.0.PayloadUUID")));
    assertEquals(plist, plist(a.get("/family/devices/0/hearth.mobileconfig").body()),
        "downloading again gives the same profile (same UUIDs)");
    assertEquals("Hearth DNS: Sam's <phone>", plist.get("PayloadDisplayName"));

    // Regenerate: needs the CSRF token and the device's name; then the old token is unknown.
    a.get("/family/devices/0/setup");
    String csrf = a.csrf();
    assertEquals(403, a.post("/family/devices/0/token", "device", "Sam's <phone>").statusCode());
    assertEquals(409, a.post("/family/devices/0/token", "_csrf", csrf, "device", "Other")
        .statusCode());
    HttpResponse<String> regen = a.post("/family/devices/0/token", "_csrf", csrf, "device",
        "Sam's <phone>");
    assertEquals(200, regen.statusCode());
    String fresh = policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(0).get("token")
        .asText();
    assertFalse(fresh.equals(token));
    assertTrue(fresh.matches("[a-z2-7]{26}"), fresh);
    assertTrue(regen.body().contains("has a new token"), regen.body());
    assertTrue(regen.body().contains("/dns-query/" + fresh), regen.body());
    assertEquals("house-a.sam-s-phone", profileOfToken(fresh));
    assertFalse("house-a.sam-s-phone".equals(profileOfToken(token)),
        "the old token no longer selects the device's profile");
    String audit = lastHouseAAudit();
    assertTrue(audit.startsWith("user:parent-a subscriber.") && audit.contains(fresh), audit);
    assertFalse(plist.get("PayloadUUID").equals(
        plist(a.get("/family/devices/0/hearth.mobileconfig").body()).get("PayloadUUID")),
        "a new token is a new profile");

    // Spanish.
    HttpResponse<String> es = a.http.send(HttpRequest.newBuilder(uri("/family/devices/0/setup"))
        .header("Accept-Language", "es").build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(es.body().contains("DNS cifrado para"), es.body());
  }

  @Test
  void deviceSetup_isTheParentsOwnHouseholdsOnly_andSupportSeesNoToken() throws Exception {
    web.useEncryptedDns(encrypted());
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    a.get("/family");
    a.post("/family/devices", "_csrf", a.csrf(), "device_name", "Tablet", "mac", "",
        "preset", "teen");
    String token = policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(0).get("token")
        .asText();
    assertEquals(302, new Visitor().get("/family/devices/0/setup").statusCode(), "login first");

    Visitor b = new Visitor();
    b.login("parent-b", PASSWORD);
    b.get("/family");
    String csrf = b.csrf();
    for (String path : List.of("/family/devices/0/setup", "/family/devices/0/hearth.mobileconfig",
        "/family/devices/-1/setup", "/family/devices/x/setup", "/family/devices/99/setup")) {
      HttpResponse<String> r = b.get(path);
      assertEquals(404, r.statusCode(), path);
      assertFalse(r.body().contains(token), path);
    }
    assertEquals(404, b.post("/family/devices/0/token", "_csrf", csrf, "device", "Tablet")
        .statusCode());
    assertEquals(token, policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(0)
        .get("token").asText(), "house-a's device untouched");

    Visitor support = new Visitor();
    support.login("helpdesk", PASSWORD);
    assertEquals(403, support.get("/family/devices/0/setup").statusCode());
    HttpResponse<String> subs = support.get("/admin/subscribers");
    assertTrue(subs.body().contains("house-a"), subs.body());
    assertFalse(subs.body().contains(token), "support sees devices masked: " + subs.body());

    // A device known by its MAC gets its first token from its setup page.
    a.get("/family");
    a.post("/family/devices", "_csrf", a.csrf(), "device_name", "Console", "mac",
        "02:00:00:00:00:bb", "preset", "teen");
    HttpResponse<String> mac = a.get("/family/devices/1/setup");
    assertTrue(mac.body().contains("Create a personal token"), mac.body());
    assertFalse(mac.body().contains("dns-query"), mac.body());
    HttpResponse<String> created = a.post("/family/devices/1/token", "_csrf", a.csrf(),
        "device", "Console");
    assertTrue(created.body().contains("Console has a personal token now"), created.body());
    var device = policy.get(Kind.SUBSCRIBER, "house-a").get("devices").get(1);
    assertEquals("02:00:00:00:00:bb", device.get("mac").asText());
    assertEquals("house-a.console", profileOfToken(device.get("token").asText()));
  }

  /**
   * A property list read with the JDK's XML parser (no DTD fetched) into dotted paths:
   * {@code PayloadContent.0.DNSSettings.ServerURL}.
   */
  static Map<String, String> plist(String xml) throws Exception {
    var f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    var doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(
        xml.getBytes(StandardCharsets.UTF_8)));
    var root = doc.getDocumentElement();
    assertEquals("plist", root.getTagName());
    Map<String, String> out = new java.util.TreeMap<>();
    flatten(elements(root).get(0), "", out);
    return out;
  }

  static List<org.w3c.dom.Element> elements(org.w3c.dom.Element e) {
    List<org.w3c.dom.Element> out = new ArrayList<>();
    for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof org.w3c.dom.Element c) {
        out.add(c);
      }
    }
    return out;
  }

  static void flatten(org.w3c.dom.Element e, String path, Map<String, String> out) {
    String prefix = path.isEmpty() ? "" : path + ".";
    switch (e.getTagName()) {
      case "dict" -> {
        List<org.w3c.dom.Element> kids = elements(e);
        for (int i = 0; i < kids.size(); i += 2) {
          assertEquals("key", kids.get(i).getTagName());
          flatten(kids.get(i + 1), prefix + kids.get(i).getTextContent(), out);
        }
      }
      case "array" -> {
        List<org.w3c.dom.Element> kids = elements(e);
        for (int i = 0; i < kids.size(); i++) {
          flatten(kids.get(i), prefix + i, out);
        }
      }
      case "true", "false" -> out.put(path, e.getTagName());
      default -> out.put(path, e.getTextContent());
    }
  }

  @Test
  void theConsoleDeletes_onlyWhatNothingUses_andTheAuditShowsBeforeAndAfter() throws Exception {
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    var mapper = new ObjectMapper();
    policy.put(Principal.CLI, Kind.PROFILE, "stored", mapper.readTree("{\"name\": \"S\"}"));
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-b", mapper.readTree(
        "{\"profile\": \"stored\"}"));
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    ops.get("/admin/profiles/stored");
    HttpResponse<String> refused = ops.post("/admin/profiles/stored/delete", "_csrf",
        ops.csrf());
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("subscriber &#39;house-b&#39;"), refused.body());
    Visitor parentB = new Visitor();
    parentB.login("parent-b", PASSWORD);
    assertEquals(200, parentB.get("/family").statusCode());
    ops.get("/admin/subscribers");
    HttpResponse<String> gone = ops.post("/admin/subscribers/delete", "_csrf", ops.csrf(),
        "delete_id", "house-b");
    assertTrue(gone.body().contains("house-b was deleted"), gone.body());
    assertEquals("/login", parentB.get("/family").headers().firstValue("Location").orElse(""),
        "the household's parent is signed out");
    ops.get("/admin/profiles/stored");
    HttpResponse<String> deleted = ops.post("/admin/profiles/stored/delete", "_csrf",
        ops.csrf());
    assertTrue(deleted.body().contains("stored was deleted"), deleted.body());
    HttpResponse<String> audit = ops.get("/admin/audit?action=subscriber.delete");
    assertTrue(audit.body().contains("Old value"), audit.body());
    assertTrue(audit.body().contains("&quot;profile&quot;:&quot;stored&quot;"), audit.body());
  }

  @Test
  void presetsInTheConsole_areListedEditedAndDeleted_andOfferedEverywhereAtOnce()
      throws Exception {
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    HttpResponse<String> list = ops.get("/admin/presets");
    assertEquals(200, list.statusCode());
    assertTrue(list.body().contains("href=\"/admin/presets\""), "in the navigation");
    assertTrue(list.body().contains("young-child") && list.body().contains("built in, adjusted"),
        list.body());
    assertEquals(403, ops.post("/admin/presets", "id", "school", "name", "School").statusCode(),
        "no CSRF token");
    ops.get("/admin/presets");
    assertEquals(302, ops.post("/admin/presets", "_csrf", ops.csrf(), "id", "school", "name",
        "School <b>day</b>", "from", "teen").statusCode());
    JsonNode stored = policy.get(Kind.PRESET, "school");
    assertEquals("[\"adult\",\"gambling\"]", stored.get("block_categories").toString(),
        "copied from the chosen preset");
    HttpResponse<String> edit = ops.get("/admin/presets/school");
    assertTrue(edit.body().contains("School &lt;b&gt;day&lt;/b&gt;"), edit.body());
    assertEquals(302, ops.post("/admin/presets/school", "_csrf", ops.csrf(), "name", "School",
        "category", "adult", "other_categories", "games\nchat").statusCode());
    assertEquals("[\"adult\",\"chat\",\"games\"]",
        policy.get(Kind.PRESET, "school").get("block_categories").toString());
    assertFalse(policy.get(Kind.PRESET, "school").get("block_bypass").asBoolean());
    ops.get("/admin/presets/school");
    HttpResponse<String> bad = ops.post("/admin/presets/school", "_csrf", ops.csrf(), "name",
        " ", "category", "adult");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("preset &#39;school&#39;, name"), bad.body());
    assertEquals("School", policy.get(Kind.PRESET, "school").get("name").asText(),
        "nothing stored");

    // Offered at once: console profile creation, the parent portal, the public check page.
    assertTrue(ops.get("/admin/profiles").body().contains("<option value=\"school\">School"),
        ops.lastPage);
    Visitor parent = new Visitor();
    parent.login("parent-a", PASSWORD);
    assertTrue(parent.get("/family").body().contains("<option value=\"school\">School"),
        parent.lastPage);
    HttpResponse<String> check = new Visitor().get("/check?name=a.test");
    assertTrue(check.body().contains("School"), check.body());
    parent.post("/family/devices", "_csrf", parent.csrf(), "device_name", "Laptop", "mac",
        "02:00:00:00:00:bb", "preset", "school");
    assertEquals("[\"adult\",\"chat\",\"games\"]", policy.get(Kind.PROFILE,
        "house-a.laptop").get("block_categories").toString());

    // Support staff read, but do not change.
    Visitor help = new Visitor();
    help.login("helpdesk", PASSWORD);
    assertEquals(200, help.get("/admin/presets/school").statusCode());
    assertFalse(help.lastPage.contains("/admin/presets/school/delete"), help.lastPage);
    assertEquals(403, help.post("/admin/presets/school", "_csrf", help.csrf(), "name", "X")
        .statusCode());
    assertEquals(403, parent.get("/admin/presets").statusCode());

    // Deleting: refused while a profile names it, then done; a built-in's change is removed.
    policy.put(Principal.CLI, Kind.PROFILE, "by-name", new ObjectMapper().readTree(
        "{\"preset\": \"school\"}"));
    ops.get("/admin/presets/school");
    HttpResponse<String> refused = ops.post("/admin/presets/school/delete", "_csrf",
        ops.csrf());
    assertEquals(400, refused.statusCode());
    assertTrue(refused.body().contains("by-name"), refused.body());
    policy.delete(Principal.CLI, Kind.PROFILE, "by-name");
    HttpResponse<String> deleted = ops.post("/admin/presets/school/delete", "_csrf",
        ops.csrf());
    assertTrue(deleted.body().contains("school was deleted"), deleted.body());
    ops.get("/admin/presets/teen");
    assertTrue(ops.post("/admin/presets/teen/delete", "_csrf", ops.csrf()).body()
        .contains("built-in settings of teen"), ops.lastPage);
    assertTrue(policy.presets().stream().anyMatch(p -> p.id().equals("teen")
        && p.categories().contains("sect")), "the built-in teen again");
    assertTrue(ops.get("/admin/audit?action=preset.delete").body().contains("preset:teen"));
  }

  @Test
  void spanish_andLoginThrottling() throws Exception {
    Visitor v = new Visitor();
    HttpResponse<String> es = v.get("/login?lang=es");
    assertTrue(es.body().contains("<html lang=\"es\">"), es.body());
    assertTrue(es.body().contains("Iniciar sesión"), es.body());
    assertTrue(v.get("/login").body().contains("Contraseña"), "the choice is remembered");
    Visitor attacker = new Visitor();
    int last = 0;
    for (int i = 0; i < 11; i++) {
      last = attacker.login("user" + i, "wrong password " + i).statusCode();
    }
    assertEquals(429, last, "the address is throttled across accounts");
    assertEquals(429, attacker.login("parent-a", PASSWORD).statusCode(),
        "even with a right password, for a while");
  }

  long activityRows(String household) throws Exception {
    return activity.summary(household, java.time.LocalDate.now().minusDays(3),
        java.time.LocalDate.now().plusDays(3)).size();
  }

  @Test
  void activitySummary_isOptIn_countsOnlyThen_isShownToTheHouseholdsParentsOnly()
      throws Exception {
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    HttpResponse<String> home = a.get("/family");
    assertTrue(home.body().contains("Turn on the activity summary"), home.body());
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "house-a is 127.0.0.1");
    activity.flush();
    assertEquals(0, activityRows("house-a"), "off by default: nothing counted or kept");
    HttpResponse<String> status = a.get("/status");
    assertEquals(200, status.statusCode());
    assertTrue(status.body().contains("Activity reporting is off"), status.body());

    a.get("/family");
    HttpResponse<String> bad = a.post("/family/activity", "_csrf", a.csrf(), "summary", "maybe");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("Choose to turn the activity summary on or off"), bad.body());
    assertFalse(policy.get(Kind.SUBSCRIBER, "house-a").has("activity_summary"));
    assertEquals(403, a.post("/family/activity", "_csrf", "forged", "summary", "on")
        .statusCode());

    a.get("/family");
    HttpResponse<String> on = a.post("/family/activity", "_csrf", a.csrf(), "summary", "on");
    assertEquals(200, on.statusCode(), on.body());
    assertTrue(on.body().contains("The activity summary is on."), on.body());
    assertTrue(policy.get(Kind.SUBSCRIBER, "house-a").get("activity_summary").asBoolean());
    var audit = store.read(c -> {
      try (var ps = c.prepareStatement("SELECT actor, action, after FROM audit_log WHERE"
          + " target = 'subscriber:house-a' ORDER BY id DESC LIMIT 1");
          var rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3);
      }
    });
    assertTrue(audit.startsWith("user:parent-a subscriber.update ")
        && audit.contains("\"activity_summary\":true"), audit);

    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode());
    assertEquals(Rcode.NXDOMAIN, query("www.a.test.").getRcode());
    assertEquals(Rcode.NOERROR, query("mx.test.").getRcode());
    HttpResponse<String> summary = a.get("/family/activity");
    assertEquals(200, summary.statusCode());
    String page = summary.body().replaceAll("\\s+", " ");
    assertTrue(page.contains("Blocked lookups per category and day"), page);
    assertTrue(Pattern.compile("<th scope=\"row\">adult</th>(<td>\\d+</td>)*<td>2</td></tr>")
        .matcher(page).find(), page);
    assertTrue(page.contains("Not in any category"), page);
    assertFalse(page.contains("a.test") || page.contains("mx.test") || page.contains("127.0.0.1"),
        "no names, no addresses: " + page);
    status = a.get("/status");
    assertTrue(status.body().contains("Activity reporting is on"), status.body());
    assertTrue(status.body().contains("with your household&#39;s settings: shared-kids"),
        status.body());
    assertFalse(status.body().contains("house-a"), "no household ids on the public page");
    assertTrue(a.get("/status?lang=es").body().contains("El informe de actividad está activado"));
    a.get("/status?lang=en"); // the language is remembered: back to English

    // Another household's parent sees their own (off) summary; operators see none at all.
    Visitor b = new Visitor();
    b.login("parent-b", PASSWORD);
    HttpResponse<String> other = b.get("/family/activity");
    assertEquals(200, other.statusCode());
    assertTrue(other.body().contains("The activity summary is off for your household"),
        other.body());
    assertFalse(other.body().contains("adult"), other.body());
    Visitor support = new Visitor();
    support.login("helpdesk", PASSWORD);
    assertEquals(403, support.get("/family/activity").statusCode());
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    assertEquals(403, ops.get("/family/activity").statusCode());
    assertEquals(1, activityRows("house-a") >= 1 ? 1 : 0);

    // Off again: counting stops and what was kept is deleted.
    a.get("/family");
    HttpResponse<String> off = a.post("/family/activity", "_csrf", a.csrf(), "summary", "off");
    assertTrue(off.body().contains("what it had counted is deleted"), off.body());
    assertEquals(0, activityRows("house-a"));
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode());
    activity.flush();
    assertEquals(0, activityRows("house-a"));
    assertTrue(a.get("/status").body().contains("Activity reporting is off"));
  }

  @Test
  void theStatusPage_forAnAddressOfNoHousehold_describesTheDefault() throws Exception {
    var mapper = new ObjectMapper();
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-a", mapper.readTree(
        "{\"profile\": \"shared-kids\", \"addresses\": [\"192.0.2.77/32\"]}"));
    HttpResponse<String> r = new Visitor().get("/status");
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("standard filtering: default"), r.body());
    assertTrue(r.body().contains("No activity report is made for this connection"), r.body());
    assertTrue(r.body().contains("What this filter does not cover"), r.body());
  }

  @Test
  void homeworkTime_andTheWeekGrid() throws Exception {
    Visitor a = new Visitor();
    a.login("parent-a", PASSWORD);
    HttpResponse<String> home = a.get("/family");
    assertTrue(home.body().contains("No schedules: nothing is blocked by the time of day."),
        home.body());
    HttpResponse<String> bad = a.post("/family/profiles/shared-kids", "_csrf", a.csrf(),
        "category", "adult", "homework_days", "mon", "homework_from", "16:00",
        "homework_to", "18:00");
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("schedules[0].block_categories"), bad.body());
    assertEquals(null, policy.get(Kind.PROFILE, "house-a.shared-kids"), "nothing stored");
    HttpResponse<String> ok = a.post("/family/profiles/shared-kids", "_csrf", a.csrf(),
        "category", "adult", "bedtime_days", "sun", "bedtime_from", "22:30",
        "bedtime_to", "01:00", "homework_days", "mon", "homework_days", "tue",
        "homework_from", "16:00", "homework_to", "17:30", "homework_category", "gambling");
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode schedules = policy.get(Kind.PROFILE, "house-a.shared-kids").get("schedules");
    assertEquals("[{\"name\":\"bedtime\",\"days\":[\"sun\"],\"from\":\"22:30\",\"to\":"
        + "\"01:00\",\"block\":\"all\"},{\"name\":\"homework\",\"days\":[\"mon\",\"tue\"],"
        + "\"from\":\"16:00\",\"to\":\"17:30\",\"block_categories\":[\"gambling\"]}]",
        schedules.toString());
    String page = ok.body();
    assertTrue(page.contains("Bedtime: Sunday from 22:30 to 01:00 the next morning; everything"
        + " is blocked except the names still allowed."), page);
    assertTrue(page.contains("Homework time: Monday, Tuesday from 16:00 to 17:30; blocked then:"
        + " gambling."), page);
    // Sunday 22 and 23, and on into Monday 00: the last row wraps to the first.
    Map<String, List<Integer>> marked = gridMarks(page, "m-bedtime");
    assertEquals(List.of(22, 23), marked.get("sun"));
    assertEquals(List.of(0), marked.get("mon"));
    Map<String, List<Integer>> hw = gridMarks(page, "m-homework");
    assertEquals(List.of(16, 17), hw.get("mon"));
    assertEquals(List.of(16, 17), hw.get("tue"));
    assertEquals(null, hw.get("wed"));
    assertTrue(page.contains("<th scope=\"col\">23</th>") && page.contains("<caption>"), page);
    assertTrue(page.contains("id=\"hw-day-mon\" name=\"homework_days\" value=\"mon\" checked"),
        page);
    // The console shows the same grid on the profile page.
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    Visitor ops = new Visitor();
    ops.login("ops", PASSWORD);
    String console = ops.get("/admin/profiles/house-a.shared-kids").body();
    assertEquals(marked, gridMarks(console, "m-bedtime"));
    assertTrue(console.contains("/static/schedule.js"), console);
    HttpResponse<String> js = ops.get("/static/schedule.js");
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
  }

  /** Day to the hours whose cell holds a mark of {@code cls}. */
  static Map<String, List<Integer>> gridMarks(String page, String cls) {
    Map<String, List<Integer>> out = new java.util.TreeMap<>();
    Matcher row = Pattern.compile("<tr data-day=\"(\\w+)\">(.*?)</tr>").matcher(page);
    while (row.find()) {
      Matcher cell = Pattern.compile("<td data-hour=\"(\\d+)\"[^>]*>(.*?)</td>")
          .matcher(row.group(2));
      while (cell.find()) {
        if (cell.group(2).contains(cls)) {
          out.computeIfAbsent(row.group(1), k -> new ArrayList<>())
              .add(Integer.parseInt(cell.group(1)));
        }
      }
    }
    return out;
  }
}
