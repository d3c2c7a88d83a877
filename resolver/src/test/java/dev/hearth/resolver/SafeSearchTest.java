package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.policy.SafeSearch;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Enforced SafeSearch: the table as data, and CNAME rewrites in a running resolver. */
class SafeSearchTest {
  TestAuthServer upstream;
  DnsServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void builtInTable_coversTheEnginesOfTheBrief() {
    SafeSearch t = SafeSearch.defaults();
    assertEquals("forcesafesearch.google.com", t.target("www.google.com", SafeSearch.Mode.STRICT));
    assertEquals("forcesafesearch.google.com", t.target("www.google.co.uk",
        SafeSearch.Mode.MODERATE));
    assertEquals("restrict.youtube.com", t.target("m.youtube.com", SafeSearch.Mode.STRICT));
    assertEquals("restrictmoderate.youtube.com", t.target("youtubei.googleapis.com",
        SafeSearch.Mode.MODERATE));
    assertEquals("strict.bing.com", t.target("www.bing.com", SafeSearch.Mode.STRICT));
    assertEquals("safe.duckduckgo.com", t.target("duckduckgo.com", SafeSearch.Mode.STRICT));
    assertEquals(null, t.target("www.google.com", SafeSearch.Mode.OFF));
    assertEquals(null, t.target("mail.google.com", SafeSearch.Mode.STRICT));
    assertTrue(t.size() > 300, "every Google domain: " + t.size());
  }

  @Test
  void badTableLinesNameSourceAndLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeSearch.parse(new StringReader("# t\na.example b.example\nonly-one\n"), "t.txt"));
    assertTrue(e.getMessage().startsWith("t.txt:3: expected 'name strict-target"),
        e.getMessage());
  }

  DnsClient start() throws Exception {
    upstream = new TestAuthServer();
    upstream.addRecords("search 300 IN A 192.0.2.10\nsafe 120 IN A 192.0.2.99\n");
    Profile kids = new Profile("kids", "Kids", Set.of(), false, List.of(), List.of(), false,
        null, List.of(), Map.of(), SafeSearch.Mode.STRICT);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "kids", kids),
        ClientDirectory.builder("default")
            .subscriber(new Subscriber("house-1", "kids", null, Map.of())).build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    server = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(), policy);
    server.policy().replaceSafeSearch(SafeSearch.parse(
        new StringReader("search.test safe.test\n"), "test"));
    return new DnsClient(server.boundAddresses().get(0));
  }

  @Test
  void profileWithSafeSearch_getsACnameToTheSafeHost_othersTheRealAnswer() throws Exception {
    DnsClient c = start();
    Message plain = c.udp(DnsClient.query("search.test.", Type.A));
    assertEquals("192.0.2.10", ((ARecord) plain.getSection(Section.ANSWER).get(0)).getAddress()
        .getHostAddress(), "unidentified: no rewrite");
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "house-1");
    for (int i = 0; i < 2; i++) { // the second time the target comes from the cache
      Message m = c.udp(DnsClient.query("Search.Test.", Type.A));
      assertEquals(Rcode.NOERROR, m.getRcode());
      List<Record> answer = m.getSection(Section.ANSWER);
      assertEquals(2, answer.size(), m.toString());
      CNAMERecord cname = (CNAMERecord) answer.get(0);
      assertEquals("Search.Test.", cname.getName().toString(), "owned by the name as asked");
      assertEquals("safe.test.", cname.getTarget().toString());
      assertEquals("safe.test.", answer.get(1).getName().toString());
      assertEquals("192.0.2.99", ((ARecord) answer.get(1)).getAddress().getHostAddress());
      assertTrue(answer.get(1).getTTL() <= 120, m.toString());
    }
    Message aaaa = c.udp(DnsClient.query("search.test.", Type.AAAA));
    assertEquals(Rcode.NOERROR, aaaa.getRcode());
    assertEquals(1, aaaa.getSection(Section.ANSWER).size(), "CNAME only: safe.test has no AAAA");
    assertEquals(Type.CNAME, aaaa.getSection(Section.ANSWER).get(0).getType());
    server.policy().bindings().unbind(Prefix.parse("127.0.0.1/32"));
    Message after = c.udp(DnsClient.query("search.test.", Type.A));
    assertEquals(Type.A, after.getSection(Section.ANSWER).get(0).getType(),
        "the shared cache never kept the rewrite");
  }
}
