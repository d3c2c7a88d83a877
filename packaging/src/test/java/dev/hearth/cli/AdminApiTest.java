package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The admin API over real HTTP, on a real SQLite file, driving a real resolver: a change made
 * through the API shows in the next DNS answer, an invalid one stores nothing, every route checks
 * the caller's role, and the store's failures leave the running policy as it was.
 */
class AdminApiTest {
  static final String CONFIG = """
      policy:
        protected: [aaaa.test]
        profiles:
          - {id: kids, block_categories: [adult]}
          - {id: config-only, preset: adult}
      """;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  TestAuthServer upstream;
  DnsServer dns;
  AdminStore store;
  PolicyService policy;
  AdminServer web;
  HttpClient http = HttpClient.newHttpClient();
  Map<Role, String> tokens = new EnumMap<>(Role.class);

  @BeforeEach
  void start() throws Exception {
    upstream = new TestAuthServer();
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(CONFIG, "test.yaml", b);
    Settings settings = b.build();
    store = AdminStore.open(dir.resolve("admin.db"));
    policy = new PolicyService(store, settings.policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(adultList()), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    Accounts accounts = new Accounts(store);
    for (Role r : Role.values()) {
      tokens.put(r, accounts.createToken(Principal.CLI, r.id() + "-token", r,
          r == Role.PARENT ? "house-1" : null));
    }
    web = new AdminServer(store, accounts, policy, dns.policy(), dns::stats)
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

  static CompiledList adultList() {
    ListInfo adult = new ListInfo("adult", "adult", false, false, "v1", List.of());
    return CompiledList.builder(adult, NameHasher.PLAIN).add(Rule.block("a.test")).build("v1");
  }

  // --- helpers ---

  HttpResponse<String> call(String method, String path, Role role, String body)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port()
        + path)).timeout(Duration.ofSeconds(20));
    if (role != null) {
      r.header("Authorization", "Bearer " + tokens.get(role));
    }
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return call(method, path, Role.ADMINISTRATOR, body);
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  Message query(String name) throws Exception {
    SimpleResolver r = new SimpleResolver(dns.boundAddresses().get(0));
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1)));
  }

  static int ede(Message m) {
    if (m.getOPT() == null) {
      return -1;
    }
    for (EDNSOption o : m.getOPT().getOptions()) {
      if (o instanceof ExtendedErrorCodeOption e) {
        return e.getErrorCode();
      }
    }
    return -1;
  }

  int auditCount() throws Exception {
    return store.read(c -> {
      try (Statement s = c.createStatement();
          var rs = s.executeQuery("SELECT COUNT(*) FROM audit_log")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  // --- tests ---

  @Test
  void subscriberAndBinding_madeThroughTheApi_applyToTheNextQuery_andAreAudited()
      throws Exception {
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "unidentified: baseline only");
    HttpResponse<String> put = admin("PUT", "/api/v1/subscribers/house-1",
        "{\"profile\": \"kids\", \"timezone\": \"Europe/London\"}");
    assertEquals(201, put.statusCode(), put.body());
    assertEquals("kids", json(put).get("profile").asText());
    HttpResponse<String> bind = admin("POST", "/api/v1/bindings",
        "{\"address\": \"127.0.0.1\", \"subscriber\": \"house-1\"}");
    assertEquals(200, bind.statusCode(), bind.body());
    assertEquals("127.0.0.1/32", json(bind).get("address").asText());

    Message blocked = query("a.test.");
    assertEquals(Rcode.NXDOMAIN, blocked.getRcode());
    assertEquals(17, ede(blocked), "a household's own choice: Filtered");

    HttpResponse<String> explain = admin("GET",
        "/api/v1/explain?client=127.0.0.1&name=a.test", null);
    assertEquals(200, explain.statusCode(), explain.body());
    assertTrue(json(explain).get("blocked").asBoolean());
    assertEquals("kids", json(explain).get("profile").asText());

    JsonNode stats = json(admin("GET", "/api/v1/stats", null));
    assertTrue(stats.get("queries").asLong() >= 2, stats.toString());
    assertEquals(1, stats.get("blocked_by_category").get("adult").asLong(), stats.toString());
    assertEquals("adult", stats.get("lists").get(0).get("id").asText());
    assertTrue(stats.get("upstreams").get(0).get("up").asBoolean(), stats.toString());
    assertEquals(204, admin("DELETE", "/api/v1/bindings?address=127.0.0.1/32", null)
        .statusCode());
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "unbound: baseline again");

    JsonNode audit = json(admin("GET", "/api/v1/audit?action=binding.", null));
    assertEquals(2, audit.size());
    assertEquals("binding.unbind", audit.get(0).get("action").asText());
    assertEquals("token:administrator-token", audit.get(0).get("actor").asText());
    JsonNode created = json(admin("GET", "/api/v1/audit?target=subscriber:house-1", null));
    assertEquals("subscriber.create", created.get(0).get("action").asText());
    assertTrue(created.get(0).get("after").asText().contains("Europe/London"));
  }

  @Test
  void invalidDocuments_areRefusedWithTheField_andNothingIsStoredOrPublished() throws Exception {
    long version = policy.version();
    int audits = auditCount();
    HttpResponse<String> badTime = admin("PUT", "/api/v1/profiles/teen",
        "{\"preset\": \"teen\", \"schedules\": [{\"days\": [\"mon\"], \"from\": \"25:00\","
            + " \"to\": \"07:00\", \"block\": \"all\"}]}");
    assertEquals(400, badTime.statusCode(), badTime.body());
    assertEquals("schedules[0].from", json(badTime).get("field").asText());
    assertTrue(json(badTime).get("error").asText().contains("'25:00' is not a time of day"));

    HttpResponse<String> noProfile = admin("PUT", "/api/v1/subscribers/h9",
        "{\"profile\": \"missing\"}");
    assertEquals(400, noProfile.statusCode());
    assertEquals("profile", json(noProfile).get("field").asText());

    HttpResponse<String> notBoolean = admin("PUT", "/api/v1/subscribers/h9",
        "{\"profile\": \"config-only\", \"activity_summary\": \"please\"}");
    assertEquals(400, notBoolean.statusCode(), notBoolean.body());
    assertEquals("activity_summary", json(notBoolean).get("field").asText());

    HttpResponse<String> clash = admin("PUT", "/api/v1/profiles/config-only",
        "{\"preset\": \"teen\"}");
    assertEquals(400, clash.statusCode());
    assertTrue(json(clash).get("error").asText().contains("defined in the config file"));

    HttpResponse<String> idMismatch = admin("PUT", "/api/v1/profiles/a",
        "{\"id\": \"b\"}");
    assertEquals(400, idMismatch.statusCode());
    assertEquals("id", json(idMismatch).get("field").asText());

    assertEquals(400, admin("PUT", "/api/v1/profiles/a", "{not json").statusCode());
    assertEquals(400, admin("PUT", "/api/v1/profiles/a", "[1, 2]").statusCode());
    assertEquals(400, admin("PUT", "/api/v1/profiles/bad%20id", "{}").statusCode());
    HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + web.port() + "/api/v1/profiles/a"))
        .header("Authorization", "Bearer " + tokens.get(Role.ADMINISTRATOR))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("{}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(415, plain.statusCode());
    String huge = HeadOnlyRequest.send(web.port(), 2 << 20, "PUT /api/v1/profiles/a",
        "Authorization: Bearer " + tokens.get(Role.ADMINISTRATOR),
        "Content-Type: application/json");
    assertTrue(huge.startsWith("HTTP/1.1 413"), huge);
    HttpResponse<String> badBind = admin("POST", "/api/v1/bindings",
        "{\"address\": \"300.1.1.1\", \"subscriber\": \"house-1\"}");
    assertEquals(400, badBind.statusCode());
    assertEquals("address", json(badBind).get("field").asText());

    assertEquals(version, policy.version(), "nothing published");
    assertEquals(audits, auditCount(), "nothing audited");
    assertEquals(0, json(admin("GET", "/api/v1/profiles", null)).size(), "nothing stored");
    for (HttpResponse<String> r : List.of(badTime, noProfile, notBoolean, clash, plain)) {
      assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
    }
    assertFalse(huge.contains("Exception") || huge.contains("\tat "), huge);
  }

  @Test
  void deletingAProfileInUse_isRefused_untilNothingRefersToIt() throws Exception {
    assertEquals(201, admin("PUT", "/api/v1/profiles/teen", "{\"preset\": \"teen\"}")
        .statusCode());
    assertEquals(201, admin("PUT", "/api/v1/subscribers/h1", "{\"profile\": \"teen\","
        + " \"addresses\": [\"192.0.2.0/24\"]}").statusCode());
    HttpResponse<String> refused = admin("DELETE", "/api/v1/profiles/teen", null);
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(json(refused).get("error").asText().contains("subscriber 'h1'"), refused.body());
    assertEquals(204, admin("DELETE", "/api/v1/subscribers/h1", null).statusCode());
    assertEquals(204, admin("DELETE", "/api/v1/profiles/teen", null).statusCode());
    assertEquals(404, admin("DELETE", "/api/v1/profiles/teen", null).statusCode());
    assertEquals(404, admin("GET", "/api/v1/profiles/teen", null).statusCode());
  }

  @Test
  void presets_builtInAndStored_changeTheProfilesBuiltFromThem_onTheNextQuery()
      throws Exception {
    JsonNode all = json(call("GET", "/api/v1/presets", Role.SUPPORT, null));
    assertEquals(5, all.size(), all.toString());
    assertEquals("young-child", all.get(0).get("id").asText());
    assertTrue(all.get(0).get("built_in").asBoolean());
    assertFalse(all.get(0).get("stored").asBoolean());

    // A new preset, and a profile that names it, for the household at 127.0.0.1.
    int audits = auditCount();
    HttpResponse<String> created = admin("PUT", "/api/v1/presets/strict",
        "{\"name\": \"Strict\", \"block_bypass\": true, \"block_categories\": [\"adult\"]}");
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(audits + 1, auditCount());
    assertEquals(201, admin("PUT", "/api/v1/profiles/p-strict", "{\"preset\": \"strict\"}")
        .statusCode());
    assertEquals(201, admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\":"
        + " \"p-strict\", \"addresses\": [\"127.0.0.1/32\"]}").statusCode());
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "the preset blocks adult");
    JsonNode strict = json(admin("GET", "/api/v1/presets/strict", null));
    assertFalse(strict.get("built_in").asBoolean());
    assertTrue(strict.get("stored").asBoolean());
    assertEquals("Strict", policy.current().profiles().get("p-strict").name());

    // Invalid documents: 400 naming the field, nothing stored, nothing audited.
    audits = auditCount();
    for (String[] bad : new String[][] {
        {"{\"name\": \"B\", \"block_bypass\": \"maybe\"}", "block_bypass"},
        {"{\"name\": \"B\", \"block_categories\": []}", "block_categories"},
        {"{\"name\": \"\"}", "name"},
        {"{\"name\": \"B\", \"colour\": \"red\"}", "colour"}}) {
      HttpResponse<String> r = admin("PUT", "/api/v1/presets/bad", bad[0]);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(json(r).get("field").asText().contains(bad[1]), bad[0] + ": " + r.body());
    }
    assertEquals(404, admin("GET", "/api/v1/presets/bad", null).statusCode());
    assertEquals(audits, auditCount());
    HttpResponse<String> unknown = admin("PUT", "/api/v1/profiles/p-x", "{\"preset\": \"bad\"}");
    assertEquals(400, unknown.statusCode());
    assertEquals("preset", json(unknown).get("field").asText(), unknown.body());

    // Editing the preset changes the profile built from it on the next query.
    assertEquals(200, admin("PUT", "/api/v1/presets/strict",
        "{\"name\": \"Strict\", \"block_categories\": [\"gambling\"]}").statusCode());
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "adult no longer blocked");

    // In use: refused with the reason; unused: deleted.
    HttpResponse<String> inUse = admin("DELETE", "/api/v1/presets/strict", null);
    assertEquals(400, inUse.statusCode());
    assertTrue(json(inUse).get("error").asText().contains("'p-strict'"), inUse.body());
    assertNotNull(policy.get(dev.hearth.admin.policy.Kind.PRESET, "strict"));

    // A built-in adjusted: the config file's profile built from it follows; removing the
    // adjustment restores the built-in.
    admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\": \"config-only\","
        + " \"addresses\": [\"127.0.0.1/32\"]}");
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "built-in adult: security only");
    assertEquals(201, admin("PUT", "/api/v1/presets/adult",
        "{\"name\": \"Adult, stricter\", \"block_categories\": [\"adult\", \"malware\"]}")
        .statusCode());
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "the adjusted built-in");
    JsonNode adult = json(admin("GET", "/api/v1/presets/adult", null));
    assertTrue(adult.get("built_in").asBoolean() && adult.get("stored").asBoolean(),
        adult.toString());
    assertEquals("Adult, stricter", adult.get("name").asText());
    assertEquals(204, admin("DELETE", "/api/v1/presets/adult", null).statusCode());
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "the built-in is back");
    assertEquals(409, admin("DELETE", "/api/v1/presets/adult", null).statusCode());
    assertEquals(404, admin("DELETE", "/api/v1/presets/none", null).statusCode());
    JsonNode audit = json(admin("GET", "/api/v1/audit?action=preset.", null));
    assertEquals(4, audit.size(), audit.toString());

    // Stored presets survive a restart.
    web.close();
    web = null;
    store.close();
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(CONFIG, "test.yaml", b);
    store = AdminStore.open(dir.resolve("admin.db"));
    PolicyService again = new PolicyService(store, b.build().policyCompiler());
    again.open();
    assertTrue(again.presets().stream().anyMatch(p -> p.id().equals("strict")
        && p.categories().equals(java.util.Set.of("gambling"))), again.presets().toString());
    assertTrue(again.presets().stream().anyMatch(p -> p.id().equals("adult")
        && !p.categories().contains("adult")), "the removed adjustment stays removed");
  }

  @Test
  void storedPolicyAndBindings_surviveARestart() throws Exception {
    admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\": \"kids\"}");
    admin("POST", "/api/v1/bindings", "{\"address\": \"198.51.100.7\", \"subscriber\":"
        + " \"house-1\"}");
    web.close();
    web = null;
    store.close();
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(CONFIG, "test.yaml", b);
    store = AdminStore.open(dir.resolve("admin.db"));
    PolicyService again = new PolicyService(store, b.build().policyCompiler());
    var snapshot = again.open();
    assertNotNull(snapshot.directory().subscriber("house-1"));
    AddressBindings fresh = new AddressBindings();
    again.attach(s -> { }, fresh);
    assertEquals(1, fresh.size());
    assertEquals("kids", snapshot.directory().identify(null,
        dev.hearth.resolver.client.ClientOptions.NONE,
        java.net.InetAddress.getByName("198.51.100.7"), fresh).profileId());
  }

  @Test
  void everyRoute_checksTheCallersRole() throws Exception {
    admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\": \"kids\", \"addresses\":"
        + " [\"203.0.113.9/32\"], \"cpe_id\": \"router-9\"}");
    String[][] routes = {
        // method, path, body, roles allowed (initials: a=admin s=support r=reviewer c=custodian)
        {"GET", "/api/v1/status", null, "asrc"},
        {"GET", "/api/v1/profiles", null, "asrc"},
        {"GET", "/api/v1/profiles/kids", null, "asrc"},
        {"PUT", "/api/v1/profiles/p1", "{}", "a"},
        {"DELETE", "/api/v1/profiles/p404", null, "a"},
        {"GET", "/api/v1/networks", null, "asrc"},
        {"GET", "/api/v1/presets", null, "asrc"},
        {"GET", "/api/v1/presets/teen", null, "asrc"},
        {"PUT", "/api/v1/presets/x1", "{\"name\": \"X\"}", "a"},
        {"DELETE", "/api/v1/presets/x404", null, "a"},
        {"PUT", "/api/v1/networks/n1", "{\"profile\": \"kids\", \"addresses\": [\"10.9.0.0/16\"]}",
            "a"},
        {"GET", "/api/v1/subscribers", null, "as"},
        {"GET", "/api/v1/subscribers/house-1", null, "as"},
        {"PUT", "/api/v1/subscribers/house-2", "{\"profile\": \"kids\"}", "a"},
        {"POST", "/api/v1/subscribers/house-1/pause", "{\"minutes\": 5}", "a"},
        {"POST", "/api/v1/subscribers/house-1/grants", "{\"minutes\": 5, \"target\": \"x.test\"}",
            "a"},
        {"GET", "/api/v1/bindings", null, "as"},
        {"POST", "/api/v1/bindings", "{\"address\": \"10.1.1.1\", \"subscriber\": \"house-1\"}",
            "a"},
        {"GET", "/api/v1/explain?client=10.1.1.1&name=a.test", null, "asr"},
        {"GET", "/api/v1/audit", null, "a"},
        {"GET", "/api/v1/tokens", null, "a"},
        {"GET", "/api/v1/users", null, "a"},
        {"DELETE", "/api/v1/users/nobody", null, "a"},
        {"POST", "/api/v1/subscribers/house-1/signup-code", null, "a"},
        {"GET", "/api/v1/stats", null, "asrc"},
        {"POST", "/api/v1/users", "{\"username\": \"u1\", \"role\": \"support\", \"password\":"
            + " \"a long enough password\"}", "a"},
    };
    Map<Character, Role> initials = Map.of('a', Role.ADMINISTRATOR, 's', Role.SUPPORT,
        'r', Role.APPEALS_REVIEWER, 'c', Role.LIST_CUSTODIAN, 'p', Role.PARENT);
    for (String[] route : routes) {
      HttpResponse<String> anon = call(route[0], route[1], null, route[2]);
      assertEquals(401, anon.statusCode(), "anonymous " + route[0] + " " + route[1]);
      for (Map.Entry<Character, Role> e : initials.entrySet()) {
        HttpResponse<String> r = call(route[0], route[1], e.getValue(), route[2]);
        boolean allowed = route[3].indexOf(e.getKey()) >= 0;
        String what = e.getValue().id() + " " + route[0] + " " + route[1] + ": " + r.body();
        if (allowed) {
          assertTrue(r.statusCode() != 401 && r.statusCode() != 403, what);
        } else {
          assertEquals(403, r.statusCode(), what);
        }
      }
    }
    // Support reads households with the identifying parts masked.
    JsonNode masked = json(call("GET", "/api/v1/subscribers/house-1", Role.SUPPORT, null));
    assertEquals("(masked)", masked.get("cpe_id").asText());
    assertFalse(masked.toString().contains("203.0.113.9"), masked.toString());
    assertTrue(json(admin("GET", "/api/v1/subscribers/house-1", null)).toString()
        .contains("203.0.113.9"));
    assertFalse(call("GET", "/api/v1/bindings", Role.SUPPORT, null).body().contains("10.1.1.1"));
    // A revoked token is refused at once.
    String id = tokens.get(Role.SUPPORT).substring(4, 16);
    assertEquals(204, admin("DELETE", "/api/v1/tokens/" + id, null).statusCode());
    assertEquals(401, call("GET", "/api/v1/status", Role.SUPPORT, null).statusCode());
  }

  @Test
  void pauseAndGrant_applyToTheNextQuery_andExplainSeesThem() throws Exception {
    admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\": \"kids\", \"addresses\":"
        + " [\"127.0.0.1/32\"]}");
    assertEquals(Rcode.NOERROR, query("mx.test.").getRcode());
    HttpResponse<String> pause = admin("POST", "/api/v1/subscribers/house-1/pause",
        "{\"minutes\": 30}");
    assertEquals(200, pause.statusCode(), pause.body());
    assertEquals(Rcode.NXDOMAIN, query("mx.test.").getRcode(), "paused");
    assertEquals(Rcode.NOERROR, query("aaaa.test.").getRcode(), "protected stays up");
    JsonNode byCategory = json(admin("GET", "/api/v1/stats", null)).get("blocked_by_category");
    java.util.List<String> keys = new java.util.ArrayList<>();
    byCategory.fieldNames().forEachRemaining(keys::add);
    assertTrue(keys.stream().anyMatch(k -> k.startsWith("(") && k.endsWith(")")
        && !k.equals("(operator)")), "the pause's block is counted under its rule: " + keys);
    JsonNode explain = json(admin("GET", "/api/v1/explain?client=127.0.0.1&name=mx.test",
        null));
    assertTrue(explain.get("blocked").asBoolean(), explain.toString());
    assertTrue(explain.get("trace").toString().contains("pause"), explain.toString());
    assertEquals(204, admin("DELETE", "/api/v1/subscribers/house-1/pause", null).statusCode());
    assertEquals(Rcode.NOERROR, query("mx.test.").getRcode());

    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "adult category");
    HttpResponse<String> grant = admin("POST", "/api/v1/subscribers/house-1/grants",
        "{\"minutes\": 60, \"target\": \"a.test\"}");
    assertEquals(200, grant.statusCode(), grant.body());
    assertEquals(Rcode.NOERROR, query("a.test.").getRcode(), "granted for an hour");
    assertEquals(204, admin("DELETE", "/api/v1/subscribers/house-1/grants?target=a.test", null)
        .statusCode());
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode());
    JsonNode audit = json(admin("GET", "/api/v1/audit?action=override.", null));
    assertEquals(4, audit.size(), audit.toString());
    assertEquals(400, admin("POST", "/api/v1/subscribers/house-1/pause", "{\"minutes\": 0}")
        .statusCode());
    assertEquals(404, admin("POST", "/api/v1/subscribers/nobody/pause", "{\"minutes\": 5}")
        .statusCode());
  }

  @Test
  void aLockedDatabase_answers503_andTheRunningPolicyStays() throws Exception {
    admin("PUT", "/api/v1/subscribers/house-1", "{\"profile\": \"kids\", \"addresses\":"
        + " [\"127.0.0.1/32\"]}");
    long version = policy.version();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + store.file());
        Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      HttpResponse<String> r = admin("PUT", "/api/v1/subscribers/house-1",
          "{\"profile\": \"config-only\", \"addresses\": [\"127.0.0.1/32\"]}");
      assertEquals(503, r.statusCode(), r.body());
      assertTrue(json(r).get("error").asText().contains("locked"), r.body());
      s.execute("ROLLBACK");
    }
    assertEquals(version, policy.version(), "nothing published");
    assertEquals(Rcode.NXDOMAIN, query("a.test.").getRcode(), "still the kids profile");
    assertEquals("kids", json(admin("GET", "/api/v1/subscribers/house-1", null))
        .get("profile").asText());
  }

  @Test
  void auditCsv_andHealth_andTheApiDescription() throws Exception {
    admin("PUT", "/api/v1/profiles/p1", "{\"name\": \"=HYPERLINK(\\\"x\\\")\"}");
    HttpResponse<String> csv = admin("GET", "/api/v1/audit?format=csv", null);
    assertEquals(200, csv.statusCode());
    assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
    assertTrue(csv.body().startsWith("id,at,actor,action,target,before,after\r\n"), csv.body());
    assertTrue(csv.body().contains("profile.create"));
    assertEquals(400, admin("GET", "/api/v1/audit?since=yesterday", null).statusCode());

    HttpResponse<String> health = call("GET", "/healthz", null, null);
    assertEquals(200, health.statusCode());
    assertEquals("ok", json(health).get("status").asText());
    assertEquals("nosniff", health.headers().firstValue("X-Content-Type-Options").orElse(""));

    HttpResponse<String> api = call("GET", "/api/openapi.json", null, null);
    assertEquals(200, api.statusCode());
    JsonNode paths = json(api).get("paths");
    for (String p : List.of("/api/v1/profiles/{id}", "/api/v1/subscribers/{id}",
        "/api/v1/networks/{id}", "/api/v1/bindings", "/api/v1/explain", "/api/v1/audit",
        "/api/v1/tokens", "/api/v1/users", "/api/v1/subscribers/{id}/pause",
        "/api/v1/subscribers/{id}/grants", "/api/v1/status", "/healthz", "/api/v1/stats",
        "/api/v1/subscribers/{id}/signup-code", "/api/v1/appeals", "/api/v1/appeals/{ticket}",
        "/api/v1/appeals/{ticket}/take", "/api/v1/appeals/{ticket}/decision",
        "/api/v1/appeals/{ticket}/referral", "/api/v1/appeals/{ticket}/close",
        "/api/v1/appeal-overrides", "/api/v1/appeal-overrides/{name}", "/api/v1/lists/sources",
        "/api/v1/lists/sources/{id}", "/api/v1/presets", "/api/v1/presets/{id}")) {
      assertNotNull(paths.get(p), p + " is described");
    }
    HttpResponse<String> missing = admin("GET", "/api/v1/nothing-here", null);
    assertEquals(404, missing.statusCode());
    assertTrue(json(missing).get("error").asText().contains("not found"), missing.body());
  }

  @Test
  void appealRoutes_areScopedByRole_andBadInputNamesTheField() throws Exception {
    for (Role r : Role.values()) {
      int expected = r == Role.ADMINISTRATOR || r == Role.SUPPORT || r == Role.APPEALS_REVIEWER
          ? 200 : 403;
      assertEquals(expected, call("GET", "/api/v1/appeals", r, null).statusCode(), r.id());
      int decide = call("POST", "/api/v1/appeals/HA-0000000000/decision", r,
          "{\"outcome\": \"unblocked\", \"note\": \"n\"}").statusCode();
      assertEquals(r == Role.ADMINISTRATOR || r == Role.APPEALS_REVIEWER ? 404 : 403, decide,
          r.id());
    }
    HttpResponse<String> bad = call("POST", "/api/v1/appeals/HA-0000000000/decision",
        Role.APPEALS_REVIEWER, "{\"outcome\": \"maybe\", \"note\": \"n\"}");
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("outcome", json(bad).get("field").asText());
    assertEquals(404, call("GET", "/api/v1/appeals/HA-0000000000", Role.SUPPORT, null)
        .statusCode());
    assertEquals(404, call("GET", "/api/v1/appeals/not-a-ticket", Role.SUPPORT, null)
        .statusCode());
    assertEquals(200, call("GET", "/api/v1/appeal-overrides", Role.LIST_CUSTODIAN, null)
        .statusCode());
    assertEquals(403, call("DELETE", "/api/v1/appeal-overrides/x.example",
        Role.APPEALS_REVIEWER, null).statusCode());
  }

  @Test
  void reviewFixes_maskingDeletionCascadeAndDottedIds() throws Exception {
    // An address given as one string (the reader accepts it) is masked for support too.
    assertEquals(201, admin("PUT", "/api/v1/subscribers/h-str", "{\"profile\": \"kids\","
        + " \"addresses\": \"203.0.113.5/32\"}").statusCode());
    String support = call("GET", "/api/v1/subscribers/h-str", Role.SUPPORT, null).body();
    assertFalse(support.contains("203.0.113.5"), support);
    // Errors in documents with dotted ids name the right document and field.
    HttpResponse<String> dotted = admin("PUT", "/api/v1/profiles/house-1.kids",
        "{\"allow\": [\"not a name!\"]}");
    assertEquals(400, dotted.statusCode());
    assertEquals("allow[0]", json(dotted).get("field").asText(), dotted.body());
    assertEquals("house-1.kids", json(dotted).get("error").asText().split("'")[1]);
    // Deleting a household takes its parents, codes, pauses and grants with it.
    admin("PUT", "/api/v1/subscribers/gone", "{\"profile\": \"kids\"}");
    new Accounts(store).createUser(Principal.CLI, "gone-parent", Role.PARENT, "gone",
        "a long parent password".toCharArray(), false);
    String code = json(admin("POST", "/api/v1/subscribers/gone/signup-code", null))
        .get("code").asText();
    assertEquals(200, admin("POST", "/api/v1/subscribers/gone/pause", "{\"minutes\": 60}")
        .statusCode());
    assertEquals(204, admin("DELETE", "/api/v1/subscribers/gone", null).statusCode());
    assertFalse(dns.policy().overrides().isPaused("gone", "kids"));
    assertTrue(new Accounts(store).login("gone-parent", "a long parent password".toCharArray())
        == null, "the parent account went with the household");
    assertThrows(IllegalArgumentException.class, () -> new Accounts(store)
        .redeemSignupCode(code, "newcomer", "a long parent password".toCharArray()));
    // /healthz says whether there is a problem, not what it is.
    assertFalse(call("GET", "/healthz", null, null).body().contains("problem\":\""));
    // Support staff cannot map addresses to households through explain.
    admin("PUT", "/api/v1/subscribers/h-map", "{\"profile\": \"kids\", \"addresses\":"
        + " [\"203.0.113.77/32\"]}");
    String explained = call("GET", "/api/v1/explain?client=203.0.113.77&name=a.test",
        Role.SUPPORT, null).body();
    assertFalse(explained.contains("h-map"), explained);
    assertTrue(admin("GET", "/api/v1/explain?client=203.0.113.77&name=a.test", null).body()
        .contains("h-map"), "administrators see it");
    // Users can be removed.
    assertEquals(201, admin("POST", "/api/v1/users", "{\"username\": \"temp\", \"role\":"
        + " \"support\", \"password\": \"a long enough password\"}").statusCode());
    assertEquals(204, admin("DELETE", "/api/v1/users/temp", null).statusCode());
    assertEquals(404, admin("DELETE", "/api/v1/users/temp", null).statusCode());
  }

  @Test
  void aBindingForAnUnknownSubscriber_isRefused() throws Exception {
    HttpResponse<String> r = admin("POST", "/api/v1/bindings",
        "{\"address\": \"10.0.0.1\", \"subscriber\": \"ghost\"}");
    assertEquals(400, r.statusCode());
    assertEquals("subscriber", json(r).get("field").asText());
    assertEquals(0, dns.policy().bindings().size());
    assertEquals(400, admin("POST", "/api/v1/bindings", "{\"address\": \"10.0.0.1\"}")
        .statusCode());
    assertEquals(404, admin("DELETE", "/api/v1/bindings?address=10.0.0.1", null).statusCode());
    assertNotNull(Prefix.parse("10.0.0.1"));
  }
}
