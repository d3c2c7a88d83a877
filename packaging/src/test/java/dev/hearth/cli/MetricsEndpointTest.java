package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.web.AdminServer;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import dev.hearth.blocklists.SafetyPolicy;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * {@code /metrics} and {@code /readyz} over real HTTP, after real DNS queries over UDP and TCP
 * to a real resolver with a real list and admin store; and the Grafana dashboard checked against
 * what {@code /metrics} actually exposes, so it cannot drift from the names.
 */
class MetricsEndpointTest {
  static final Path DASHBOARD = Path.of("grafana", "hearth-dashboard.json");

  @TempDir Path dir;
  TestAuthServer upstream;
  DnsServer dns;
  AdminStore store;
  AdminServer web;
  OperationsEndpoints ops;
  ScheduledExecutorService listThread;
  final HttpClient http = HttpClient.newHttpClient();

  void start(ObservabilityConfig config) throws Exception {
    upstream = new TestAuthServer();
    Path ads = dir.resolve("ads.txt");
    Files.writeString(ads, "a.test\n");
    Path data = Files.createDirectories(dir.resolve("data"));
    List<ListSource> configured = List.of(new ListSource("ads", ads.toString(), Format.AUTO,
        "advertising", false, false, Duration.ofHours(1), null, null, null));
    ListCatalog catalog = new ListCatalog(data, configured,
        new SafetyPolicy(List.of(), 1.0, 100.0, 0.5), null, line -> { }, Clock.systemUTC());
    catalog.open();
    store = AdminStore.open(dir.resolve("admin.db"));
    PolicyService policy = new PolicyService(store, Settings.builder().build().policyCompiler());
    dns = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        catalog.snapshot(), policy.open());
    policy.attach(dns.policy()::replacePolicy, dns.policy().bindings());
    listThread = Executors.newSingleThreadScheduledExecutor();
    ServerListOperations lists = new ServerListOperations(catalog, dns, listThread, data,
        configured);
    web = new AdminServer(store, new Accounts(store), policy, dns.policy(), dns::stats, lists);
    ops = new OperationsEndpoints(dns, config, Clock.systemUTC());
    ops.attach(lists, policy::version, web.appeals());
    web.useOperations(ops);
    web.start(new InetSocketAddress("127.0.0.1", 0));
  }

  @AfterEach
  void stop() {
    if (web != null) {
      web.close();
      web = null;
    }
    if (dns != null) {
      dns.close();
      dns = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
    if (listThread != null) {
      listThread.shutdownNow();
      listThread = null;
    }
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + path))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  Message ask(String name, boolean tcp) throws Exception {
    SimpleResolver r = new SimpleResolver(dns.boundAddresses().get(0));
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(3));
    return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, 1)));
  }

  /** Sample name and labels to value, from the Prometheus text format. */
  static Map<String, Double> samples(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return out;
  }

  static Set<String> names(String text) {
    Set<String> out = new TreeSet<>();
    for (String key : samples(text).keySet()) {
      int brace = key.indexOf('{');
      out.add(brace < 0 ? key : key.substring(0, brace));
    }
    return out;
  }

  static double value(Map<String, Double> s, String key) {
    return s.getOrDefault(key, 0.0);
  }

  @Test
  void countersMoveByTheRightAmount_perProtocolRcodeAndType() throws Exception {
    start(ObservabilityConfig.DEFAULTS);
    ops.ready();
    Map<String, Double> before = samples(get("/metrics").body());
    assertEquals(Rcode.NOERROR, ask("mail.test.", false).getRcode());
    assertEquals(Rcode.NOERROR, ask("mail.test.", false).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("a.test.", false).getRcode());
    assertEquals(Rcode.NXDOMAIN, ask("x.a.test.", true).getRcode());
    assertEquals(Rcode.NOERROR, ask("mail.test.", true).getRcode());
    HttpResponse<String> r = get("/metrics");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    Map<String, Double> after = samples(r.body());
    String q = "hearth_dns_queries_total{protocol=\"%s\",rcode=\"%s\",type=\"%s\"}";
    assertEquals(1, value(after, q.formatted("udp", "NOERROR", "forwarded"))
        - value(before, q.formatted("udp", "NOERROR", "forwarded")), r.body());
    assertEquals(1, value(after, q.formatted("udp", "NOERROR", "cached"))
        - value(before, q.formatted("udp", "NOERROR", "cached")));
    assertEquals(1, value(after, q.formatted("udp", "NXDOMAIN", "blocked")));
    assertEquals(1, value(after, q.formatted("tcp", "NXDOMAIN", "blocked")));
    assertEquals(1, value(after, q.formatted("tcp", "NOERROR", "cached")));
    assertEquals(3, value(after, "hearth_dns_query_duration_seconds_count{protocol=\"udp\"}"));
    assertEquals(2, value(after, "hearth_dns_query_duration_seconds_count{protocol=\"tcp\"}"));
    assertEquals(3, value(after, "hearth_dns_query_duration_seconds_bucket{protocol=\"udp\","
        + "le=\"+Inf\"}"));
    assertEquals(2, value(after, "hearth_blocked_total{category=\"advertising\"}"), r.body());
    assertEquals(1, value(after, "hearth_list_entries{list=\"ads\"}"));
    assertEquals(1, value(after, "hearth_list_update_ok{list=\"ads\"}"));
    assertEquals(1, value(after, "hearth_ready"));
    assertTrue(value(after, "hearth_cache_entries") >= 1);
    assertTrue(value(after, "hearth_cache_hits_total") >= 2);
    assertTrue(r.body().matches("(?s).*\nhearth_upstream_up\\{upstream=\"[^\"]*"
        + upstream.port() + "\"} 1\\.0\n.*"), r.body());
    // No client or name ever becomes a label.
    assertFalse(r.body().contains("mail.test"));
    assertFalse(r.body().contains("a.test"));
  }

  @Test
  void readyz_503UntilReady_200After_503WhenStopping_andHealthzStays200() throws Exception {
    start(ObservabilityConfig.DEFAULTS);
    HttpResponse<String> starting = get("/readyz");
    assertEquals(503, starting.statusCode());
    assertTrue(starting.body().contains("starting"), starting.body());
    assertEquals(200, get("/healthz").statusCode());
    ops.ready();
    assertEquals(200, get("/readyz").statusCode());
    upstream.close(); // every upstream down: still ready (cache, blocks, local answers work)
    ask("a.test.", false);
    assertEquals(200, get("/readyz").statusCode());
    ops.notReady("shutting down");
    HttpResponse<String> stopping = get("/readyz");
    assertEquals(503, stopping.statusCode());
    assertTrue(stopping.body().contains("shutting down"));
  }

  @Test
  void metricsOff_404_andRestrictedToNetworks_403ForOthers() throws Exception {
    start(ObservabilityConfig.DEFAULTS.withMetrics(false, null));
    assertEquals(404, get("/metrics").statusCode());
    stop();
    start(ObservabilityConfig.DEFAULTS.withMetrics(true,
        new ClientNetworks(List.of(Prefix.parse("10.0.0.0/8")))));
    HttpResponse<String> r = get("/metrics");
    assertEquals(403, r.statusCode());
    assertTrue(r.body().contains("metrics.allow"), r.body());
    stop();
    start(ObservabilityConfig.DEFAULTS.withMetrics(true,
        new ClientNetworks(List.of(Prefix.parse("127.0.0.0/8")))));
    assertEquals(200, get("/metrics").statusCode());
  }

  @Test
  void everyMetricTheDashboardQueries_isExposed() throws Exception {
    start(ObservabilityConfig.DEFAULTS);
    ops.ready();
    ask("mail.test.", false);
    ask("mail.test.", true);
    ask("a.test.", false);
    Set<String> exposed = names(get("/metrics").body());
    JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    dash.findValues("expr").forEach(e -> exprs.add(e.asText()));
    dash.get("templating").get("list").forEach(v -> {
      if (v.has("query") && v.get("query").isTextual()) {
        exprs.add(v.get("query").asText());
      }
    });
    assertTrue(exprs.size() > 20, "the dashboard has its queries: " + exprs.size());
    Pattern metric = Pattern.compile("\\b(?:hearth|jvm|process)_[a-z0-9_]+");
    Set<String> used = new TreeSet<>();
    for (String e : exprs) {
      Matcher m = metric.matcher(e);
      boolean any = false;
      while (m.find()) {
        used.add(m.group());
        any = true;
      }
      assertTrue(any || !e.contains("("), "a query with no Hearth metric: " + e);
    }
    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exposed);
    assertTrue(missing.isEmpty(), "the dashboard uses metrics /metrics does not expose: "
        + missing + "\nexposed: " + exposed);
    for (String family : List.of("hearth_dns_queries_total", "hearth_dns_query_duration_seconds_bucket",
        "hearth_cache_hits_total", "hearth_upstream_rtt_seconds", "hearth_list_age_seconds",
        "hearth_blocked_total", "hearth_appeals_open", "hearth_policy_version")) {
      assertTrue(used.contains(family), "the dashboard shows " + family);
    }
  }
}
