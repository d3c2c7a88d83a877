package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.BlockAction;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** The blocklist stage in the real pipeline: real sockets, real upstream. */
class PolicyStageListsTest {
  TestAuthServer upstream;
  DnsServer server;

  @AfterEach
  void close() {
    server.close();
    upstream.close();
  }

  DnsClient start(List<CompiledList> lists) throws Exception {
    upstream = new TestAuthServer();
    // Rate limiting off: the reload test's single client asks as fast as answers come back,
    // which is above the default per-client limit now that blocked answers take microseconds.
    server = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0), lists,
        System::nanoTime);
    long until = System.currentTimeMillis() + 3000;
    while (upstream.queryCount() == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(10); // the start-up reachability probe
    }
    return new DnsClient(server.boundAddresses().get(0));
  }

  @Test
  void listedNameAndSubdomains_nxdomainWithEde15_andNeverReachTheUpstream() throws Exception {
    DnsClient c = start(List.of(CompiledList.build("ads", List.of(Rule.block("mx.test")))));
    long before = upstream.queryCount();
    for (String name : List.of("mx.test.", "x.y.mx.test.")) {
      Message m = c.udp(DnsClient.query(name, Type.A));
      assertEquals(Rcode.NXDOMAIN, m.getRcode());
      ExtendedErrorCodeOption ede = ResolverTest.ede(m);
      assertEquals(15, ede.getErrorCode());
      assertEquals("blocked by list ads: mx.test [baseline-list:ads]", ede.getText());
    }
    assertEquals(before, upstream.queryCount());
    assertEquals(2, server.policy().blockedCount());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
  }

  @Test
  void allowOnAnyListWins() throws Exception {
    DnsClient c = start(List.of(
        CompiledList.build("wide", List.of(Rule.block("test"))),
        CompiledList.build("exceptions", List.of(Rule.allow("a.test")))));
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("mx.test.", Type.MX)).getRcode());
  }

  @Test
  void replacingTheLists_appliesToTheNextQuery_evenForCachedNames() throws Exception {
    DnsClient c = start(List.of());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    server.policy().replace(List.of(CompiledList.build("new", List.of(Rule.block("a.test")))));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, m.getRcode());
    server.policy().replace(List.of());
    assertTrue(c.udp(DnsClient.query("a.test.", Type.A)).getRcode() == Rcode.NOERROR);
  }

  @Test
  void queriesFlowingThroughManyReloads_allGetAnswered() throws Exception {
    CompiledList blockA = CompiledList.build("one", List.of(Rule.block("a.test")));
    CompiledList blockMx = CompiledList.build("two", List.of(Rule.block("mx.test")));
    DnsClient c = start(List.of(blockA));
    c.udp(DnsClient.query("mx.test.", Type.A));
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<String> wrong = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Thread client = new Thread(() -> {
      while (running.get()) {
        try {
          Message m = c.udp(DnsClient.query("a.test.", Type.A));
          int rc = m.getRcode();
          if (rc != Rcode.NOERROR && rc != Rcode.NXDOMAIN) {
            wrong.add(Rcode.string(rc));
          }
          answered.incrementAndGet();
        } catch (Exception e) {
          wrong.add(e.toString());
        }
      }
    });
    client.start();
    for (int i = 0; i < 200; i++) {
      server.policy().replace(List.of(i % 2 == 0 ? blockMx : blockA));
      Thread.sleep(2);
    }
    running.set(false);
    client.join();
    assertTrue(wrong.isEmpty(), "every query answered NOERROR or NXDOMAIN: " + wrong);
    assertTrue(answered.get() > 20, "queries kept flowing: " + answered.get());
  }

  static CompiledList list(ListInfo info, Rule... rules) {
    CompiledList.Builder b = CompiledList.builder(info, info.locked()
        ? NameHasher.keyed(new byte[32]) : NameHasher.PLAIN);
    for (Rule r : rules) {
      b.add(r);
    }
    return b.build("v1");
  }

  @Test
  void lockedList_ede16_namesOnlyListAndCategory_andNoAllowPassesIt() throws Exception {
    ListInfo iwf = new ListInfo("iwf", "csam", true, false, "", List.of());
    DnsClient c = start(List.of(
        list(iwf, Rule.block("mx.test").atLine(7)),
        CompiledList.build("exceptions", List.of(Rule.allow("test")))));
    Message m = c.udp(DnsClient.query("deep.mx.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, m.getRcode());
    ExtendedErrorCodeOption ede = ResolverTest.ede(m);
    assertEquals(16, ede.getErrorCode(), "Censored: an external (legal) requirement");
    assertEquals("blocked by list iwf (category csam) [locked-list:iwf]", ede.getText(), "never the entry");
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode(),
        "the allow list still works for names the locked list does not block");
  }

  @Test
  void legalOverride_passesALockedBlock() throws Exception {
    ListInfo iwf = new ListInfo("iwf", "csam", true, false, "", List.of());
    ListInfo override = new ListInfo("court-override", null, false, true, "", List.of());
    DnsClient c = start(List.of(list(iwf, Rule.block("test")),
        list(override, Rule.allow("a.test"))));
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("mx.test.", Type.MX)).getRcode());
  }

  @Test
  void verdictTextNamesCategoryLineAndVersion() throws Exception {
    ListInfo ut1 = new ListInfo("ut1/gambling", "gambling", false, false, "", List.of());
    DnsClient c = start(List.of(list(ut1, Rule.block("test").atLine(42))));
    ExtendedErrorCodeOption ede = ResolverTest.ede(c.udp(DnsClient.query("a.test.", Type.A)));
    assertEquals(15, ede.getErrorCode());
    assertEquals("blocked by list ut1/gambling (category gambling): test, rule line 42,"
        + " version v1 [baseline-list:ut1/gambling@v1#42]", ede.getText());
  }

  @Test
  void rpzActions_nodataDropAndLocalData() throws Exception {
    ListInfo rpz = ListInfo.named("rpz");
    DnsClient c = start(List.of(list(rpz,
        new Rule("a.test", Rule.Scope.EXACT, false, BlockAction.NODATA, null, 1),
        new Rule("mx.test", Rule.Scope.EXACT, false, BlockAction.LOCAL_DATA, "A 192.0.2.7", 2),
        new Rule("mx.test", Rule.Scope.EXACT, false, BlockAction.LOCAL_DATA,
            "CNAME garden.example.", 3),
        new Rule("gone.test", Rule.Scope.SUBTREE, false, BlockAction.DROP, null, 4))));
    Message nodata = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, nodata.getRcode());
    assertEquals(0, nodata.getSection(org.xbill.DNS.Section.ANSWER).size());
    Message local = c.udp(DnsClient.query("mx.test.", Type.A));
    var answer = local.getSection(org.xbill.DNS.Section.ANSWER);
    assertEquals(1, answer.size());
    assertEquals("192.0.2.7", ((org.xbill.DNS.ARecord) answer.get(0)).getAddress()
        .getHostAddress());
    assertEquals("mx.test.", answer.get(0).getName().toString(), "owned by the asked name");
    Message cname = c.udp(DnsClient.query("mx.test.", Type.TXT));
    assertEquals(Type.CNAME, cname.getSection(org.xbill.DNS.Section.ANSWER).get(0).getType());
    assertThrows(java.io.IOException.class, () -> c.udp(DnsClient.query("x.gone.test.", Type.A)),
        "dropped: no reply at all");
  }

  @Test
  void urlLevelHost_resolvesNormally() throws Exception {
    CompiledList.Builder b = CompiledList.builder("iwf-urls");
    b.addUrl("a.test", "a.test/some/page.html", 1);
    DnsClient c = start(List.of(b.build()));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals(1, m.getSection(org.xbill.DNS.Section.ANSWER).size());
    var stage = server.policy();
    assertEquals(1, stage.urlLevelCount(), "counted as a URL-level host");
    assertEquals(0, stage.blockedCount(), "but not blocked");
  }
}
