package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The policy stage in a running resolver: run-time address bindings and pauses apply to the next
 * query, and the MAC and CPE-id options a router adds never reach the upstream.
 */
class PolicyStageClientsTest {
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

  /** One category list, "adult", blocking a.test. */
  static CompiledList adultList() {
    ListInfo adult = new ListInfo("adult", "adult", false, false, "v1", List.of());
    return CompiledList.builder(adult, NameHasher.PLAIN).add(Rule.block("a.test")).build("v1");
  }

  DnsClient start() throws Exception {
    upstream = new TestAuthServer();
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "kids", kids),
        ClientDirectory.builder("default")
            .subscriber(new Subscriber("house-1", "kids", null, Map.of(0x020000000001L, "kids")))
            .build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    server = DnsServer.start(ResolverConfig.defaults(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(adultList()), policy);
    return new DnsClient(server.boundAddresses().get(0));
  }

  @Test
  void bindingAnAddressAtRunTime_appliesToTheNextQuery_andUnbindingEndsIt() throws Exception {
    DnsClient c = start();
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode(),
        "unidentified: baseline only");
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "house-1");
    Message blocked = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, blocked.getRcode());
    assertEquals(17, ResolverTest.ede(blocked).getErrorCode());
    server.policy().bindings().unbind(Prefix.parse("127.0.0.1/32"));
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
  }

  static int freePort() {
    return dev.hearth.resolver.testing.Ports.freeForUdpAndTcp();
  }

  @Test
  void aListenerDefaultProfile_appliesToUnidentifiedClientsOfThatListenerOnly() throws Exception {
    upstream = new TestAuthServer();
    InetSocketAddress home = new InetSocketAddress("127.0.0.1", freePort());
    InetSocketAddress venue = new InetSocketAddress("127.0.0.1", freePort());
    Profile cafe = new Profile("cafe", "Cafe", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "cafe", cafe),
        ClientDirectory.builder("default").listenerProfile(venue, "cafe").build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    server = DnsServer.start(ResolverConfig.defaults(List.of(home, venue),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(adultList()), policy);
    DnsClient atHome = new DnsClient(home);
    DnsClient atVenue = new DnsClient(venue);
    assertEquals(Rcode.NOERROR, atHome.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    Message udp = atVenue.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, udp.getRcode());
    assertEquals(15, ResolverTest.ede(udp).getErrorCode(), "a venue's policy is the operator's");
    assertTrue(ResolverTest.ede(udp).getText().contains("profile cafe"));
    assertEquals(Rcode.NXDOMAIN, atVenue.tcp(DnsClient.query("a.test.", Type.A)).getRcode());
  }

  @Test
  void pauseAppliesAtOnceAndEndsWhenResumed() throws Exception {
    DnsClient c = start();
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "house-1");
    server.policy().overrides().pause("house-1", "kids", Instant.now().plusSeconds(600));
    Message paused = c.udp(DnsClient.query("mail.test.", Type.A));
    assertEquals(Rcode.NXDOMAIN, paused.getRcode());
    assertTrue(ResolverTest.ede(paused).getText().startsWith("blocked by a pause of the internet"),
        ResolverTest.ede(paused).getText());
    server.policy().overrides().resume("house-1", "kids");
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
  }

  @Test
  void activityCounts_onlyForAHouseholdThatOptedIn_replacedSnapshotsApplyAtOnce() throws Exception {
    DnsClient c = start();
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "house-1");
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertTrue(server.policy().activity().read().isEmpty(), "not opted in: nothing counted");
    var old = server.policy().engine().policy();
    var optedIn = ClientDirectory.builder("default")
        .subscriber(new Subscriber("house-1", "kids", null, Map.of(), true)).build();
    server.policy().replacePolicy(new PolicySnapshot(old.profiles(), optedIn, List.of(),
        PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null));
    assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NXDOMAIN, c.tcp(DnsClient.query("www.a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
    var readings = server.policy().activity().read();
    var adult = readings.stream().filter(r -> r.key().equals("adult")).findFirst().orElseThrow();
    assertEquals("house-1", adult.subscriberId());
    assertEquals("kids", adult.profileId());
    assertEquals(2, adult.blocked());
    var other = readings.stream().filter(r -> r.key().equals("(other)")).findFirst()
        .orElseThrow();
    assertEquals(1, other.allowed());
    assertEquals(2, readings.size(), readings::toString);
  }

  @Test
  void routerOptions_identifyTheDevice_andNeverReachTheUpstream() throws Exception {
    DnsClient c = start();
    Message q = DnsClient.query("mail.test.", Type.A, false);
    List<EDNSOption> options = List.of(
        new GenericEDNSOption(65001, new byte[] {2, 0, 0, 0, 0, 1}),
        new GenericEDNSOption(65074, "router-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    q.addRecord(new OPTRecord(1232, 0, 0, 0, options), org.xbill.DNS.Section.ADDITIONAL);
    upstream.resetCounters();
    assertEquals(Rcode.NOERROR, c.udp(q).getRcode());
    Message sent = upstream.lastQuery();
    assertNotNull(sent, "the name was resolved upstream");
    OPTRecord opt = sent.getOPT();
    if (opt != null) {
      assertTrue(opt.getOptions(65001).isEmpty(), "no MAC upstream");
      assertTrue(opt.getOptions(65074).isEmpty(), "no CPE id upstream");
    }
    Message blocked = DnsClient.query("a.test.", Type.A, false);
    blocked.addRecord(new OPTRecord(1232, 0, 0, 0, options), org.xbill.DNS.Section.ADDITIONAL);
    Message r = c.udp(blocked);
    assertEquals(Rcode.NXDOMAIN, r.getRcode(), "the device's MAC selects the kids profile");
  }
}
