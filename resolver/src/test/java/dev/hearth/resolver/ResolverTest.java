package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The resolver end to end in-process: real UDP/TCP sockets on loopback, a real authoritative
 * upstream ({@link TestAuthServer}), and a clock the test moves forward instead of sleeping.
 */
class ResolverTest {
  final AtomicLong clockOffset = new AtomicLong();
  final List<AutoCloseable> closeables = new ArrayList<>();
  TestAuthServer upstream;

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = track(new TestAuthServer());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  <T extends AutoCloseable> T track(T c) {
    closeables.add(c);
    return c;
  }

  long now() {
    return System.nanoTime() + clockOffset.get();
  }

  void advanceSeconds(long s) {
    clockOffset.addAndGet(s * 1_000_000_000L);
  }

  DnsClient start(UnaryOperator<ResolverConfig> tweak, InetSocketAddress... upstreams)
      throws Exception {
    List<UpstreamSpec> specs = new ArrayList<>();
    for (InetSocketAddress a : upstreams) {
      specs.add(new UpstreamSpec(a, false));
    }
    ResolverConfig config = tweak.apply(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)), specs).withThreads(2));
    DnsServer server = track(DnsServer.start(config, this::now));
    this.server = server;
    // Let the start-up reachability probe arrive, then count only what the test causes.
    long until = System.currentTimeMillis() + 3000;
    while (upstream.queryCount() == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    upstream.resetCounters();
    return new DnsClient(server.boundAddresses().get(0));
  }

  DnsServer server;

  DnsClient start() throws Exception {
    return start(c -> c, upstream.address());
  }

  static ExtendedErrorCodeOption ede(Message m) {
    OPTRecord opt = m.getOPT();
    if (opt == null) {
      return null;
    }
    for (EDNSOption o : opt.getOptions()) {
      if (o instanceof ExtendedErrorCodeOption e) {
        return e;
      }
    }
    return null;
  }

  static long firstTtl(Message m) {
    return m.getSection(Section.ANSWER).get(0).getTTL();
  }

  @Test
  void answers_overUdpAndTcp() throws Exception {
    DnsClient c = start();
    Message udp = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, udp.getRcode());
    assertEquals("192.0.2.1", udp.getSection(Section.ANSWER).get(0).rdataToString());
    assertTrue(udp.getHeader().getFlag(Flags.QR));
    assertTrue(udp.getHeader().getFlag(Flags.RA));
    assertTrue(udp.getHeader().getFlag(Flags.RD));
    Message tcp = c.tcp(DnsClient.query("mx.test.", Type.MX));
    assertEquals("MX", DnsClient.types(tcp));
    Message aaaa = c.udp(DnsClient.query("aaaa.test.", Type.AAAA));
    assertEquals("AAAA", DnsClient.types(aaaa));
  }

  @Test
  void echoesTheClientsQuestionCase() throws Exception {
    DnsClient c = start();
    c.udp(DnsClient.query("a.test.", Type.A));
    Message m = c.udp(DnsClient.query("A.TeSt.", Type.A));
    assertEquals("A.TeSt.", m.getQuestion().getName().toString());
    assertEquals(1, upstream.queryCount(), "second query is a cache hit");
  }

  @Test
  void cnameChainIsAnsweredWhole() throws Exception {
    DnsClient c = start();
    Message m = c.udp(DnsClient.query("c1.test.", Type.A));
    assertEquals("CNAME CNAME A", DnsClient.types(m));
  }

  @Test
  void largeAnswer_truncatedOverUdp_wholeOverTcp() throws Exception {
    DnsClient c = start();
    Message udp = c.udp(DnsClient.query("big.test.", Type.TXT));
    assertTrue(DnsClient.truncated(udp));
    assertEquals(0, udp.getSection(Section.ANSWER).size());
    Message tcp = c.tcp(DnsClient.query("big.test.", Type.TXT));
    assertFalse(DnsClient.truncated(tcp));
    assertEquals(TestAuthServer.BIG_TXT_COUNT, tcp.getSection(Section.ANSWER).size());
    assertTrue(upstream.tcpQueryCount() >= 1, "upstream TC made us retry over TCP");
  }

  @Test
  void withoutEdns_answersAreLimitedTo512Bytes() throws Exception {
    DnsClient c = start();
    Message m = c.udp(DnsClient.query("big.test.", Type.TXT, false));
    assertTrue(DnsClient.truncated(m));
    assertNull(m.getOPT(), "no OPT in a reply to a query without one");
    Message small = c.udp(DnsClient.query("a.test.", Type.A, false));
    assertNull(small.getOPT());
    assertEquals(1, small.getSection(Section.ANSWER).size());
  }

  @Test
  void ttlsCountDownInCachedAnswers() throws Exception {
    DnsClient c = start();
    long first = firstTtl(c.udp(DnsClient.query("a.test.", Type.A)));
    advanceSeconds(100);
    long later = firstTtl(c.udp(DnsClient.query("a.test.", Type.A)));
    assertEquals(300, first);
    assertEquals(200, later);
  }

  @Test
  void ttlsAreClampedToTheConfiguredMaximum() throws Exception {
    DnsClient c = start(cfg -> cfg.withCache(new ResolverConfig.Cache(1 << 20, 0, 60, 3600,
        true, true, 86400, 30)), upstream.address());
    assertEquals(60, firstTtl(c.udp(DnsClient.query("a.test.", Type.A))));
  }

  @Test
  void nxdomainIsCachedNegativelyWithSoa() throws Exception {
    DnsClient c = start();
    Message first = c.udp(DnsClient.query("nope.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, first.getRcode());
    Record soa = first.getSection(Section.AUTHORITY).get(0);
    assertEquals(Type.SOA, soa.getType());
    assertTrue(soa.getTTL() <= 60, "negative TTL is the SOA minimum: " + soa.getTTL());
    upstream.stop();
    advanceSeconds(30);
    Message second = c.udp(DnsClient.query("nope.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, second.getRcode());
    assertEquals(soa.getTTL() - 30, second.getSection(Section.AUTHORITY).get(0).getTTL());
  }

  @Test
  void nodataIsCachedNegatively() throws Exception {
    DnsClient c = start();
    Message first = c.udp(DnsClient.query("a.test.", Type.MX));
    assertEquals(Rcode.NOERROR, first.getRcode());
    assertEquals(0, first.getSection(Section.ANSWER).size());
    assertEquals(Type.SOA, first.getSection(Section.AUTHORITY).get(0).getType());
    long before = upstream.queryCount();
    c.udp(DnsClient.query("a.test.", Type.MX));
    assertEquals(before, upstream.queryCount());
  }

  @Test
  void serveStale_whenEveryUpstreamFails() throws Exception {
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(600)), upstream.address());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("short-ttl.test.", Type.A)).getRcode());
    upstream.setFault(TestAuthServer.Fault.DROP);
    advanceSeconds(10);
    Message stale = c.udp(DnsClient.query("short-ttl.test.", Type.A));
    assertEquals(Rcode.NOERROR, stale.getRcode());
    assertEquals(30, firstTtl(stale), "stale answers carry the stale TTL");
    ExtendedErrorCodeOption ede = ede(stale);
    assertNotNull(ede);
    assertEquals(3, ede.getErrorCode());
  }

  @Test
  void servfailWithEde_whenNoUpstreamAnswers() throws Exception {
    upstream.setFault(TestAuthServer.Fault.DROP);
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(600)), upstream.address());
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.SERVFAIL, m.getRcode());
    ExtendedErrorCodeOption ede = ede(m);
    assertNotNull(ede);
    assertEquals(22, ede.getErrorCode());
    assertTrue(ede.getText().contains("timeout"), ede.getText());
  }

  @Test
  void failover_toTheNextUpstream_andDeadOneComesBack() throws Exception {
    TestAuthServer dead = track(new TestAuthServer());
    dead.setFault(TestAuthServer.Fault.DROP);
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(300),
        java.time.Duration.ofMillis(2000)), dead.address(), upstream.address());
    dead.resetCounters();
    for (int i = 0; i < 6; i++) {
      Message m = c.udp(DnsClient.query("n" + i + ".a.test.", Type.A));
      assertEquals(Rcode.NXDOMAIN, m.getRcode(), "answered by the live upstream");
    }
    assertTrue(dead.queryCount() <= 2, "the failing upstream is avoided: " + dead.queryCount());
    assertFalse(server.forwarder().upstreams().get(0).healthy());
    dead.setFault(TestAuthServer.Fault.NORMAL);
    long until = System.currentTimeMillis() + 10_000;
    while (!server.forwarder().upstreams().get(0).healthy() && System.currentTimeMillis() < until) {
      Thread.sleep(100);
    }
    assertTrue(server.forwarder().upstreams().get(0).healthy(), "background probe revived it");
  }

  @Test
  void spoofedReplies_withWrongIdOrQuestion_areIgnored() throws Exception {
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(500)), upstream.address());
    upstream.setFault(TestAuthServer.Fault.WRONG_ID);
    assertEquals(Rcode.SERVFAIL, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    upstream.setFault(TestAuthServer.Fault.WRONG_QUESTION);
    assertEquals(Rcode.SERVFAIL, c.udp(DnsClient.query("aaaa.test.", Type.AAAA)).getRcode());
    assertTrue(server.forwarder().rejectedReplies() >= 2);
    upstream.setFault(TestAuthServer.Fault.GARBAGE);
    assertEquals(Rcode.SERVFAIL, c.udp(DnsClient.query("mx.test.", Type.MX)).getRcode());
  }

  @Test
  void identicalConcurrentMisses_shareOneUpstreamQuery() throws Exception {
    DnsClient c = start();
    upstream.setFault(TestAuthServer.Fault.delay(150));
    List<Thread> threads = new ArrayList<>();
    List<Integer> rcodes = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 5; i++) {
      Thread t = new Thread(() -> {
        try {
          rcodes.add(c.udp(DnsClient.query("txt.test.", Type.TXT)).getRcode());
        } catch (Exception e) {
          rcodes.add(-1);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(0, 0, 0, 0, 0), rcodes);
    assertEquals(1, upstream.queryCount());
  }

  @Test
  void prefetch_refreshesPopularNamesBeforeExpiry() throws Exception {
    DnsClient c = start();
    c.udp(DnsClient.query("a.test.", Type.A));
    upstream.resetCounters();
    advanceSeconds(275); // 25 s left of 300: inside the last 10 %
    c.udp(DnsClient.query("a.test.", Type.A));
    c.udp(DnsClient.query("a.test.", Type.A));
    long until = System.currentTimeMillis() + 3000;
    while (upstream.queryCount() == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(20);
    }
    assertEquals(1, upstream.queryCount(), "one background refresh");
    Thread.sleep(100);
    assertEquals(300, firstTtl(c.udp(DnsClient.query("a.test.", Type.A))), "refreshed entry");
  }

  @Test
  void dnssecOkBit_isForwarded_andKeepsItsOwnCacheEntry() throws Exception {
    DnsClient c = start();
    upstream.resetCounters();
    c.udp(DnsClient.query("a.test.", Type.A));
    assertFalse((upstream.lastQuery().getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0);
    c.udp(DnsClient.queryDo("a.test.", Type.A));
    assertEquals(2, upstream.queryCount(), "DO query is not served the non-DO entry");
    assertTrue((upstream.lastQuery().getOPT().getFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0);
  }

  @Test
  void clientEdnsOptions_areNotForwarded() throws Exception {
    DnsClient c = start();
    Message q = DnsClient.query("a.test.", Type.A, false);
    q.addRecord(new OPTRecord(1232, 0, 0, 0,
        List.of(new org.xbill.DNS.GenericEDNSOption(65001, new byte[] {1, 2, 3, 4, 5, 6}))),
        Section.ADDITIONAL);
    assertEquals(Rcode.NOERROR, c.udp(q).getRcode());
    assertTrue(upstream.lastQuery().getOPT().getOptions().isEmpty());
  }
}
