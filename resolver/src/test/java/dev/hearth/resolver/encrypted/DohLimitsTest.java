package dev.hearth.resolver.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.testing.TestCa;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The DoH listener's HTTP/2 behaviour under load and its limits, against a real authoritative
 * upstream that can be made slow: the streams of one connection are answered independently
 * (a stream held by a slow upstream does not hold back cached answers on the same connection),
 * streams beyond {@code max_streams} are refused with RST_STREAM(REFUSED_STREAM) while the
 * connection and other connections go on, and the idle timeout closes idle connections only.
 * The stream-limit test speaks raw HTTP/2 frames, because real clients obey the server's
 * SETTINGS and so never exceed the limit.
 */
class DohLimitsTest {
  static final int MAX_STREAMS = 4;

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.Issued issued;
  static TestAuthServer upstream;
  static DnsServer server;
  static InetSocketAddress doh;

  @BeforeAll
  static void start() throws Exception {
    ca = new TestCa(dir);
    issued = ca.issue("server", "ec", "dns.test", "127.0.0.1");
    upstream = new TestAuthServer();
    server = start(Duration.ofSeconds(30));
    doh = server.encrypted().dohAddresses().get(0);
  }

  static DnsServer start(Duration idle) throws Exception {
    PolicySnapshot policy = new PolicySnapshot(Map.of("default", Profile.baselineOnly("default")),
        ClientDirectory.builder("default").build(), List.of(),
        PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    EncryptedConfig enc = new EncryptedConfig(List.of(),
        List.of(new InetSocketAddress("127.0.0.1", 0)), issued.cert(), issued.key(), "dns.test",
        64, idle, 512, MAX_STREAMS);
    return DnsServer.start(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        enc, List.of(), policy);
  }

  @AfterEach
  void normalUpstream() {
    upstream.setFault(TestAuthServer.Fault.NORMAL);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  static byte[] query(String name, int type) {
    Message m = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, 1));
    m.getHeader().setID(0);
    return m.toWire();
  }

  static String dnsParam(byte[] q) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(q);
  }

  HttpRequest get(InetSocketAddress at, byte[] q) {
    return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + at.getPort()
        + "/dns-query?dns=" + dnsParam(q))).timeout(Duration.ofSeconds(20)).build();
  }

  @Test
  void streamsOfOneConnection_areAnsweredIndependently_whileOneWaitsForASlowUpstream()
      throws Exception {
    HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
        .sslContext(ca.sslContext()).build();
    List<byte[]> cached = new ArrayList<>();
    for (String n : List.of("a.test.", "aaaa.test.", "mx.test.")) {
      for (int t : List.of(Type.A, Type.AAAA, Type.MX)) {
        byte[] q = query(n, t);
        assertEquals(200, c.send(get(doh, q), HttpResponse.BodyHandlers.ofByteArray())
            .statusCode());
        cached.add(q);
      }
    }
    int before = server.encrypted().openConnections();
    // From now on the upstream takes 2 s; the resolver gives up after 2.5 s.
    upstream.setFault(TestAuthServer.Fault.delay(2_000));
    CompletableFuture<HttpResponse<byte[]>> slow = c.sendAsync(get(doh,
        query("slow-" + System.nanoTime() + ".test.", Type.A)),
        HttpResponse.BodyHandlers.ofByteArray());
    // Cached answers on the same connection while the slow stream is open, in rounds of
    // MAX_STREAMS - 1 so the client never needs a second connection.
    for (int i = 0; i < cached.size(); i += MAX_STREAMS - 1) {
      List<CompletableFuture<HttpResponse<byte[]>>> fast = new ArrayList<>();
      for (byte[] q : cached.subList(i, Math.min(cached.size(), i + MAX_STREAMS - 1))) {
        fast.add(c.sendAsync(get(doh, q), HttpResponse.BodyHandlers.ofByteArray()));
      }
      for (CompletableFuture<HttpResponse<byte[]>> f : fast) {
        HttpResponse<byte[]> r = f.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals(Rcode.NOERROR, new Message(r.body()).getRcode());
      }
    }
    assertFalse(slow.isDone(), "the slow stream is still open: the others did not wait for it");
    assertEquals(before, server.encrypted().openConnections(), "all on the one connection");
    assertEquals(200, slow.get(20, TimeUnit.SECONDS).statusCode());
  }

  @Test
  void streamsBeyondTheLimit_areRefused_andTheConnectionAndOthersGoOn() throws Exception {
    upstream.setFault(TestAuthServer.Fault.delay(1_500));
    try (RawH2 h2 = new RawH2(doh)) {
      h2.handshake();
      int streams = MAX_STREAMS + 2;
      for (int i = 0; i < streams; i++) {
        h2.get(1 + 2 * i, query("held-" + i + "-" + System.nanoTime() + ".test.", Type.A));
      }
      h2.flush();
      // The two beyond the limit are refused at once...
      Map<Integer, Integer> resets = new HashMap<>();
      Set<Integer> answered = new HashSet<>();
      while (resets.size() < 2) {
        h2.readFrame(resets, answered);
      }
      assertEquals(Map.of(1 + 2 * MAX_STREAMS, 7, 3 + 2 * MAX_STREAMS, 7), resets,
          "RST_STREAM(REFUSED_STREAM) for the streams over max_streams");
      // ...while another connection is served as usual...
      HttpClient other = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
          .sslContext(ca.sslContext()).build();
      upstream.setFault(TestAuthServer.Fault.NORMAL);
      HttpResponse<byte[]> r = other.send(get(doh, query("a.test.", Type.A)),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, r.statusCode());
      // ...and the streams within the limit are answered on the first connection.
      while (answered.size() < MAX_STREAMS) {
        h2.readFrame(resets, answered);
      }
      Set<Integer> expected = new HashSet<>();
      for (int i = 0; i < MAX_STREAMS; i++) {
        expected.add(1 + 2 * i);
      }
      assertEquals(expected, answered);
      assertEquals(2, resets.size(), "no other stream was reset");
    }
  }

  @Test
  void idleDohConnections_areClosed_busyOnesAreNot() throws Exception {
    DnsServer small = start(Duration.ofMillis(1_000));
    InetSocketAddress at = small.encrypted().dohAddresses().get(0);
    try (SSLSocket idle = http11Socket(at); SSLSocket busy = http11Socket(at)) {
      assertEquals(200, http11Post(idle, query("a.test.", Type.A)));
      assertEquals(200, http11Post(busy, query("a.test.", Type.A)));
      // Three idle timeouts pass while 'busy' sends a query every 250 ms on its connection.
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_000);
      int sent = 0;
      while (System.nanoTime() < end) {
        Thread.sleep(250);
        assertEquals(200, http11Post(busy, query("a.test.", Type.A)), "busy stays open");
        sent++;
      }
      assertTrue(sent >= 8);
      // The idle one was closed by the server: its read sees the end.
      idle.setSoTimeout(10_000);
      assertEquals(-1, idle.getInputStream().read());
    } finally {
      small.close();
    }
  }

  SSLSocket http11Socket(InetSocketAddress at) throws Exception {
    SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1",
        at.getPort());
    s.setSoTimeout(10_000);
    SSLParameters p = s.getSSLParameters();
    p.setApplicationProtocols(new String[] {"http/1.1"});
    s.setSSLParameters(p);
    s.startHandshake();
    assertEquals("http/1.1", s.getApplicationProtocol());
    return s;
  }

  /** One keep-alive POST over HTTP/1.1; returns the status after reading the whole body. */
  static int http11Post(SSLSocket s, byte[] q) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(("POST /dns-query HTTP/1.1\r\nHost: dns.test\r\nContent-Type: "
        + "application/dns-message\r\nContent-Length: " + q.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(q);
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      head.write(b);
    }
    String h = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : h.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(h.split(" ", 3)[1]);
  }

  /**
   * A minimal HTTP/2 client over TLS that ignores the server's stream limit: HPACK literals
   * only, no flow control (the answers are tiny).
   */
  static final class RawH2 implements AutoCloseable {
    final SSLSocket s;
    final DataInputStream in;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    final int port;

    RawH2(InetSocketAddress at) throws Exception {
      port = at.getPort();
      s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1", port);
      s.setSoTimeout(20_000);
      SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      assertEquals("h2", s.getApplicationProtocol());
      in = new DataInputStream(s.getInputStream());
    }

    /** Preface and SETTINGS; acknowledges the server's SETTINGS so its limit is in force. */
    void handshake() throws IOException {
      pending.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      frame(4, 0, 0, new byte[0]);
      flush();
      while (true) {
        int len = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        in.readInt();
        in.readNBytes(len);
        if (type == 4 && (flags & 1) == 0) {
          frame(4, 1, 0, new byte[0]);
          flush();
          return;
        }
      }
    }

    void get(int stream, byte[] q) throws IOException {
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      literal(block, ":method", "GET");
      literal(block, ":scheme", "https");
      literal(block, ":authority", "127.0.0.1:" + port);
      literal(block, ":path", "/dns-query?dns=" + dnsParam(q));
      frame(1, 0x5, stream, block.toByteArray()); // END_STREAM | END_HEADERS
    }

    /** Reads one frame: RST_STREAM goes to resets (stream, error), a HEADERS to answered. */
    void readFrame(Map<Integer, Integer> resets, Set<Integer> answered) throws IOException {
      int len = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
      int type = in.readUnsignedByte();
      in.readUnsignedByte();
      int stream = in.readInt() & 0x7fffffff;
      byte[] payload = in.readNBytes(len);
      if (type == 3) {
        resets.put(stream, ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16)
            | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff));
      } else if (type == 1) {
        answered.add(stream);
      } else if (type == 7) {
        throw new IOException("GOAWAY: the server closed the whole connection");
      }
    }

    private static void literal(ByteArrayOutputStream b, String name, String value) {
      b.write(0); // literal header field without indexing, new name
      length(b, name.length());
      b.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
      length(b, value.length());
      b.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
    }

    /** An HPACK string length, 7-bit prefix, no Huffman. */
    private static void length(ByteArrayOutputStream b, int n) {
      if (n < 127) {
        b.write(n);
        return;
      }
      b.write(127);
      n -= 127;
      while (n >= 128) {
        b.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      b.write(n);
    }

    private void frame(int type, int flags, int stream, byte[] payload) {
      pending.write(payload.length >>> 16);
      pending.write(payload.length >>> 8);
      pending.write(payload.length);
      pending.write(type);
      pending.write(flags);
      pending.write(stream >>> 24);
      pending.write(stream >>> 16);
      pending.write(stream >>> 8);
      pending.write(stream);
      pending.writeBytes(payload);
    }

    void flush() throws IOException {
      s.getOutputStream().write(pending.toByteArray());
      s.getOutputStream().flush();
      pending.reset();
    }

    @Override
    public void close() throws IOException {
      s.close();
    }
  }
}
