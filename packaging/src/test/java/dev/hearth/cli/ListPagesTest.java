package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import dev.hearth.blocklists.SafetyPolicy;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * Block lists from the admin side, against a real catalog of list files, a running resolver and
 * real HTTP: "refresh now" puts a changed file in force for the next query, rollback undoes it,
 * a locked legal list can be rolled back by a list custodian only, and each action is audited.
 */
class ListPagesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  TestAuthServer upstream;
  DnsServer dns;
  AdminStore store;
  AdminServer web;
  ScheduledExecutorService listThread;
  Map<Role, String> tokens = new EnumMap<>(Role.class);
  Path ads;
  Path legal;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestAuthServer();
    ads = dir.resolve("ads.txt");
    legal = dir.resolve("legal.txt");
    Files.writeString(ads, "aaaa.test\n");
    Files.writeString(legal, "legal-one.test\n");
    Path data = Files.createDirectories(dir.resolve("data"));
    List<ListSource> configured = List.of(
        new ListSource("ads", ads.toString(), Format.AUTO, null, false, false,
            Duration.ofHours(1), null, null, null),
        new ListSource("legal", legal.toString(), Format.AUTO, "csam", true, false,
            Duration.ofHours(1), null, null, null));
    ListCatalog catalog = new ListCatalog(data, configured,
        new SafetyPolicy(List.of(), 1.0, 100.0, 0.5), null, line -> { },
        Clock.systemUTC());
    catalog.open();
    store = AdminStore.open(dir.resolve("admin.db"));
    Settings.Builder b = Settings.builder();
    PolicyService policy = new PolicyService(store, b.build().policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        catalog.snapshot(), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    listThread = Executors.newSingleThreadScheduledExecutor();
    Accounts accounts = new Accounts(store);
    for (Role r : List.of(Role.ADMINISTRATOR, Role.LIST_CUSTODIAN, Role.SUPPORT)) {
      tokens.put(r, accounts.createToken(Principal.CLI, r.id(), r, null));
    }
    web = new AdminServer(store, accounts, policy, dns.policy(), dns::stats,
        new ServerListOperations(catalog, dns, listThread, data, configured))
        .start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    web.close();
    dns.close();
    store.close();
    upstream.close();
    listThread.shutdownNow();
  }

  HttpResponse<String> call(String method, String path, Role role) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + web.port() + path)).header("Authorization", "Bearer "
        + tokens.get(role)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  int rcode(String name) throws Exception {
    SimpleResolver r = new SimpleResolver(dns.boundAddresses().get(0));
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1)))
        .getRcode();
  }

  /** Signs in through the login form; returns a client holding the session cookie. */
  HttpClient signIn(String user, String password) throws Exception {
    HttpClient c = HttpClient.newBuilder().cookieHandler(new java.net.CookieManager()).build();
    String form = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port()
        + "/login")).build(), HttpResponse.BodyHandlers.ofString()).body();
    var m = java.util.regex.Pattern.compile("name=\"_login\" value=\"([^\"]+)\"").matcher(form);
    assertTrue(m.find());
    c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("_login=" + m.group(1) + "&username=" + user
            + "&password=" + password.replace(" ", "+"))).build(),
        HttpResponse.BodyHandlers.ofString());
    return c;
  }

  @Test
  void theListsPage_showsFreshnessToEveryone_andActionsToManagers() throws Exception {
    Accounts accounts = new Accounts(store);
    accounts.createUser(Principal.CLI, "helpdesk", Role.SUPPORT, null,
        "a long enough password".toCharArray(), false);
    accounts.createUser(Principal.CLI, "ops", Role.ADMINISTRATOR, null,
        "a long enough password".toCharArray(), false);
    URI page = URI.create("http://127.0.0.1:" + web.port() + "/admin/lists");
    String seen = signIn("helpdesk", "a long enough password").send(HttpRequest.newBuilder(page)
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(seen.contains("<td>ads</td>"), seen);
    assertTrue(seen.contains("csam (locked legal list)"), seen);
    assertTrue(!seen.contains("Check every source now"), "support cannot act");
    HttpClient ops = signIn("ops", "a long enough password");
    String opsPage = ops.send(HttpRequest.newBuilder(page).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(opsPage.contains("Check every source now"), opsPage);
    var csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
        .matcher(opsPage);
    assertTrue(csrf.find());
    Files.writeString(ads, "aaaa.test\nmx.test\n");
    String after = ops.send(HttpRequest.newBuilder(URI.create(page + "/refresh"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + csrf.group(1))).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(after.contains("at least one list changed"), after);
    assertTrue(after.contains("&quot;added&quot;:1"), "the update log shows the diff: " + after);
    assertEquals(Rcode.NXDOMAIN, rcode("mx.test."));
  }

  @Test
  void refreshNow_thenRollback_changeTheNextAnswer_andLockedListsNeedACustodian()
      throws Exception {
    JsonNode lists = JSON.readTree(call("GET", "/api/v1/lists", Role.SUPPORT).body());
    assertEquals(2, lists.size(), lists.toString());
    assertEquals(1, lists.get(0).get("entries").asInt());
    assertEquals(Rcode.NXDOMAIN, rcode("aaaa.test."));
    assertEquals(Rcode.NOERROR, rcode("mx.test."));

    Files.writeString(ads, "aaaa.test\nmx.test\n");
    assertEquals(403, call("POST", "/api/v1/lists/refresh", Role.SUPPORT).statusCode());
    HttpResponse<String> refreshed = call("POST", "/api/v1/lists/refresh", Role.ADMINISTRATOR);
    assertEquals(200, refreshed.statusCode(), refreshed.body());
    assertTrue(JSON.readTree(refreshed.body()).get("changed").asBoolean());
    assertEquals(Rcode.NXDOMAIN, rcode("mx.test."), "the new version is in force");

    assertEquals(204, call("POST", "/api/v1/lists/ads/rollback", Role.ADMINISTRATOR)
        .statusCode());
    assertEquals(Rcode.NOERROR, rcode("mx.test."), "rolled back");
    assertEquals(409, call("POST", "/api/v1/lists/ads/rollback", Role.ADMINISTRATOR)
        .statusCode(), "no earlier version left");
    assertEquals(404, call("POST", "/api/v1/lists/nope/rollback", Role.ADMINISTRATOR)
        .statusCode());

    Files.writeString(legal, "legal-one.test\nlegal-two.test\n");
    call("POST", "/api/v1/lists/refresh", Role.LIST_CUSTODIAN);
    HttpResponse<String> admin = call("POST", "/api/v1/lists/legal/rollback",
        Role.ADMINISTRATOR);
    assertEquals(403, admin.statusCode(), admin.body());
    assertTrue(admin.body().contains("only a list custodian"), admin.body());
    assertEquals(204, call("POST", "/api/v1/lists/legal/rollback", Role.LIST_CUSTODIAN)
        .statusCode());

    JsonNode audit = JSON.readTree(call("GET", "/api/v1/audit?action=lists.",
        Role.ADMINISTRATOR).body());
    assertEquals(4, audit.size(), audit.toString());
    assertEquals("token:list-custodian", audit.get(0).get("actor").asText());
  }
}
