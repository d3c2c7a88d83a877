package dev.hearth.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A hostile upstream, as a raw {@link DatagramSocket} in the test: forged replies from the wrong
 * address, the wrong port, with the wrong ID or the wrong question arrive before the real one and
 * must all be ignored (the query still gets the real answer); records about names outside the
 * question (the classic Kaminsky-style poisoning payload) in any section of a real reply must not
 * become answers for those names.
 */
class SpoofingTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private HostileUpstream upstream;
  private DnsServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /**
   * Answers every question with {@code answer}; before the real reply, sends each forgery the
   * test chose to the resolver's source address and port.
   */
  static final class HostileUpstream implements AutoCloseable {
    final DatagramSocket socket;
    /** Another port on the same address: replies from it come from the wrong port. */
    final DatagramSocket otherPort;
    /** Another loopback address (127.0.0.2): replies from it come from the wrong address. */
    final DatagramSocket otherAddress;
    final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    volatile Function<Message, Message> answer;
    volatile boolean forge;
    private final Thread thread;

    HostileUpstream(Function<Message, Message> answer) throws IOException {
      this.answer = answer;
      socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
      otherPort = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
      otherAddress = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
      thread = new Thread(this::serve, "hostile-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    InetSocketAddress address() {
      return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    int asked(String name) {
      AtomicInteger n = asked.get(name.toLowerCase());
      return n == null ? 0 : n.get();
    }

    private void serve() {
      byte[] buf = new byte[4096];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
          Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
          asked.computeIfAbsent(q.getQuestion().getName().toString().toLowerCase(),
              k -> new AtomicInteger()).incrementAndGet();
          InetSocketAddress resolver = (InetSocketAddress) p.getSocketAddress();
          if (forge) {
            Message poison = poison(q);
            // Wrong ID.
            Message wrongId = poison.clone();
            wrongId.getHeader().setID(q.getHeader().getID() ^ 0x5a5a);
            send(socket, wrongId, resolver);
            // Right ID, wrong question (another name, then another type).
            send(socket, withQuestion(poison, Name.fromConstantString("other.example."),
                q.getQuestion().getType()), resolver);
            send(socket, withQuestion(poison, q.getQuestion().getName(), Type.TXT), resolver);
            // Right ID and question, from the wrong port and from the wrong address.
            send(otherPort, poison, resolver);
            send(otherAddress, poison, resolver);
          }
          send(socket, answer.apply(q), resolver);
        } catch (SocketException closed) {
          return;
        } catch (IOException e) {
          // not a DNS message: ignore it, like a real server
        }
      }
    }

    private static Message poison(Message q) {
      Message r = reply(q);
      r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 3600,
          addr("6.6.6.6")), Section.ANSWER);
      return r;
    }

    private static Message withQuestion(Message m, Name name, int type) {
      Message r = new Message(m.getHeader().getID());
      r.getHeader().setFlag(Flags.QR);
      r.getHeader().setFlag(Flags.RA);
      r.addRecord(Record.newRecord(name, type, DClass.IN), Section.QUESTION);
      r.addRecord(new ARecord(name, DClass.IN, 3600, addr("6.6.6.6")), Section.ANSWER);
      return r;
    }

    private static void send(DatagramSocket from, Message m, InetSocketAddress to)
        throws IOException {
      byte[] w = m.toWire();
      from.send(new DatagramPacket(w, w.length, to));
    }

    @Override
    public void close() {
      socket.close();
      otherPort.close();
      otherAddress.close();
    }
  }

  static Message reply(Message q) {
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RD);
    r.getHeader().setFlag(Flags.RA);
    r.addRecord(q.getQuestion(), Section.QUESTION);
    return r;
  }

  static InetAddress addr(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The truth: every name has the address 192.0.2.1, except bank.test, 192.0.2.80. */
  static Message truth(Message q) {
    Message r = reply(q);
    Name name = q.getQuestion().getName();
    if (q.getQuestion().getType() == Type.A) {
      String a = name.toString().equalsIgnoreCase("bank.test.") ? "192.0.2.80" : "192.0.2.1";
      r.addRecord(new ARecord(name, DClass.IN, 300, addr(a)), Section.ANSWER);
    }
    return r;
  }

  DnsClient start(Duration perTry) throws Exception {
    server = DnsServer.start(ResolverConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", 0)),
            List.of(new UpstreamSpec(upstream.address(), false)))
        .withThreads(1).withRateLimitPerClient(0)
        .withTimeouts(perTry, perTry.multipliedBy(3)));
    return new DnsClient(server.boundAddresses().get(0));
  }

  static String firstA(Message m) {
    for (Record r : m.getSection(Section.ANSWER)) {
      if (r instanceof ARecord a) {
        return a.getAddress().getHostAddress();
      }
    }
    return null;
  }

  @Test
  void forgedReplies_fromWrongAddressPortIdOrQuestion_areIgnored_theRealAnswerWins()
      throws Exception {
    upstream = new HostileUpstream(SpoofingTest::truth);
    DnsClient c = start(Duration.ofMillis(1500));
    upstream.forge = true;
    long before = server.forwarder().rejectedReplies();
    for (String name : new String[] {"www.example.", "mail.example.", "login.example."}) {
      Message m = c.udp(DnsClient.query(name, Type.A));
      assertEquals(Rcode.NOERROR, m.getRcode(), name);
      assertEquals("192.0.2.1", firstA(m), name + ": the real answer, not a forgery");
    }
    // Five forgeries per query; the wrong-address ones are checked on the same socket, so all
    // are seen and counted (none is silently taken).
    long rejected = server.forwarder().rejectedReplies() - before;
    assertTrue(rejected >= 3 * 5, "every forgery was seen and refused: " + rejected);
    // And the cache holds the real answer too.
    upstream.forge = false;
    assertEquals("192.0.2.1", firstA(c.udp(DnsClient.query("www.example.", Type.A))));
    assertEquals(1, upstream.asked("www.example."), "answered from the cache");
  }

  @Test
  void outOfBailiwickRecords_inARealReply_areNotCachedForTheirNames() throws Exception {
    Name bank = Name.fromConstantString("bank.test.");
    upstream = new HostileUpstream(q -> {
      Message r = truth(q);
      if (q.getQuestion().getName().toString().equalsIgnoreCase("a.example.")) {
        // The poisoning payload, in every section of an otherwise real reply.
        r.addRecord(new ARecord(bank, DClass.IN, 86400, addr("6.6.6.6")), Section.ANSWER);
        r.addRecord(new NSRecord(bank, DClass.IN, 86400,
            Name.fromConstantString("ns.evil.example.")), Section.AUTHORITY);
        r.addRecord(new ARecord(bank, DClass.IN, 86400, addr("6.6.6.6")), Section.AUTHORITY);
        r.addRecord(new ARecord(bank, DClass.IN, 86400, addr("6.6.6.6")), Section.ADDITIONAL);
      }
      return r;
    });
    DnsClient c = start(Duration.ofMillis(800));
    Message first = c.udp(DnsClient.query("a.example.", Type.A));
    assertEquals("192.0.2.1", firstA(first));
    for (Record r : first.getSection(Section.ANSWER)) {
      assertEquals("a.example.", r.getName().toString().toLowerCase(),
          "only the question's own records are answers: " + r);
    }
    for (int section : new int[] {Section.AUTHORITY, Section.ADDITIONAL}) {
      assertTrue(first.getSection(section).stream().allMatch(r -> r.getType() == Type.OPT),
          "nothing about other names rides along: " + first.getSection(section));
    }
    // Cached now; the same question again comes from the cache.
    c.udp(DnsClient.query("a.example.", Type.A));
    assertEquals(1, upstream.asked("a.example."));
    // bank.test is asked upstream and answered with the truth, over UDP and TCP.
    Message m = c.udp(DnsClient.query("bank.test.", Type.A));
    assertEquals("192.0.2.80", firstA(m));
    assertEquals(1, upstream.asked("bank.test."), "not answered from the poisoned reply");
    Message t = c.tcp(DnsClient.query("bank.test.", Type.A));
    assertEquals("192.0.2.80", firstA(t));
    for (Message any : List.of(m, t)) {
      for (int section : new int[] {Section.ANSWER, Section.AUTHORITY, Section.ADDITIONAL}) {
        for (Record r : any.getSection(section)) {
          assertFalse(r.rdataToString().equals("6.6.6.6"), "no poisoned record: " + r);
        }
      }
    }
  }
}
