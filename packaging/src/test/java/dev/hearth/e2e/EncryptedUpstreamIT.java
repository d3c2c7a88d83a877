package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import dev.hearth.resolver.testing.UpstreamCa;
import dev.hearth.resolver.testing.Unbound;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The built jar forwarding over DNS over TLS and DNS over HTTPS to a real unbound (in front of
 * NSD) whose certificate comes from a CA the test made, asked with {@code dig}: answers over both,
 * few connections for many queries (counted with {@code ss}), a certificate that does not match
 * giving SERVFAIL with an Extended DNS Error and no answer, and failover past a dead DoT upstream.
 */
@Timeout(120)
class EncryptedUpstreamIT {
  static Path dir;
  static UpstreamCa ca;
  static Nsd nsd;
  static Unbound unbound;
  private HearthProcess hearth;

  @BeforeAll
  static void startUpstreams() throws IOException {
    E2e.requireTool("unbound", "/usr/sbin/unbound");
    dir = Files.createTempDirectory("hearth-e2e-encrypted-");
    ca = UpstreamCa.create(dir, "e2e");
    Path[] kc = ca.issue("resolver", List.of("dns.e2e.test", "localhost"), List.of("127.0.0.1"));
    nsd = Nsd.startNew();
    unbound = Unbound.start(dir, new InetSocketAddress("127.0.0.1", nsd.port()), kc[0], kc[1],
        30_000);
  }

  @AfterAll
  static void stopUpstreams() {
    if (unbound != null) {
      unbound.close();
    }
    if (nsd != null) {
      nsd.close();
    }
  }

  @AfterEach
  void stopHearth() {
    if (hearth != null) {
      hearth.close();
    }
  }

  /** Starts Hearth with a config file listing {@code servers} (YAML flow items). */
  private HearthProcess hearth(String... servers) throws IOException {
    return hearth(List.of(), servers);
  }

  private HearthProcess hearth(List<String> extra, String... servers) throws IOException {
    Path config = Files.createTempFile(dir, "hearth-", ".yaml");
    StringBuilder y = new StringBuilder("upstream:\n  servers:\n");
    for (String s : servers) {
      y.append("    - ").append(s).append('\n');
    }
    Files.writeString(config, y.toString(), StandardCharsets.UTF_8);
    List<String> args = new ArrayList<>(List.of("--config", config.toString()));
    args.addAll(extra);
    hearth = HearthProcess.start(List.of(), args);
    return hearth;
  }

  private String ctx(Result r) {
    return r + "\n" + hearth.describe();
  }

  @Test
  void resolvesOverDotAndDoh_onFewConnections() throws Exception {
    String[][] setups = {
        {"{address: \"tls://127.0.0.1:" + unbound.dotPort() + "\", ca_file: \"" + ca.certificate() + "\"}",
            String.valueOf(unbound.dotPort())},
        // A host name (resolved at start) that the certificate carries.
        {"{address: \"https://localhost:" + unbound.dohPort() + "/dns-query\", ca_file: \""
            + ca.certificate() + "\"}", String.valueOf(unbound.dohPort())}};
    for (String[] setup : setups) {
      hearth(setup[0]);
      Result r = Dig.dig(hearth.port(), "+time=6", "www.e2e.test", "A");
      assertEquals("NOERROR", r.status(), () -> ctx(r));
      assertEquals("192.0.2.10", r.answers("A").get(0).rdata(), () -> ctx(r));
      List<Result> many = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        many.add(Dig.dig(hearth.port(), "+time=6", "many" + i + ".e2e.test", "A"));
      }
      for (Result m : many) {
        assertEquals("NXDOMAIN", m.status(), () -> ctx(m));
      }
      int open = Unbound.establishedTo(Integer.parseInt(setup[1]));
      assertTrue(open >= 1 && open <= 2, "31 queries, " + open + " connections open\n"
          + hearth.describe());
      hearth.close();
      hearth = null;
    }
  }

  @Test
  void privacyPage_saysTheUpstreamsAreEncrypted() throws Exception {
    int http = E2e.freePort();
    hearth(List.of("--http", "127.0.0.1:" + http), "{address: \"tls://127.0.0.1:"
        + unbound.dotPort() + "\", ca_file: \"" + ca.certificate() + "\"}");
    E2e.waitForPort(http, hearth::describe);
    String privacy = RawHttp.get(http, "127.0.0.1", "/privacy").body();
    assertTrue(privacy.contains("forwarded over an encrypted connection"), privacy);
    assertTrue(privacy.contains("tls://127.0.0.1:" + unbound.dotPort()), privacy);
  }

  @Test
  void certificateNameMismatch_givesServfailWithEde_andNoAnswer() throws Exception {
    hearth("{address: \"tls://127.0.0.1:" + unbound.dotPort() + "\", tls_name: other.e2e.test,"
        + " ca_file: \"" + ca.certificate() + "\"}");
    Result r = Dig.dig(hearth.port(), "+time=6", "www.e2e.test", "A");
    assertEquals("SERVFAIL", r.status(), () -> ctx(r));
    assertTrue(r.answers().isEmpty(), () -> ctx(r));
    assertTrue(r.edeTexts().stream().anyMatch(t -> t.contains("certificate name mismatch")),
        () -> ctx(r));
    assertTrue(hearth.isAlive(), hearth::describe);
  }

  @Test
  void failsOverFromDeadDotUpstream_toWorkingDoh() throws Exception {
    int dead = E2e.freePort();
    hearth("{address: \"tls://127.0.0.1:" + dead + "\", ca_file: \"" + ca.certificate() + "\"}",
        "{address: \"https://127.0.0.1:" + unbound.dohPort() + "\", tls_name: dns.e2e.test,"
            + " ca_file: \"" + ca.certificate() + "\"}");
    for (int i = 0; i < 4; i++) {
      String name = "fail" + i + ".e2e.test";
      String ip = "192.0.2." + (70 + i);
      Result r = Dig.dig(hearth.port(), "+time=6", name, "A");
      assertEquals("NOERROR", r.status(), () -> ctx(r));
      assertEquals(ip, r.answers("A").get(0).rdata(), () -> ctx(r));
    }
  }
}
