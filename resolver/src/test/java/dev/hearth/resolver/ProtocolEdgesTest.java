package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Protocol edges, access control and TCP behaviour, over real sockets. */
class ProtocolEdgesTest {
  TestAuthServer upstream;
  DnsServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  DnsClient start(UnaryOperator<ResolverConfig> tweak) throws Exception {
    upstream = new TestAuthServer();
    ResolverConfig config = tweak.apply(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))));
    server = DnsServer.start(config);
    return new DnsClient(server.boundAddresses().get(0));
  }

  DnsClient start() throws Exception {
    return start(c -> c);
  }

  static int rcodeOf(byte[] reply) {
    return reply[3] & 0x0f;
  }

  static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
    return new byte[] {(byte) (id >> 8), (byte) id, (byte) (flags >> 8), (byte) flags,
        (byte) (qd >> 8), (byte) qd, (byte) (an >> 8), (byte) an, (byte) (ns >> 8), (byte) ns,
        (byte) (ar >> 8), (byte) ar};
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  @Test
  void malformedPackets_getFormerrOrAreDropped_andOthersAreStillServed() throws Exception {
    DnsClient c = start();
    Random random = new Random(42);
    for (int i = 0; i < 50; i++) {
      byte[] junk = new byte[random.nextInt(100)];
      random.nextBytes(junk);
      c.udpRaw(junk, 50);
    }
    assertNull(c.udpRaw(new byte[] {1, 2, 3, 4, 5}, 300), "no header: dropped");

    byte[] qrSet = DnsClient.query("a.test.", Type.A).toWire();
    qrSet[2] |= (byte) 0x80;
    byte[] reply = c.udpRaw(qrSet, 2000);
    assertNotNull(reply);
    assertEquals(Rcode.FORMERR, rcodeOf(reply));

    byte[] formerrReply = qrSet.clone();
    formerrReply[3] = (byte) ((formerrReply[3] & 0xf0) | Rcode.FORMERR);
    assertNull(c.udpRaw(formerrReply, 300), "an error response is never answered: no ping-pong");

    // Question name made of a pointer to itself: a compression loop.
    byte[] loop = concat(header(0x1234, 0x0100, 1, 0, 0, 0), new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
    reply = c.udpRaw(loop, 2000);
    assertEquals(Rcode.FORMERR, rcodeOf(reply));
    assertEquals(0x12, reply[0]);
    assertEquals(0x34, reply[1]);

    byte[] noQuestion = header(7, 0x0100, 0, 0, 0, 0);
    assertEquals(Rcode.FORMERR, rcodeOf(c.udpRaw(noQuestion, 2000)));

    byte[] q = DnsClient.query("a.test.", Type.A, false).toWire();
    byte[] twoQuestions = concat(header(8, 0x0100, 2, 0, 0, 0),
        java.util.Arrays.copyOfRange(q, 12, q.length), java.util.Arrays.copyOfRange(q, 12, q.length));
    assertEquals(Rcode.FORMERR, rcodeOf(c.udpRaw(twoQuestions, 2000)));

    byte[] truncatedQuestion = java.util.Arrays.copyOf(q, q.length - 3);
    assertEquals(Rcode.FORMERR, rcodeOf(c.udpRaw(truncatedQuestion, 2000)));

    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertTrue(server.listeners().malformed() >= 6);
  }

  @Test
  void nonQueryOpcode_getsNotimp() throws Exception {
    DnsClient c = start();
    Message notify = DnsClient.query("test.", Type.SOA, false);
    notify.getHeader().setOpcode(Opcode.NOTIFY);
    byte[] reply = c.udpRaw(notify.toWire(), 2000);
    assertEquals(Rcode.NOTIMP, rcodeOf(reply));
  }

  @Test
  void zoneTransfers_areRefused() throws Exception {
    DnsClient c = start();
    Message m = c.tcp(DnsClient.query("test.", Type.AXFR));
    assertEquals(Rcode.REFUSED, m.getRcode());
    assertEquals(0, m.getSection(Section.ANSWER).size());
    assertEquals(Rcode.REFUSED, c.udp(DnsClient.query("test.", Type.IXFR)).getRcode());
    assertEquals(0, upstream.tcpQueryCount());
  }

  @Test
  void any_getsTheMinimalRfc8482Answer() throws Exception {
    DnsClient c = start();
    Message m = c.udp(DnsClient.query("a.test.", Type.ANY));
    assertEquals(Rcode.NOERROR, m.getRcode());
    List<Record> answer = m.getSection(Section.ANSWER);
    assertEquals(1, answer.size());
    assertEquals(Type.HINFO, answer.get(0).getType());
    assertEquals("a.test.", answer.get(0).getName().toString());
    assertTrue(answer.get(0).rdataToString().contains("RFC8482"));
  }

  @Test
  void unknownEdnsVersion_getsBadvers() throws Exception {
    DnsClient c = start();
    Message q = DnsClient.query("a.test.", Type.A, false);
    q.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message m = c.udp(q);
    assertEquals(Rcode.BADVERS, m.getRcode());
    assertEquals(0, m.getOPT().getVersion());
  }

  @Test
  void largeClientBufferIsCappedAt1232() throws Exception {
    DnsClient c = start();
    Message q = DnsClient.query("big.test.", Type.TXT, false);
    q.addRecord(new OPTRecord(4096, 0, 0, 0), Section.ADDITIONAL);
    byte[] reply = c.udpRaw(q.toWire(), 3000);
    assertTrue(reply.length <= 1232, "reply of " + reply.length + " bytes");
    Message m = new Message(reply);
    assertTrue(m.getHeader().getFlag(Flags.TC));
    assertEquals(1232, m.getOPT().getPayloadSize());
  }

  @Test
  void clientsOutsideAllowedNetworks_getRefusedWithEde18() throws Exception {
    DnsClient c = start(cfg -> cfg.withAllowedClients(
        ClientNetworks.parse(List.of("10.0.0.0/8")), false));
    Message m = c.udp(DnsClient.query("a.test.", Type.A));
    assertEquals(Rcode.REFUSED, m.getRcode());
    ExtendedErrorCodeOption ede = ResolverTest.ede(m);
    assertEquals(18, ede.getErrorCode());
    assertEquals(Rcode.REFUSED, c.tcp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(0, m.getSection(Section.ANSWER).size());
  }

  @Test
  void clientsOutsideAllowedNetworks_areDroppedWhenConfigured() throws Exception {
    DnsClient c = start(cfg -> cfg.withAllowedClients(
        ClientNetworks.parse(List.of("10.0.0.0/8")), true));
    assertNull(c.udpRaw(DnsClient.query("a.test.", Type.A).toWire(), 500));
    byte[] bad = DnsClient.query("a.test.", Type.A).toWire();
    bad[2] |= (byte) 0x80;
    assertNull(c.udpRaw(bad, 300), "no FORMERR either for a disallowed client");
  }

  @Test
  void rateLimit_capsUdpResponsesPerClient() throws Exception {
    DnsClient c = start(cfg -> cfg.withRateLimitPerClient(5));
    c.udp(DnsClient.query("a.test.", Type.A));
    int answered = 0;
    int slipped = 0;
    int received = 0;
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.setSoTimeout(300);
      byte[] q = DnsClient.query("a.test.", Type.A).toWire();
      InetSocketAddress to = server.boundAddresses().get(0);
      for (int i = 0; i < 40; i++) {
        s.send(new java.net.DatagramPacket(q, q.length, to));
      }
      byte[] buf = new byte[2048];
      try {
        while (true) {
          java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
          s.receive(p);
          received++;
          Message m = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
          if (m.getHeader().getFlag(Flags.TC)) {
            slipped++;
            assertEquals(0, m.getSection(Section.ANSWER).size());
            assertTrue(p.getLength() <= q.length, "a slip is never larger than the query");
          } else {
            answered++;
          }
        }
      } catch (java.net.SocketTimeoutException done) {
        // counted everything that came back
      }
    }
    assertTrue(answered >= 1 && answered <= 10, "answered " + answered + " of 40");
    assertTrue(slipped >= 10, "every second limited query slips: " + slipped);
    assertTrue(received < 40, "the rest are dropped: " + received);
    assertEquals(Rcode.NOERROR, c.tcp(DnsClient.query("a.test.", Type.A)).getRcode(),
        "TCP is not rate limited");
  }

  @Test
  void tcp_pipelinedQueriesOnOneConnection_allAnswered() throws Exception {
    DnsClient c = start();
    InetSocketAddress to = server.boundAddresses().get(0);
    String[] names = {"a.test.", "aaaa.test.", "mx.test.", "txt.test.", "c1.test.", "nope.test.",
        "mail.test.", "a.test.", "big.test.", "short-ttl.test."};
    try (Socket s = new Socket()) {
      s.connect(to, 2000);
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      for (int i = 0; i < names.length; i++) {
        Message q = DnsClient.query(names[i], Type.A);
        q.getHeader().setID(1000 + i);
        byte[] w = q.toWire();
        out.writeShort(w.length);
        out.write(w);
      }
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < names.length; i++) {
        byte[] r = new byte[in.readUnsignedShort()];
        in.readFully(r);
        Message m = new Message(r);
        ids.add(m.getHeader().getID());
        assertEquals(names[m.getHeader().getID() - 1000], m.getQuestion().getName().toString());
      }
      assertEquals(names.length, ids.size());
    }
  }

  @Test
  void tcp_connectionsPerClientAreCapped() throws Exception {
    start(cfg -> cfg.withTcp(new ResolverConfig.Tcp(Duration.ofSeconds(30), 100, 2)));
    InetSocketAddress to = server.boundAddresses().get(0);
    try (Socket a = new Socket(); Socket b = new Socket(); Socket extra = new Socket()) {
      a.connect(to, 2000);
      b.connect(to, 2000);
      DnsClient c = new DnsClient(to);
      extra.connect(to, 2000);
      extra.setSoTimeout(3000);
      assertTrue(closedByPeer(extra), "third connection from one address is closed");
      a.close();
      Thread.sleep(200);
      assertEquals(Rcode.NOERROR, c.tcp(DnsClient.query("a.test.", Type.A)).getRcode(),
          "a freed slot is usable again");
    }
  }

  @Test
  void tcp_idleConnectionsAreClosed() throws Exception {
    start(cfg -> cfg.withTcp(new ResolverConfig.Tcp(Duration.ofMillis(300), 100, 10)));
    try (Socket s = new Socket()) {
      s.connect(server.boundAddresses().get(0), 2000);
      s.setSoTimeout(5000);
      assertTrue(closedByPeer(s));
    }
  }

  private static boolean closedByPeer(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      return in.read() == -1;
    } catch (SocketException reset) {
      return true;
    } catch (EOFException e) {
      return true;
    }
  }

  @Test
  void aSecondServerOnTheSamePort_failsToStart() throws Exception {
    start(cfg -> cfg.withThreads(2));
    ResolverConfig again = ResolverConfig.defaults(List.of(server.boundAddresses().get(0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withThreads(2);
    StartupException e = org.junit.jupiter.api.Assertions.assertThrows(StartupException.class,
        () -> DnsServer.start(again).close());
    assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:"), e.getMessage());
  }

  @Test
  void formerrReplyKeepsTheRequestId() throws Exception {
    DnsClient c = start();
    byte[] loop = concat(header(0xbeef, 0x0100, 1, 0, 0, 0), new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
    byte[] reply = c.udpRaw(loop, 2000);
    assertArrayEquals(new byte[] {(byte) 0xbe, (byte) 0xef}, java.util.Arrays.copyOf(reply, 2));
    assertTrue((reply[2] & 0x80) != 0, "QR set");
  }

  @Test
  void tcp_manyPipelinedQueries_flowControlNeverDeadlocks() throws Exception {
    DnsClient c = start();
    c.udp(DnsClient.query("a.test.", Type.A));
    InetSocketAddress to = server.boundAddresses().get(0);
    int n = 500;
    try (Socket s = new Socket()) {
      s.connect(to, 2000);
      s.setSoTimeout(10_000);
      java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(all);
      for (int i = 0; i < n; i++) {
        Message q = DnsClient.query(i % 2 == 0 ? "a.test." : "p" + i + ".test.", Type.A);
        q.getHeader().setID(i);
        byte[] w = q.toWire();
        out.writeShort(w.length);
        out.write(w);
      }
      s.getOutputStream().write(all.toByteArray());
      s.getOutputStream().flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      Set<Integer> ids = new HashSet<>();
      for (int i = 0; i < n; i++) {
        byte[] r = new byte[in.readUnsignedShort()];
        in.readFully(r);
        ids.add(new Message(r).getHeader().getID());
      }
      assertEquals(n, ids.size());
    }
  }

  @Test
  void tcp_tricklingBytes_doesNotKeepAConnectionOpen() throws Exception {
    start(cfg -> cfg.withTcp(new ResolverConfig.Tcp(Duration.ofMillis(400), 100, 10)));
    try (Socket s = new Socket()) {
      s.connect(server.boundAddresses().get(0), 2000);
      s.setSoTimeout(200);
      byte[] q = DnsClient.query("a.test.", Type.A).toWire();
      boolean closed = false;
      // Announce a frame and then send it one byte at a time, never completing it.
      s.getOutputStream().write(new byte[] {(byte) (q.length >> 8), (byte) q.length});
      for (int i = 0; i < q.length - 1 && !closed; i++) {
        try {
          s.getOutputStream().write(q[i]);
          s.getOutputStream().flush();
          closed = s.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // keep trickling
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "closed although bytes kept arriving");
    }
  }

  @Test
  void tcp_clientsOutsideAllowedNetworks_areCutOffAtConnectWhenDropping() throws Exception {
    start(cfg -> cfg.withAllowedClients(ClientNetworks.parse(List.of("10.0.0.0/8")), true));
    try (Socket s = new Socket()) {
      s.connect(server.boundAddresses().get(0), 2000);
      s.setSoTimeout(3000);
      assertTrue(closedByPeer(s));
    }
  }
}
