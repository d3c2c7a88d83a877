package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import dev.hearth.e2e.Dig.Rr;
import dev.hearth.e2e.Dig.Tool;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plain resolution through Hearth from a real NSD upstream, queried by dig and kdig over UDP and
 * TCP. One NSD and one Hearth serve the whole class.
 */
@Timeout(120)
class ResolutionIT {
  private static Nsd nsd;
  private static HearthProcess hearth;

  @BeforeAll
  static void startServers() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    E2e.requireTool("kdig", "/usr/bin/kdig");
    nsd = Nsd.startNew();
    hearth = HearthProcess.start(List.of(nsd.address()), List.of());
  }

  @AfterAll
  static void stopServers() {
    try {
      if (hearth != null) {
        hearth.stop(); // asserts a clean exit within 10 s of SIGTERM
      }
    } finally {
      if (hearth != null) {
        hearth.close();
      }
      if (nsd != null) {
        nsd.close();
      }
    }
  }

  private static String ctx(Result r) {
    return r + "\n" + hearth.describe();
  }

  static Stream<Arguments> basicRecords() {
    List<Arguments> out = new ArrayList<>();
    for (Tool tool : Tool.values()) {
      for (boolean tcp : new boolean[] {false, true}) {
        out.add(Arguments.of(tool, tcp, "www.e2e.test", "A", "192.0.2.10"));
        out.add(Arguments.of(tool, tcp, "www.e2e.test", "AAAA", "2001:db8::10"));
        out.add(Arguments.of(tool, tcp, "e2e.test", "MX", "10 mail.e2e.test."));
        out.add(Arguments.of(tool, tcp, "www.e2e.test", "TXT", "\"hearth e2e www\""));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} tcp={1} {2} {3}")
  @MethodSource("basicRecords")
  void answersBasicRecordTypes(Tool tool, boolean tcp, String name, String type, String rdata) {
    List<String> args = new ArrayList<>();
    if (tcp) {
      args.add("+tcp");
    }
    args.add(name);
    args.add(type);
    Result r = Dig.run(tool, hearth.port(), args.toArray(String[]::new));
    assertEquals("NOERROR", r.status(), () -> ctx(r));
    if (tcp) {
      assertTrue(r.output().contains("TCP"), () -> "expected a TCP exchange\n" + ctx(r));
    }
    List<Rr> answers = r.answers(type);
    assertEquals(1, answers.size(), () -> "one " + type + " record expected\n" + ctx(r));
    assertEquals(rdata, answers.get(0).rdata(), () -> ctx(r));
    assertEquals(name + ".", answers.get(0).name(), () -> ctx(r));
    assertTrue(answers.get(0).ttl() > 0 && answers.get(0).ttl() <= 300, () -> ctx(r));
    // A recursive resolver offers recursion, and a cache is not authoritative.
    assertTrue(r.flags().containsAll(List.of("qr", "rd", "ra")), () -> "flags " + r.flags() + "\n" + ctx(r));
    assertFalse(r.flags().contains("aa"), () -> "AA must not be set by a resolver\n" + ctx(r));
    assertFalse(r.flags().contains("tc"), () -> ctx(r));
  }

  @Test
  void cnameChainIsFullyAnswered() {
    for (Tool tool : Tool.values()) {
      Result r = Dig.run(tool, hearth.port(), "alias1.e2e.test", "A");
      assertEquals("NOERROR", r.status(), () -> ctx(r));
      List<Rr> a = r.answers();
      List<String> chain = a.stream().map(x -> x.name() + " " + x.type() + " " + x.rdata()).toList();
      assertEquals(List.of(
              "alias1.e2e.test. CNAME alias2.e2e.test.",
              "alias2.e2e.test. CNAME alias3.e2e.test.",
              "alias3.e2e.test. CNAME target.e2e.test.",
              "target.e2e.test. A 192.0.2.30"),
          chain, () -> ctx(r));
    }
  }

  @Test
  void cnameChainOverTcpFromMiddleOfChain() {
    Result r = Dig.dig(hearth.port(), "+tcp", "alias2.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> ctx(r));
    assertEquals(3, r.answers().size(), () -> ctx(r));
    assertEquals("192.0.2.30", r.answers("A").get(0).rdata(), () -> ctx(r));
  }

  @Test
  void largeAnswerIsTruncatedOverUdpAndCompleteOverTcp() {
    // Client advertises 1232 bytes and refuses to retry: Hearth must set TC.
    Result udp = Dig.dig(hearth.port(), "+bufsize=1232", "+ignore", "big.e2e.test", "TXT");
    assertEquals("NOERROR", udp.status(), () -> ctx(udp));
    assertTrue(udp.flags().contains("tc"), () -> "TC expected for a >6000-byte answer\n" + ctx(udp));
    assertTrue(udp.stdout.contains("MSG SIZE  rcvd:"), () -> ctx(udp));
    int size = Integer.parseInt(udp.stdout.replaceAll("(?s).*MSG SIZE  rcvd: (\\d+).*", "$1"));
    assertTrue(size <= 1232, () -> "UDP reply exceeds the client's 1232-byte buffer\n" + ctx(udp));

    // Without +ignore dig retries over TCP and must receive the whole RRset.
    Result retry = Dig.dig(hearth.port(), "+bufsize=1232", "big.e2e.test", "TXT");
    assertTrue(retry.stdout.contains("Truncated, retrying in TCP mode"), () -> ctx(retry));
    assertEquals("NOERROR", retry.status(), () -> ctx(retry));
    assertBigRrset(retry);

    Result kdig = Dig.kdig(hearth.port(), "+bufsize=1232", "big.e2e.test", "TXT");
    assertEquals("NOERROR", kdig.status(), () -> ctx(kdig));
    assertBigRrset(kdig);

    Result tcp = Dig.dig(hearth.port(), "+tcp", "big.e2e.test", "TXT");
    assertBigRrset(tcp);
  }

  @Test
  void largeAnswerWithoutEdnsIsTruncatedAt512() {
    Result r = Dig.dig(hearth.port(), "+noedns", "+ignore", "big.e2e.test", "TXT");
    assertEquals("NOERROR", r.status(), () -> ctx(r));
    assertTrue(r.flags().contains("tc"), () -> ctx(r));
    int size = Integer.parseInt(r.stdout.replaceAll("(?s).*MSG SIZE  rcvd: (\\d+).*", "$1"));
    assertTrue(size <= 512, () -> "a non-EDNS UDP reply must fit 512 bytes\n" + ctx(r));
  }

  private static void assertBigRrset(Result r) {
    List<Rr> txt = r.answers("TXT");
    assertEquals(30, txt.size(), () -> "all 30 TXT records expected\n" + ctx(r));
    for (int i = 0; i < 30; i++) {
      String prefix = String.format("\"big-%02d-", i);
      assertTrue(txt.stream().anyMatch(x -> x.rdata().startsWith(prefix)), () -> prefix + " missing\n" + ctx(r));
    }
    assertTrue(txt.stream().allMatch(x -> x.rdata().length() == 202), () -> "200-byte strings\n" + ctx(r));
  }

  @Test
  void nxdomainCarriesSoa() {
    for (Tool tool : Tool.values()) {
      Result r = Dig.run(tool, hearth.port(), "+edns", "no-such-" + tool.command + ".e2e.test", "A");
      assertEquals("NXDOMAIN", r.status(), () -> ctx(r));
      assertTrue(r.answers().isEmpty(), () -> ctx(r));
      assertSoaInAuthority(r);
    }
  }

  @Test
  void nodataCarriesSoa() {
    for (Tool tool : Tool.values()) {
      for (String transport : List.of("+notcp", "+tcp")) {
        Result r = Dig.run(tool, hearth.port(), transport, "nodata.e2e.test", "TXT");
        assertEquals("NOERROR", r.status(), () -> ctx(r));
        assertTrue(r.answers().isEmpty(), () -> "NODATA has an empty answer\n" + ctx(r));
        assertSoaInAuthority(r);
      }
    }
  }

  private static void assertSoaInAuthority(Result r) {
    List<Rr> soa = r.authority().stream().filter(x -> x.type().equals("SOA")).toList();
    assertEquals(1, soa.size(), () -> "SOA expected in authority (RFC 2308)\n" + ctx(r));
    assertEquals("e2e.test.", soa.get(0).name(), () -> ctx(r));
    // Negative TTL is bounded by the SOA MINIMUM (60) and the SOA TTL.
    assertTrue(soa.get(0).ttl() > 0 && soa.get(0).ttl() <= 60, () -> "SOA TTL " + soa.get(0).ttl() + "\n" + ctx(r));
    assertTrue(soa.get(0).rdata().startsWith("ns1.e2e.test. hostmaster.e2e.test. 2024010101"), () -> ctx(r));
  }

  @Test
  void cachedTtlCountsDown() {
    Result first = Dig.dig(hearth.port(), "countdown.e2e.test", "A");
    assertEquals("NOERROR", first.status(), () -> ctx(first));
    long ttl1 = first.answers("A").get(0).ttl();
    E2e.sleep(2_500);
    Result second = Dig.dig(hearth.port(), "countdown.e2e.test", "A");
    assertEquals("NOERROR", second.status(), () -> ctx(second));
    long ttl2 = second.answers("A").get(0).ttl();
    assertTrue(ttl1 <= 300, () -> ctx(first));
    assertTrue(ttl2 < ttl1 && ttl2 > 0,
        () -> "TTL should count down in the cache: first " + ttl1 + ", 2.5 s later " + ttl2 + "\n" + ctx(second));
    assertEquals("192.0.2.40", second.answers("A").get(0).rdata(), () -> ctx(second));
  }
}
