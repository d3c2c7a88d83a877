package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Resource abuse against the plain DNS listeners, each bounded by a limit: slow (slowloris)
 * clients are cut at the TCP idle timeout while others are served, a connection flood from one
 * client stops at the per-client limit and the total limit while other clients still connect,
 * and oversized messages get FORMERR or a closed connection without affecting anyone else.
 * Real sockets on loopback; 127.0.0.2 and 127.0.0.3 are other clients.
 */
class ResourceAbuseTest {
  private TestAuthServer upstream;
  private DnsServer server;
  private final List<Socket> sockets = new ArrayList<>();

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = new TestAuthServer();
  }

  @AfterEach
  void close() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
    upstream.close();
  }

  DnsClient start(UnaryOperator<ResolverConfig> tweak) throws Exception {
    server = DnsServer.start(tweak.apply(ResolverConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", 0)),
            List.of(new UpstreamSpec(upstream.address(), false)))
        .withThreads(2).withRateLimitPerClient(0)));
    return new DnsClient(server.boundAddresses().get(0));
  }

  Socket connect(String from) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(from, 0));
    s.connect(server.boundAddresses().get(0), 2000);
    return s;
  }

  /** Whether the server closes {@code s} within {@code millis} (reads until end of stream). */
  static boolean closedWithin(Socket s, int millis) throws IOException {
    long until = System.nanoTime() + millis * 1_000_000L;
    InputStream in = s.getInputStream();
    while (System.nanoTime() < until) {
      s.setSoTimeout(100);
      try {
        if (in.read() == -1) {
          return true;
        }
      } catch (SocketTimeoutException open) {
        // still open
      } catch (IOException reset) {
        return true;
      }
    }
    return false;
  }

  static Message tcpQuery(Socket s, String name) throws IOException {
    s.setSoTimeout(5000);
    byte[] q = DnsClient.query(name, Type.A).toWire();
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(q.length);
    out.write(q);
    out.flush();
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] r = new byte[in.readUnsignedShort()];
    in.readFully(r);
    return new Message(r);
  }

  @Test
  void slowloris_clientsTricklingBytes_areCutAtTheIdleTimeout_whileOthersAreServed()
      throws Exception {
    DnsClient c = start(cfg -> cfg.withTcp(new ResolverConfig.Tcp(Duration.ofSeconds(1), 100, 30)));
    byte[] q = DnsClient.query("a.test.", Type.A).toWire();
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Socket s = connect("127.0.0.1");
      s.getOutputStream().write(new byte[] {(byte) (q.length >> 8), (byte) q.length});
      slow.add(s);
    }
    // One byte every 250 ms on each slow connection, never a whole query; meanwhile a normal
    // client is answered over UDP and TCP.
    boolean[] closed = new boolean[slow.size()];
    int closedCount = 0;
    long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    for (int round = 0; closedCount < slow.size() && System.nanoTime() < until; round++) {
      for (int i = 0; i < slow.size(); i++) {
        if (closed[i]) {
          continue;
        }
        try {
          slow.get(i).getOutputStream().write(q[round % (q.length - 1)]);
          slow.get(i).setSoTimeout(1);
          closed[i] = slow.get(i).getInputStream().read() == -1;
        } catch (SocketTimeoutException open) {
          // still open
        } catch (IOException reset) {
          closed[i] = true;
        }
        if (closed[i]) {
          closedCount++;
        }
      }
      if (round % 4 == 0) {
        assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
        assertEquals(Rcode.NOERROR, c.tcp(DnsClient.query("mx.test.", Type.MX)).getRcode());
      }
      Thread.sleep(250);
    }
    assertEquals(slow.size(), closedCount, "every trickling connection was cut");
    long until2 = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.listeners().openTcpConnections() > 0 && System.nanoTime() < until2) {
      Thread.sleep(20);
    }
    assertEquals(0, server.listeners().openTcpConnections(), "their slots were given back");
  }

  @Test
  void connectionFlood_stopsAtThePerClientLimit_andTheTotal_othersStillConnect()
      throws Exception {
    DnsClient c = start(cfg -> cfg.withTcp(new ResolverConfig.Tcp(Duration.ofSeconds(30), 12, 8)));
    List<Socket> flood = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      flood.add(connect("127.0.0.1"));
    }
    int open = 0;
    for (Socket s : flood) {
      if (!closedWithin(s, 50)) {
        open++;
      }
    }
    assertEquals(8, open, "one client holds at most max_connections_per_client");
    // The flooder's open connections still work.
    int served = 0;
    for (Socket s : flood) {
      try {
        if (tcpQuery(s, "a.test.").getRcode() == Rcode.NOERROR) {
          served++;
        }
      } catch (IOException closed) {
        // one of the refused ones
      }
    }
    assertEquals(8, served);
    // Another client gets its own slots, up to the total of 12.
    Socket other = connect("127.0.0.2");
    assertEquals(Rcode.NOERROR, tcpQuery(other, "a.test.").getRcode());
    List<Socket> more = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      more.add(connect("127.0.0.3"));
    }
    int third = 0;
    for (Socket s : more) {
      if (!closedWithin(s, 50)) {
        third++;
      }
    }
    assertEquals(3, third, "the total limit (12 = 8 + 1 + 3) holds");
    // UDP is untouched by the TCP flood.
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    // Closing the flood gives the slots back.
    for (Socket s : flood) {
      s.close();
    }
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.listeners().openTcpConnections() > 4 && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    assertEquals(Rcode.NOERROR, tcpQuery(connect("127.0.0.1"), "a.test.").getRcode());
  }

  @Test
  void oversizedMessages_getFormerrOrAreDropped_andOthersAreServed() throws Exception {
    DnsClient c = start(cfg -> cfg);
    // The largest TCP frame there is, all garbage after a query header.
    Socket s = connect("127.0.0.1");
    byte[] big = new byte[65535];
    byte[] q = DnsClient.query("a.test.", Type.A).toWire();
    System.arraycopy(q, 0, big, 0, q.length);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    out.writeShort(big.length);
    out.write(big);
    out.flush();
    s.setSoTimeout(5000);
    DataInputStream in = new DataInputStream(s.getInputStream());
    try {
      byte[] r = new byte[in.readUnsignedShort()];
      in.readFully(r);
      // An answer, if any, is a well-formed response to that query (the parser may ignore
      // trailing bytes or call them malformed).
      Message m = new Message(r);
      assertEquals(new Message(q).getHeader().getID(), m.getHeader().getID());
    } catch (IOException closed) {
      // closing the connection is also fine
    }
    // A 65000-byte UDP datagram (more than any EDNS size): FORMERR or silence.
    byte[] dgram = new byte[65000];
    System.arraycopy(q, 0, dgram, 0, q.length);
    byte[] r = c.udpRaw(dgram, 1000);
    if (r != null) {
      assertEquals(new Message(q).getHeader().getID(), new Message(r).getHeader().getID());
    }
    // Everyone else is still served, on both transports.
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, c.tcp(DnsClient.query("a.test.", Type.A)).getRcode());
  }

  @Test
  void questionsPilingUpForADeadUpstream_pastTheInFlightLimit_areShedWithRefused_andCacheHitsGoOn()
      throws Exception {
    DnsClient c = start(cfg -> cfg.withMaxInFlight(4)
        .withTimeouts(Duration.ofMillis(1500), Duration.ofMillis(1500)));
    var cache = server.pipeline().stage(dev.hearth.resolver.cache.CacheStage.class);
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    upstream.setFault(TestAuthServer.Fault.DROP);
    // Four distinct misses wait for the black-holed upstream: the table is full.
    List<java.net.DatagramSocket> waiting = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      java.net.DatagramSocket s = new java.net.DatagramSocket();
      byte[] q = DnsClient.query("miss" + i + ".test.", Type.A).toWire();
      s.send(new java.net.DatagramPacket(q, q.length, server.boundAddresses().get(0)));
      waiting.add(s);
    }
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (cache.inFlight() < 4 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertEquals(4, cache.inFlight());
    // A fifth distinct question is shed at once: REFUSED, saying why, so the stub moves on.
    Message shed = c.udp(DnsClient.query("miss4.test.", Type.A));
    assertEquals(Rcode.REFUSED, shed.getRcode(), shed.toString());
    var ede = ResolverTest.ede(shed);
    assertEquals(0, ede == null ? -1 : ede.getErrorCode(), shed.toString());
    assertEquals(true, ede.getText().startsWith("resolver busy"), ede.getText());
    assertEquals(1, cache.shed());
    // Cached names and the same question again (it joins the waiting fetch) are not shed.
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.A)).getRcode());
    assertEquals(4, cache.inFlight(), "a cache hit adds nothing to the waiting table");
    // The waiting ones get SERVFAIL when the resolution timeout passes; then the upstream is back
    // and new questions are answered at once: recovery needs nothing.
    for (java.net.DatagramSocket s : waiting) {
      s.setSoTimeout(5000);
      java.net.DatagramPacket p = new java.net.DatagramPacket(new byte[512], 512);
      s.receive(p);
      assertEquals(Rcode.SERVFAIL, new Message(java.util.Arrays.copyOf(p.getData(),
          p.getLength())).getRcode());
      s.close();
    }
    assertEquals(0, cache.inFlight());
    upstream.setFault(TestAuthServer.Fault.NORMAL);
    assertEquals(Rcode.NOERROR, c.udp(DnsClient.query("a.test.", Type.AAAA)).getRcode());
    int shedIndex = java.util.Arrays.asList(dev.hearth.resolver.observe.QueryMetrics.TYPES)
        .indexOf("shed");
    assertEquals(1, server.queryMetrics().answers(0, Rcode.REFUSED, shedIndex),
        "the shed answer is counted as type=shed, rcode=REFUSED");
  }
}
