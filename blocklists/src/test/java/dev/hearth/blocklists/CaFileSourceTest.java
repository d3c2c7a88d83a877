package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTPS list source with {@code ca_file}: a real TLS server on loopback whose certificate an
 * operator's own (test) CA signed. The source trusts that CA, and only it.
 */
class CaFileSourceTest {
  @TempDir Path dir;

  @Test
  void aSourceTrustsItsOwnCaFileAndNothingElse() throws Exception {
    TestCa ours = TestCa.make(dir, "ours");
    TestCa other = TestCa.make(dir, "other");
    HttpsServer server = HttpsServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ours.serverContext()));
    byte[] body = "ads.example\ntracker.example\n".getBytes(StandardCharsets.UTF_8);
    server.createContext("/list.txt", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      String url = "https://127.0.0.1:" + server.getAddress().getPort() + "/list.txt";
      ListSource withCa = source("with-ca", url, ours.caPem);
      ListSource wrongCa = source("wrong-ca", url, other.caPem);
      ListSource systemStore = source("system", url, null);
      List<String> log = new ArrayList<>();
      ListCatalog c = new ListCatalog(dir.resolve("data"), List.of(withCa, wrongCa, systemStore),
          SafetyPolicy.defaults(), new HttpListFetcher(HttpListFetcher.Options.defaults()),
          log::add, Clock.systemUTC());
      c.open();
      List<ListCatalog.Status> st = c.status();
      assertNull(st.get(0).lastError(), String.valueOf(st.get(0)));
      assertEquals(2, st.get(0).entries());
      assertNotNull(st.get(1).lastError(), "another CA's certificate is not trusted");
      assertNotNull(st.get(2).lastError(), "the JDK's store does not know the operator's CA");
      assertTrue(st.get(2).lastError().contains("127.0.0.1"), st.get(2).lastError());
      CompiledList served = c.snapshot().stream().filter(l -> l.name().equals("with-ca"))
          .findFirst().orElseThrow();
      assertTrue(served.match("x.tracker.example").isBlock());
      c.refresh(true); // a second fetch, through the source's own client
      assertNull(c.status().get(0).lastError());
      assertNotNull(c.status().get(1).lastError());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void caFileProblemsAreReadable() throws Exception {
    IOException missing = assertThrows(IOException.class,
        () -> TrustedCas.read(dir.resolve("nope.pem")));
    assertEquals("cannot read " + dir.resolve("nope.pem") + ": no such file",
        missing.getMessage());
    Path text = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n");
    assertEquals("no certificate in " + text
        + " (expected PEM blocks: -----BEGIN CERTIFICATE-----)",
        assertThrows(IOException.class, () -> TrustedCas.read(text)).getMessage());
    Path broken = Files.writeString(dir.resolve("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    assertEquals(broken + ": certificate 1 is not a valid X.509 certificate",
        assertThrows(IOException.class, () -> TrustedCas.read(broken)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> source("x", "http://127.0.0.1/l.txt",
        dir.resolve("ca.pem")), "a CA file is only for https://");
  }

  private static ListSource source(String id, String url, Path ca) {
    return new ListSource(id, url, Format.AUTO, null, false, false, Duration.ofHours(1), null,
        null, null, ca == null ? null : ca.toString());
  }
}
