package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.observe.QueryLog;
import dev.hearth.resolver.observe.QueryMetrics;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * What operators observe: the per-query counters and latency histogram, and the optional query
 * log (truncation, pseudonyms, retention by deletion, children's profiles); real sockets, a real
 * upstream, real files.
 */
class ObserveTest {
  TestAuthServer upstream;
  DnsServer server;
  @TempDir Path dir;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  DnsClient start(PolicySnapshot policy) throws Exception {
    upstream = new TestAuthServer();
    ListInfo adult = new ListInfo("adult", "adult", false, false, "v1", List.of());
    CompiledList list = CompiledList.builder(adult, NameHasher.PLAIN)
        .add(Rule.block("a.test")).build("v1");
    server = DnsServer.start(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(list), policy);
    return new DnsClient(server.boundAddresses().get(0));
  }

  static long count(QueryMetrics m, String protocol, String rcode, String type) {
    return m.answers(List.of(QueryMetrics.PROTOCOLS).indexOf(protocol),
        List.of(QueryMetrics.RCODES).indexOf(rcode), List.of(QueryMetrics.TYPES).indexOf(type));
  }

  static long latencyCount(QueryMetrics m, String protocol) {
    int p = List.of(QueryMetrics.PROTOCOLS).indexOf(protocol);
    long n = 0;
    for (int b = 0; b <= QueryMetrics.LATENCY_BOUNDS_SECONDS.length; b++) {
      n += m.latencyBucket(p, b);
    }
    return n;
  }

  @Test
  void countersMoveByOnePerAnswer_byProtocolRcodeAndType() throws Exception {
    DnsClient c = start(PolicySnapshot.everyListForEveryone());
    QueryMetrics m = server.queryMetrics();
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.tcp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, c.tcp(DnsClient.query("mail.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.tcp(DnsClient.query("nothing.test.", Type.A)).getRcode());
    assertEquals(1, count(m, "udp", "NOERROR", "forwarded"));
    assertEquals(2, count(m, "udp", "NOERROR", "cached"));
    assertEquals(1, count(m, "udp", "NXDOMAIN", "blocked"));
    assertEquals(1, count(m, "tcp", "NXDOMAIN", "blocked"));
    assertEquals(1, count(m, "tcp", "NOERROR", "cached"));
    assertEquals(1, count(m, "tcp", "NXDOMAIN", "forwarded"));
    assertEquals(0, count(m, "dot", "NOERROR", "forwarded"));
    assertEquals(4, latencyCount(m, "udp"));
    assertEquals(3, latencyCount(m, "tcp"));
    assertTrue(m.latencySumSeconds(1) > 0);
  }

  QueryLog queryLog(QueryLog.Clients clients, Set<String> children, Clock clock)
      throws Exception {
    QueryLog log = new QueryLog(new QueryLog.Options(dir.resolve("query-log"), clients,
        Duration.ofHours(24), children, 1024), id -> server.policy().directory().subscriber(id),
        clock);
    server.observe(log);
    return log;
  }

  List<String> lines() throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve("query-log"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted()
          .flatMap(f -> {
            try {
              return Files.readAllLines(f, StandardCharsets.UTF_8).stream();
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }).toList();
    }
  }

  @Test
  void queryLog_truncatesTheClientTo24_neverTheFullAddress() throws Exception {
    DnsClient c = start(PolicySnapshot.everyListForEveryone());
    QueryLog log = queryLog(QueryLog.Clients.TRUNCATE, Set.of(), Clock.systemUTC());
    c.udp(DnsClient.query("mail.test.", Type.A));
    c.tcp(DnsClient.query("a.test.", Type.AAAA));
    log.close();
    List<String> lines = lines();
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(lines.get(0).contains("\"client\":\"127.0.0.0/24\""), lines.get(0));
    assertTrue(lines.get(0).contains("\"name\":\"mail.test.\""), lines.get(0));
    assertTrue(lines.get(0).contains("\"protocol\":\"udp\""), lines.get(0));
    assertTrue(lines.get(0).contains("\"response\":\"forwarded\""), lines.get(0));
    assertTrue(lines.get(1).contains("\"qtype\":\"AAAA\""), lines.get(1));
    assertTrue(lines.get(1).contains("\"rcode\":\"NXDOMAIN\",\"response\":\"blocked\""),
        lines.get(1));
    assertFalse(String.join("", lines).contains("127.0.0.1"));
    assertEquals(2, log.written());
    assertEquals(0, log.dropped());
  }

  @Test
  void truncation_ipv4To24_ipv6To56() throws Exception {
    assertEquals("192.0.2.0/24", QueryLog.truncate(InetAddress.getByName("192.0.2.77")));
    assertEquals("2001:db8:12:3400::/56",
        QueryLog.truncate(InetAddress.getByName("2001:db8:12:34ff:1:2:3:4")));
    assertEquals("::/56", QueryLog.truncate(InetAddress.getByName("::1")));
  }

  @Test
  void queryLog_pseudonymises_sameClientSameDaySamePseudonym_keyKeptInTheDirectory()
      throws Exception {
    DnsClient c = start(PolicySnapshot.everyListForEveryone());
    QueryLog log = queryLog(QueryLog.Clients.PSEUDONYMISE, Set.of(), Clock.systemUTC());
    c.udp(DnsClient.query("mail.test.", Type.A));
    c.udp(DnsClient.query("a.test.", Type.A));
    log.close();
    List<String> lines = lines();
    assertEquals(2, lines.size());
    String p1 = lines.get(0).replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
    String p2 = lines.get(1).replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
    assertTrue(p1.matches("h:[0-9a-f]{24}"), p1);
    assertEquals(p1, p2);
    assertFalse(String.join("", lines).contains("127.0.0"));
    try (Stream<Path> keys = Files.list(dir.resolve("query-log"))) {
      assertEquals(1, keys.filter(f -> f.getFileName().toString().endsWith(".key")).count());
    }
  }

  @Test
  void queryLog_childrensProfile_leftOutUnlessTheHouseholdOptedIn() throws Exception {
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "kids", kids),
        ClientDirectory.builder("default")
            .subscriber(new Subscriber("no-opt-in", "kids", null, Map.of(), false, false))
            .subscriber(new Subscriber("opted-in", "kids", null, Map.of(), false, true))
            .build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    DnsClient c = start(policy);
    QueryLog log = queryLog(QueryLog.Clients.TRUNCATE, Set.of("kids"), Clock.systemUTC());
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "no-opt-in");
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    c.udp(DnsClient.query("secret-child.test.", Type.A));
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "opted-in");
    c.udp(DnsClient.query("mail.test.", Type.A));
    server.policy().bindings().unbind(Prefix.parse("127.0.0.1/32"));
    c.udp(DnsClient.query("www.test.", Type.A));
    log.close();
    String all = String.join("\n", lines());
    assertFalse(all.contains("secret-child"), all);
    assertFalse(all.contains("a.test"), all);
    assertTrue(all.contains("\"name\":\"mail.test.\""), all);
    assertTrue(all.contains("\"profile\":\"kids\""), all);
    assertTrue(all.contains("\"name\":\"www.test.\""), all);
    assertEquals(2, log.leftOutChildren());
  }

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    volatile Instant now;

    MovingClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void queryLog_filesOlderThanTheRetention_areDeleted() throws Exception {
    DnsClient c = start(PolicySnapshot.everyListForEveryone());
    MovingClock clock = new MovingClock(Instant.parse("2026-03-01T10:15:00Z"));
    QueryLog log = queryLog(QueryLog.Clients.PSEUDONYMISE, Set.of(), clock);
    c.udp(DnsClient.query("old.test.", Type.A));
    log.close();
    Path old = dir.resolve("query-log/queries-20260301-10.jsonl");
    assertTrue(Files.readString(old).contains("old.test"));
    // A day later the 10:00 file is still within 24 h of its end (11:00): kept.
    clock.now = Instant.parse("2026-03-02T10:30:00Z");
    QueryLog again = queryLog(QueryLog.Clients.PSEUDONYMISE, Set.of(), clock);
    assertTrue(Files.exists(old));
    c.udp(DnsClient.query("new.test.", Type.A));
    clock.now = Instant.parse("2026-03-02T11:00:01Z");
    again.sweep();
    assertFalse(Files.exists(old), "older than 24 h after its hour: deleted");
    assertTrue(Files.exists(dir.resolve("query-log/pseudonym-2026-03-01.key")),
        "a file of that day (its 23:00 hour) could still be kept");
    clock.now = Instant.parse("2026-03-03T00:30:00Z");
    again.sweep();
    again.close();
    assertFalse(Files.exists(dir.resolve("query-log/pseudonym-2026-03-01.key")),
        "the key of a day no kept file can need is deleted too");
    String all = String.join("\n", lines());
    assertFalse(all.contains("old.test"), all);
    assertTrue(all.contains("new.test"), all);
  }
}
