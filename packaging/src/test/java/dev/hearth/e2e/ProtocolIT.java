package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hearth.e2e.Dig.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wire-level robustness and protocol corners: malformed datagrams, zone transfers, ANY, opcodes,
 * EDNS versions and TCP pipelining (RFC 7766). One NSD and one Hearth serve the class.
 */
@Timeout(120)
class ProtocolIT {
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
        hearth.stop();
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

  /** Hearth still answers a normal query, i.e. the previous packet did not kill or wedge it. */
  private static void assertStillServing(String after) {
    assertTrue(hearth.isAlive(), () -> "Hearth died after " + after + "\n" + hearth.describe());
    Result r = Dig.dig(hearth.port(), "www.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> "after " + after + "\n" + ctx(r));
    assertEquals("192.0.2.10", r.answers("A").get(0).rdata(), () -> ctx(r));
  }

  /**
   * Sends a malformed datagram. If a reply comes it must be a FORMERR response echoing the ID;
   * Hearth may also stay silent. Either way it must keep serving.
   */
  private static void sendMalformed(String what, byte[] packet) throws IOException {
    Optional<byte[]> reply = Wire.udpExchange(hearth.port(), packet, 1_000);
    if (reply.isPresent()) {
      byte[] r = reply.get();
      String hex = Wire.hex(r);
      assertTrue(r.length >= 12, () -> what + ": reply shorter than a header: " + hex);
      assertEquals(Wire.id(packet), Wire.id(r), () -> what + ": reply ID must echo the query: " + hex);
      assertTrue(Wire.qr(r), () -> what + ": reply without QR: " + hex);
      assertEquals(1, Wire.rcode(r), () -> what + ": expected FORMERR (rcode 1), reply " + hex);
    }
    assertStillServing(what);
  }

  private static byte[] header(int id, int flags, int qd, int an, int ns, int ar) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Wire.u16(out, id);
    Wire.u16(out, flags);
    Wire.u16(out, qd);
    Wire.u16(out, an);
    Wire.u16(out, ns);
    Wire.u16(out, ar);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p, 0, p.length);
    }
    return out.toByteArray();
  }

  @Test
  void randomBytesDoNotHurt() throws IOException {
    Random rnd = new Random(0x4ea27L);
    for (int i = 0; i < 20; i++) {
      byte[] junk = new byte[1 + rnd.nextInt(200)];
      rnd.nextBytes(junk);
      Wire.udpExchange(hearth.port(), junk, 100); // any reply or none; liveness is the point
    }
    assertStillServing("20 random datagrams");
  }

  @Test
  void garbageAfterQueryHeaderGetsFormerrOrNothing() throws IOException {
    Random rnd = new Random(7);
    byte[] garbage = new byte[40];
    rnd.nextBytes(garbage);
    // QR=0, opcode QUERY, RD; claims one question whose bytes are nonsense (label lengths > 63...).
    garbage[0] = (byte) 0x7f; // not a valid label length (> 63, reserved label type)
    sendMalformed("query header + garbage question", concat(header(0x1111, 0x0100, 1, 0, 0, 0), garbage));
  }

  @Test
  void truncatedHeaderIsIgnored() throws IOException {
    byte[] five = {0x12, 0x34, 0x01, 0x00, 0x00};
    Optional<byte[]> reply = Wire.udpExchange(hearth.port(), five, 1_000);
    reply.ifPresent(r -> assertTrue(r.length >= 12 && Wire.rcode(r) == 1,
        () -> "a 5-byte datagram got a non-FORMERR reply: " + Wire.hex(r)));
    assertStillServing("a 5-byte datagram");
  }

  @Test
  void headerOnlyQueryWithoutQuestion() throws IOException {
    sendMalformed("QDCOUNT=1 but no question", header(0x2222, 0x0100, 1, 0, 0, 0));
  }

  @Test
  void responseBitSetIsNotAnsweredAsQuery() throws IOException {
    byte[] q = Wire.query(0x3333, "www.e2e.test.", Wire.TYPE_A);
    q[2] |= (byte) 0x80; // QR: this claims to be a response
    Optional<byte[]> reply = Wire.udpExchange(hearth.port(), q, 1_000);
    // Answering responses invites reflection loops; silence is best, FORMERR tolerated.
    reply.ifPresent(r -> {
      assertTrue(r.length >= 12, () -> Wire.hex(r));
      assertEquals(1, Wire.rcode(r), () -> "a packet with QR set must not be resolved: " + Wire.hex(r));
      assertEquals(0, Wire.ancount(r), () -> "no data for a QR=1 packet: " + Wire.hex(r));
    });
    assertStillServing("a query with QR set");
  }

  @Test
  void compressionLoopInQuestion() throws IOException {
    // Name at offset 12 is a pointer to offset 12.
    byte[] selfPointer = concat(header(0x4444, 0x0100, 1, 0, 0, 0),
        new byte[] {(byte) 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01});
    sendMalformed("self-pointing compression pointer", selfPointer);
    // "a" then a pointer back to offset 12: an endless a.a.a.a... name.
    byte[] twoStep = concat(header(0x4545, 0x0100, 1, 0, 0, 0),
        new byte[] {0x01, 'a', (byte) 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01});
    sendMalformed("compression loop via label", twoStep);
    // Pointer beyond the end of the message.
    byte[] outOfRange = concat(header(0x4646, 0x0100, 1, 0, 0, 0),
        new byte[] {(byte) 0xc0, (byte) 0xff, 0x00, 0x01, 0x00, 0x01});
    sendMalformed("pointer past the end", outOfRange);
  }

  @Test
  void zoneTransferIsRefused() throws IOException {
    Result r = Dig.dig(hearth.port(), "e2e.test", "AXFR");
    assertTrue(r.output().contains("Transfer failed"), () -> "AXFR must fail\n" + ctx(r));
    assertFalse(r.output().contains("192.0.2.10") || r.output().contains("big-00"),
        () -> "AXFR leaked zone data\n" + ctx(r));
    assertTrue(r.answers().isEmpty(), () -> ctx(r));

    // The same over a raw TCP connection, to see the RCODE.
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(E2e.LOOPBACK, hearth.port()), 3_000);
      s.setSoTimeout(5_000);
      byte[] q = Wire.query(0x5151, "e2e.test.", Wire.TYPE_AXFR, Wire.OPCODE_QUERY, false);
      s.getOutputStream().write(Wire.frame(q));
      s.getOutputStream().flush();
      Optional<byte[]> reply = Wire.readFramed(s.getInputStream());
      assertTrue(reply.isPresent(), () -> "no reply to AXFR over TCP\n" + hearth.describe());
      byte[] msg = reply.get();
      assertEquals(0x5151, Wire.id(msg));
      assertEquals(5, Wire.rcode(msg), () -> "AXFR should be REFUSED (5), got " + Wire.hex(msg));
      assertEquals(0, Wire.ancount(msg), () -> Wire.hex(msg));
    }
    assertStillServing("an AXFR");
  }

  @Test
  void anyGetsMinimalRfc8482Answer() {
    Result r = Dig.dig(hearth.port(), "www.e2e.test", "ANY");
    assertEquals("NOERROR", r.status(), () -> ctx(r));
    assertEquals(1, r.answers().size(), () -> "a single synthesized record expected\n" + ctx(r));
    Dig.Rr hinfo = r.answers().get(0);
    assertEquals("HINFO", hinfo.type(), () -> ctx(r));
    assertEquals("www.e2e.test.", hinfo.name(), () -> ctx(r));
    assertTrue(hinfo.rdata().contains("RFC8482"), () -> ctx(r));
  }

  @Test
  void notifyOpcodeGetsNotimp() throws IOException {
    Result r = Dig.dig(hearth.port(), "+opcode=notify", "e2e.test", "SOA");
    assertEquals("NOTIMP", r.status(), () -> ctx(r));
    assertTrue(r.stdout.contains("opcode: NOTIFY"), () -> "reply should echo the opcode\n" + ctx(r));

    byte[] q = Wire.query(0x6161, "e2e.test.", Wire.TYPE_SOA, Wire.OPCODE_NOTIFY, false);
    q[2] |= 0x04; // AA, as a primary would send
    Optional<byte[]> reply = Wire.udpExchange(hearth.port(), q, 3_000);
    assertTrue(reply.isPresent(), "no reply to a hand-built NOTIFY");
    byte[] msg = reply.get();
    assertEquals(0x6161, Wire.id(msg));
    assertEquals(Wire.OPCODE_NOTIFY, Wire.opcode(msg), () -> Wire.hex(msg));
    assertEquals(4, Wire.rcode(msg), () -> "NOTIMP (4) expected: " + Wire.hex(msg));
  }

  @Test
  void unknownEdnsVersionGetsBadvers() {
    Result r = Dig.dig(hearth.port(), "+edns=1", "+noednsneg", "www.e2e.test", "A");
    assertEquals("BADVERS", r.status(), () -> ctx(r));
    assertTrue(r.answers().isEmpty(), () -> ctx(r));
    assertTrue(r.stdout.contains("EDNS: version: 0"), () -> "BADVERS reply should carry an OPT with version 0\n" + ctx(r));
    Result k = Dig.kdig(hearth.port(), "+edns=1", "www.e2e.test", "A");
    assertEquals("BADVERS", k.status(), () -> ctx(k));
  }

  @Test
  void tcpPipeliningAnswersEveryQuery() throws IOException {
    Map<Integer, String> expected = new HashMap<>();
    ByteArrayOutputStream burst = new ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) {
      int id = 0x7a00 + i;
      expected.put(id, "192.0.2." + (100 + i));
      byte[] framed = Wire.frame(Wire.query(id, "pipe" + i + ".e2e.test.", Wire.TYPE_A));
      burst.write(framed, 0, framed.length);
    }
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(E2e.LOOPBACK, hearth.port()), 3_000);
      s.setSoTimeout(8_000);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      out.write(burst.toByteArray()); // all ten back to back, in one write
      out.flush();
      InputStream in = s.getInputStream();
      Map<Integer, String> got = new HashMap<>();
      for (int i = 0; i < 10; i++) {
        Optional<byte[]> reply;
        try {
          reply = Wire.readFramed(in);
        } catch (java.net.SocketTimeoutException e) {
          fail("only " + got.size() + " of 10 pipelined answers arrived: " + got + "\n" + hearth.describe());
          return;
        }
        if (reply.isEmpty()) {
          fail("connection closed after " + got.size() + " of 10 pipelined answers: " + got + "\n" + hearth.describe());
        }
        byte[] msg = reply.get();
        int id = Wire.id(msg);
        assertTrue(expected.containsKey(id), () -> "unexpected ID " + id + ": " + Wire.hex(msg));
        assertFalse(got.containsKey(id), () -> "duplicate answer for ID " + id);
        assertEquals(0, Wire.rcode(msg), () -> "rcode for ID " + id + ": " + Wire.hex(msg));
        List<Wire.Rr> a = Wire.answers(msg).stream().filter(x -> x.type() == Wire.TYPE_A).toList();
        assertEquals(1, a.size(), () -> Wire.hex(msg));
        got.put(id, a.get(0).address());
      }
      assertEquals(expected, got);
    }
  }
}
