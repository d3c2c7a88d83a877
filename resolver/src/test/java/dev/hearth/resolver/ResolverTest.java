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

  @Test
  void upstreamSourcePorts_keepChanging() throws Exception {
    start(cfg -> cfg.withRateLimitPerClient(0), upstream.address());
    long before = server.forwarder().sourcePortsUsed();
    int misses = 16 * 200 + 400; // every pooled socket has carried its quota at least once
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.setSoTimeout(3000);
      InetSocketAddress to = server.boundAddresses().get(0);
      byte[] buf = new byte[1500];
      for (int i = 0; i < misses; i++) {
        byte[] q = DnsClient.query("p" + i + ".test.", Type.A).toWire();
        s.send(new java.net.DatagramPacket(q, q.length, to));
        s.receive(new java.net.DatagramPacket(buf, buf.length));
      }
    }
    assertEquals(misses, upstream.queryCount());
    assertTrue(server.forwarder().sourcePortsUsed() >= before + 10,
        "sockets were replaced: " + before + " -> " + server.forwarder().sourcePortsUsed());
  }

  @Test
  void upstreamErrorCodes_failOverToTheNextServer() throws Exception {
    TestAuthServer failing = track(new TestAuthServer());
    failing.setFault(TestAuthServer.Fault.SERVFAIL);
    DnsClient c = start(cfg -> cfg, failing.address(), upstream.address());
    for (int i = 0; i < 3; i++) {
      Message m = c.udp(DnsClient.query("x" + i + ".a.test.", Type.A));
      assertEquals(Rcode.NXDOMAIN, m.getRcode(), "the healthy server's answer");
    }
    assertTrue(failing.queryCount() >= 1, "the failing server was asked first at least once");
  }

  @Test
  void upstreamServfail_becomesServfailWithEde_notPassedThrough() throws Exception {
    upstream.setFault(TestAuthServer.Fault.SERVFAIL);
    DnsClient c = start();
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.SERVFAIL, m.getRcode());
    ExtendedErrorCodeOption ede = ede(m);
    assertEquals(22, ede.getErrorCode());
    assertTrue(ede.getText().contains("SERVFAIL"), ede.getText());
    assertFalse(ede.getText().contains("127.0.0.1"), "no upstream addresses leak to clients");
  }

  @Test
  void anyAnswer_keepsItsTtl() throws Exception {
    DnsClient c = start();
    advanceSeconds(5000);
    assertEquals(3600, firstTtl(c.udp(DnsClient.query("a.test.", Type.ANY))));
  }

  @Test
  void slowUpstream_clientGetsStaleAfterTheClientTimeout_thenStaleAtOnceWhileFailing()
      throws Exception {
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(800),
        java.time.Duration.ofMillis(2500)), upstream.address());
    c.udp(DnsClient.query("short-ttl.test.", Type.A));
    advanceSeconds(10);
    upstream.setFault(TestAuthServer.Fault.DROP);
    Message slow = c.udp(DnsClient.query("short-ttl.test.", Type.A));
    assertEquals(3, ede(slow).getErrorCode());
    assertTrue(ede(slow).getText().contains("slow"), ede(slow).getText());
    Thread.sleep(1500); // let the refresh fail
    long asked = upstream.queryCount();
    Message again = c.udp(DnsClient.query("short-ttl.test.", Type.A));
    assertEquals(3, ede(again).getErrorCode());
    assertEquals(asked, upstream.queryCount(), "no new upstream query within the recheck time");
  }

  @Test
  void staleNxdomain_carriesEde19() throws Exception {
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(500)), upstream.address());
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("gone.test.", Type.A)).getRcode());
    advanceSeconds(120);
    upstream.setFault(TestAuthServer.Fault.DROP);
    Message m = c.udp(DnsClient.query("gone.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, m.getRcode());
    assertEquals(19, ede(m).getErrorCode());
  }

  @Test
  void upstreamUdpRepliesLargerThan2048Bytes_arriveWhole() throws Exception {
    StringBuilder zone = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      zone.append("mid 300 IN TXT \"").append(String.valueOf((char) ('a' + i)).repeat(200))
          .append("\"\n");
    }
    upstream.addRecords(zone.toString());
    DnsClient c = start(cfg -> cfg.withEdnsUdpSize(4096), upstream.address());
    Message m = c.tcp(DnsClient.query("mid.test.", Type.TXT));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals(12, m.getSection(Section.ANSWER).size());
    assertEquals(0, upstream.tcpQueryCount(), "it came over UDP, unclipped");
  }

  @Test
  void checkingDisabledBit_isForwarded_andKeepsItsOwnCacheEntry() throws Exception {
    DnsClient c = start();
    c.udp(DnsClient.query("a.test.", Type.A));
    Message cd = DnsClient.query("a.test.", Type.A);
    cd.getHeader().setFlag(Flags.CD);
    Message m = c.udp(cd);
    assertTrue(m.getHeader().getFlag(Flags.CD), "CD echoed");
    assertEquals(2, upstream.queryCount(), "CD query is not served the validated entry");
    assertTrue(upstream.lastQuery().getHeader().getFlag(Flags.CD));
  }

  @Test
  void cacheIsBoundedByMemory() throws Exception {
    DnsClient c = start(cfg -> cfg.withRateLimitPerClient(0).withCache(
        new ResolverConfig.Cache(32 * 1024, 0, 86400, 3600, false, false, 0, 30)),
        upstream.address());
    for (int i = 0; i < 1000; i++) {
      c.udp(DnsClient.query("m" + i + ".test.", Type.A));
    }
    dev.hearth.resolver.cache.CacheStage cache =
        server.pipeline().stage(dev.hearth.resolver.cache.CacheStage.class);
    cache.cache().cleanUp();
    long entries = cache.cache().size();
    assertTrue(entries > 10 && entries < 300, "32 KiB holds a bounded number of answers: " + entries);
  }

  @Test
  void replyFromTheRightAddressButAnotherPort_isIgnored() throws Exception {
    try (java.net.DatagramSocket listen = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress());
        java.net.DatagramSocket other = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress())) {
      Thread spoofer = new Thread(() -> {
        byte[] buf = new byte[1500];
        try {
          while (true) {
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            listen.receive(p);
            Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            Message r = q.clone();
            r.getHeader().setFlag(Flags.QR);
            r.addRecord(new org.xbill.DNS.ARecord(q.getQuestion().getName(), 1, 300,
                java.net.InetAddress.getByName("203.0.113.66")), Section.ANSWER);
            byte[] w = r.toWire();
            // Right ID and question, wrong source port: an off-path forgery.
            other.send(new java.net.DatagramPacket(w, w.length, p.getSocketAddress()));
          }
        } catch (Exception done) {
          // socket closed at the end of the test
        }
      });
      spoofer.setDaemon(true);
      spoofer.start();
      InetSocketAddress forger = new InetSocketAddress("127.0.0.1", listen.getLocalPort());
      DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
          java.time.Duration.ofMillis(500)), forger);
      Message m = c.udp(DnsClient.query("victim.test.", Type.A));
      assertEquals(Rcode.SERVFAIL, m.getRcode());
      assertEquals(0, m.getSection(Section.ANSWER).size());
      assertTrue(server.forwarder().rejectedReplies() >= 1);
    }
  }

  @Test
  void flappingUpstream_everyQueryIsAnswered_andServiceIsWholeWithinTheProbeIntervalAfter()
      throws Exception {
    DnsClient c = start(cfg -> cfg.withTimeouts(java.time.Duration.ofMillis(200),
        java.time.Duration.ofMillis(600)), upstream.address());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread flapper = new Thread(() -> {
      boolean drop = true;
      while (!stop.get()) {
        upstream.setFault(drop ? TestAuthServer.Fault.DROP : TestAuthServer.Fault.NORMAL);
        drop = !drop;
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    flapper.start();
    int answered = 0;
    int noerror = 0;
    int cachedOk = 0;
    try {
      for (int i = 0; i < 30; i++) {
        // A new name each time (a miss: the upstream's state decides) and a cached one.
        Message m = c.udp(DnsClient.query("flap" + i + ".a.test.", Type.A));
        answered++;
        if (m.getRcode() == Rcode.NXDOMAIN) {
          noerror++;
        } else {
          assertEquals(Rcode.SERVFAIL, m.getRcode(), m.toString());
          assertEquals(22, ede(m).getErrorCode(), m.toString());
        }
        if (c.udp(DnsClient.query("a.test.", Type.A)).getRcode() == Rcode.NOERROR) {
          cachedOk++;
        }
      }
    } finally {
      stop.set(true);
      flapper.join();
    }
    assertEquals(30, answered, "no query went unanswered (each c.udp waits at most 3 s)");
    assertEquals(30, cachedOk, "cached answers never depend on the upstream's state");
    assertTrue(noerror > 0, "misses were answered in the upstream's good spells: " + noerror);
    // Flapping over: within the 2 s probe interval every miss is answered again.
    upstream.setFault(TestAuthServer.Fault.NORMAL);
    long until = System.currentTimeMillis() + 3_000;
    int rcode;
    do {
      rcode = c.udp(DnsClient.query("after.a.test.", Type.A)).getRcode();
    } while (rcode != Rcode.NXDOMAIN && System.currentTimeMillis() < until);
    assertEquals(Rcode.NXDOMAIN, rcode);
  }
}
