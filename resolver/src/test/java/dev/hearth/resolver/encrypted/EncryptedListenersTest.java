package dev.hearth.resolver.encrypted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.testing.TestCa;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * DoT and DoH listeners of a running resolver, with real TLS (a CA made by {@code openssl}), the
 * JDK's HTTP client (HTTP/2 and HTTP/1.1) and plain TLS sockets as clients, against a real
 * authoritative upstream.
 */
class EncryptedListenersTest {
  static final String HOST = "dns.test";
  static final String KIDS_TOKEN = "kidsTablet01";
  static final String PARENT_TOKEN = "parentPhone01";

  @TempDir static Path dir;
  static TestCa ca;
  static TestCa.Issued issued;
  static TestAuthServer upstream;
  static DnsServer server;
  static InetSocketAddress dot;
  static InetSocketAddress doh;

  @BeforeAll
  static void start() throws Exception {
    ca = new TestCa(dir);
    issued = ca.issue("server", "ec", HOST, "*." + HOST, "127.0.0.1");
    upstream = new TestAuthServer();
    server = start(64, Duration.ofSeconds(30));
    dot = server.encrypted().dotAddresses().get(0);
    doh = server.encrypted().dohAddresses().get(0);
  }

  static DnsServer start(int perClient, Duration idle) throws Exception {
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot policy = new PolicySnapshot(
        Map.of("default", Profile.baselineOnly("default"), "kids", kids),
        ClientDirectory.builder("default")
            .subscriber(new Subscriber("house-1", "default", null, Map.of()))
            .token(KIDS_TOKEN, "house-1", "kids")
            .token(PARENT_TOKEN, "house-1", "default")
            .build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    EncryptedConfig enc = new EncryptedConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new InetSocketAddress("127.0.0.1", 0)), issued.cert(), issued.key(), HOST,
        perClient, idle, 512, 8);
    return DnsServer.start(ResolverConfig.defaults(
        List.of(new InetSocketAddress("127.0.0.1", 0)),
        List.of(new UpstreamSpec(upstream.address(), false))).withRateLimitPerClient(0),
        enc, List.of(adultList()), policy);
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

  static CompiledList adultList() {
    ListInfo adult = new ListInfo("adult", "adult", false, false, "v1", List.of());
    return CompiledList.builder(adult, NameHasher.PLAIN).add(Rule.block("a.test")).build("v1");
  }

  static byte[] query(String name, int type) {
    Message m = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, 1));
    m.getHeader().setID(0); // RFC 8484 §4.1: ID 0 for DoH caching
    return m.toWire();
  }

  HttpClient http(HttpClient.Version version) throws Exception {
    return HttpClient.newBuilder().version(version).sslContext(ca.sslContext())
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The URL of the DoH listener, by IP (the certificate covers 127.0.0.1). */
  String url(String pathAndQuery) {
    return "https://127.0.0.1:" + doh.getPort() + pathAndQuery;
  }

  HttpResponse<byte[]> get(HttpClient c, String path, byte[] q) throws Exception {
    String b64 = Base64.getUrlEncoder().withoutPadding().encodeToString(q);
    return c.send(HttpRequest.newBuilder(URI.create(url(path + "?dns=" + b64)))
        .header("accept", "application/dns-message").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> post(HttpClient c, String path, byte[] q, String type) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(url(path)))
        .header("content-type", type).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(q)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void dohGetAndPost_overHttp2AndHttp11_answerWithCacheControl() throws Exception {
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpClient c = http(v);
      for (boolean usePost : List.of(false, true)) {
        HttpResponse<byte[]> r = usePost
            ? post(c, "/dns-query", query("a.test.", Type.A), "application/dns-message")
            : get(c, "/dns-query", query("a.test.", Type.A));
        assertEquals(200, r.statusCode(), v + " post=" + usePost);
        assertEquals(v, r.version());
        assertEquals("application/dns-message", r.headers().firstValue("content-type").get());
        Message m = new Message(r.body());
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals("192.0.2.1", ((ARecord) m.getSection(Section.ANSWER).get(0)).getAddress()
            .getHostAddress());
        long maxAge = Long.parseLong(r.headers().firstValue("cache-control").get()
            .replace("max-age=", ""));
        assertTrue(maxAge > 0 && maxAge <= 300, "max-age is the answer's TTL: " + maxAge);
        assertEquals(m.getSection(Section.ANSWER).get(0).getTTL(), maxAge);
      }
    }
  }

  @Test
  void tokens_inTheDohPathAndTheDotSni_selectTheirProfile_unknownTokensGetTheDefault()
      throws Exception {
    HttpClient c = http(HttpClient.Version.HTTP_2);
    byte[] q = query("a.test.", Type.A);
    Message kids = new Message(get(c, "/dns-query/" + KIDS_TOKEN, q).body());
    assertEquals(Rcode.NXDOMAIN, kids.getRcode(), "the kids' profile blocks a.test");
    Message parent = new Message(get(c, "/dns-query/" + PARENT_TOKEN, q).body());
    assertEquals(Rcode.NOERROR, parent.getRcode());
    HttpResponse<byte[]> unknown = get(c, "/dns-query/notAToken999", q);
    HttpResponse<byte[]> none = get(c, "/dns-query", q);
    assertEquals(200, unknown.statusCode());
    assertEquals(Rcode.NOERROR, new Message(unknown.body()).getRcode());
    assertEquals(none.headers().map().keySet(), unknown.headers().map().keySet(),
        "an unknown token looks exactly like no token");

    assertEquals(Rcode.NXDOMAIN, dotQuery(KIDS_TOKEN + "." + HOST, q).getRcode());
    assertEquals(Rcode.NOERROR, dotQuery(PARENT_TOKEN + "." + HOST, q).getRcode());
    assertEquals(Rcode.NOERROR, dotQuery("unknownToken1." + HOST, q).getRcode());
    assertEquals(Rcode.NOERROR, dotQuery(HOST, q).getRcode());
    assertEquals(Rcode.NOERROR, dotQuery(null, q).getRcode(), "no SNI at all");
  }

  /** One DoT query on a fresh connection with the given SNI name (or none). */
  Message dotQuery(String sni, byte[] q) throws Exception {
    try (SSLSocket s = dotSocket(sni)) {
      return dotExchange(s, q);
    }
  }

  SSLSocket dotSocket(String sni) throws Exception {
    return dotSocket(dot, sni);
  }

  SSLSocket dotSocket(InetSocketAddress at, String sni) throws Exception {
    SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1",
        at.getPort());
    s.setSoTimeout(10_000);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    p.setApplicationProtocols(new String[] {"dot"});
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  static Message dotExchange(SSLSocket s, byte[] q) throws IOException {
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
  void dot_negotiatesTls13AndAlpnDot_andPipelinesOnOneConnection() throws Exception {
    try (SSLSocket s = dotSocket(HOST)) {
      assertEquals("TLSv1.3", s.getSession().getProtocol());
      assertEquals("dot", s.getApplicationProtocol());
      for (int i = 0; i < 5; i++) {
        assertEquals(Rcode.NOERROR, dotExchange(s, query("a.test.", Type.A)).getRcode());
      }
    }
  }

  @Test
  void tls12AndOlderClients_tls12IsServed_tls11IsRefused() throws Exception {
    SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1",
        dot.getPort());
    s.setSoTimeout(10_000);
    s.setEnabledProtocols(new String[] {"TLSv1.2"});
    s.startHandshake();
    assertEquals("TLSv1.2", s.getSession().getProtocol());
    assertTrue(s.getSession().getCipherSuite().contains("_GCM_")
        || s.getSession().getCipherSuite().contains("CHACHA20"), s.getSession().getCipherSuite());
    s.close();
  }

  @Test
  void badHttpRequests_getClearStatuses_andTheConnectionStillServes() throws Exception {
    for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
      HttpClient c = http(v);
      byte[] q = query("a.test.", Type.A);
      assertEquals(415, post(c, "/dns-query", q, "text/plain").statusCode(), v.toString());
      assertEquals(400, c.send(HttpRequest.newBuilder(URI.create(url("/dns-query"))).build(),
          HttpResponse.BodyHandlers.ofByteArray()).statusCode());
      assertEquals(400, c.send(HttpRequest.newBuilder(URI.create(url("/dns-query?dns=ab*cd")))
          .build(), HttpResponse.BodyHandlers.ofByteArray()).statusCode());
      assertEquals(400, get(c, "/dns-query", new byte[] {1, 2, 3}).statusCode(), "too short");
      assertEquals(404, get(c, "/other", q).statusCode());
      assertEquals(404, get(c, "/dns-query/a/b", q).statusCode());
      assertEquals(405, c.send(HttpRequest.newBuilder(URI.create(url("/dns-query")))
          .PUT(HttpRequest.BodyPublishers.ofByteArray(q)).build(),
          HttpResponse.BodyHandlers.ofByteArray()).statusCode());
      assertEquals(413, post(c, "/dns-query", new byte[600], "application/dns-message")
          .statusCode(), "over max_request_size (512)");
      assertEquals(413, get(c, "/dns-query", new byte[600]).statusCode());
      HttpResponse<byte[]> ok = get(c, "/dns-query", q);
      assertEquals(200, ok.statusCode(), "the same client still gets answers");
    }
  }

  @Test
  void garbageInsteadOfTls_closesOnlyThatConnection() throws Exception {
    for (InetSocketAddress a : List.of(dot, doh)) {
      try (java.net.Socket raw = new java.net.Socket(a.getAddress(), a.getPort())) {
        raw.setSoTimeout(10_000);
        raw.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        raw.getOutputStream().flush();
        // Closed (maybe after a TLS alert), never answered in plain text.
        byte[] buf = new byte[512];
        int n;
        int total = 0;
        while ((n = raw.getInputStream().read(buf)) > 0) {
          total += n;
          assertFalse(new String(buf, 0, n).contains("HTTP/1.1"));
        }
        assertTrue(total < 512);
      }
    }
    assertEquals(Rcode.NOERROR, dotQuery(HOST, query("a.test.", Type.A)).getRcode());
  }

  @Test
  void ddr_answersSvcbWithBothEndpoints() throws Exception {
    Message r = udp(query("_dns.resolver.arpa.", 64));
    assertEquals(Rcode.NOERROR, r.getRcode());
    List<Record> ans = r.getSection(Section.ANSWER);
    assertEquals(2, ans.size());
    String dotText = ans.get(0).rdataToString();
    String dohText = ans.get(1).rdataToString();
    assertTrue(dotText.startsWith("1 dns.test. alpn=dot port=" + dot.getPort()
        + " ipv4hint=127.0.0.1"), dotText);
    assertTrue(dohText.startsWith("2 dns.test. alpn=h2,http/1.1 port=" + doh.getPort()
        + " ipv4hint=127.0.0.1"), dohText);
    assertTrue(dohText.contains("key7=/dns-query{?dns}"), dohText);
    Message a = udp(query("_dns.resolver.arpa.", Type.A));
    assertEquals(Rcode.NOERROR, a.getRcode());
    assertTrue(a.getSection(Section.ANSWER).isEmpty(), "other types: NODATA");
  }

  Message udp(byte[] q) throws Exception {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(5000);
      s.send(new DatagramPacket(q, q.length, server.boundAddresses().get(0)));
      DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
      s.receive(p);
      return new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
    }
  }

  @Test
  void dotSlowloris_tricklingTheHandshakeOrAQuery_isCutAtTheIdleTimeout_othersServed()
      throws Exception {
    DnsServer small = start(64, Duration.ofSeconds(1));
    InetSocketAddress at = small.encrypted().dotAddresses().get(0);
    byte[] q = query("a.test.", Type.A);
    List<java.net.Socket> slow = new ArrayList<>();
    try {
      // Ten trickle a TLS handshake (a record header announcing 512 bytes, then one byte at a
      // time); ten finish the handshake and then trickle a DNS query inside TLS.
      for (int i = 0; i < 10; i++) {
        java.net.Socket raw = new java.net.Socket(at.getAddress(), at.getPort());
        raw.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00});
        slow.add(raw);
        SSLSocket tls = dotSocket(at, HOST);
        tls.getOutputStream().write(new byte[] {(byte) (q.length >> 8), (byte) q.length});
        tls.getOutputStream().flush();
        slow.add(tls);
      }
      boolean[] closed = new boolean[slow.size()];
      int closedCount = 0;
      long start = System.nanoTime();
      long until = start + Duration.ofSeconds(15).toNanos();
      for (int round = 0; closedCount < slow.size() && System.nanoTime() < until; round++) {
        for (int i = 0; i < slow.size(); i++) {
          if (closed[i]) {
            continue;
          }
          java.net.Socket s = slow.get(i);
          try {
            s.getOutputStream().write(q[round % (q.length - 1)]);
            s.getOutputStream().flush();
            s.setSoTimeout(1);
            closed[i] = s.getInputStream().read() == -1;
          } catch (java.net.SocketTimeoutException open) {
            // still open
          } catch (IOException reset) {
            closed[i] = true;
          }
          if (closed[i]) {
            closedCount++;
          }
        }
        if (round % 4 == 0) {
          try (SSLSocket ok = dotSocket(at, HOST)) {
            assertEquals(Rcode.NOERROR, dotExchange(ok, q).getRcode(), "a normal client");
          }
        }
        Thread.sleep(250);
      }
      long took = (System.nanoTime() - start) / 1_000_000;
      assertEquals(slow.size(), closedCount, "all slow connections cut; after " + took + " ms");
      try (SSLSocket again = dotSocket(at, HOST)) {
        assertEquals(Rcode.NOERROR, dotExchange(again, q).getRcode());
      }
    } finally {
      for (java.net.Socket s : slow) {
        s.close();
      }
      small.close();
    }
  }

  @Test
  void connectionsPerClient_areCapped_andIdleConnectionsClosed() throws Exception {
    DnsServer small = start(2, Duration.ofSeconds(1));
    InetSocketAddress at = small.encrypted().dotAddresses().get(0);
    List<SSLSocket> open = new ArrayList<>();
    try {
      open.add(dotSocket(at, HOST));
      open.add(dotSocket(at, HOST));
      // The third is closed before its handshake completes.
      assertThrows(IOException.class, () -> {
        try (SSLSocket extra = dotSocket(at, HOST)) {
          dotExchange(extra, query("a.test.", Type.A));
        }
      });
      for (SSLSocket s : open) {
        assertEquals(Rcode.NOERROR, dotExchange(s, query("a.test.", Type.A)).getRcode());
      }
      // Left idle, both are closed by the server (idle_timeout 1s): reads see the end.
      for (SSLSocket s : open) {
        assertEquals(-1, s.getInputStream().read());
      }
      // Their slots came back.
      try (SSLSocket again = dotSocket(at, HOST)) {
        assertEquals(Rcode.NOERROR, dotExchange(again, query("a.test.", Type.A)).getRcode());
      }
    } finally {
      for (SSLSocket s : open) {
        s.close();
      }
      small.close();
    }
  }

  @Test
  void pemKeys_readPkcs8Pkcs1AndSec1_andRefuseAMismatchedPair() throws Exception {
    for (String type : List.of("rsa", "rsa-pkcs1", "ec-sec1")) {
      TestCa.Issued i = ca.issue("k-" + type, type, HOST);
      PemKeys.Identity id = PemKeys.load(i.cert(), i.key());
      assertEquals(2, id.chain().size(), "leaf and CA");
    }
    TestCa.Issued other = ca.issue("other", "ec", HOST);
    IOException e = assertThrows(IOException.class, () -> PemKeys.load(issued.cert(),
        other.key()));
    assertTrue(e.getMessage().contains("is not the private key of the certificate"),
        e.getMessage());
    Path junk = Files.writeString(dir.resolve("junk.pem"), "hello");
    assertTrue(assertThrows(IOException.class, () -> PemKeys.load(junk, other.key()))
        .getMessage().contains("no PEM certificate"));
  }

  @Test
  void dotHostLabels_matchTokensWithoutRegardToCase_unlessTwoTokensDifferOnlyInCase() {
    ClientDirectory d = ClientDirectory.builder("default")
        .token("KidsTablet01", null, "kids")
        .token("Twin0001", null, "kids")
        .token("twin0001", null, "default")
        .build();
    assertEquals("KidsTablet01", d.tokenFromHostLabel("kidstablet01"));
    assertEquals("twin0001", d.tokenFromHostLabel("twin0001"), "ambiguous: only the exact one");
    assertEquals("unknown01", d.tokenFromHostLabel("unknown01"));
    assertEquals(null, d.tokenFromHostLabel(null));
  }

  @Test
  void sniTokens() {
    assertEquals("abc12345", EncryptedListeners.tokenFromSni("abc12345.dns.test", HOST));
    assertEquals("abc12345", EncryptedListeners.tokenFromSni("abc12345.DNS.test.", HOST));
    assertEquals(null, EncryptedListeners.tokenFromSni("dns.test", HOST));
    assertEquals(null, EncryptedListeners.tokenFromSni("a.b.dns.test", HOST));
    assertEquals(null, EncryptedListeners.tokenFromSni("xdns.test", HOST));
    assertEquals(null, EncryptedListeners.tokenFromSni("abc.other.test", HOST));
  }

  /**
   * Last: replaces the certificate files while queries run on both listeners. No query fails,
   * and new handshakes get the new certificate.
   */
  @Test
  void zz_certificateReload_whileQueriesRun() throws Exception {
    X509Certificate before = server.encrypted().tls().certificate();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    HttpClient c = http(HttpClient.Version.HTTP_2);
    Thread load = new Thread(() -> {
      try {
        while (!stop.get()) {
          assertEquals(Rcode.NOERROR, dotQuery(HOST, query("a.test.", Type.A)).getRcode());
          assertEquals(200, get(c, "/dns-query", query("a.test.", Type.A)).statusCode());
          ok.incrementAndGet();
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
      }
    });
    load.start();
    try {
      // The same paths, new key and certificate (as certbot renews).
      TestCa.Issued renewed = ca.issue("server", "ec", HOST, "*." + HOST, "127.0.0.1");
      assertEquals(issued.cert(), renewed.cert());
      BigInteger served = before.getSerialNumber();
      for (int i = 0; i < 200 && served.equals(before.getSerialNumber()); i++) {
        Thread.sleep(100);
        try (SSLSocket s = dotSocket(HOST)) {
          served = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
      }
      assertNotEquals(before.getSerialNumber(), served, "new handshakes get the new certificate");
      assertEquals(TestCa.certificate(renewed.cert()).getSerialNumber(), served);
      int seen = ok.get();
      for (int i = 0; i < 100 && ok.get() < seen + 3; i++) {
        Thread.sleep(50);
      }
    } finally {
      stop.set(true);
      load.join(20_000);
    }
    if (failure.get() != null) {
      throw new AssertionError("a query failed across the certificate swap", failure.get());
    }
    assertTrue(ok.get() > 3, "queries ran during the swap: " + ok.get());
  }
}
