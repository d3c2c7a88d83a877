package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * List sources added at run time, wired as {@code hearth serve} wires them (config file reader,
 * admin store on a real SQLite file, catalog and list thread, a running resolver, the API and the
 * console over real HTTP): a source added through the API blocks on the next query, an invalid
 * one is refused naming the field with nothing stored or audited, locked sources are list
 * custodians' only, config file sources are read-only, and stored sources serve after a restart
 * from their saved versions.
 */
class ListSourcesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String PASSWORD = "a long enough password";
  @TempDir Path dir;
  TestAuthServer upstream;
  Path data;
  Path ads;
  String configId = "ads";
  DnsServer dns;
  AdminStore store;
  ListSourceService sources;
  AdminServer web;
  ScheduledExecutorService listThread;
  Map<Role, String> tokens = new EnumMap<>(Role.class);

  @BeforeEach
  void start() throws Exception {
    upstream = new TestAuthServer();
    ads = Files.writeString(dir.resolve("ads.txt"), "aaaa.test\n");
    data = Files.createDirectories(dir.resolve("data"));
    boot();
    Accounts accounts = new Accounts(store);
    for (Role r : Role.values()) {
      tokens.put(r, accounts.createToken(Principal.CLI, r.id(), r,
          r == Role.PARENT ? "house-1" : null));
    }
  }

  /** Starts everything from the config text and the data directory, as a server start does. */
  void boot() throws Exception {
    Settings.Builder b = Settings.builder();
    ConfigFile.parse("lists:\n  sources:\n    - {id: " + configId + ", path: " + ads + "}\n",
        "test.yaml", b);
    Settings settings = b.dataDir(data).build();
    List<ListSource> config = ServeCommand.allListSources(settings);
    store = AdminStore.open(data.resolve("admin.db"));
    sources = new ListSourceService(store, new StoredListSources(config));
    List<ListSource> all = new ArrayList<>(config);
    all.addAll(sources.open());
    ListCatalog catalog = new ListCatalog(data, all, settings.listSafety(), null, line -> { },
        Clock.systemUTC());
    catalog.open();
    PolicyService policy = new PolicyService(store, settings.policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        catalog.snapshot(), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    listThread = Executors.newSingleThreadScheduledExecutor();
    ServerListOperations ops = new ServerListOperations(catalog, dns, listThread, data, config);
    sources.attach(ops);
    web = new AdminServer(store, new Accounts(store), policy, dns.policy(),
        dns::stats, ops, sources).start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    shutdown();
    upstream.close();
  }

  void shutdown() {
    web.close();
    dns.close();
    listThread.shutdownNow();
    store.close();
  }

  // --- helpers ---

  HttpResponse<String> call(String method, String path, Role role, String body)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port()
        + path)).timeout(Duration.ofSeconds(30));
    if (role != null) {
      r.header("Authorization", "Bearer " + tokens.get(role));
    }
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return call(method, path, Role.ADMINISTRATOR, body);
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  int rcode(String name) throws Exception {
    SimpleResolver r = new SimpleResolver(dns.boundAddresses().get(0));
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1)))
        .getRcode();
  }

  int count(String table) throws Exception {
    return store.read(c -> {
      try (Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  static String pathDoc(String id, Path file) {
    return "{\"id\": \"" + id + "\", \"path\": \"" + file + "\"}";
  }

  // --- API ---

  @Test
  void aSourceAddedThroughTheApi_blocksOnTheNextQuery_changesAndRemovalApplyAtOnce_audited()
      throws Exception {
    Path extra = Files.writeString(dir.resolve("extra.txt"), "mail.test\n");
    assertEquals(Rcode.NOERROR, rcode("mail.test."));
    HttpResponse<String> created = admin("POST", "/api/v1/lists/sources",
        "{\"id\": \"extra\", \"path\": \"" + extra + "\", \"category\": \"ads\"}");
    assertEquals(201, created.statusCode(), created.body());
    JsonNode c = json(created);
    assertTrue(c.get("applied").asBoolean(), created.body());
    assertEquals("store", c.get("origin").asText());
    assertEquals(1, c.get("lists").get(0).get("entries").asInt(), created.body());
    assertFalse(c.get("lists").get(0).get("version").isNull(), created.body());
    assertEquals(Rcode.NXDOMAIN, rcode("mail.test."), "in force for the next query");

    JsonNode all = json(admin("GET", "/api/v1/lists/sources", null));
    assertEquals(2, all.size(), all.toString());
    assertEquals("config", all.get(0).get("origin").asText());
    assertFalse(all.get(0).get("editable").asBoolean());
    assertEquals("extra", all.get(1).get("id").asText());
    assertEquals("token:administrator", all.get(1).get("created_by").asText());
    assertEquals(extra.toString(), json(call("GET", "/api/v1/lists/sources/extra", Role.SUPPORT,
        null)).get("source").get("path").asText(), "operators read sources");

    Path other = Files.writeString(dir.resolve("other.txt"), "txt.test\n");
    HttpResponse<String> changed = admin("PUT", "/api/v1/lists/sources/extra",
        pathDoc("extra", other));
    assertEquals(200, changed.statusCode(), changed.body());
    assertEquals(Rcode.NXDOMAIN, rcode("txt.test."));
    assertEquals(Rcode.NOERROR, rcode("mail.test."), "the old definition's names are gone");
    assertEquals(200, admin("PUT", "/api/v1/lists/sources/extra", pathDoc("extra", other))
        .statusCode(), "the same document again: nothing to do");

    assertEquals(204, admin("DELETE", "/api/v1/lists/sources/extra", null).statusCode());
    assertEquals(Rcode.NOERROR, rcode("txt.test."), "out of service at once");
    assertEquals(Rcode.NXDOMAIN, rcode("aaaa.test."), "the config file's list stays");
    assertEquals(404, admin("DELETE", "/api/v1/lists/sources/extra", null).statusCode());
    assertEquals(404, admin("GET", "/api/v1/lists/sources/extra", null).statusCode());
    assertFalse(Files.exists(data.resolve("lists/extra")), "saved versions removed");

    JsonNode audit = json(admin("GET", "/api/v1/audit?action=list_source.", null));
    assertEquals(List.of("list_source.delete", "list_source.update", "list_source.create"),
        List.of(audit.get(0).get("action").asText(), audit.get(1).get("action").asText(),
            audit.get(2).get("action").asText()), audit.toString());
    assertEquals(3, audit.size(), "the unchanged PUT is not recorded: " + audit);
    assertEquals("list_source:extra", audit.get(0).get("target").asText());
    assertTrue(audit.get(2).get("after").asText().contains("extra.txt"), audit.toString());
  }

  @Test
  void invalidSources_areRefusedNamingTheField_andNothingIsStoredOrAudited() throws Exception {
    Path file = Files.writeString(dir.resolve("ok.txt"), "mx.test\n");
    int audits = count("audit_log");
    String[][] cases = {
        // body, status, field
        {"{\"id\": \"a\", \"path\": \"" + file + "\", \"format\": \"csv\"}", "400", "format"},
        {"{\"id\": \"a\", \"url\": \"ftp://h/x\"}", "400", "url"},
        {"{\"id\": \"a\", \"path\": \"relative/list.txt\"}", "400", "path"},
        {"{\"id\": \"a\", \"path\": \"" + dir.resolve("missing.txt") + "\"}", "400", "path"},
        {"{\"id\": \"a\", \"path\": \"/dev/zero\"}", "400", "path"},
        {"{\"id\": \"a\", \"path\": \"" + file + "\", \"refresh\": \"soon\"}", "400", "refresh"},
        {"{\"id\": \"a\", \"path\": \"" + file + "\", \"categories\": [\"x\"]}", "400",
            "categories"},
        {"{\"id\": \"a\", \"path\": \"" + file + "\", \"colour\": \"red\"}", "400", "colour"},
        {"{\"id\": \"Not An Id\", \"path\": \"" + file + "\"}", "400", "id"},
        {"{\"id\": \"a\", \"path\": \"" + file + "\", \"sha256\": \"12\"}", "400", "sha256"},
        {"{\"id\": \"a\"}", "400", null},
        {"[1, 2]", "400", null},
        {"{\"id\": \"ads\", \"path\": \"" + file + "\"}", "409", "id"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = admin("POST", "/api/v1/lists/sources", c[0]);
      assertEquals(Integer.parseInt(c[1]), r.statusCode(), c[0] + " -> " + r.body());
      JsonNode field = json(r).get("field");
      assertEquals(c[2], field == null ? null : field.asText(), c[0] + " -> " + r.body());
      assertFalse(r.body().contains("Exception"), r.body());
    }
    HttpResponse<String> mismatch = admin("PUT", "/api/v1/lists/sources/a", pathDoc("b", file));
    assertEquals(400, mismatch.statusCode());
    assertEquals("id", json(mismatch).get("field").asText());
    assertEquals(409, admin("PUT", "/api/v1/lists/sources/ads", pathDoc("ads", file))
        .statusCode(), "a config file source is changed in the config file");
    assertEquals(409, admin("DELETE", "/api/v1/lists/sources/ads", null).statusCode());
    assertEquals(0, count("list_sources"), "nothing stored");
    assertEquals(audits, count("audit_log"), "nothing audited");
    assertEquals(1, json(admin("GET", "/api/v1/lists", null)).size(), "nothing in force");

    assertEquals(201, admin("POST", "/api/v1/lists/sources", pathDoc("a", file)).statusCode());
    HttpResponse<String> twice = admin("POST", "/api/v1/lists/sources", pathDoc("a", file));
    assertEquals(409, twice.statusCode(), "POST creates; PUT changes");
    assertEquals("id", json(twice).get("field").asText());
  }

  @Test
  void withoutAnId_theIdIsMadeFromTheFileName_asInTheConfigFile() throws Exception {
    Path file = Files.writeString(dir.resolve("Local Blocks.txt"), "mx.test\n");
    HttpResponse<String> r = admin("POST", "/api/v1/lists/sources",
        "{\"path\": \"" + file + "\"}");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals("local-blocks.txt", json(r).get("id").asText());
    assertEquals("local-blocks.txt", json(r).get("source").get("id").asText());
  }

  @Test
  void lockedSources_areListCustodiansOnly_andSupportParentsAndReviewersChangeNone()
      throws Exception {
    Path legal = Files.writeString(dir.resolve("legal.txt"), "c3.test\n");
    String locked = "{\"id\": \"legal\", \"path\": \"" + legal + "\", \"category\": \"csam\","
        + " \"locked\": true}";
    HttpResponse<String> byAdmin = admin("POST", "/api/v1/lists/sources", locked);
    assertEquals(403, byAdmin.statusCode(), byAdmin.body());
    assertTrue(json(byAdmin).get("error").asText().contains("only a list custodian"));
    HttpResponse<String> override = admin("POST", "/api/v1/lists/sources", "{\"id\": \"pass\","
        + " \"path\": \"" + legal + "\", \"legal_override\": true}");
    assertEquals(403, override.statusCode(), "a legal override passes legal blocks: custodians");
    for (Role r : List.of(Role.SUPPORT, Role.PARENT, Role.APPEALS_REVIEWER)) {
      assertEquals(403, call("POST", "/api/v1/lists/sources", r, pathDoc("x", legal))
          .statusCode(), r.id());
      assertEquals(403, call("DELETE", "/api/v1/lists/sources/x", r, null).statusCode());
    }
    assertEquals(403, call("GET", "/api/v1/lists/sources", Role.PARENT, null).statusCode());
    assertEquals(0, count("list_sources"));

    HttpResponse<String> byCustodian = call("POST", "/api/v1/lists/sources",
        Role.LIST_CUSTODIAN, locked);
    assertEquals(201, byCustodian.statusCode(), byCustodian.body());
    assertEquals(Rcode.NXDOMAIN, rcode("c3.test."));
    JsonNode seen = json(admin("GET", "/api/v1/lists/sources/legal", null));
    assertFalse(seen.get("editable").asBoolean());
    assertFalse(seen.toString().contains("c3.test"), "no one sees entries: " + seen);
    assertEquals(403, admin("PUT", "/api/v1/lists/sources/legal", pathDoc("legal", legal))
        .statusCode(), "nor may an administrator unlock it");
    assertEquals(403, admin("DELETE", "/api/v1/lists/sources/legal", null).statusCode());
    assertEquals(204, call("DELETE", "/api/v1/lists/sources/legal", Role.LIST_CUSTODIAN, null)
        .statusCode());
    assertEquals(Rcode.NOERROR, rcode("c3.test."));
  }

  @Test
  void runTimeSources_neverQuoteTheFilesTheyRead() throws Exception {
    StringBuilder secret = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      secret.append("db_password=hunter").append(i).append('\n');
    }
    Path file = Files.writeString(dir.resolve("app.conf"), secret);
    HttpResponse<String> r = admin("POST", "/api/v1/lists/sources", pathDoc("conf", file));
    assertEquals(201, r.statusCode(), "stored: a source that fails keeps failing on its own");
    String error = json(r).get("lists").get(0).get("last_error").asText();
    assertTrue(error.contains("app.conf:1") && !error.contains("hunter"), error);
    for (Role role : List.of(Role.ADMINISTRATOR, Role.SUPPORT)) {
      assertFalse(call("GET", "/api/v1/lists", role, null).body().contains("hunter"));
    }
    assertFalse(Files.readString(data.resolve("lists/updates.jsonl")).contains("hunter"));
  }

  @Test
  void storedSources_serveAfterARestart_fromTheirSavedVersions_withoutTheirSource()
      throws Exception {
    Path extra = Files.writeString(dir.resolve("extra.txt"), "mail.test\n");
    assertEquals(201, admin("POST", "/api/v1/lists/sources", pathDoc("extra", extra))
        .statusCode());
    Files.delete(extra);
    shutdown();
    boot();
    assertEquals(Rcode.NXDOMAIN, rcode("mail.test."), "the saved version serves");
    JsonNode again = json(admin("GET", "/api/v1/lists/sources/extra", null));
    assertNull(again.get("problem"), again.toString());
    assertEquals("store", again.get("origin").asText());
  }

  @Test
  void aStoredIdTheConfigFileTakesLater_isShownNotInForce_andTheConfigFileWins()
      throws Exception {
    Path mine = Files.writeString(dir.resolve("mine.txt"), "a.test\n");
    assertEquals(201, admin("POST", "/api/v1/lists/sources", pathDoc("local", mine))
        .statusCode());
    shutdown();
    configId = "local"; // the operator now uses the id in the config file too
    boot();
    assertEquals(Rcode.NXDOMAIN, rcode("aaaa.test."), "the config file's list serves");
    assertEquals(Rcode.NOERROR, rcode("a.test."), "the stored one does not");
    JsonNode stored = json(admin("GET", "/api/v1/lists/sources", null)).get(1);
    assertEquals("store", stored.get("origin").asText());
    assertTrue(stored.get("problem").asText().contains("used by the config file"),
        stored.toString());
  }

  // --- console ---

  /** Signs in through the login form; returns a client holding the session cookie. */
  HttpClient signIn(String user) throws Exception {
    HttpClient c = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    String form = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port()
        + "/login")).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("name=\"_login\" value=\"([^\"]+)\"").matcher(form);
    assertTrue(m.find());
    c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("_login=" + m.group(1) + "&username=" + user
            + "&password=" + PASSWORD.replace(" ", "+"))).build(),
        HttpResponse.BodyHandlers.ofString());
    return c;
  }

  String page(HttpClient c, String query) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port()
        + "/admin/lists" + query)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  HttpResponse<String> post(HttpClient c, String path, Map<String, String> form)
      throws Exception {
    StringBuilder body = new StringBuilder();
    form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String csrf(String page) {
    Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
    assertTrue(m.find(), page);
    return m.group(1);
  }

  @Test
  void theConsole_addsChangesAndRemovesSources_withCsrf_andShowsConfigSourcesReadOnly()
      throws Exception {
    Accounts accounts = new Accounts(store);
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null, PASSWORD.toCharArray(),
        false);
    accounts.createUser(Principal.CLI, "helpdesk", Role.SUPPORT, null, PASSWORD.toCharArray(),
        false);
    HttpClient ops = signIn("ops");
    String first = page(ops, "");
    assertTrue(first.contains("config file (read-only)"), first);
    assertTrue(first.contains("<label for=\"f-location\">"), "labelled fields: " + first);
    assertFalse(first.contains("f-locked"), "locking is a list custodian's choice");
    assertEquals(1, first.split("id=\"f-source_id\"", -1).length - 1, "ids are unique");
    assertEquals(1, first.split("id=\"f-id\"", -1).length - 1, "ids are unique");
    String token = csrf(first);
    Path extra = Files.writeString(dir.resolve("extra.txt"), "mail.test\n");

    HttpResponse<String> forged = post(ops, "/admin/lists/sources", Map.of("mode", "create",
        "id", "extra", "location", extra.toString()));
    assertEquals(403, forged.statusCode(), "no CSRF token, no change");
    HttpResponse<String> bad = post(ops, "/admin/lists/sources", Map.of("_csrf", token,
        "mode", "create", "source_id", "extra", "location", "relative.txt"));
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("id=\"f-location\" name=\"location\" type=\"text\""
        + " value=\"relative.txt\" aria-invalid=\"true\""), bad.body());
    assertEquals(0, count("list_sources"));

    HttpResponse<String> saved = post(ops, "/admin/lists/sources", Map.of("_csrf", token,
        "mode", "create", "source_id", "extra", "location", extra.toString(), "format", "domains",
        "category", "ads", "refresh", "1m"));
    assertEquals(200, saved.statusCode(), saved.body());
    assertTrue(saved.body().contains("Source extra is saved and in force"), saved.body());
    assertEquals(Rcode.NXDOMAIN, rcode("mail.test."));

    String edit = page(ops, "?edit=extra");
    assertTrue(edit.contains("Change the source extra"), edit);
    assertTrue(edit.contains("value=\"1m\""), edit);
    HttpResponse<String> changed = post(ops, "/admin/lists/sources", Map.of("_csrf", token,
        "mode", "replace", "source_id", "extra", "location", extra.toString(), "format", "domains",
        "refresh", "2m"));
    assertEquals(200, changed.statusCode(), changed.body());
    assertEquals("2m", json(admin("GET", "/api/v1/lists/sources/extra", null)).get("source")
        .get("refresh").asText());

    String support = page(signIn("helpdesk"), "?lang=es");
    assertTrue(support.contains("Fuentes") && support.contains("extra"), support);
    assertFalse(support.contains("action=\"/admin/lists/sources\""), "support reads only");

    HttpResponse<String> removed = post(ops, "/admin/lists/sources/delete", Map.of("_csrf",
        token, "id", "extra"));
    assertEquals(200, removed.statusCode(), removed.body());
    assertTrue(removed.body().contains("Source extra was removed"), removed.body());
    assertEquals(Rcode.NOERROR, rcode("mail.test."));
    assertNotNull(json(admin("GET", "/api/v1/audit?action=list_source.delete", null)).get(0));
  }
}
