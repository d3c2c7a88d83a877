package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity.Source;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Per-listener identification rules in a running resolver with three UDP listeners: one with
 * every rule, a hotspot that only believes source addresses, and an ISP listener behind trusted
 * forwarders that ignores their Client Subnet and falls back to its own default profile.
 */
class ListenerRulesTest {
  static final byte[] KIDS_TABLET = {2, 0, 0, 0, 0, 1};

  TestAuthServer upstream;
  DnsServer server;
  DnsClient open;
  DnsClient hotspot;
  DnsClient isp;

  @BeforeEach
  void start() throws Exception {
    upstream = new TestAuthServer();
    InetSocketAddress openAt = new InetSocketAddress("127.0.0.1",
        PolicyStageClientsTest.freePort());
    InetSocketAddress hotspotAt = new InetSocketAddress("127.0.0.1",
        PolicyStageClientsTest.freePort());
    InetSocketAddress ispAt = new InetSocketAddress("127.0.0.1",
        PolicyStageClientsTest.freePort());
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    Profile cafe = new Profile("cafe", "Cafe", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "kids", kids, "cafe", cafe),
        ClientDirectory.builder("default")
            // house-1 is known only by its tablet's MAC; house-2 by its prefix behind forwarders.
            .subscriber(new Subscriber("house-1", "default", null,
                Map.of(0x020000000001L, "kids")))
            .subscriber(new Subscriber("house-2", "kids", null, Map.of()))
            .prefix(Prefix.parse("198.51.100.0/24"), "house-2")
            .trustedForwarders(new ClientNetworks(List.of(Prefix.parse("127.0.0.0/8"))))
            .listenerRules(hotspotAt, Set.of(Source.ADDRESS))
            .listenerRules(ispAt, Set.of(Source.MAC, Source.CPE_ID, Source.ADDRESS))
            .listenerProfile(ispAt, "cafe")
            .build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    server = DnsServer.start(ResolverConfig.defaults(List.of(openAt, hotspotAt, ispAt),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(PolicyStageClientsTest.adultList()), policy);
    open = new DnsClient(openAt);
    hotspot = new DnsClient(hotspotAt);
    isp = new DnsClient(ispAt);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  static Message query(String name, EDNSOption... options) {
    Message q = DnsClient.query(name, Type.A, false);
    q.addRecord(new OPTRecord(1232, 0, 0, 0, List.of(options)), Section.ADDITIONAL);
    return q;
  }

  static EDNSOption mac(byte[] mac) {
    return new GenericEDNSOption(65001, mac);
  }

  static String edeText(Message m) {
    return ResolverTest.ede(m).getText();
  }

  @Test
  void aMacOption_selectsTheDeviceProfileOnlyOnListenersThatBelieveMacs() throws Exception {
    Message all = open.udp(query("a.test.", mac(KIDS_TABLET)));
    assertEquals(Rcode.NXDOMAIN, all.getRcode(), "every rule: the tablet's kids profile");
    assertEquals(17, ResolverTest.ede(all).getErrorCode());
    assertTrue(edeText(all).contains("profile kids"), edeText(all));
    Message forged = hotspot.udp(query("a.test.", mac(KIDS_TABLET)));
    assertEquals(Rcode.NOERROR, forged.getRcode(),
        "identify: [address]: the MAC is ignored, the client is unidentified (baseline only)");
    Message onIsp = isp.udp(query("a.test.", mac(KIDS_TABLET)));
    assertEquals(Rcode.NXDOMAIN, onIsp.getRcode());
    assertTrue(edeText(onIsp).contains("profile kids"), "the ISP listener believes MACs");
  }

  @Test
  void theAddressRule_stillWorksOnAnAddressOnlyListener_includingRunTimeBindings()
      throws Exception {
    server.policy().bindings().bind(Prefix.parse("127.0.0.1/32"), "house-2");
    Message r = hotspot.udp(query("a.test.", mac(KIDS_TABLET)));
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    assertEquals(17, ResolverTest.ede(r).getErrorCode());
    assertTrue(edeText(r).contains("profile kids"), edeText(r));
  }

  @Test
  void aListenerWithoutClientSubnet_ignoresEcsFromATrustedForwarder_andUsesItsDefault()
      throws Exception {
    EDNSOption ecs = new ClientSubnetOption(24, InetAddress.getByName("198.51.100.0"));
    Message all = open.udp(query("a.test.", ecs));
    assertEquals(Rcode.NXDOMAIN, all.getRcode());
    assertEquals(17, ResolverTest.ede(all).getErrorCode(), "house-2 by its Client Subnet");
    Message onIsp = isp.udp(query("a.test.", ecs));
    assertEquals(Rcode.NXDOMAIN, onIsp.getRcode(), "the listener's default profile blocks too");
    assertEquals(15, ResolverTest.ede(onIsp).getErrorCode(), "the operator's policy, not house-2");
    assertTrue(edeText(onIsp).contains("profile cafe"), edeText(onIsp));
    assertFalse(edeText(onIsp).contains("profile kids"), edeText(onIsp));
  }

  @Test
  void routerOptions_neverReachTheUpstream_whetherOrNotTheListenerUsesThem() throws Exception {
    EDNSOption cpe = new GenericEDNSOption(65074,
        "router-1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (DnsClient c : List.of(open, hotspot)) {
      upstream.resetCounters();
      // A different name each time, so the second is not answered from the cache.
      String name = c == open ? "mail.test." : "txt.test.";
      assertEquals(Rcode.NOERROR, c.udp(query(name, mac(KIDS_TABLET), cpe)).getRcode());
      Message sent = upstream.lastQuery();
      assertNotNull(sent, "resolved upstream");
      OPTRecord opt = sent.getOPT();
      if (opt != null) {
        assertTrue(opt.getOptions(65001).isEmpty(), "no MAC upstream");
        assertTrue(opt.getOptions(65074).isEmpty(), "no CPE id upstream");
      }
    }
  }
}
