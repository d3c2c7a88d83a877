package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What Hearth does when the upstream disappears, never existed, or is one of several: negative
 * caching, serve-stale (RFC 8767), SERVFAIL with an Extended DNS Error, failover, recovery. Each
 * test gets its own NSD and Hearth because they kill the upstream.
 */
@Timeout(120)
class UpstreamFailureIT {
  private final List<AutoCloseable> resources = new ArrayList<>();
  private HearthProcess hearth;

  @AfterEach
  void cleanup() throws Exception {
    try {
      if (hearth != null && hearth.isAlive()) {
        hearth.stop();
      }
    } finally {
      for (int i = resources.size() - 1; i >= 0; i--) {
        resources.get(i).close();
      }
    }
  }

  private Nsd nsd() throws IOException {
    Nsd n = Nsd.startNew();
    resources.add(n);
    return n;
  }

  private HearthProcess hearth(List<String> upstreams, String... extra) throws IOException {
    hearth = HearthProcess.start(upstreams, List.of(extra));
    resources.add(hearth);
    return hearth;
  }

  private String ctx(Result r) {
    return r + "\n" + hearth.describe();
  }

  @Test
  void negativeAnswersAreCachedWhenUpstreamStops() throws Exception {
    Nsd nsd = nsd();
    hearth(List.of(nsd.address()));
    Result nx = Dig.dig(hearth.port(), "gone.e2e.test", "A");
    assertEquals("NXDOMAIN", nx.status(), () -> ctx(nx));
    Result nodata = Dig.dig(hearth.port(), "nodata.e2e.test", "TXT");
    assertEquals("NOERROR", nodata.status(), () -> ctx(nodata));
    assertTrue(nodata.answers().isEmpty(), () -> ctx(nodata));

    nsd.stop();

    Result nx2 = Dig.dig(hearth.port(), "+time=5", "gone.e2e.test", "A");
    assertEquals("NXDOMAIN", nx2.status(), () -> "NXDOMAIN should come from the negative cache\n" + ctx(nx2));
    assertTrue(nx2.authority().stream().anyMatch(r -> r.type().equals("SOA")), () -> ctx(nx2));
    Result nodata2 = Dig.dig(hearth.port(), "+time=5", "nodata.e2e.test", "TXT");
    assertEquals("NOERROR", nodata2.status(), () -> "NODATA should come from the negative cache\n" + ctx(nodata2));
    assertTrue(nodata2.answers().isEmpty(), () -> ctx(nodata2));
    assertTrue(nodata2.authority().stream().anyMatch(r -> r.type().equals("SOA")), () -> ctx(nodata2));
  }

  @Test
  void staleAnswerIsServedWithEde3WhenUpstreamStops() throws Exception {
    Nsd nsd = nsd();
    hearth(List.of(nsd.address()));
    Result fresh = Dig.dig(hearth.port(), "stale.e2e.test", "A");
    assertEquals("NOERROR", fresh.status(), () -> ctx(fresh));
    assertEquals("192.0.2.50", fresh.answers("A").get(0).rdata(), () -> ctx(fresh));
    assertFalse(fresh.edeCodes().contains(3), () -> "a fresh answer is not stale\n" + ctx(fresh));

    nsd.stop();
    E2e.sleep(7_000); // TTL 5 has now expired

    Result stale = Dig.dig(hearth.port(), "+time=6", "stale.e2e.test", "A");
    assertEquals("NOERROR", stale.status(), () -> "expected a stale answer\n" + ctx(stale));
    assertEquals(1, stale.answers("A").size(), () -> ctx(stale));
    assertEquals("192.0.2.50", stale.answers("A").get(0).rdata(), () -> ctx(stale));
    assertTrue(stale.answers("A").get(0).ttl() > 0, () -> "stale answers carry a small positive TTL\n" + ctx(stale));
    assertTrue(stale.edeCodes().contains(3), () -> "EDE 3 (Stale Answer) expected\n" + ctx(stale));
    assertTrue(hearth.isAlive(), hearth::describe);
  }

  @Test
  void recoversWhenUpstreamComesBack() throws Exception {
    Nsd nsd = nsd();
    hearth(List.of(nsd.address()));
    nsd.stop();
    Result down = Dig.dig(hearth.port(), "+time=6", "fail5.e2e.test", "A");
    assertEquals("SERVFAIL", down.status(), () -> ctx(down));
    // The operator's view: one log line when it goes down, one when it comes back.
    assertTrue(hearth.log().contains("marked down after 3 timeouts in a row"), hearth::describe);

    nsd.start(); // same port
    Result last = null;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      last = Dig.dig(hearth.port(), "+time=6", "back.e2e.test", "A");
      if ("NOERROR".equals(last.status())) {
        break;
      }
      E2e.sleep(1_000);
    }
    Result r = last;
    assertEquals("NOERROR", r.status(), () -> "no recovery within 30 s of NSD restarting\n" + ctx(r));
    assertEquals("192.0.2.80", r.answers("A").get(0).rdata(), () -> ctx(r));
    assertTrue(hearth.log().contains("answers again"), hearth::describe);
  }

  @Test
  void upstreamDownFromTheStartGivesServfailWithEde() throws Exception {
    int deadPort = E2e.freePort(); // nothing listens here
    hearth(List.of("127.0.0.1:" + deadPort));
    for (String transport : List.of("+notcp", "+tcp")) {
      Result r = Dig.dig(hearth.port(), "+time=6", transport, "www.e2e.test", "A");
      assertEquals("SERVFAIL", r.status(), () -> ctx(r));
      assertTrue(r.hasEde(), () -> "SERVFAIL should explain itself with an Extended DNS Error\n" + ctx(r));
      assertTrue(hearth.isAlive(), hearth::describe);
    }
    Result kd = Dig.kdig(hearth.port(), "+timeout=6", "+edns", "www.e2e.test", "A");
    assertEquals("SERVFAIL", kd.status(), () -> ctx(kd));
    assertTrue(kd.hasEde(), () -> ctx(kd));
    assertTrue(hearth.isAlive(), hearth::describe);
  }

  @Test
  void failsOverFromClosedPortToWorkingUpstream() throws Exception {
    Nsd nsd = nsd();
    int deadPort = E2e.freePort();
    hearth(List.of("127.0.0.1:" + deadPort, nsd.address()));
    for (int i = 0; i < 4; i++) {
      String name = "fail" + i + ".e2e.test";
      String ip = "192.0.2." + (70 + i);
      Result r = Dig.dig(hearth.port(), "+time=6", name, "A");
      assertEquals("NOERROR", r.status(), () -> ctx(r));
      assertEquals(ip, r.answers("A").get(0).rdata(), () -> ctx(r));
    }
  }

  @Test
  void failsOverFromSilentUpstreamToWorkingUpstream() throws Exception {
    Nsd nsd = nsd();
    // A black hole: bound for UDP and TCP, never answers, so Hearth must time out and move on.
    int silentPort = E2e.freePort();
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(E2e.LOOPBACK, silentPort));
        ServerSocket tcp = new ServerSocket()) {
      tcp.bind(new InetSocketAddress(E2e.LOOPBACK, silentPort));
      hearth(List.of("127.0.0.1:" + udp.getLocalPort(), nsd.address()));
      for (int i = 4; i < 8; i++) {
        String name = "fail" + i + ".e2e.test";
        String ip = "192.0.2." + (70 + i);
        Result r = Dig.dig(hearth.port(), "+time=6", name, "A");
        assertEquals("NOERROR", r.status(), () -> ctx(r));
        assertEquals(ip, r.answers("A").get(0).rdata(), () -> ctx(r));
      }
    }
  }
}
