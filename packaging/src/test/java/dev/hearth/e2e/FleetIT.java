package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.e2e.Dig.Result;
import dev.hearth.resolver.testing.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on loopback: PostgreSQL (the Debian package, a throwaway cluster), one admin (the
 * built jar, its store in that PostgreSQL), two resolver nodes pulling its snapshots, and
 * dnsdist balancing UDP and TCP over the nodes. A profile changed through the admin API is in
 * force on both nodes within 2 s; with one node stopped dnsdist keeps answering; a node
 * restarted while the admin is down serves the snapshot it kept; a snapshot that arrives
 * truncated is refused and the last good one keeps serving.
 */
@Timeout(240)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The subscriber the test's policy is about: queries from this address are house-31. */
  private static final String HOUSE = "127.0.0.31";

  @TempDir static Path dir;
  private static TestPostgres pg;
  private static Nsd nsd;
  private static HearthProcess admin;
  private static int adminHttp;
  private static String apiToken;
  private static String nodeToken;
  private static final List<HearthProcess> nodes = new ArrayList<>();
  private static final List<Integer> nodeHttp = new ArrayList<>();
  private static Process dnsdist;
  private static int dnsdistPort;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    E2e.requireTool("dnsdist", "/usr/bin/dnsdist");
    if (!TestPostgres.available()) {
      throw E2e.toolMissing("PostgreSQL 15 server binaries are not installed", "postgresql");
    }
    pg = TestPostgres.start();
    nsd = Nsd.startNew();
    Files.writeString(dir.resolve("adult.txt"), "target.e2e.test\n");
    nodeToken = "node-" + Long.toHexString(new java.security.SecureRandom().nextLong())
        + Long.toHexString(new java.security.SecureRandom().nextLong());
    Path tokenFile = dir.resolve("node-token");
    Files.writeString(tokenFile, nodeToken + "\n");
    Path pgPassword = dir.resolve("db-password");
    Files.writeString(pgPassword, pg.password() + "\n");
    String common = String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "policy:",
        "  organisation: Hearth Fleet E2E",
        "  trusted_forwarders: [127.0.0.1/32]   # dnsdist: its Client Subnet is believed",
        "");
    Path adminConfig = dir.resolve("admin.yaml");
    Files.writeString(adminConfig, common + String.join("\n",
        "store:",
        "  url: " + pg.url(),
        "  user: " + TestPostgres.USER,
        "  password_file: " + pgPassword,
        "fleet:",
        "  node_token_file: " + tokenFile,
        ""));
    adminHttp = E2e.freePort();
    admin = HearthProcess.start(List.of(nsd.address()), List.of("--config",
        adminConfig.toString(), "--http", "127.0.0.1:" + adminHttp));
    AdminIT.waitFor("http://127.0.0.1:" + adminHttp + "/healthz", admin);
    assertTrue(admin.log().contains("admin store: admin database postgresql://"), admin.log());
    var created = HearthProcess.cli("admin", "create-token", "--config", adminConfig.toString(),
        "--name", "fleet-e2e", "--role", "administrator");
    assertEquals(0, created.exit(), created.output());
    apiToken = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst()
        .orElseThrow();

    Path nodeConfig = dir.resolve("node.yaml");
    Files.writeString(nodeConfig, common + String.join("\n",
        "fleet:",
        "  policy_from: http://127.0.0.1:" + adminHttp + "/api/v1/fleet/snapshot",
        "  node_token_file: " + tokenFile,
        "  poll_interval: 1s",
        ""));
    for (int i = 0; i < 2; i++) {
      int http = E2e.freePort();
      HearthProcess node = HearthProcess.start(List.of(nsd.address()), List.of("--config",
          nodeConfig.toString(), "--http", "127.0.0.1:" + http));
      nodes.add(node);
      nodeHttp.add(http);
      AdminIT.waitFor("http://127.0.0.1:" + http + "/healthz", node);
    }
    startDnsdist();
  }

  /** dnsdist on a free port, round robin over both nodes, health-checked every second. */
  private static void startDnsdist() throws Exception {
    dnsdistPort = E2e.freePort();
    Path conf = dir.resolve("dnsdist.conf");
    StringBuilder c = new StringBuilder();
    c.append("setSecurityPollSuffix('')\n");
    c.append("setLocal('127.0.0.1:").append(dnsdistPort).append("')\n");
    c.append("setACL({'127.0.0.0/8'})\n");
    // The nodes see dnsdist's address: the subscriber's travels in EDNS Client Subnet.
    c.append("setECSSourcePrefixV4(32)\n");
    for (int i = 0; i < nodes.size(); i++) {
      c.append("newServer({address='127.0.0.1:").append(nodes.get(i).port())
          .append("', name='node").append(i + 1).append("', checkName='www.e2e.test.',")
          .append(" checkInterval=1, maxCheckFailures=1, rise=1, useClientSubnet=true})\n");
    }
    c.append("setServerPolicy(roundrobin)\n");
    Files.writeString(conf, c.toString());
    Path log = dir.resolve("dnsdist.log");
    dnsdist = new ProcessBuilder(E2e.requireTool("dnsdist", "/usr/bin/dnsdist").toString(),
        "--supervised", "--disable-syslog", "-C", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (!dnsdist.isAlive()) {
        throw new AssertionError("dnsdist exited: " + E2e.readQuietly(log));
      }
      Result r = Dig.dig(dnsdistPort, "+time=1", "www.e2e.test", "A");
      if ("NOERROR".equals(r.status())) {
        return;
      }
      E2e.sleep(200);
    }
    throw new AssertionError("dnsdist did not answer within 20 s: " + E2e.readQuietly(log));
  }

  @AfterAll
  static void stop() throws Exception {
    if (dnsdist != null) {
      dnsdist.destroy();
      if (!dnsdist.waitFor(10, TimeUnit.SECONDS)) {
        dnsdist.destroyForcibly();
      }
    }
    for (HearthProcess n : nodes) {
      n.close();
    }
    if (admin != null) {
      admin.close();
    }
    if (nsd != null) {
      nsd.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  static HttpResponse<String> api(String method, String path, String body) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminHttp
        + path)).timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + apiToken);
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<byte[]> snapshot(String token, String ifNoneMatch) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminHttp
        + "/api/v1/fleet/snapshot")).timeout(Duration.ofSeconds(20));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    if (ifNoneMatch != null) {
      r.header("If-None-Match", ifNoneMatch);
    }
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static JsonNode nodeHealth(int i) throws Exception {
    var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodeHttp.get(i)
        + "/healthz")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /**
   * Milliseconds until {@code name} asked from {@link #HOUSE} gets {@code status} on the node, or
   * fails when it does not within {@code limitMillis}.
   */
  static long until(HearthProcess node, String name, String status, long limitMillis,
      long since) {
    Result last = null;
    while (true) {
      last = Dig.dig(node.port(), "+time=1", "-b", HOUSE, name, "A");
      long elapsed = (System.nanoTime() - since) / 1_000_000;
      if (status.equals(last.status())) {
        return elapsed;
      }
      if (elapsed > limitMillis) {
        throw new AssertionError("node on port " + node.port() + " still answers "
            + last.status() + " for " + name + " " + elapsed + " ms after the change\n" + last
            + "\n" + node.describe());
      }
      E2e.sleep(50);
    }
  }

  @Test
  @Order(1)
  void snapshotEndpoint_wantsTheNodeToken_andAnswers304ForTheSameEtag() throws Exception {
    assertEquals(401, snapshot(null, null).statusCode());
    assertEquals(401, snapshot(apiToken, null).statusCode(), "a user's token is not the node's");
    var r = snapshot(nodeToken, null);
    assertEquals(200, r.statusCode());
    String etag = r.headers().firstValue("ETag").orElseThrow();
    assertTrue(etag.matches("\"[0-9a-f]{64}\""), etag);
    String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(r.body()));
    assertEquals("\"" + sha + "\"", etag, "a strong ETag: the content's hash");
    assertEquals(304, snapshot(nodeToken, etag).statusCode());
    assertEquals(200, snapshot(nodeToken, "\"something-else\"").statusCode());
  }

  @Test
  @Order(2)
  void aProfileChangedOnTheAdmin_isInForceOnBothNodesWithin2Seconds() throws Exception {
    for (HearthProcess n : nodes) {
      assertEquals("NOERROR", Dig.dig(n.port(), "-b", HOUSE, "target.e2e.test", "A").status(),
          "before: an unidentified client, the baseline only");
    }
    var p = api("PUT", "/api/v1/profiles/kids", "{\"preset\": \"young-child\"}");
    assertEquals(201, p.statusCode(), p.body());
    var s = api("PUT", "/api/v1/subscribers/house-31", "{\"profile\": \"kids\","
        + " \"addresses\": [\"" + HOUSE + "/32\"]}");
    assertEquals(201, s.statusCode(), s.body());
    long t0 = System.nanoTime();
    for (HearthProcess n : nodes) {
      until(n, "target.e2e.test", "NXDOMAIN", 2000, t0);
    }

    // The profile itself changes: its own block list gains a name.
    String name = "www.e2e.test";
    for (HearthProcess n : nodes) {
      assertEquals("NOERROR", Dig.dig(n.port(), "-b", HOUSE, name, "A").status());
    }
    var change = api("PUT", "/api/v1/profiles/kids", "{\"preset\": \"young-child\","
        + " \"block\": [\"" + name + "\"]}");
    assertEquals(200, change.statusCode(), change.body());
    long t1 = System.nanoTime();
    long[] took = new long[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      took[i] = until(nodes.get(i), name, "NXDOMAIN", 2000, t1);
    }
    System.out.printf("FleetIT: profile change in force on node 1 after %d ms, node 2 after %d"
        + " ms%n", took[0], took[1]);

    String etag = snapshot(nodeToken, null).headers().firstValue("ETag").orElseThrow();
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode h = nodeHealth(i);
      assertEquals("node", h.path("mode").asText(), h.toString());
      assertEquals(etag, h.path("policy_etag").asText(), "node " + (i + 1) + ": " + h);
      assertTrue(h.path("policy_serial").asLong() > 0, h.toString());
      assertTrue(nodes.get(i).log().contains("fleet: policy snapshot serial"),
          nodes.get(i).log());
      // A node is scraped and probed like an admin; its policy version is the snapshot serial.
      String base = "http://127.0.0.1:" + nodeHttp.get(i);
      var ready = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/readyz"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      var metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode(), metrics.body());
      assertTrue(metrics.body().contains("hearth_policy_version "
          + (double) h.path("policy_serial").asLong()), metrics.body());
      assertTrue(metrics.body().contains("hearth_dns_queries_total{"), metrics.body());
    }
  }

  @Test
  @Order(3)
  void dnsdist_balancesUdpAndTcp_andKeepsAnsweringWithOneNodeStopped() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertEquals("NOERROR", Dig.dig(dnsdistPort, "www.e2e.test", "A").status());
      assertEquals("NOERROR", Dig.dig(dnsdistPort, "+tcp", "www.e2e.test", "A").status());
      // Through dnsdist the nodes still know the household, from the client subnet it adds.
      Result house = Dig.dig(dnsdistPort, i % 2 == 0 ? "+notcp" : "+tcp", "-b", HOUSE,
          "www.e2e.test", "A");
      assertEquals("NXDOMAIN", house.status(), house::toString);
    }
    nodes.get(0).stop();
    // Each query is given a retry: one sent to the stopped node before the health check (every
    // second) takes it out goes to the other on the retry.
    int answered = 0;
    for (int i = 0; i < 10; i++) {
      Result udp = Dig.dig(dnsdistPort, "+time=1", "+tries=3", "www.e2e.test", "A");
      Result tcp = Dig.dig(dnsdistPort, "+tcp", "+time=1", "+tries=3", "www.e2e.test", "A");
      assertEquals("NOERROR", udp.status(), udp::toString);
      assertEquals("NOERROR", tcp.status(), tcp::toString);
      assertEquals("192.0.2.10", udp.answers("A").get(0).rdata());
      answered += 2;
    }
    assertEquals(20, answered);
    // Once the health check has marked it down, not even a first try is lost.
    E2e.sleep(2500);
    for (int i = 0; i < 6; i++) {
      Result r = Dig.dig(dnsdistPort, "+time=2", "+tries=1", i % 2 == 0 ? "+notcp" : "+tcp",
          "www.e2e.test", "A");
      assertEquals("NOERROR", r.status(), r::toString);
    }
  }

  @Test
  @Order(4)
  void aNodeRestartedWhileTheAdminIsDown_servesTheSnapshotItKept() throws Exception {
    HearthProcess node = nodes.get(1);
    String before = nodeHealth(1).path("policy_etag").asText();
    assertTrue(Files.exists(node.dataDir().resolve("fleet-snapshot.json")));
    admin.stop();
    node.restart();
    AdminIT.waitFor("http://127.0.0.1:" + nodeHttp.get(1) + "/healthz", node);
    Result r = Dig.dig(node.port(), "-b", HOUSE, "www.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r + "\n" + node.describe());
    JsonNode h = nodeHealth(1);
    assertEquals("disk", h.path("policy_origin").asText(), h.toString());
    assertEquals(before, h.path("policy_etag").asText(), h.toString());
    assertTrue(node.log().contains("serving the last good policy snapshot"), node.log());
  }

  @Test
  @Order(5)
  void aTruncatedSnapshot_isRefused_andTheLastGoodOneKeepsServing() throws Exception {
    HearthProcess node = nodes.get(1);
    byte[] good = Files.readAllBytes(node.dataDir().resolve("fleet-snapshot.json"));
    String goodTag = "\"" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(good)) + "\"";
    // A stand-in admin on the admin's address that sends a newer snapshot cut short: its
    // ETag names the whole, the bytes are half of it.
    String newer = new String(good, java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"serial\":", "\"serial\":1");
    byte[] whole = newer.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String wholeTag = "\"" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(whole)) + "\"";
    byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
    var fake = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(
        "127.0.0.1", adminHttp), 0);
    fake.createContext("/", ex -> {
      ex.getResponseHeaders().add("ETag", wholeTag);
      ex.sendResponseHeaders(200, half.length);
      ex.getResponseBody().write(half);
      ex.close();
    });
    fake.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!node.log().contains("snapshot refused") && System.nanoTime() < deadline) {
        E2e.sleep(100);
      }
      assertTrue(node.log().contains("snapshot refused, the last good one keeps serving"),
          node.describe());
      assertEquals("NXDOMAIN", Dig.dig(node.port(), "-b", HOUSE, "www.e2e.test", "A").status());
      JsonNode h = nodeHealth(1);
      assertEquals(goodTag, h.path("policy_etag").asText(), h.toString());
      assertNotNull(h.get("admin_reachable"));
      assertTrue(node.isAlive());
    } finally {
      fake.stop(0);
    }
  }
}
