package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hearth.resolver.observe.Dnstap;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * dnstap read back by the reference tools: fstrm_capture (Frame Streams, bidirectional
 * handshake on a unix socket) captures, dnstap-ldns decodes the protobuf. Needs the Debian
 * packages fstrm-bin and dnstap-ldns (.ci/run installs them).
 */
class DnstapTest {
  @TempDir Path dir;

  static boolean installed(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool));
  }

  @Test
  void clientQueriesAndResponses_decodeWithDnstapLdns() throws Exception {
    if (!installed("fstrm_capture") || !installed("dnstap-ldns")) {
      String msg = "fstrm_capture and dnstap-ldns are needed: install fstrm-bin dnstap-ldns"
          + " (.ci/run does)";
      if ("true".equals(System.getenv("CI"))) {
        fail(msg);
      }
      Assumptions.abort(msg);
    }
    Path sock = dir.resolve("dnstap.sock");
    Path out = dir.resolve("capture.fstrm");
    Process capture = new ProcessBuilder("fstrm_capture", "-t", "protobuf:dnstap.Dnstap",
        "-u", sock.toString(), "-w", out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("capture.log").toFile()).start();
    TestAuthServer upstream = new TestAuthServer();
    DnsServer server = null;
    Dnstap tap = null;
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!Files.exists(sock) && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertTrue(Files.exists(sock), "fstrm_capture listens");
      server = DnsServer.start(ResolverConfig.defaults(
          List.of(new InetSocketAddress("127.0.0.1", 0)),
          List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0));
      tap = new Dnstap(sock, "hearth-test", "0.test", 1024, Clock.systemUTC());
      server.observe(tap);
      DnsClient c = new DnsClient(server.boundAddresses().get(0));
      assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("mail.test.", Type.A)).getRcode());
      c.tcp(DnsClient.query("www.test.", Type.AAAA));
      until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (tap.sent() < 4 && System.nanoTime() < until) {
        Thread.sleep(20);
      }
      assertEquals(4, tap.sent(), "two queries, two responses");
      assertEquals(0, tap.dropped());
    } finally {
      if (tap != null) {
        tap.close(); // STOP; fstrm_capture answers FINISH
      }
      if (server != null) {
        server.close();
      }
      upstream.close();
      capture.destroy(); // SIGTERM: fstrm_capture closes its file cleanly
      capture.waitFor(5, TimeUnit.SECONDS);
    }
    Process read = new ProcessBuilder("dnstap-ldns", "-r", out.toString())
        .redirectErrorStream(true).start();
    String text = new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(read.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, read.exitValue(), text);
    List<String> lines = text.lines().toList();
    assertEquals(4, lines.size(), text);
    // e.g. 2026-11-26 18:44:16.142983 CQ 127.0.0.1 UDP 38b "mail.test." IN A
    assertTrue(lines.get(0).contains(" CQ 127.0.0.1 UDP ")
        && lines.get(0).endsWith("\"mail.test.\" IN A"), text);
    assertTrue(lines.get(1).contains(" CR 127.0.0.1 UDP ")
        && lines.get(1).endsWith("\"mail.test.\" IN A"), text);
    assertTrue(lines.get(2).contains(" CQ 127.0.0.1 TCP ")
        && lines.get(2).endsWith("\"www.test.\" IN AAAA"), text);
    assertTrue(lines.get(3).contains(" CR 127.0.0.1 TCP ")
        && lines.get(3).endsWith("\"www.test.\" IN AAAA"), text);
  }
}
