package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chain the admin web UI tests stand on, proven once on its own: the built jar serves HTTP,
 * headless Chromium (Debian's, through its chromedriver) starts on this machine without reaching
 * out, and renders what the jar serves. When a UI test fails, this one says whether the browser
 * plumbing or the UI is to blame.
 */
@Timeout(120)
class BrowserSmokeIT {
  private static HearthProcess hearth;
  private static Browser browser;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    int httpPort = E2e.freePort();
    // No DNS is asked for here; the upstream is a port nothing listens on.
    hearth = HearthProcess.start(List.of("127.0.0.1:" + E2e.freePort()),
        List.of("--http", "127.0.0.1:" + httpPort));
    base = "http://127.0.0.1:" + httpPort;
    waitForHealthz();
    long t0 = System.nanoTime();
    browser = Browser.start();
    System.out.printf("BrowserSmokeIT: headless Chromium started in %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (hearth != null) {
        hearth.close();
      }
    }
  }

  /** Chromium is only pointed at the server once plain HTTP says it is up. */
  private static void waitForHealthz() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/healthz"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      E2e.sleep(100);
    }
    throw new AssertionError("/healthz did not answer 200 within 30 s\n" + hearth.describe());
  }

  @Test
  void chromiumRendersHealthz() {
    browser.open(base + "/healthz");
    assertEquals(base + "/healthz", browser.currentUrl());
    String text = browser.pageText();
    assertTrue(text.contains("\"status\":\"ok\""),
        () -> "Chromium should show the health JSON, got:\n" + text + "\n" + hearth.describe());
  }

  @Test
  void chromiumLoadsTheOpenApiDescription() {
    browser.open(base + "/api/openapi.json");
    browser.waitForText("/api/v1/profiles");
    String text = browser.pageText();
    assertTrue(text.contains("\"openapi\""),
        () -> "expected the OpenAPI document itself, got:\n" + E2e.tail(text, 2_000));
  }
}
