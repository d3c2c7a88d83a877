package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.hearth.e2e.Dig.Result;
import dev.hearth.resolver.testing.TestCa;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS over TLS and DNS over HTTPS end to end, with the real clients people use: {@code kdig
 * +tls} and {@code kdig +https}, {@code curl --doh-url} and headless Chromium with Hearth as its
 * secure DNS server, against a Hearth process forwarding to NSD. The certificates come from a
 * CA the test makes with {@code openssl}. One household, one source address (127.0.0.1), two
 * device tokens: the child's profile blocks {@code ns1.e2e.test} (which points at the local test
 * site), the parent's does not.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptedDnsIT {
  static final String HOST = "dns.e2e.test";
  static final String KID = "kidstablet01";
  static final String PARENT = "parentphone1";
  static final String SITE_NAME = "ns1.e2e.test";

  @TempDir static Path dir;
  static Nsd nsd;
  static HearthProcess hearth;
  static TestCa ca;
  static TestCa.Issued cert;
  static int dotPort;
  static int dohPort;
  static HttpServer site;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("kdig", "/usr/bin/kdig");
    E2e.requireTool("curl", "/usr/bin/curl");
    E2e.requireTool("openssl", "/usr/bin/openssl");
    nsd = Nsd.startNew();
    ca = new TestCa(Files.createDirectories(dir.resolve("ca")));
    cert = ca.issue("hearth", "ec", HOST, "*." + HOST, "127.0.0.1");
    dotPort = E2e.freePort();
    dohPort = E2e.freePort();
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "encrypted:",
        "  dot: 127.0.0.1:" + dotPort,
        "  doh: 127.0.0.1:" + dohPort,
        "  cert: " + cert.cert(),
        "  key: " + cert.key(),
        "  hostname: " + HOST,
        "  max_request_size: 1024",
        "policy:",
        "  profiles:",
        "    - {id: kids, block: [" + SITE_NAME + "]}",
        "    - {id: grown-ups}",
        "  subscribers:",
        "    - id: house-1",
        "      profile: grown-ups",
        "      devices:",
        "        - {name: tablet, token: " + KID + ", profile: kids}",
        "        - {name: phone, token: " + PARENT + ", profile: grown-ups}",
        ""));
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config", config.toString()));
    E2e.waitForPort(dotPort, hearth::describe);
    E2e.waitForPort(dohPort, hearth::describe);
    site = HttpServer.create(new InetSocketAddress(E2e.LOOPBACK, 0), 0);
    site.createContext("/", ex -> {
      byte[] page = "<!doctype html><title>Family site</title><h1>Hello over secure DNS</h1>"
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("content-type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, page.length);
      ex.getResponseBody().write(page);
      ex.close();
    });
    site.start();
  }

  @AfterAll
  static void stop() {
    if (site != null) {
      site.stop(0);
    }
    if (hearth != null) {
      try {
        hearth.stop();
      } finally {
        hearth.close();
      }
    }
    if (nsd != null) {
      nsd.close();
    }
  }

  static Result kdigTls(String sniHost, String... args) {
    List<String> all = new ArrayList<>(List.of("+tls-ca=" + ca.caFile(),
        "+tls-hostname=" + sniHost, "+tls-sni=" + sniHost));
    all.addAll(List.of(args));
    return Dig.kdig(dotPort, all.toArray(new String[0]));
  }

  static Result kdigHttps(String path, boolean get, String... args) {
    List<String> all = new ArrayList<>(List.of("+tls-ca=" + ca.caFile(), "+tls-hostname=" + HOST,
        "+https=" + path));
    if (get) {
      all.add("+https-get");
    }
    all.addAll(List.of(args));
    return Dig.kdig(dohPort, all.toArray(new String[0]));
  }

  @Test
  @Order(1)
  void kdigOverTls_tokenInTheHostName_selectsTheDevicesProfile() {
    Result kid = kdigTls(KID + "." + HOST, SITE_NAME, "A");
    assertEquals("NXDOMAIN", kid.status(), () -> kid + hearth.describe());
    Result parent = kdigTls(PARENT + "." + HOST, SITE_NAME, "A");
    assertEquals("NOERROR", parent.status(), parent::toString);
    assertEquals("127.0.0.1", parent.answers("A").get(0).rdata());
    Result plain = kdigTls(HOST, "www.e2e.test", "A");
    assertEquals("192.0.2.10", plain.answers("A").get(0).rdata(), plain::toString);
    Result unknown = kdigTls("nosuchtoken9." + HOST, SITE_NAME, "A");
    assertEquals("NOERROR", unknown.status(), "an unknown token gets the network default");
  }

  @Test
  @Order(1)
  void kdigOverHttps_postAndGet_tokenInThePath() {
    for (boolean get : List.of(false, true)) {
      Result kid = kdigHttps("/dns-query/" + KID, get, SITE_NAME, "A");
      assertEquals("NXDOMAIN", kid.status(), () -> kid + hearth.describe());
      Result parent = kdigHttps("/dns-query/" + PARENT, get, SITE_NAME, "A");
      assertEquals("127.0.0.1", parent.answers("A").get(0).rdata(), parent::toString);
      Result none = kdigHttps("/dns-query", get, "www.e2e.test", "AAAA");
      assertEquals("2001:db8::10", none.answers("AAAA").get(0).rdata(), none::toString);
    }
  }

  @Test
  @Order(1)
  void ddr_digAndKdigSeeTheEncryptedEndpoints() {
    Result r = Dig.dig(hearth.port(), "_dns.resolver.arpa", "SVCB");
    assertEquals("NOERROR", r.status(), r::toString);
    List<String> rdata = r.answers("SVCB").stream().map(Dig.Rr::rdata).toList();
    assertEquals(2, rdata.size(), r::toString);
    assertTrue(rdata.get(0).startsWith("1 " + HOST + ". alpn=\"dot\" port=" + dotPort
        + " ipv4hint=127.0.0.1"), rdata.get(0));
    assertTrue(rdata.get(1).startsWith("2 " + HOST + ". alpn=\"h2,http/1.1\" port=" + dohPort
        + " ipv4hint=127.0.0.1"), rdata.get(1));
    assertTrue(rdata.get(1).contains("/dns-query{?dns}"), rdata.get(1));
    Result k = Dig.kdig(hearth.port(), "_dns.resolver.arpa", "TYPE64");
    assertEquals(2, k.answers().size(), k::toString);
  }

  /** Runs curl; returns {exit code, stdout + stderr}. */
  static Object[] curl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "15"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("curl did not finish: " + cmd);
    }
    return new Object[] {p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)};
  }

  static String siteUrl() {
    return "http://" + SITE_NAME + ":" + site.getAddress().getPort() + "/";
  }

  static String doh(String token) {
    return "https://127.0.0.1:" + dohPort + "/dns-query" + (token == null ? "" : "/" + token);
  }

  @Test
  @Order(1)
  void curlWithDohUrl_loadsTheSiteForTheParent_notForTheChild() throws Exception {
    Object[] parent = curl("--cacert", ca.caFile().toString(), "--doh-url", doh(PARENT),
        siteUrl());
    assertEquals(0, parent[0], () -> parent[1] + hearth.describe());
    assertTrue(((String) parent[1]).contains("Hello over secure DNS"), (String) parent[1]);
    Object[] kid = curl("--cacert", ca.caFile().toString(), "--doh-url", doh(KID), siteUrl());
    assertEquals(6, kid[0], "curl: could not resolve host\n" + kid[1]);
  }

  static String b64(byte[] wire) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(wire);
  }

  static byte[] query(String name, int type) throws Exception {
    org.xbill.DNS.Message m = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
        org.xbill.DNS.Name.fromString(name), type, 1));
    m.getHeader().setID(0);
    return m.toWire();
  }

  /** curl straight at the DoH endpoint: status line and headers, over HTTP/1.1 or h2. */
  @Test
  @Order(1)
  void curlByHand_http11AndH2_getAndPost_andBadRequests() throws Exception {
    byte[] q = query("www.e2e.test.", 1);
    Path body = Files.write(dir.resolve("q.bin"), q);
    String cacert = ca.caFile().toString();
    for (String version : List.of("--http1.1", "--http2")) {
      Object[] get = curl(version, "--cacert", cacert, "-i", "-o", "/dev/null", "-D", "-",
          doh(null) + "?dns=" + b64(q));
      String h = ((String) get[1]).toLowerCase();
      assertTrue(h.startsWith(version.equals("--http2") ? "http/2 200" : "http/1.1 200"), h);
      assertTrue(h.contains("content-type: application/dns-message"), h);
      assertTrue(h.matches("(?s).*cache-control: max-age=(300|29\\d|2\\d\\d).*"), h);
      Object[] post = curl(version, "--cacert", cacert, "-o", "/dev/null", "-w", "%{http_code}",
          "-H", "content-type: application/dns-message", "--data-binary", "@" + body, doh(null));
      assertEquals("200", post[1]);
      assertEquals("415", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", "-H", "content-type: text/plain", "--data-binary", "@" + body,
          doh(null))[1]);
      assertEquals("400", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", doh(null) + "?dns=not*base64")[1]);
      assertEquals("400", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", doh(null))[1]);
      assertEquals("404", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", "https://127.0.0.1:" + dohPort + "/")[1]);
      assertEquals("405", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", "-X", "DELETE", doh(null))[1]);
      Path big = Files.write(dir.resolve("big.bin"), new byte[2000]);
      assertEquals("413", curl(version, "--cacert", cacert, "-o", "/dev/null", "-w",
          "%{http_code}", "-H", "content-type: application/dns-message", "--data-binary",
          "@" + big, doh(null))[1]);
    }
    // A client that speaks plain HTTP to the TLS port is closed; others carry on.
    Object[] plain = curl("-o", "/dev/null", "-w", "%{http_code}",
        "http://127.0.0.1:" + dohPort + "/dns-query");
    assertNotEquals(0, plain[0]);
    assertEquals("NOERROR", kdigHttps("/dns-query", false, "www.e2e.test", "A").status());
  }

  @Test
  @Order(1)
  void tlsSessions_areResumed() throws Exception {
    Path session = dir.resolve("session.pem");
    for (String version : List.of("-tls1_2", "-tls1_3")) {
      String first = sClient(version, "-sess_out", session.toString());
      assertTrue(first.contains("New, TLSv1."), first);
      String second = sClient(version, "-sess_in", session.toString());
      assertTrue(second.contains("Reused, TLSv1."), version + "\n" + second);
    }
  }

  static String sClient(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect",
        "127.0.0.1:" + dotPort, "-servername", HOST, "-CAfile", ca.caFile().toString(),
        "-alpn", "dot"));
    cmd.addAll(List.of(args));
    // stdin stays open briefly so TLS 1.3 tickets (sent after the handshake) arrive.
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    Thread.sleep(700);
    p.getOutputStream().close();
    if (!p.waitFor(15, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("openssl s_client did not finish");
    }
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /**
   * Chromium switches for secure DNS through {@code template} only (no fallback to the system
   * resolver, which does not know e2e.test anyway): its secure-DNS settings live in the "Local
   * State" file of the user data directory, so the test writes one (a later --user-data-dir
   * wins over the helper's own). The test certificate is accepted by its SPKI hash.
   */
  static List<String> secureDns(String template, String name) throws Exception {
    Path data = Files.createDirectories(dir.resolve("chromium-" + name));
    Files.writeString(data.resolve("Local State"), "{\"dns_over_https\": {\"mode\": \"secure\","
        + " \"templates\": \"" + template + "\"}}");
    return List.of("--user-data-dir=" + data,
        "--ignore-certificate-errors-spki-list=" + TestCa.spkiHash(cert.cert()));
  }

  @Test
  @Order(2)
  void chromium_withHearthAsItsSecureDns_loadsTheLocalSite_theChildsDoesNot() throws Exception {
    try (Browser b = Browser.start(Browser.WAIT, secureDns(doh(PARENT) + "{?dns}", "parent"))) {
      b.open(siteUrl());
      b.waitForText("Hello over secure DNS");
    }
    try (Browser b = Browser.start(Browser.WAIT, secureDns(doh(KID) + "{?dns}", "kid"))) {
      String error = "";
      try {
        b.open(siteUrl());
      } catch (org.openqa.selenium.WebDriverException e) {
        error = e.getMessage();
      }
      String text = error + b.pageText();
      assertTrue(!text.contains("Hello over secure DNS"), text);
      assertTrue(text.contains("ERR_NAME_NOT_RESOLVED"), text);
    }
  }

  /** Last: renews the certificate files while kdig queries run over DoT and DoH. */
  @Test
  @Order(3)
  void certificateReload_whileQueriesRun_noQueryFails_andTheNewCertificateIsServed()
      throws Exception {
    BigInteger before = servedSerial();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<String> failure = new AtomicReference<>();
    Thread load = new Thread(() -> {
      while (!stop.get() && failure.get() == null) {
        Result t = kdigTls(HOST, "www.e2e.test", "A");
        Result h = kdigHttps("/dns-query", false, "www.e2e.test", "A");
        if (!"NOERROR".equals(t.status()) || !"NOERROR".equals(h.status())) {
          failure.set(t + "\n" + h);
        }
        ok.incrementAndGet();
      }
    });
    load.start();
    try {
      while (ok.get() < 2 && failure.get() == null) {
        E2e.sleep(50);
      }
      ca.issue("hearth", "ec", HOST, "*." + HOST, "127.0.0.1");
      BigInteger served = before;
      for (int i = 0; i < 100 && served.equals(before); i++) {
        E2e.sleep(100);
        served = servedSerial();
      }
      assertNotEquals(before, served, "the renewed certificate is served");
      assertEquals(TestCa.certificate(cert.cert()).getSerialNumber(), served);
      int seen = ok.get();
      for (int i = 0; i < 100 && ok.get() < seen + 2 && failure.get() == null; i++) {
        E2e.sleep(100);
      }
    } finally {
      stop.set(true);
      load.join(30_000);
    }
    assertEquals(null, failure.get(), "no query failed across the swap");
    assertTrue(hearth.log().contains("TLS certificate reloaded"), hearth.describe());
  }

  static BigInteger servedSerial() throws Exception {
    try (SSLSocket s = (SSLSocket) ca.sslContext().getSocketFactory().createSocket("127.0.0.1",
        dotPort)) {
      s.setSoTimeout(5000);
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName(HOST)));
      s.setSSLParameters(p);
      s.startHandshake();
      return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
