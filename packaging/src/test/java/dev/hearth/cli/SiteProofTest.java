package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * Proof of control against a real DNS server (a small responder on a loopback UDP socket) and a
 * real HTTP server: the TXT record and the well-known file are found, and the file is never
 * fetched from a private or loopback address unless the checker is told it may (tests only).
 */
class SiteProofTest {
  static final String TOKEN = "hearth-verify=0123456789abcdef0123456789abcdef";
  DatagramSocket dns;
  Thread dnsThread;
  HttpServer http;
  AtomicInteger fetches = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    dns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    dnsThread = new Thread(this::serveDns, "test-dns");
    dnsThread.setDaemon(true);
    dnsThread.start();
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext(SiteProof.FILE, ex -> {
      fetches.incrementAndGet();
      byte[] body = ("file.test".equals(ex.getRequestHeaders().getFirst("Host")) ? TOKEN
          : "wrong host").getBytes(StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    http.start();
  }

  @AfterEach
  void stop() {
    dns.close();
    http.stop(0);
  }

  /** TXT for _hearth-challenge.dns.test, A 127.0.0.1 for file.test, NXDOMAIN otherwise. */
  private void serveDns() {
    byte[] buf = new byte[1500];
    while (!dns.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        dns.receive(p);
        Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        var question = q.getQuestion();
        r.addRecord(question, Section.QUESTION);
        Name n = question.getName();
        if (n.toString().equals("_hearth-challenge.dns.test.") && question.getType() == Type.TXT) {
          r.addRecord(new TXTRecord(n, DClass.IN, 60, List.of("other", TOKEN)), Section.ANSWER);
        } else if (n.toString().equals("file.test.") && question.getType() == Type.A) {
          r.addRecord(new ARecord(n, DClass.IN, 60, InetAddress.getLoopbackAddress()),
              Section.ANSWER);
        } else if (!n.toString().equals("file.test.")) {
          r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        byte[] out = r.toWire();
        dns.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (Exception closed) {
        return;
      }
    }
  }

  SiteProof proof(boolean allowPrivate) {
    return new SiteProof(List.of((InetSocketAddress) dns.getLocalSocketAddress()), allowPrivate,
        http.getAddress().getPort());
  }

  @Test
  void aTxtRecord_provesControl() throws Exception {
    assertEquals("dns", proof(false).check("dns.test", TOKEN));
    assertNull(proof(false).check("dns.test", "hearth-verify=something-else"));
    assertNull(proof(false).check("nothing.test", TOKEN));
  }

  @Test
  void theWellKnownFile_provesControl_butIsNeverFetchedFromPrivateAddressesInService()
      throws Exception {
    assertNull(proof(false).check("file.test", TOKEN), "loopback is not a public address");
    assertEquals(0, fetches.get(), "nothing was fetched");
    assertEquals("file", proof(true).check("file.test", TOKEN));
    assertEquals(1, fetches.get());
  }

  @Test
  void throughHearthsForwarder_theSameProofsHold() throws Exception {
    var group = dev.hearth.resolver.server.Transports.newGroup(1, "test-forwarder");
    try (var forwarder = new dev.hearth.resolver.upstream.Forwarder(
        List.of(new dev.hearth.resolver.upstream.UpstreamSpec(
            (InetSocketAddress) dns.getLocalSocketAddress(), false)),
        group, 800, 2500, 1232, System::nanoTime)) {
      SiteProof p = new SiteProof(new ForwarderResolver(forwarder), true, http.getAddress().getPort());
      assertEquals("dns", p.check("dns.test", TOKEN));
      assertNull(p.check("nothing.test", TOKEN));
      assertEquals("file", p.check("file.test", TOKEN));
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void publicAddresses_excludeEveryPrivateRange() throws Exception {
    for (String a : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::")) {
      assertFalse(SiteProof.isPublic(InetAddress.getByName(a)), a);
    }
    for (String a : List.of("192.0.2.30", "8.8.8.8", "2001:db8::1")) {
      assertTrue(SiteProof.isPublic(InetAddress.getByName(a)), a);
    }
  }
}
