package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.hearth.blocklists.FetchException.Reason;
import dev.hearth.blocklists.HttpListFetcher.BodyReader;
import dev.hearth.blocklists.HttpListFetcher.Options;
import dev.hearth.blocklists.HttpListFetcher.Outcome;
import dev.hearth.blocklists.HttpListFetcher.Validators;
import dev.hearth.blocklists.HttpListFetcher.Verifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real HTTP on loopback: a com.sun.net.httpserver server per test, no mocks. */
class HttpListFetcherTest {
  private static final String BODY = "# test list\nads.example\ntracker.example\n";
  private static final byte[] BODY_BYTES = BODY.getBytes(StandardCharsets.UTF_8);
  private static final Options FAST =
      new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 1 << 20, "Hearth-test/1");

  private HttpServer server;
  private ExecutorService pool;
  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpListFetcher fetcher = new HttpListFetcher(FAST);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    server.stop(0);
    pool.shutdownNow();
  }

  private URI url(String path) {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + path);
  }

  private void serve(String path, HttpHandler handler) {
    server.createContext(path, ex -> {
      try {
        handler.handle(ex);
      } finally {
        ex.close();
      }
    });
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static final BodyReader<String, RuntimeException> AS_STRING =
      in -> new String(in.readAllBytes(), StandardCharsets.UTF_8);

  private static final BodyReader<String, RuntimeException> MUST_NOT_READ = in -> {
    throw new AssertionError("reader called");
  };

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @SuppressWarnings("unchecked")
  private static <T> Outcome.Fetched<T> fetched(Outcome<T> o) {
    assertInstanceOf(Outcome.Fetched.class, o);
    return (Outcome.Fetched<T>) o;
  }

  @Test
  void fetchesThenNotModifiedViaEtag() throws Exception {
    List<String> ifNoneMatch = new ArrayList<>();
    AtomicReference<String> userAgent = new AtomicReference<>();
    serve("/list.txt", ex -> {
      String inm = ex.getRequestHeaders().getFirst("If-None-Match");
      ifNoneMatch.add(String.valueOf(inm));
      userAgent.set(ex.getRequestHeaders().getFirst("User-Agent"));
      if ("\"v1\"".equals(inm)) {
        send(ex, 304, new byte[0]);
        return;
      }
      ex.getResponseHeaders().add("ETag", "\"v1\"");
      send(ex, 200, BODY_BYTES);
    });

    Outcome.Fetched<String> first = fetched(fetcher.fetch(url("/list.txt"), Validators.NONE,
        AS_STRING));
    assertEquals(BODY, first.value());
    assertEquals(new Validators("\"v1\"", null), first.validators());
    assertEquals(sha256(BODY_BYTES), first.sha256Hex());
    assertEquals(BODY_BYTES.length, first.bytes());
    assertEquals("Hearth-test/1", userAgent.get());

    Outcome<String> second = fetcher.fetch(url("/list.txt"), first.validators(), MUST_NOT_READ);
    assertInstanceOf(Outcome.NotModified.class, second);
    assertEquals(List.of("null", "\"v1\""), ifNoneMatch);
  }

  @Test
  void lastModifiedConditional() throws Exception {
    String lastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
    AtomicReference<String> sentEtag = new AtomicReference<>("unset");
    serve("/list.txt", ex -> {
      sentEtag.set(ex.getRequestHeaders().getFirst("If-None-Match"));
      if (lastModified.equals(ex.getRequestHeaders().getFirst("If-Modified-Since"))) {
        send(ex, 304, new byte[0]);
        return;
      }
      ex.getResponseHeaders().add("Last-Modified", lastModified);
      send(ex, 200, BODY_BYTES);
    });

    Outcome.Fetched<String> first = fetched(fetcher.fetch(url("/list.txt"), null, AS_STRING));
    assertEquals(new Validators(null, lastModified), first.validators());
    assertInstanceOf(Outcome.NotModified.class,
        fetcher.fetch(url("/list.txt"), first.validators(), MUST_NOT_READ));
    assertNull(sentEtag.get());
  }

  @Test
  void notModifiedToAnUnconditionalRequestIsAnError() {
    serve("/list.txt", ex -> send(ex, 304, new byte[0]));
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/list.txt"), Validators.NONE, MUST_NOT_READ));
    assertEquals(Reason.HTTP_STATUS, e.reason());
  }

  @Test
  void serverErrorHasReadableMessage() {
    serve("/list.txt", ex -> send(ex, 500, "oops".getBytes(StandardCharsets.UTF_8)));
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/list.txt"), Validators.NONE, MUST_NOT_READ));
    assertEquals(url("/list.txt") + ": HTTP 500", e.getMessage());
    assertEquals(Reason.HTTP_STATUS, e.reason());
    assertEquals(500, e.httpStatus());
  }

  @Test
  void followsRedirectsButNotToOtherSchemes() throws Exception {
    serve("/old", ex -> {
      ex.getResponseHeaders().add("Location", "/list.txt");
      send(ex, 301, new byte[0]);
    });
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    serve("/to-ftp", ex -> {
      ex.getResponseHeaders().add("Location", "ftp://127.0.0.1/list.txt");
      send(ex, 302, new byte[0]);
    });

    assertEquals(BODY, fetched(fetcher.fetch(url("/old"), null, AS_STRING)).value());

    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/to-ftp"), null, MUST_NOT_READ));
    assertEquals(url("/to-ftp") + ": HTTP 302 (redirect to ftp://127.0.0.1/list.txt not followed)",
        e.getMessage());
  }

  @Test
  void decompressesGzip() throws Exception {
    AtomicReference<String> acceptEncoding = new AtomicReference<>();
    serve("/list.txt", ex -> {
      acceptEncoding.set(ex.getRequestHeaders().getFirst("Accept-Encoding"));
      ex.getResponseHeaders().add("Content-Encoding", "gzip");
      send(ex, 200, gzip(BODY_BYTES));
    });
    Outcome.Fetched<String> f = fetched(fetcher.fetch(url("/list.txt"), null, AS_STRING));
    assertEquals("gzip", acceptEncoding.get());
    assertEquals(BODY, f.value());
    assertEquals(BODY_BYTES.length, f.bytes());
    assertEquals(sha256(BODY_BYTES), f.sha256Hex());
  }

  @Test
  void gzipBombHitsTheDecompressedLimit() throws Exception {
    byte[] bomb = gzip(new byte[200_000]);
    assertTrue(bomb.length < 1000);
    serve("/list.txt", ex -> {
      ex.getResponseHeaders().add("Content-Encoding", "gzip");
      send(ex, 200, bomb);
    });
    HttpListFetcher small = new HttpListFetcher(
        new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 10_000, "t"));
    FetchException e = assertThrows(FetchException.class,
        () -> small.fetch(url("/list.txt"), null, AS_STRING));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertEquals(url("/list.txt") + ": larger than 10000 bytes", e.getMessage());
  }

  @Test
  void garbageGzipFails() {
    serve("/list.txt", ex -> {
      ex.getResponseHeaders().add("Content-Encoding", "gzip");
      send(ex, 200, BODY_BYTES);
    });
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/list.txt"), null, AS_STRING));
    assertEquals(Reason.IO, e.reason());
  }

  @Test
  void sizeLimitFailsTheFetchEvenIfTheReaderSwallowsTheError() {
    byte[] big = new byte[50_000];
    java.util.Arrays.fill(big, (byte) 'a');
    serve("/chunked", ex -> {
      ex.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse early
      try (OutputStream out = ex.getResponseBody()) {
        out.write(big);
      }
    });
    HttpListFetcher small = new HttpListFetcher(
        new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 10_000, "t"));
    AtomicReference<IOException> seen = new AtomicReference<>();
    BodyReader<Integer, RuntimeException> swallowing = in -> {
      int n = 0;
      try {
        while (in.read() >= 0) {
          n++;
        }
      } catch (IOException e) {
        seen.set(e);
      }
      return n; // a partial result
    };
    FetchException e = assertThrows(FetchException.class,
        () -> small.fetch(url("/chunked"), null, swallowing));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().endsWith("larger than 10000 bytes"), e.getMessage());
    assertTrue(seen.get().getMessage().contains("larger than 10000 bytes"));
  }

  @Test
  void contentLengthOverTheLimitIsRefusedBeforeReading() {
    serve("/list.txt", ex -> send(ex, 200, new byte[20_000]));
    HttpListFetcher small = new HttpListFetcher(
        new Options(Duration.ofSeconds(2), Duration.ofSeconds(5), 10_000, "t"));
    FetchException e = assertThrows(FetchException.class,
        () -> small.fetch(url("/list.txt"), null, MUST_NOT_READ));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("larger than 10000 bytes"), e.getMessage());
  }

  @Test
  void tricklingServerHitsTheTotalDeadline() {
    serve("/slow", ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      try {
        while (release.getCount() > 0) {
          out.write("a.example\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          Thread.sleep(50);
        }
      } catch (IOException | InterruptedException e) {
        // client gone or test over
      }
    });
    HttpListFetcher f = new HttpListFetcher(
        new Options(Duration.ofSeconds(1), Duration.ofSeconds(1), 1 << 20, "t"));
    FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
        FetchException.class, () -> f.fetch(url("/slow"), null, AS_STRING)));
    assertEquals(Reason.TIMEOUT, e.reason());
    assertEquals(url("/slow") + ": not finished within 1 s (total timeout)", e.getMessage());
  }

  @Test
  void stalledBodyIsClosedByTheWatchdog() {
    serve("/stall", ex -> {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      out.write("a.example\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      awaitRelease();
    });
    HttpListFetcher f = new HttpListFetcher(
        new Options(Duration.ofSeconds(1), Duration.ofMillis(500), 1 << 20, "t"));
    FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
        FetchException.class, () -> f.fetch(url("/stall"), null, AS_STRING)));
    assertEquals(Reason.TIMEOUT, e.reason());
    assertTrue(e.getMessage().contains("not finished within 500 ms"), e.getMessage());
  }

  @Test
  void missingHeadersHitTheTotalDeadline() {
    serve("/silent", ex -> awaitRelease());
    HttpListFetcher f = new HttpListFetcher(
        new Options(Duration.ofSeconds(1), Duration.ofMillis(500), 1 << 20, "t"));
    FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(
        FetchException.class, () -> f.fetch(url("/silent"), null, MUST_NOT_READ)));
    assertEquals(Reason.TIMEOUT, e.reason());
  }

  @Test
  void sha256PinMatchesOrFails() throws Exception {
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    String good = sha256(BODY_BYTES);
    Outcome.Fetched<String> f = fetched(
        fetcher.fetch(url("/list.txt"), null, good.toUpperCase(), null, AS_STRING));
    assertEquals(BODY, f.value());

    String bad = sha256("something else".getBytes(StandardCharsets.UTF_8));
    AtomicBoolean readerRan = new AtomicBoolean();
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/list.txt"), null, bad, null, in -> {
          readerRan.set(true);
          return AS_STRING.read(in);
        }));
    assertTrue(readerRan.get());
    assertEquals(Reason.INTEGRITY, e.reason());
    assertEquals(url("/list.txt") + ": SHA-256 mismatch: expected " + bad + ", got " + good,
        e.getMessage());
  }

  @Test
  void pinCoversTheBytesTheReaderDidNotRead() throws Exception {
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    BodyReader<Integer, RuntimeException> firstByteOnly = in -> {
      try (in) {
        return in.read();
      }
    };
    Outcome.Fetched<Integer> f = fetched(fetcher.fetch(url("/list.txt"), null,
        sha256(BODY_BYTES), null, firstByteOnly));
    assertEquals((int) '#', f.value());
    assertEquals(BODY_BYTES.length, f.bytes());
  }

  @Test
  void malformedPinIsRejectedBeforeFetching() {
    AtomicInteger hits = new AtomicInteger();
    serve("/list.txt", ex -> {
      hits.incrementAndGet();
      send(ex, 200, BODY_BYTES);
    });
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(url("/list.txt"), null, "abc", null, MUST_NOT_READ));
    assertEquals(Reason.INVALID_REQUEST, e.reason());
    assertEquals(0, hits.get());
  }

  @Test
  void ed25519SignatureValidAndInvalid() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    KeyPair other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] sig = sign(keys, BODY_BYTES);
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    serve("/list.txt.sig", ex -> send(ex, 200,
        (Base64.getEncoder().encodeToString(sig) + "\n").getBytes(StandardCharsets.US_ASCII)));
    serve("/raw.sig", ex -> send(ex, 200, sig));
    serve("/other.sig", ex -> send(ex, 200, sign(other, BODY_BYTES)));
    serve("/gz.txt", ex -> {
      ex.getResponseHeaders().add("Content-Encoding", "gzip");
      send(ex, 200, gzip(BODY_BYTES));
    });
    serve("/gz.txt.sig", ex -> send(ex, 200, sig));

    Verifier verifier = Verifier.ed25519(pem(keys));
    assertEquals(BODY, fetched(fetcher.fetch(url("/list.txt"), null, null, verifier, AS_STRING))
        .value());
    // raw 64 bytes at a configured URL
    assertEquals(BODY, fetched(fetcher.fetch(url("/list.txt"), null, null,
        verifier.withSignatureUri(url("/raw.sig")), AS_STRING)).value());
    // the signature covers the decompressed body
    assertEquals(BODY, fetched(fetcher.fetch(url("/gz.txt"), null, null, verifier, AS_STRING))
        .value());
    // bare base64 of the raw 32-byte key works too
    byte[] spki = keys.getPublic().getEncoded();
    Verifier raw32 = Verifier.ed25519(Base64.getEncoder().encodeToString(
        java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length)));
    assertEquals(keys.getPublic(), raw32.publicKey());

    FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url("/list.txt"),
        null, null, verifier.withSignatureUri(url("/other.sig")), AS_STRING));
    assertEquals(Reason.INTEGRITY, e.reason());
    assertEquals(url("/list.txt") + ": Ed25519 signature mismatch (signature from "
        + url("/other.sig") + ")", e.getMessage());

    FetchException wrongKey = assertThrows(FetchException.class, () -> fetcher.fetch(
        url("/list.txt"), null, null, Verifier.ed25519(pem(other)), AS_STRING));
    assertEquals(Reason.INTEGRITY, wrongKey.reason());

    FetchException missing = assertThrows(FetchException.class, () -> fetcher.fetch(
        url("/list.txt"), null, null, verifier.withSignatureUri(url("/nope.sig")), AS_STRING));
    assertEquals("signature " + url("/nope.sig") + ": HTTP 404", missing.getMessage());
  }

  @Test
  void signatureOverATamperedBodyFails() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] sig = sign(keys, BODY_BYTES);
    serve("/list.txt", ex -> send(ex, 200, (BODY + "evil.example\n")
        .getBytes(StandardCharsets.UTF_8)));
    serve("/list.txt.sig", ex -> send(ex, 200, sig));
    FetchException e = assertThrows(FetchException.class, () -> fetcher.fetch(url("/list.txt"),
        null, null, Verifier.ed25519(pem(keys)), AS_STRING));
    assertEquals(Reason.INTEGRITY, e.reason());
  }

  /**
   * The body's second half is sent only after the signature was fetched: a fetcher that read the
   * whole body before knowing the signature (and so had to keep it) would wait out the deadline.
   */
  @Test
  void signatureIsFetchedBeforeTheBodySoTheBodyStreamsThroughTheCheck() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      big.append("host").append(i).append(".example\n");
    }
    byte[] body = big.toString().getBytes(StandardCharsets.UTF_8);
    byte[] sig = sign(keys, body);
    CountDownLatch signatureServed = new CountDownLatch(1);
    serve("/big.txt", ex -> {
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body, 0, body.length / 2);
        out.flush();
        try {
          if (!signatureServed.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            return; // the fetch then fails on its deadline, and the test with it
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        out.write(body, body.length / 2, body.length - body.length / 2);
      }
    });
    serve("/big.txt.sig", ex -> {
      send(ex, 200, sig);
      signatureServed.countDown();
    });
    Outcome.Fetched<Integer> ok = fetched(fetcher.fetch(url("/big.txt"), null, null,
        Verifier.ed25519(pem(keys)), in -> in.readAllBytes().length));
    assertEquals(body.length, ok.value());
  }

  @Test
  void verifierRejectsNonKeys() {
    assertThrows(IllegalArgumentException.class, () -> Verifier.ed25519("not a key!"));
    assertThrows(IllegalArgumentException.class,
        () -> Verifier.ed25519("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));
    assertEquals(URI.create("https://h/l.txt.sig?x=1"),
        Verifier.ed25519(Base64.getEncoder().encodeToString(new byte[32]))
            .signatureUriFor(URI.create("https://h/l.txt?x=1#frag")));
  }

  @Test
  void readersCheckedExceptionPropagatesUnchanged() throws Exception {
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    ListRejectedException thrown = new ListRejectedException("x", "mostly invalid", null);
    BodyReader<String, ListRejectedException> rejecting = in -> {
      in.read();
      throw thrown;
    };
    try {
      fetcher.fetch(url("/list.txt"), null, rejecting);
      fail("no exception");
    } catch (ListRejectedException e) { // typed: no unwrapping needed
      assertTrue(e == thrown);
    }

    // a ListLoader method reference infers E = ListRejectedException as well
    assertEquals(2, fetched(loadList(url("/list.txt"))).value().accepted());

    // the reader's own IOException becomes a FetchException
    FetchException io = assertThrows(FetchException.class, () -> fetcher.fetch(url("/list.txt"),
        null, in -> {
          throw new IOException("disk of the parser on fire");
        }));
    assertEquals(Reason.IO, io.reason());
    assertEquals(url("/list.txt") + ": reading the body failed: disk of the parser on fire",
        io.getMessage());
  }

  @Test
  void unsupportedSchemesAreRejected() {
    for (String u : List.of("file:///etc/hosts", "ftp://example.com/list.txt", "list.txt")) {
      FetchException e = assertThrows(FetchException.class,
          () -> fetcher.fetch(URI.create(u), null, MUST_NOT_READ));
      assertEquals(Reason.INVALID_REQUEST, e.reason());
      assertTrue(e.getMessage().startsWith(u + ": unsupported URL scheme"), e.getMessage());
    }
  }

  @Test
  void connectionRefusedIsReadableAndHidesCredentials() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI u = URI.create("http://user:secret@127.0.0.1:" + port + "/list.txt");
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.fetch(u, null, MUST_NOT_READ));
    assertEquals(Reason.IO, e.reason());
    assertTrue(e.getMessage().startsWith("http://***@127.0.0.1:" + port + "/list.txt: "),
        e.getMessage());
    assertFalse(e.getMessage().contains("secret"));
  }

  @Test
  void concurrentFetchesShareOneFetcher() throws Exception {
    serve("/list.txt", ex -> send(ex, 200, BODY_BYTES));
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<Outcome<String>>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(callers.submit(() -> fetcher.fetch(url("/list.txt"), null, AS_STRING)));
      }
      for (Future<Outcome<String>> r : results) {
        assertEquals(BODY, fetched(r.get(5, TimeUnit.SECONDS)).value());
      }
    } finally {
      callers.shutdownNow();
    }
  }

  /** Compiles only because E is inferred as ListRejectedException from the lambda. */
  private Outcome<LoadResult> loadList(URI uri) throws FetchException, ListRejectedException {
    return fetcher.fetch(uri, null, in -> ListLoader.load(ListInfo.named("test"),
        NameHasher.PLAIN, Format.AUTO, uri.toString(), in, 0.5));
  }

  private void awaitRelease() {
    try {
      release.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(b);
    }
    return bytes.toByteArray();
  }

  private static byte[] sign(KeyPair keys, byte[] body) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(keys.getPrivate());
      s.update(body);
      return s.sign();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(KeyPair keys) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }
}
