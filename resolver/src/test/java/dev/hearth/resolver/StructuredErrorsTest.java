package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.policy.Operator;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.policy.StructuredErrors;
import dev.hearth.resolver.policy.StructuredErrors.Mode;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;

/**
 * Which clients get structured EDE texts, in a running resolver: by default those that send an
 * EDE option; with {@code structured_errors_option} also those that send that option; with
 * {@code always} or {@code never} everyone or no one. A policy swap changes it for the next query.
 */
class StructuredErrorsTest {
  static final String JSON_START = "{\"c\":[\"mailto:abuse@isp.example\"],\"j\":\"blocked by list";
  static final String SENTENCE_START = "blocked by list adult (category adult): a.test";

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

  /** Everyone gets the kids profile, which blocks a.test. */
  static PolicySnapshot policy(StructuredErrors structured) {
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    return new PolicySnapshot(Map.of("kids", kids), ClientDirectory.empty("kids"), List.of(),
        PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null, null,
        new Operator("Example ISP", List.of("mailto:abuse@isp.example"), "en"), structured);
  }

  DnsClient start(StructuredErrors structured) throws Exception {
    upstream = new TestAuthServer();
    server = DnsServer.start(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        List.of(PolicyStageClientsTest.adultList()), policy(structured));
    return new DnsClient(server.boundAddresses().get(0));
  }

  static String text(DnsClient c, EDNSOption... options) throws Exception {
    Message r = c.udp(ListenerRulesTest.query("a.test.", options));
    assertEquals(Rcode.NXDOMAIN, r.getRcode());
    return ResolverTest.ede(r).getText();
  }

  static EDNSOption option(int code) {
    return new GenericEDNSOption(code, new byte[0]);
  }

  @Test
  void anExtraRequestOption_asksForJson_likeTheEdeOption() throws Exception {
    DnsClient c = start(new StructuredErrors(Mode.ON_REQUEST, 65500));
    String asked = text(c, option(65500));
    assertTrue(asked.startsWith(JSON_START), asked);
    assertTrue(asked.contains("\"o\":\"Example ISP\","), asked);
    assertTrue(asked.endsWith("\"l\":\"en\"}"), asked);
    assertTrue(text(c, option(15)).startsWith(JSON_START), "the EDE option still asks");
    String plain = text(c);
    assertTrue(plain.startsWith(SENTENCE_START), plain);
    assertTrue(text(c, option(65501)).startsWith(SENTENCE_START), "another option does not ask");
  }

  @Test
  void byDefault_onlyTheEdeOptionAsks() throws Exception {
    DnsClient c = start(null);
    assertTrue(text(c, option(15)).startsWith(JSON_START));
    assertTrue(text(c, option(65500)).startsWith(SENTENCE_START));
  }

  @Test
  void alwaysAndNever_ignoreWhatTheClientSends_andApplyFromTheNextQueryAfterASwap()
      throws Exception {
    DnsClient c = start(new StructuredErrors(Mode.ALWAYS, -1));
    String always = text(c);
    assertTrue(always.startsWith(JSON_START), always);
    server.policy().replacePolicy(policy(new StructuredErrors(Mode.NEVER, 65500)));
    String never = text(c, option(15), option(65500));
    assertTrue(never.startsWith(SENTENCE_START), never);
    assertFalse(never.contains("\"j\""), never);
  }

  @Test
  void optionCodes_outsideTheRange_areRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> new StructuredErrors(Mode.ON_REQUEST, 65536));
    assertThrows(IllegalArgumentException.class,
        () -> new StructuredErrors(Mode.ON_REQUEST, -2));
  }
}
