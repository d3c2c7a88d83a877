package dev.hearth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.activity.ActivitySummaries;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.admin.web.PublicSettings;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
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
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Everything the web security tests attack, started for real in-process: a resolver with a real
 * upstream, the admin store, list catalog and run-time sources (so every route is registered),
 * and the admin server on a loopback port, with one signed-in browser-like session and one API
 * token per role. Shared by {@link WebSecurityTest} and {@link WebFormsFuzzTest}.
 */
final class HostileWebFixture implements AutoCloseable {
  static final String PASSWORD = "a long enough password";
  static final String CONFIG = """
      policy:
        profiles:
          - {id: shared-kids, block_categories: [adult]}
      """;
  static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
  static final Pattern LOGIN = Pattern.compile("name=\"_login\" value=\"([^\"]+)\"");

  final TestAuthServer upstream;
  final DnsServer dns;
  final AdminStore store;
  final PolicyService policy;
  final Accounts accounts;
  final AdminServer web;
  final ScheduledExecutorService listThread;
  final Map<Role, String> tokens = new EnumMap<>(Role.class);
  final Map<Role, Visitor> sessions = new EnumMap<>(Role.class);

  HostileWebFixture(Path dir) throws Exception {
    upstream = new TestAuthServer();
    Path data = Files.createDirectories(dir.resolve("data"));
    Path ads = Files.writeString(dir.resolve("ads.txt"), "aaaa.test\n");
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(CONFIG + "lists:\n  sources:\n    - {id: ads, path: " + ads + "}\n",
        "test.yaml", b);
    Settings settings = b.dataDir(data).build();
    List<ListSource> config = ServeCommand.allListSources(settings);
    store = AdminStore.open(data.resolve("admin.db"));
    ListSourceService sources = new ListSourceService(store, new StoredListSources(config));
    List<ListSource> all = new ArrayList<>(config);
    all.addAll(sources.open());
    ListCatalog catalog = new ListCatalog(data, all, settings.listSafety(), null, line -> { },
        Clock.systemUTC());
    catalog.open();
    policy = new PolicyService(store, settings.policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        catalog.snapshot(), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    listThread = Executors.newSingleThreadScheduledExecutor();
    ServerListOperations ops = new ServerListOperations(catalog, dns, listThread, data, config);
    sources.attach(ops);
    accounts = new Accounts(store);
    var mapper = new ObjectMapper();
    policy.put(Principal.CLI, Kind.SUBSCRIBER, "house-a", mapper.readTree(
        "{\"profile\": \"shared-kids\", \"timezone\": \"UTC\", \"addresses\": [\"192.0.2.0/24\"]}"));
    ActivitySummaries activity = new ActivitySummaries(store, dns.policy().activity(),
        () -> policy.current().directory(), 30);
    web = new AdminServer(store, accounts, policy, dns.policy(), dns::stats, ops, sources,
        activity, PublicSettings.DEFAULTS)
        .serveFleet(new dev.hearth.admin.fleet.SnapshotPublisher(store, policy, sources),
            "the fleet's node token, not a user's")
        .start(new InetSocketAddress("127.0.0.1", 0));
    for (Role r : Role.values()) {
      String household = r == Role.PARENT ? "house-a" : null;
      tokens.put(r, accounts.createToken(Principal.CLI, r.id() + "-token", r, household));
      accounts.createUser(Principal.CLI, r.id() + "-user", r, household, PASSWORD.toCharArray(),
          false);
      Visitor v = new Visitor();
      HttpResponse<String> in = v.login(r.id() + "-user", PASSWORD);
      if (in.statusCode() != 302) {
        throw new IllegalStateException("cannot sign in as " + r + ": " + in.statusCode());
      }
      sessions.put(r, v);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + web.port() + path);
  }

  static String form(String... fields) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < fields.length; i += 2) {
      parts.add(URLEncoder.encode(fields[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
    }
    return String.join("&", parts);
  }

  /** A browser-like client: its own cookie jar, follows no redirects. */
  final class Visitor {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(5)).build();
    String lastPage = "";

    HttpResponse<String> get(String path) throws Exception {
      return send("GET", path, null, null);
    }

    HttpResponse<String> post(String path, String... fields) throws Exception {
      return send("POST", path, "application/x-www-form-urlencoded", form(fields));
    }

    HttpResponse<String> send(String method, String path, String type, String body)
        throws Exception {
      HttpRequest.Builder r = HttpRequest.newBuilder(uri(path))
          .timeout(Duration.ofSeconds(20)).header("Accept-Language", "en");
      if (type != null) {
        r.header("Content-Type", type);
      }
      r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
      lastPage = resp.body();
      return resp;
    }

    /** The session's CSRF token, from a page that carries it. */
    String csrf(String page) throws Exception {
      get(page);
      Matcher m = CSRF.matcher(lastPage);
      return m.find() ? m.group(1) : null;
    }

    HttpResponse<String> login(String user, String password) throws Exception {
      get("/login");
      Matcher m = LOGIN.matcher(lastPage);
      if (!m.find()) {
        throw new IllegalStateException("no login token: " + lastPage);
      }
      return post("/login", "_login", m.group(1), "username", user, "password", password);
    }
  }

  /** An API call with the bearer token of {@code role} (null: none). */
  HttpResponse<String> api(String method, String path, Role role, String json) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    if (role != null) {
      r.header("Authorization", "Bearer " + tokens.get(role));
    }
    if (json != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json));
    return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    web.close();
    dns.close();
    store.close();
    upstream.close();
    listThread.shutdownNow();
  }
}
