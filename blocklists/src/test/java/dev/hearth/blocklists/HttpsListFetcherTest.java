package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS with a certificate made by the test (the JDK's keytool, real TLS on loopback): a list
 * is fetched when its server's certificate is trusted, refused when it is not.
 */
class HttpsListFetcherTest {
  @TempDir Path dir;

  @Test
  void fetchesOverTls_withATrustedCertificate_andRefusesAnUntrustedOne() throws Exception {
    Path store = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made the cert");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext clientTls = SSLContext.getInstance("TLS");
    clientTls.init(null, tmf.getTrustManagers(), null);

    HttpsServer server = HttpsServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    byte[] body = "ads.example\ntracker.example\n".getBytes(StandardCharsets.UTF_8);
    server.createContext("/list.txt", ex -> {
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    try {
      URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/list.txt");
      HttpListFetcher.Options opts = new HttpListFetcher.Options(Duration.ofSeconds(5),
          Duration.ofSeconds(20), 1 << 20, "Hearth-test/1");
      var got = new HttpListFetcher(opts, clientTls).fetch(uri, HttpListFetcher.Validators.NONE,
          in -> ListLoader.load(ListInfo.named("tls"), NameHasher.PLAIN, Format.AUTO,
              uri.toString(), in, 0.5));
      LoadResult r = ((HttpListFetcher.Outcome.Fetched<LoadResult>) got).value();
      assertEquals(2, r.accepted());
      assertTrue(r.list().match("x.tracker.example").isBlock());

      FetchException e = assertThrows(FetchException.class, () -> new HttpListFetcher(opts)
          .fetch(uri, HttpListFetcher.Validators.NONE, in -> List.of()));
      assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    } finally {
      server.stop(0);
    }
  }
}
