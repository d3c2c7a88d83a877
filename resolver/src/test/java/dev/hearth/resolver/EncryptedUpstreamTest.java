package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.testing.UpstreamCa;
import dev.hearth.resolver.testing.Unbound;
import dev.hearth.resolver.upstream.UpstreamSpec;
import dev.hearth.resolver.upstream.UpstreamSpec.Transport;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Forwarding over DNS over TLS and DNS over HTTPS to a real unbound (in front of the test's
 * authoritative server) with a certificate from a CA the test made: answers, connection reuse,
 * pipelining, certificate failures as SERVFAIL with an Extended DNS Error, failover, and
 * reconnection after the upstream closes idle connections.
 */
class EncryptedUpstreamTest {
  static Path dir;
  static UpstreamCa ca;
  static UpstreamCa otherCa;
  static TestAuthServer auth;
  static Unbound unbound;
  final List<AutoCloseable> closeables = new ArrayList<>();
  DnsServer server;

  @BeforeAll
  static void startUpstreams() throws Exception {
    assumeTrue(Unbound.binary() != null, "unbound is not installed");
    dir = Files.createTempDirectory("hearth-encrypted-upstream-");
    ca = UpstreamCa.create(dir, "good");
    otherCa = UpstreamCa.create(dir, "other");
    Path[] kc = ca.issue("dns", List.of("dns.test"), List.of("127.0.0.1"));
    auth = new TestAuthServer();
    unbound = Unbound.start(dir, auth.address(), kc[0], kc[1], 30_000);
  }

  @AfterAll
  static void stopUpstreams() {
    if (unbound != null) {
      unbound.close();
    }
    if (auth != null) {
      auth.close();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    auth.setFault(TestAuthServer.Fault.NORMAL);
  }

  static UpstreamSpec dot(int port, String tlsName, Path caFile) {
    return new UpstreamSpec(Transport.TLS, new InetSocketAddress("127.0.0.1", port), "127.0.0.1",
        null, tlsName, caFile, false);
  }

  static UpstreamSpec doh(int port, String tlsName, Path caFile) {
    return new UpstreamSpec(Transport.HTTPS, new InetSocketAddress("127.0.0.1", port), "127.0.0.1",
        "/dns-query", tlsName, caFile, false);
  }

  DnsClient start(UpstreamSpec... specs) throws Exception {
    ResolverConfig config = ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)), List.of(specs)).withThreads(2)
        .withRateLimitPerClient(0);
    server = DnsServer.start(config);
    closeables.add(server);
    return new DnsClient(server.boundAddresses().get(0));
  }

  @Test
  void resolves_overDot_withFewConnectionsForManyQueries() throws Exception {
    DnsClient c = start(dot(unbound.dotPort(), null, ca.certificate()));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals("192.0.2.1", m.getSection(Section.ANSWER).get(0).rdataToString());
    for (int i = 0; i < 60; i++) {
      assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("nx" + i + ".test.", Type.A)).getRcode());
    }
    long opened = server.forwarder().encryptedConnectionsOpened();
    assertTrue(opened >= 1 && opened <= 2, "61 queries took " + opened + " TLS connections");
    int open = Unbound.establishedTo(unbound.dotPort());
    assertTrue(open >= 1 && open <= 2, "ss sees " + open + " connections to the DoT port");
  }

  @Test
  void resolves_overDoh_http2_withNameCheckedAgainstTlsName() throws Exception {
    DnsClient c = start(doh(unbound.dohPort(), "dns.test", ca.certificate()));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals("192.0.2.1", m.getSection(Section.ANSWER).get(0).rdataToString());
    assertEquals("MX", DnsClient.types(c.udp(DnsClient.query("mx.test.", Type.MX))));
    for (int i = 0; i < 60; i++) {
      assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("nx" + i + ".test.", Type.A)).getRcode());
    }
    long opened = server.forwarder().encryptedConnectionsOpened();
    assertTrue(opened >= 1 && opened <= 2, "62 queries took " + opened + " HTTP/2 connections");
    int open = Unbound.establishedTo(unbound.dohPort());
    assertTrue(open >= 1 && open <= 2, "ss sees " + open + " connections to the DoH port");
  }

  @Test
  void pipelines_manyQueriesInFlightOnOneConnection() throws Exception {
    for (UpstreamSpec spec : List.of(dot(unbound.dotPort(), null, ca.certificate()),
        doh(unbound.dohPort(), null, ca.certificate()))) {
      DnsClient c = start(spec);
      assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
      auth.setFault(TestAuthServer.Fault.delay(300));
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        List<Future<Message>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          String name = "p" + i + "-" + spec.transport() + ".test.";
          answers.add(pool.submit(() -> c.udp(DnsClient.query(name, Type.A))));
        }
        for (Future<Message> f : answers) {
          assertEquals(Rcode.NXDOMAIN, f.get().getRcode());
        }
      } finally {
        pool.shutdownNow();
      }
      auth.setFault(TestAuthServer.Fault.NORMAL);
      assertTrue(server.forwarder().maxInFlightPerConnection() >= 5, spec.transport()
          + ": at most " + server.forwarder().maxInFlightPerConnection() + " in flight at once");
      assertEquals(1, server.forwarder().encryptedConnectionsOpened(), spec.transport().toString());
      server.close();
      closeables.remove(server);
    }
  }

  @Test
  void certificateNameMismatch_isServfailWithEde_andNoAnswer() throws Exception {
    for (UpstreamSpec spec : List.of(dot(unbound.dotPort(), "wrong.test", ca.certificate()),
        doh(unbound.dohPort(), "wrong.test", ca.certificate()))) {
      DnsClient c = start(spec);
      Message m = c.udp(DnsClient.query("a.test.", Type.A));
      assertEquals(Rcode.SERVFAIL, m.getRcode(), spec.toString());
      assertTrue(m.getSection(Section.ANSWER).isEmpty());
      ExtendedErrorCodeOption ede = ResolverTest.ede(m);
      assertNotNull(ede);
      assertEquals(ExtendedErrorCodeOption.NO_REACHABLE_AUTHORITY, ede.getErrorCode());
      assertTrue(ede.getText().contains("certificate name mismatch"), ede.getText());
    }
  }

  @Test
  void unknownCa_isServfailWithEde_andNoAnswer() throws Exception {
    for (UpstreamSpec spec : List.of(dot(unbound.dotPort(), null, otherCa.certificate()),
        doh(unbound.dohPort(), null, otherCa.certificate()),
        // The JDK's trust store does not know the test CA either.
        dot(unbound.dotPort(), null, null))) {
      DnsClient c = start(spec);
      Message m = c.udp(DnsClient.query("a.test.", Type.A));
      assertEquals(Rcode.SERVFAIL, m.getRcode(), spec.toString());
      assertTrue(m.getSection(Section.ANSWER).isEmpty());
      ExtendedErrorCodeOption ede = ResolverTest.ede(m);
      assertNotNull(ede);
      assertTrue(ede.getText().contains("certificate not trusted"), ede.getText());
    }
  }

  @Test
  void httpErrorStatus_isServfailWithEde_thenFailover() throws Exception {
    UpstreamSpec wrongPath = new UpstreamSpec(Transport.HTTPS,
        new InetSocketAddress("127.0.0.1", unbound.dohPort()), "127.0.0.1", "/no-such-endpoint",
        null, ca.certificate(), false);
    DnsClient c = start(wrongPath);
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.SERVFAIL, m.getRcode());
    assertTrue(m.getSection(Section.ANSWER).isEmpty());
    ExtendedErrorCodeOption ede = ResolverTest.ede(m);
    assertNotNull(ede);
    assertTrue(ede.getText().contains("HTTP status 404"), ede.getText());
    server.close();
    closeables.remove(server);
    c = start(wrongPath, doh(unbound.dohPort(), null, ca.certificate()));
    assertEquals("192.0.2.1", c.udp(DnsClient.query("a.test.", Type.A))
        .getSection(Section.ANSWER).get(0).rdataToString());
  }

  @Test
  void failsOver_fromDeadEncryptedUpstreams_toAWorkingOne() throws Exception {
    int dead = Unbound.freePortForTests();
    DnsClient c = start(dot(dead, null, ca.certificate()), doh(dead, null, ca.certificate()),
        dot(unbound.dotPort(), null, ca.certificate()));
    for (int i = 0; i < 5; i++) {
      Message m = c.udp(DnsClient.query("a.test.", Type.A));
      assertEquals(Rcode.NOERROR, m.getRcode());
      assertEquals("192.0.2.1", m.getSection(Section.ANSWER).get(0).rdataToString());
      assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("f" + i + ".test.", Type.A)).getRcode());
    }
  }

  @Test
  void reconnects_whenTheUpstreamClosesIdleConnections() throws Exception {
    Path[] kc = ca.issue("idle", List.of("dns.test"), List.of("127.0.0.1"));
    try (Unbound quick = Unbound.start(dir, auth.address(), kc[0], kc[1], 300)) {
      for (UpstreamSpec spec : List.of(dot(quick.dotPort(), null, ca.certificate()),
          doh(quick.dohPort(), null, ca.certificate()))) {
        DnsClient c = start(spec);
        assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
        int port = spec.transport() == Transport.TLS ? quick.dotPort() : quick.dohPort();
        // Wait (bounded) until unbound has closed the idle connection.
        long until = System.currentTimeMillis() + 10_000;
        while (Unbound.establishedTo(port) > 0 && System.currentTimeMillis() < until) {
          Thread.sleep(100);
        }
        assertEquals(0, Unbound.establishedTo(port), "unbound kept the idle connection");
        long before = server.forwarder().encryptedConnectionsOpened();
        Message m = c.udp(DnsClient.query("mx.test.", Type.MX));
        assertEquals(Rcode.NOERROR, m.getRcode(), spec.toString());
        assertEquals("MX", DnsClient.types(m));
        assertTrue(server.forwarder().encryptedConnectionsOpened() > before);
        assertTrue(server.forwarder().upstreams().get(0).healthy(), "a reconnect is no failure");
        server.close();
        closeables.remove(server);
      }
    }
  }

  /**
   * A DoH server that speaks only HTTP/1.1 (the JDK's {@code HttpsServer}, no ALPN), relaying
   * each POSTed query to the test's authoritative server over UDP; it records the protocol and
   * client port of every request.
   */
  static final class Http11DohServer implements AutoCloseable {
    final com.sun.net.httpserver.HttpsServer server;
    final java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<String> protocols = java.util.Collections.synchronizedList(new ArrayList<>());
    final java.util.Set<Integer> clientPorts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Http11DohServer(Path key, Path cert) throws Exception {
      dev.hearth.resolver.encrypted.PemKeys.Identity id =
          dev.hearth.resolver.encrypted.PemKeys.load(cert, key);
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("k", id.key(), new char[0],
          id.chain().toArray(new java.security.cert.Certificate[0]));
      javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
          javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, new char[0]);
      javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
      ssl.init(kmf.getKeyManagers(), null, null);
      server = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(ssl));
      server.setExecutor(pool);
      server.createContext("/dns-query", ex -> {
        protocols.add(ex.getProtocol());
        clientPorts.add(ex.getRemoteAddress().getPort());
        byte[] q = ex.getRequestBody().readAllBytes();
        byte[] answer;
        try (java.net.DatagramSocket u = new java.net.DatagramSocket()) {
          u.setSoTimeout(3000);
          u.send(new java.net.DatagramPacket(q, q.length, auth.address()));
          java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[4096], 4096);
          u.receive(p);
          answer = java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
        ex.getResponseHeaders().set("Content-Type", "application/dns-message");
        ex.sendResponseHeaders(200, answer.length);
        ex.getResponseBody().write(answer);
        ex.close();
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
      pool.shutdownNow();
    }
  }

  @Test
  void dohUpstreamWithoutHttp2_isUsedOverHttp11_withKeepAlive() throws Exception {
    Path[] kc = ca.issue("h11", List.of("dns.test"), List.of("127.0.0.1"));
    Http11DohServer h11 = new Http11DohServer(kc[0], kc[1]);
    closeables.add(h11);
    DnsClient c = start(doh(h11.port(), "dns.test", ca.certificate()));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.NOERROR, m.getRcode());
    assertEquals("192.0.2.1", m.getSection(Section.ANSWER).get(0).rdataToString());
    for (int i = 0; i < 30; i++) {
      assertEquals(Rcode.NXDOMAIN, c.udp(DnsClient.query("h11-" + i + ".test.", Type.A))
          .getRcode());
    }
    // Concurrent queries wait their turn on a connection or use the pool's others.
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try {
      List<Future<Message>> fs = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String name = "h11-par-" + i + ".test.";
        fs.add(clients.submit(() -> new DnsClient(server.boundAddresses().get(0))
            .udp(DnsClient.query(name, Type.A))));
      }
      for (Future<Message> f : fs) {
        assertEquals(Rcode.NXDOMAIN, f.get().getRcode());
      }
    } finally {
      clients.shutdownNow();
    }
    assertTrue(h11.protocols.size() >= 55, "every query went to the HTTP/1.1 server (and the"
        + " resolver's own health probes): " + h11.protocols.size());
    assertTrue(h11.protocols.stream().allMatch("HTTP/1.1"::equals), h11.protocols.toString());
    long opened = server.forwarder().encryptedConnectionsOpened();
    assertTrue(opened >= 1 && opened <= 3, "55 queries took " + opened + " connections");
    assertEquals(opened, h11.clientPorts.size(), "kept alive: one client port per connection");
  }
}
