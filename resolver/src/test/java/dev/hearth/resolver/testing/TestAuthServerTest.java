package dev.hearth.resolver.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

@Timeout(30)
class TestAuthServerTest {

  private TestAuthServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestAuthServer();
  }

  @AfterEach
  void close() {
    server.close();
  }

  // ------------------------------------------------------------------ answers

  @Test
  void answersAOverUdp() throws IOException {
    Message response = resolver(false).send(query("a.test.", Type.A));

    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertTrue(response.getHeader().getFlag(Flags.QR));
    List<Record> answer = response.getSection(Section.ANSWER);
    assertEquals(1, answer.size());
    ARecord a = (ARecord) answer.get(0);
    assertEquals("192.0.2.1", a.getAddress().getHostAddress());
    assertEquals(300, a.getTTL());
    assertEquals(1, server.udpQueryCount());
    assertEquals(0, server.tcpQueryCount());
    assertEquals(1, server.queryCount());
  }

  @Test
  void answersAOverTcp() throws IOException {
    Message response = resolver(true).send(query("a.test.", Type.A));

    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertEquals("192.0.2.1",
        ((ARecord) response.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
    assertEquals(0, server.udpQueryCount());
    assertEquals(1, server.tcpQueryCount());
  }

  @Test
  void answersOtherTypes() throws IOException {
    SimpleResolver resolver = resolver(false);

    Message aaaa = resolver.send(query("aaaa.test.", Type.AAAA));
    assertEquals("2001:db8:0:0:0:0:0:1",
        ((AAAARecord) aaaa.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());

    Message mx = resolver.send(query("mx.test.", Type.MX));
    MXRecord mxRecord = (MXRecord) mx.getSection(Section.ANSWER).get(0);
    assertEquals(10, mxRecord.getPriority());
    assertEquals(Name.fromString("mail.test."), mxRecord.getTarget());

    Message txt = resolver.send(query("txt.test.", Type.TXT));
    assertEquals(1, txt.getSection(Section.ANSWER).size());
    assertEquals(TXTRecord.class, txt.getSection(Section.ANSWER).get(0).getClass());

    Message shortTtl = resolver.send(query("short-ttl.test.", Type.A));
    assertEquals(2, shortTtl.getSection(Section.ANSWER).get(0).getTTL());

    Message soa = resolver.send(query("test.", Type.SOA));
    assertEquals(60, ((SOARecord) soa.getSection(Section.ANSWER).get(0)).getMinimum());
  }

  @Test
  void followsCnameChainWithinZone() throws IOException {
    Message response = resolver(false).send(query("c1.test.", Type.A));

    assertEquals(Rcode.NOERROR, response.getRcode());
    List<Record> answer = response.getSection(Section.ANSWER);
    assertEquals(3, answer.size());
    assertEquals(Name.fromString("c2.test."), ((CNAMERecord) answer.get(0)).getTarget());
    assertEquals(Name.fromString("c3.test."), ((CNAMERecord) answer.get(1)).getTarget());
    assertEquals("192.0.2.3", ((ARecord) answer.get(2)).getAddress().getHostAddress());
  }

  @Test
  void nxdomainHasSoaAndAa() throws IOException {
    Message response = resolver(false).send(query("nope.test.", Type.A));

    assertEquals(Rcode.NXDOMAIN, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertTrue(response.getSection(Section.ANSWER).isEmpty());
    List<Record> authority = response.getSection(Section.AUTHORITY);
    assertEquals(1, authority.size());
    assertEquals(Type.SOA, authority.get(0).getType());
    assertEquals(60, authority.get(0).getTTL());
  }

  @Test
  void nodataHasSoaAndNoerror() throws IOException {
    Message response = resolver(false).send(query("a.test.", Type.AAAA));

    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getHeader().getFlag(Flags.AA));
    assertTrue(response.getSection(Section.ANSWER).isEmpty());
    assertEquals(Type.SOA, response.getSection(Section.AUTHORITY).get(0).getType());
  }

  @Test
  void emptyNonTerminalIsNodata() throws IOException {
    server.addRecords("x.y 60 IN A 192.0.2.7");

    Message response = resolver(false).send(query("y.test.", Type.A));

    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(response.getSection(Section.ANSWER).isEmpty());
  }

  @Test
  void refusesNamesOutsideZone() throws IOException {
    Message response = resolver(false).send(query("example.com.", Type.A));

    assertEquals(Rcode.REFUSED, response.getRcode());
    assertFalse(response.getHeader().getFlag(Flags.AA));
  }

  @Test
  void addsRecordsAtRuntime() throws IOException {
    server.addRecords("new 60 IN A 192.0.2.9\nnew 60 IN A 192.0.2.10");
    server.addRecord(new ARecord(Name.fromString("other.test."), DClass.IN, 30,
        InetAddress.getByName("192.0.2.11")));

    SimpleResolver resolver = resolver(false);
    assertEquals(2, resolver.send(query("new.test.", Type.A)).getSection(Section.ANSWER).size());
    assertEquals(30,
        resolver.send(query("other.test.", Type.A)).getSection(Section.ANSWER).get(0).getTTL());

    server.removeRecords(Name.fromString("new.test."), Type.A);
    assertEquals(Rcode.NXDOMAIN, resolver.send(query("new.test.", Type.A)).getRcode());
    assertThrows(IllegalArgumentException.class,
        () -> server.addRecords("www.example.com. 60 IN A 192.0.2.1"));
  }

  // ------------------------------------------------------------------ sizes, EDNS, TCP

  @Test
  void bigAnswerIsTruncatedOverUdpAndCompleteOverTcp() throws IOException {
    SimpleResolver udpOnly = resolver(false);
    udpOnly.setIgnoreTruncation(true);
    udpOnly.setEDNS(0, 1232, 0, List.of());

    Message truncated = udpOnly.send(query("big.test.", Type.TXT));
    assertTrue(truncated.getHeader().getFlag(Flags.TC));
    assertTrue(truncated.getSection(Section.ANSWER).isEmpty());
    assertTrue(truncated.getSection(Section.AUTHORITY).isEmpty());
    assertNotNull(truncated.getOPT(), "OPT echoed even when truncated");

    // Default SimpleResolver retries truncated answers over TCP.
    server.resetCounters();
    SimpleResolver resolver = resolver(false);
    resolver.setEDNS(0, 1232, 0, List.of());
    Message full = resolver.send(query("big.test.", Type.TXT));
    assertFalse(full.getHeader().getFlag(Flags.TC));
    assertEquals(TestAuthServer.BIG_TXT_COUNT, full.getSection(Section.ANSWER).size());
    assertTrue(full.toWire().length > 1232);
    assertEquals(1, server.udpQueryCount());
    assertEquals(1, server.tcpQueryCount());
  }

  @Test
  void honoursClientUdpSize() throws IOException {
    // About 1.1 KB: fits in 1232 but not in 512.
    StringBuilder zone = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      zone.append("medium IN TXT \"").append(i).append("y".repeat(199)).append("\"\n");
    }
    server.addRecords(zone.toString());

    SimpleResolver noEdns = resolver(false);
    noEdns.setIgnoreTruncation(true);
    noEdns.setEDNS(-1, 0, 0, List.of());
    Message small = noEdns.send(query("medium.test.", Type.TXT));
    assertTrue(small.getHeader().getFlag(Flags.TC));
    assertNull(small.getOPT(), "no OPT in reply when the query had none");
    assertNull(server.lastQuery().getOPT());

    SimpleResolver edns = resolver(false);
    edns.setIgnoreTruncation(true);
    edns.setEDNS(0, 1232, 0, List.of());
    Message fits = edns.send(query("medium.test.", Type.TXT));
    assertFalse(fits.getHeader().getFlag(Flags.TC));
    assertEquals(5, fits.getSection(Section.ANSWER).size());
    assertNotNull(fits.getOPT());
  }

  @Test
  void recordsLastQueryWithEdnsDetails() throws IOException {
    SimpleResolver resolver = resolver(false);
    resolver.setEDNS(0, 1400, ExtendedFlags.DO,
        List.of(new org.xbill.DNS.GenericEDNSOption(65001, new byte[] {1, 2, 3})));

    Message response = resolver.send(query("a.test.", Type.A));

    Message last = server.lastQuery();
    assertNotNull(last);
    assertEquals(Name.fromString("a.test."), last.getQuestion().getName());
    OPTRecord opt = last.getOPT();
    assertEquals(1400, opt.getPayloadSize());
    assertTrue((opt.getFlags() & ExtendedFlags.DO) != 0);
    List<EDNSOption> options = opt.getOptions(65001);
    assertEquals(1, options.size());
    assertTrue((response.getOPT().getFlags() & ExtendedFlags.DO) != 0, "DO bit echoed");

    server.resetCounters();
    assertNull(server.lastQuery());
    assertEquals(0, server.queryCount());
  }

  @Test
  void servesSeveralQueriesPerTcpConnection() throws IOException {
    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      socket.setSoTimeout(2000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String[] names = {"a.test.", "mail.test.", "c3.test."};
      for (String name : names) {
        byte[] wire = query(name, Type.A).toWire();
        out.writeShort(wire.length);
        out.write(wire);
      }
      out.flush();
      List<String> got = new java.util.ArrayList<>();
      for (int i = 0; i < names.length; i++) {
        byte[] reply = new byte[in.readUnsignedShort()];
        in.readFully(reply);
        got.add(new Message(reply).getQuestion().getName().toString());
      }
      assertEquals(List.of(names), got);
    }
    assertEquals(3, server.tcpQueryCount());
  }

  // ------------------------------------------------------------------ faults

  @Test
  void dropNeverAnswersButCounts() throws IOException {
    server.setFault(TestAuthServer.Fault.DROP);

    assertThrows(IOException.class, () -> resolver(false).send(query("a.test.", Type.A)));
    assertTrue(server.udpQueryCount() >= 1);

    server.setFault(TestAuthServer.Fault.NORMAL);
    assertEquals(Rcode.NOERROR, resolver(false).send(query("a.test.", Type.A)).getRcode());
  }

  @Test
  void servfail() throws IOException {
    server.setFault(TestAuthServer.Fault.SERVFAIL);

    assertEquals(Rcode.SERVFAIL, resolver(false).send(query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.SERVFAIL, resolver(true).send(query("a.test.", Type.A)).getRcode());
  }

  @Test
  void delayAnswersLate() throws IOException {
    server.setFault(TestAuthServer.Fault.delay(300));

    long start = System.nanoTime();
    Message response = resolver(false).send(query("a.test.", Type.A));
    long tookMillis = (System.nanoTime() - start) / 1_000_000;

    assertEquals(Rcode.NOERROR, response.getRcode());
    assertTrue(tookMillis >= 290, "took " + tookMillis + " ms");
  }

  @Test
  void garbageIsNotAValidReply() throws IOException {
    server.setFault(TestAuthServer.Fault.GARBAGE);
    Message query = query("a.test.", Type.A);

    byte[] reply = rawUdp(query.toWire());

    assertNotNull(reply);
    assertNotEquals(query.getHeader().getID(), ((reply[0] & 0xFF) << 8) | (reply[1] & 0xFF));
  }

  @Test
  void wrongIdReply() throws IOException {
    server.setFault(TestAuthServer.Fault.WRONG_ID);
    Message query = query("a.test.", Type.A);

    Message reply = new Message(rawUdp(query.toWire()));

    assertNotEquals(query.getHeader().getID(), reply.getHeader().getID());
    assertEquals(1, reply.getSection(Section.ANSWER).size());
    assertThrows(IOException.class, () -> resolver(false).send(query("a.test.", Type.A)));
  }

  @Test
  void wrongQuestionReply() throws IOException {
    server.setFault(TestAuthServer.Fault.WRONG_QUESTION);
    Message query = query("a.test.", Type.A);

    Message reply = new Message(rawUdp(query.toWire()));

    assertEquals(query.getHeader().getID(), reply.getHeader().getID());
    assertNotEquals(query.getQuestion().getName(), reply.getQuestion().getName());
    assertEquals(Type.A, reply.getQuestion().getType());
  }

  @Test
  void ignoresMalformedInput() throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      byte[] junk = {1, 2, 3};
      socket.send(new DatagramPacket(junk, junk.length, server.address()));
    }
    try (Socket socket = new Socket(server.address().getAddress(), server.port())) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeShort(3);
      out.write(new byte[] {9, 9, 9});
      byte[] wire = query("a.test.", Type.A).toWire();
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      socket.setSoTimeout(2000);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] reply = new byte[in.readUnsignedShort()];
      in.readFully(reply);
      assertEquals(Rcode.NOERROR, new Message(reply).getRcode(), "connection survives junk");
    }
    assertEquals(Rcode.NOERROR, resolver(false).send(query("a.test.", Type.A)).getRcode());
    assertEquals(2, server.queryCount(), "junk is not counted");
  }

  // ------------------------------------------------------------------ lifecycle

  @Test
  void stopAndRestartOnSamePort() throws IOException {
    int port = server.port();
    assertEquals(Rcode.NOERROR, resolver(true).send(query("a.test.", Type.A)).getRcode());

    server.stop();
    assertFalse(server.isRunning());
    assertThrows(IOException.class, () -> resolver(false).send(query("a.test.", Type.A)));
    assertThrows(ConnectException.class, () -> new Socket(server.address().getAddress(), port));

    server.restart();
    assertTrue(server.isRunning());
    assertEquals(port, server.port());
    assertEquals(Rcode.NOERROR, resolver(false).send(query("a.test.", Type.A)).getRcode());
    assertEquals(Rcode.NOERROR, resolver(true).send(query("a.test.", Type.A)).getRcode());
  }

  @Test
  void zoneTextHasBigRecords() {
    String big = TestAuthServer.ZONE_TEXT.lines()
        .filter(l -> l.startsWith("big"))
        .collect(Collectors.joining("\n"));
    assertEquals(TestAuthServer.BIG_TXT_COUNT, big.lines().count());
  }

  // ------------------------------------------------------------------ helpers

  private SimpleResolver resolver(boolean tcp) {
    SimpleResolver resolver = new SimpleResolver(server.address());
    resolver.setTCP(tcp);
    resolver.setTimeout(Duration.ofMillis(1000));
    return resolver;
  }

  private static Message query(String name, int type) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
  }

  /** Sends one datagram and returns the first reply, or null on timeout. */
  private byte[] rawUdp(byte[] wire) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(2000);
      socket.send(new DatagramPacket(wire, wire.length, server.address()));
      byte[] buf = new byte[65535];
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        return null;
      }
      return java.util.Arrays.copyOf(packet.getData(), packet.getLength());
    }
  }
}
