package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checks the fixture itself, without Hearth: NSD serves the test zone as the other tests expect,
 * survives stop/start on the same port, and the dig/kdig parsers read its answers. When this
 * fails, the other e2e failures are about the harness, not the resolver.
 */
@Timeout(60)
class HarnessSelfCheckIT {

  @Test
  void nsdServesTheTestZoneAndRestarts() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    E2e.requireTool("kdig", "/usr/bin/kdig");
    try (Nsd nsd = Nsd.startNew()) {
      Result a = Dig.dig(nsd.port(), "www.e2e.test", "A");
      assertEquals("NOERROR", a.status(), () -> a + nsd.log());
      assertEquals("192.0.2.10", a.answers("A").get(0).rdata(), a::toString);
      assertTrue(a.flags().contains("aa"), a::toString);

      Result chain = Dig.kdig(nsd.port(), "alias1.e2e.test", "A");
      assertEquals(4, chain.answers().size(), chain::toString);

      Result big = Dig.dig(nsd.port(), "+bufsize=1232", "+ignore", "big.e2e.test", "TXT");
      assertTrue(big.flags().contains("tc"), big::toString);
      Result bigTcp = Dig.dig(nsd.port(), "+tcp", "big.e2e.test", "TXT");
      assertEquals(30, bigTcp.answers("TXT").size(), bigTcp::toString);

      Result nx = Dig.kdig(nsd.port(), "nope.e2e.test", "A");
      assertEquals("NXDOMAIN", nx.status(), nx::toString);
      assertEquals("SOA", nx.authority().get(0).type(), nx::toString);
      assertEquals(60, nx.authority().get(0).ttl(), nx::toString);

      Result stale = Dig.dig(nsd.port(), "stale.e2e.test", "A");
      assertEquals(5, stale.answers("A").get(0).ttl(), stale::toString);

      nsd.stop();
      Result down = Dig.dig(nsd.port(), "+time=1", "www.e2e.test", "A");
      assertTrue(down.noReply(), down::toString);
      Result kdown = Dig.kdig(nsd.port(), "+timeout=1", "www.e2e.test", "A");
      assertTrue(kdown.noReply(), kdown::toString);

      nsd.start();
      Result again = Dig.dig(nsd.port(), "+tcp", "www.e2e.test", "AAAA");
      assertEquals("2001:db8::10", again.answers("AAAA").get(0).rdata(), () -> again + nsd.log());
    }
  }
}
