package dev.hearth.resolver.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Master;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative DNS server for the zone {@code test.}, used as a real upstream in
 * integration tests so the resolver is exercised over actual UDP and TCP sockets rather than
 * mocks.
 *
 * <p>It listens on 127.0.0.1, UDP and TCP on the same port, and can be stopped and restarted on
 * that port to simulate an upstream outage. Misbehaviour (drops, SERVFAIL, delays, garbage,
 * mismatched replies) can be switched on at runtime with {@link #setFault(Fault)}. Counters and
 * {@link #lastQuery()} let tests check what the resolver actually sent upstream.
 *
 * <p>Zone contents (see {@link #ZONE_TEXT}): SOA (negative TTL 60) and NS at the apex; {@code
 * a.test} A 192.0.2.1 (TTL 300); {@code aaaa.test} AAAA 2001:db8::1; {@code mx.test} MX 10
 * mail.test.; {@code mail.test} A; {@code txt.test} TXT; {@code c1.test} → {@code c2.test} →
 * {@code c3.test} A 192.0.2.3; {@code short-ttl.test} A with TTL 2; {@code big.test} with {@link
 * #BIG_TXT_COUNT} TXT records (about 4.3 KB, so truncated over UDP at any usual EDNS size).
 * Answers are authoritative (AA); negative answers carry the SOA; names outside {@code test.} are
 * REFUSED.
 *
 * <p>Queries are served on daemon threads; every public method is thread-safe.
 */
public final class TestAuthServer implements AutoCloseable {

  /** The zone this server is authoritative for. */
  public static final Name ZONE = Name.fromConstantString("test.");

  /** Number of TXT records at {@code big.test}. */
  public static final int BIG_TXT_COUNT = 20;

  /** Length of each TXT string at {@code big.test}. */
  public static final int BIG_TXT_LENGTH = 200;

  /** UDP payload size advertised in the OPT record of our answers. */
  public static final int EDNS_PAYLOAD_SIZE = 1232;

  /** The initial zone, in master-file format. */
  public static final String ZONE_TEXT = buildZoneText();

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int MAX_CNAME_CHAIN = 16;
  private static final Name WRONG_QUESTION_NAME = Name.fromConstantString("wrong-question.test.");
  private static final Name WRONG_QUESTION_NAME_2 = Name.fromConstantString("wrong-question2.test.");

  /**
   * How the server (mis)behaves. Use the constants, or {@link #delay(long)}.
   *
   * @param kind the behaviour
   * @param delayMillis for {@link Kind#DELAY}: how long to wait before answering; otherwise 0
   */
  public record Fault(Kind kind, long delayMillis) {
    /** The behaviours. */
    public enum Kind {
      NORMAL,
      DROP,
      SERVFAIL,
      DELAY,
      GARBAGE,
      WRONG_ID,
      WRONG_QUESTION
    }

    /** Answer correctly. */
    public static final Fault NORMAL = new Fault(Kind.NORMAL, 0);
    /** Read the query, never answer (upstream black hole / timeout). */
    public static final Fault DROP = new Fault(Kind.DROP, 0);
    /** Answer SERVFAIL. */
    public static final Fault SERVFAIL = new Fault(Kind.SERVFAIL, 0);
    /** Send random bytes that are not a valid reply to the query. */
    public static final Fault GARBAGE = new Fault(Kind.GARBAGE, 0);
    /** Send the correct answer, but with a different message ID (spoofing / confusion). */
    public static final Fault WRONG_ID = new Fault(Kind.WRONG_ID, 0);
    /** Send the correct answer, but with a different name in the question section. */
    public static final Fault WRONG_QUESTION = new Fault(Kind.WRONG_QUESTION, 0);

    public Fault {
      Objects.requireNonNull(kind, "kind");
      if (delayMillis < 0) {
        throw new IllegalArgumentException("negative delay: " + delayMillis);
      }
      if (kind != Kind.DELAY && delayMillis != 0) {
        throw new IllegalArgumentException("delayMillis is only meaningful for DELAY");
      }
    }

    /** Answer correctly, but only after {@code millis} milliseconds (a slow upstream). */
    public static Fault delay(long millis) {
      return new Fault(Kind.DELAY, millis);
    }
  }

  // name -> records at that name; lists are immutable and replaced as a whole.
  private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
  private final SOARecord soa;

  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong udpQueries = new AtomicLong();
  private final AtomicLong tcpQueries = new AtomicLong();
  private volatile Message lastQuery;
  private volatile Fault fault = Fault.NORMAL;

  // Delayed answers are scheduled here so a DELAY never blocks the receive loops.
  private final ScheduledExecutorService scheduler;

  private final Object lifecycle = new Object();
  private int port; // guarded by lifecycle; fixed after the first bind
  private Listener listener; // guarded by lifecycle; null while stopped
  private boolean closed; // guarded by lifecycle

  /** Starts a server on a free port. */
  public TestAuthServer() throws IOException {
    this(0);
  }

  /** Starts a server on {@code port} (0 = pick a free port usable for both UDP and TCP). */
  public TestAuthServer(int port) throws IOException {
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("bad port: " + port);
    }
    this.port = port;
    addRecords(ZONE_TEXT);
    this.soa = (SOARecord) records.get(ZONE).stream()
        .filter(r -> r.getType() == Type.SOA)
        .findFirst()
        .orElseThrow();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "test-auth-delay"));
    synchronized (lifecycle) {
      listener = bind();
      this.port = listener.udp.getLocalPort();
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** The port, the same for UDP and TCP; stays valid across {@link #stop()}/{@link #restart()}. */
  public int port() {
    synchronized (lifecycle) {
      return port;
    }
  }

  /** 127.0.0.1 and {@link #port()}. */
  public InetSocketAddress address() {
    return new InetSocketAddress(LOOPBACK, port());
  }

  /** True unless {@link #stop()}ped or {@link #close()}d. */
  public boolean isRunning() {
    synchronized (lifecycle) {
      return listener != null;
    }
  }

  /**
   * Closes both sockets and all open TCP connections, keeping the port number, so the upstream
   * looks down (UDP queries time out, TCP connects are refused). Idempotent.
   */
  public void stop() {
    synchronized (lifecycle) {
      if (listener != null) {
        listener.close();
        listener = null;
      }
    }
  }

  /**
   * Starts serving again on the same port (stopping first if running). Zone data, fault mode and
   * counters are kept.
   *
   * @throws IOException if the port could not be bound again (e.g. taken by someone else)
   */
  public void restart() throws IOException {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      stop();
      listener = bind();
    }
  }

  /** Stops the server for good. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      closed = true;
      stop();
    }
    scheduler.shutdownNow();
  }

  // ---------------------------------------------------------------- zone data

  /**
   * Adds a record (ignored if an identical one exists). It must be class IN and inside {@code
   * test.}: queries outside the zone are REFUSED, as a real authoritative server would.
   */
  public void addRecord(Record record) {
    Objects.requireNonNull(record, "record");
    Name name = record.getName();
    if (!name.isAbsolute() || !name.subdomain(ZONE)) {
      throw new IllegalArgumentException("not in zone " + ZONE + ": " + name);
    }
    if (record.getDClass() != DClass.IN) {
      throw new IllegalArgumentException("not class IN: " + record);
    }
    if (record.getType() == Type.OPT) {
      throw new IllegalArgumentException("OPT is not zone data");
    }
    records.compute(name, (n, old) -> {
      if (old == null) {
        return List.of(record);
      }
      if (old.contains(record)) {
        return old;
      }
      List<Record> updated = new ArrayList<>(old);
      updated.add(record);
      return List.copyOf(updated);
    });
  }

  /**
   * Parses master-file text (origin {@code test.}, default TTL 300, {@code $INCLUDE} disabled) and
   * adds every record, e.g. {@code addRecords("www 60 IN A 192.0.2.80")}.
   *
   * @throws IllegalArgumentException if the text does not parse or a record is outside the zone
   */
  public void addRecords(String zoneText) {
    Objects.requireNonNull(zoneText, "zoneText");
    List<Record> parsed = new ArrayList<>();
    try (Master master = new Master(
        new ByteArrayInputStream(zoneText.getBytes(StandardCharsets.UTF_8)), ZONE, 300)) {
      master.disableIncludes();
      Record r;
      while ((r = master.nextRecord()) != null) {
        parsed.add(r);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("bad zone text: " + e.getMessage(), e);
    }
    parsed.forEach(this::addRecord); // validate each record before adding (fails on the first bad)
  }

  /** Removes all records of {@code type} at {@code name} (e.g. to change an answer mid-test). */
  public void removeRecords(Name name, int type) {
    records.computeIfPresent(name, (n, old) -> {
      List<Record> kept = old.stream().filter(r -> r.getType() != type).toList();
      return kept.isEmpty() ? null : kept;
    });
  }

  // ---------------------------------------------------------------- faults and counters

  /** Switches behaviour for queries received from now on (already delayed answers still go out). */
  public void setFault(Fault fault) {
    this.fault = Objects.requireNonNull(fault, "fault");
  }

  /** The current behaviour. */
  public Fault fault() {
    return fault;
  }

  /** Well-formed queries received over both protocols (counted even if dropped). */
  public long queryCount() {
    return queries.get();
  }

  /** Well-formed queries received over UDP. */
  public long udpQueryCount() {
    return udpQueries.get();
  }

  /** Well-formed queries received over TCP. */
  public long tcpQueryCount() {
    return tcpQueries.get();
  }

  /** The most recent well-formed query as received, or null; e.g. to check its OPT / DO bit. */
  public Message lastQuery() {
    Message m = lastQuery;
    return m == null ? null : m.clone();
  }

  /** Zeroes the counters and forgets {@link #lastQuery()}. */
  public void resetCounters() {
    queries.set(0);
    udpQueries.set(0);
    tcpQueries.set(0);
    lastQuery = null;
  }

  // ---------------------------------------------------------------- sockets

  private Listener bind() throws IOException {
    if (port == 0) {
      // An ephemeral UDP port may be busy on TCP; try a few.
      IOException last = null;
      for (int attempt = 0; attempt < 50; attempt++) {
        try {
          return new Listener(0);
        } catch (BindException e) {
          last = e;
        }
      }
      throw last;
    }
    // Same port after stop(): the OS may need a moment to release it.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (true) {
      try {
        return new Listener(port);
      } catch (BindException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while rebinding port " + port);
        }
      }
    }
  }

  /** One bound generation of sockets and threads; {@link #restart()} makes a new one. */
  private final class Listener {
    final DatagramSocket udp;
    final ServerSocket tcp;
    final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    final Thread udpThread;
    final Thread acceptThread;
    volatile boolean closing;

    Listener(int wantedPort) throws IOException {
      udp = new DatagramSocket(null);
      try {
        udp.bind(new InetSocketAddress(LOOPBACK, wantedPort));
        tcp = new ServerSocket();
        try {
          tcp.setReuseAddress(true);
          tcp.bind(new InetSocketAddress(LOOPBACK, udp.getLocalPort()), 50);
        } catch (IOException | RuntimeException e) {
          tcp.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        udp.close();
        throw e;
      }
      int p = udp.getLocalPort();
      udpThread = daemon(this::udpLoop, "test-auth-udp-" + p);
      acceptThread = daemon(this::acceptLoop, "test-auth-tcp-" + p);
      udpThread.start();
      acceptThread.start();
    }

    void close() {
      closing = true;
      udp.close();
      closeQuietly(tcp);
      joinQuietly(acceptThread); // so no connection is registered after we close them all
      joinQuietly(udpThread);
      for (Socket s : connections) {
        closeQuietly(s);
      }
      connections.clear();
    }

    void udpLoop() {
      byte[] buf = new byte[0xFFFF];
      while (!closing) {
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
          udp.receive(packet);
        } catch (IOException e) {
          if (udp.isClosed()) {
            return;
          }
          continue;
        }
        byte[] data = Arrays.copyOfRange(packet.getData(), packet.getOffset(),
            packet.getOffset() + packet.getLength());
        InetSocketAddress client = (InetSocketAddress) packet.getSocketAddress();
        try {
          handle(data, false, reply -> {
            try {
              udp.send(new DatagramPacket(reply, reply.length, client));
            } catch (IOException ignored) {
              // client gone or socket closed by stop(): nothing to do
            }
          });
        } catch (RuntimeException ignored) {
          // never let one odd packet kill the server
        }
      }
    }

    void acceptLoop() {
      while (!closing) {
        Socket s;
        try {
          s = tcp.accept();
        } catch (IOException e) {
          if (tcp.isClosed()) {
            return;
          }
          continue;
        }
        connections.add(s);
        if (closing) {
          closeQuietly(s);
          return;
        }
        daemon(() -> serveConnection(s), "test-auth-tcp-conn-" + s.getPort()).start();
      }
    }

    /** Length-prefixed queries, any number per connection, until the client closes. */
    void serveConnection(Socket s) {
      try {
        s.setTcpNoDelay(true);
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        OutputStream out = new BufferedOutputStream(s.getOutputStream());
        while (true) {
          int length;
          try {
            length = in.readUnsignedShort();
          } catch (EOFException e) {
            return;
          }
          byte[] data = new byte[length];
          in.readFully(data);
          handle(data, true, reply -> {
            try {
              synchronized (out) {
                out.write(reply.length >>> 8);
                out.write(reply.length & 0xFF);
                out.write(reply);
                out.flush();
              }
            } catch (IOException ignored) {
              // client went away
            }
          });
        }
      } catch (IOException | RuntimeException ignored) {
        // reset, closed by stop(), or a bad frame: just drop the connection
      } finally {
        closeQuietly(s);
        connections.remove(s);
      }
    }
  }

  @FunctionalInterface
  private interface Sender {
    void send(byte[] reply);
  }

  // ---------------------------------------------------------------- query handling

  private void handle(byte[] data, boolean tcp, Sender sender) {
    Message query;
    try {
      query = new Message(data);
    } catch (IOException | RuntimeException e) {
      return; // malformed: ignore, like a real server would
    }
    if (query.getHeader().getFlag(Flags.QR)) {
      return; // a response, not a query
    }
    queries.incrementAndGet();
    (tcp ? tcpQueries : udpQueries).incrementAndGet();
    lastQuery = query;

    Fault f = fault;
    byte[] reply = reply(query, tcp, f);
    if (reply == null) {
      return;
    }
    if (f.kind() == Fault.Kind.DELAY && f.delayMillis() > 0) {
      try {
        scheduler.schedule(() -> sender.send(reply), f.delayMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closed) {
        // close() in progress
      }
    } else {
      sender.send(reply);
    }
  }

  /** The bytes to send for {@code query} under fault {@code f}, or null for no answer. */
  private byte[] reply(Message query, boolean tcp, Fault f) {
    switch (f.kind()) {
      case DROP:
        return null;
      case GARBAGE:
        return garbage(query.getHeader().getID());
      default:
        break;
    }
    Message response = f.kind() == Fault.Kind.SERVFAIL
        ? errorResponse(query, Rcode.SERVFAIL)
        : answer(query);
    if (f.kind() == Fault.Kind.WRONG_ID) {
      response.getHeader().setID((query.getHeader().getID() + 1) & 0xFFFF);
    } else if (f.kind() == Fault.Kind.WRONG_QUESTION) {
      Record q = response.getQuestion();
      if (q != null) {
        Name other = q.getName().equals(WRONG_QUESTION_NAME)
            ? WRONG_QUESTION_NAME_2
            : WRONG_QUESTION_NAME;
        response.removeAllRecords(Section.QUESTION);
        response.addRecord(Record.newRecord(other, q.getType(), q.getDClass()), Section.QUESTION);
      }
    }
    return toWire(query, response, tcp);
  }

  /**
   * Serializes, honouring the client's UDP size (512 without EDNS); if it does not fit, sends
   * only header + question (+ OPT) with TC set, so the client retries over TCP.
   */
  private static byte[] toWire(Message query, Message response, boolean tcp) {
    byte[] wire = response.toWire();
    int limit = tcp ? 0xFFFF : udpLimit(query);
    if (wire.length <= limit) {
      return wire;
    }
    Message truncated = new Message(response.getHeader().getID());
    Header h = truncated.getHeader();
    copyFlags(response.getHeader(), h);
    h.setFlag(Flags.TC);
    h.setRcode(response.getHeader().getRcode());
    for (Record q : response.getSection(Section.QUESTION)) {
      truncated.addRecord(q, Section.QUESTION);
    }
    OPTRecord opt = response.getOPT();
    if (opt != null) {
      truncated.addRecord(opt, Section.ADDITIONAL);
    }
    return truncated.toWire();
  }

  private static int udpLimit(Message query) {
    OPTRecord opt = query.getOPT();
    return opt == null ? 512 : Math.max(512, opt.getPayloadSize());
  }

  private Message answer(Message query) {
    Header qh = query.getHeader();
    if (qh.getOpcode() != Opcode.QUERY) {
      return errorResponse(query, Rcode.NOTIMP);
    }
    Record question = query.getQuestion();
    if (question == null || qh.getCount(Section.QUESTION) != 1) {
      return errorResponse(query, Rcode.FORMERR);
    }
    int qtype = question.getType();
    Name qname = question.getName();
    if ((question.getDClass() != DClass.IN && question.getDClass() != DClass.ANY)
        || !qname.subdomain(ZONE)
        || qtype == Type.AXFR
        || qtype == Type.IXFR) {
      return errorResponse(query, Rcode.REFUSED);
    }

    Message response = newResponse(query);
    response.getHeader().setFlag(Flags.AA);
    Set<Name> seen = new HashSet<>();
    Name name = qname;
    for (int step = 0; step < MAX_CNAME_CHAIN && seen.add(name); step++) {
      List<Record> here = records.get(name);
      if (here == null) {
        if (!hasDescendants(name)) {
          response.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        addNegativeSoa(response);
        break;
      }
      List<Record> matching = here.stream()
          .filter(r -> qtype == Type.ANY || r.getType() == qtype)
          .toList();
      if (!matching.isEmpty()) {
        matching.forEach(r -> response.addRecord(r, Section.ANSWER));
        break;
      }
      CNAMERecord cname = here.stream()
          .filter(CNAMERecord.class::isInstance)
          .map(CNAMERecord.class::cast)
          .findFirst()
          .orElse(null);
      if (cname == null) {
        addNegativeSoa(response); // NODATA
        break;
      }
      response.addRecord(cname, Section.ANSWER);
      name = cname.getTarget();
      if (!name.subdomain(ZONE)) {
        break; // out of zone: the resolver has to chase it
      }
    }
    return response;
  }

  /** True for an empty non-terminal (NODATA rather than NXDOMAIN). */
  private boolean hasDescendants(Name name) {
    for (Name n : records.keySet()) {
      if (!n.equals(name) && n.subdomain(name)) {
        return true;
      }
    }
    return false;
  }

  /** SOA in authority with TTL min(SOA TTL, MINIMUM), per RFC 2308. */
  private void addNegativeSoa(Message response) {
    long ttl = Math.min(soa.getTTL(), soa.getMinimum());
    response.addRecord(new SOARecord(soa.getName(), soa.getDClass(), ttl, soa.getHost(),
        soa.getAdmin(), soa.getSerial(), soa.getRefresh(), soa.getRetry(), soa.getExpire(),
        soa.getMinimum()), Section.AUTHORITY);
  }

  private static Message errorResponse(Message query, int rcode) {
    Message response = newResponse(query);
    response.getHeader().setRcode(rcode);
    return response;
  }

  /** Response skeleton: same ID, QR, RD/CD copied, question echoed, OPT echoed if present. */
  private static Message newResponse(Message query) {
    Header qh = query.getHeader();
    Message response = new Message(qh.getID());
    Header h = response.getHeader();
    h.setFlag(Flags.QR);
    h.setOpcode(qh.getOpcode());
    if (qh.getFlag(Flags.RD)) {
      h.setFlag(Flags.RD);
    }
    if (qh.getFlag(Flags.CD)) {
      h.setFlag(Flags.CD);
    }
    Record question = query.getQuestion();
    if (question != null) {
      response.addRecord(question, Section.QUESTION);
    }
    OPTRecord opt = query.getOPT();
    if (opt != null) {
      // Echo the DO bit (RFC 3225); EDNS options are not echoed.
      response.addRecord(new OPTRecord(EDNS_PAYLOAD_SIZE, 0, 0, opt.getFlags() & ExtendedFlags.DO),
          Section.ADDITIONAL);
    }
    return response;
  }

  private static void copyFlags(Header from, Header to) {
    to.setOpcode(from.getOpcode());
    for (int flag : new int[] {Flags.QR, Flags.AA, Flags.RD, Flags.RA, Flags.AD, Flags.CD}) {
      if (from.getFlag(flag)) {
        to.setFlag(flag);
      }
    }
  }

  /** Random bytes whose first two (the ID) never match the query's, so it is never a valid reply. */
  private static byte[] garbage(int queryId) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    byte[] junk = new byte[random.nextInt(12, 64)];
    random.nextBytes(junk);
    int id = ((junk[0] & 0xFF) << 8) | (junk[1] & 0xFF);
    if (id == queryId) {
      junk[0] ^= (byte) 0x80;
    }
    return junk;
  }

  // ---------------------------------------------------------------- helpers

  private static String buildZoneText() {
    StringBuilder z = new StringBuilder();
    z.append("$ORIGIN test.\n");
    z.append("$TTL 300\n");
    z.append("@          3600 IN SOA   ns1.test. hostmaster.test. 1 3600 600 86400 60\n");
    z.append("@          3600 IN NS    ns1.test.\n");
    z.append("ns1             IN A     192.0.2.53\n");
    z.append("a           300 IN A     192.0.2.1\n");
    z.append("aaaa            IN AAAA  2001:db8::1\n");
    z.append("mx              IN MX    10 mail.test.\n");
    z.append("mail            IN A     192.0.2.25\n");
    z.append("txt             IN TXT   \"hearth test zone\"\n");
    z.append("c1              IN CNAME c2.test.\n");
    z.append("c2              IN CNAME c3.test.\n");
    z.append("c3              IN A     192.0.2.3\n");
    z.append("short-ttl     2 IN A     192.0.2.2\n");
    for (int i = 0; i < BIG_TXT_COUNT; i++) {
      String prefix = String.format("%02d-", i);
      z.append("big             IN TXT   \"")
          .append(prefix)
          .append("x".repeat(BIG_TXT_LENGTH - prefix.length()))
          .append("\"\n");
    }
    return z.toString();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // best effort
    }
  }

  private static void joinQuietly(Thread t) {
    if (t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
