package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@link Browser} itself, without Hearth, on a fixed form served over real HTTP: every way
 * a field can be labelled, a field and a result that only appear later (so the waits really
 * wait), a select, a screenshot, and a clear, bounded failure for a field that is not there.
 * When this fails, UI test failures are about the helper, not the admin UI.
 */
@Timeout(60)
class BrowserSelfCheckIT {
  /** The self-check's bound: ten times the slowest fixture delay, so a miss costs seconds. */
  private static final Duration WAIT = Duration.ofSeconds(4);

  private static final String FORM = """
      <!doctype html>
      <html lang="en"><head><meta charset="utf-8"><title>Browser self-check</title></head>
      <body>
      <form id="f">
        <label for="name">Profile name</label> <input id="name">
        <label>Household <input name="household"></label>
        <input aria-label="Search" name="q">
        <input name="token">
        <input type="hidden" name="token">
        <label for="cat">Category</label>
        <select id="cat"><option>adult</option><option>gambling</option></select>
        <button type="button" disabled>Save profile</button>
        <button type="submit">Save profile</button>
      </form>
      <p id="out"></p>
      <script>
        const f = document.getElementById('f');
        // A field rendered late, like one a script framework adds after loading data.
        setTimeout(() => {
          const l = document.createElement('label');
          l.append('Note ', document.createElement('textarea'));
          f.prepend(l);
        }, 400);
        f.addEventListener('submit', e => {
          e.preventDefault();
          const v = n => f.querySelector(n).value;
          setTimeout(() => {
            document.getElementById('out').textContent = 'saved ' + [v('#name'),
                v('[name=household]'), v('[name=q]'), v('input[name=token]'), v('#cat'),
                v('textarea')].join('|');
            history.pushState({}, '', '/saved');
          }, 300);
        });
      </script>
      </body></html>
      """;

  private static HttpServer server;
  private static Browser browser;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(E2e.LOOPBACK, 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = FORM.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    url = "http://127.0.0.1:" + server.getAddress().getPort() + "/form";
    browser = Browser.start(WAIT);
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (server != null) {
        server.stop(0);
      }
    }
  }

  @Test
  void fillsByLabelAriaLabelAndNameThenClicksAndWaitsForTheResult() {
    browser.open(url);
    browser.fill("Profile name", "Kids");            // <label for=...>
    browser.fill("Household", "Flat 3");             // wrapping <label>
    browser.fill("Search", "youtube.com");           // aria-label
    browser.fill("token", "hth_x");                  // name only; the hidden twin is no field
    browser.fill("Category", "gambling");            // <select>: the visible option
    browser.fill("Note", "added late");              // appears 400 ms after load
    browser.fill("Profile name", "Children");        // filling again replaces the text
    browser.click("Save profile");                   // the enabled one of two
    browser.waitForText("saved Children|Flat 3|youtube.com|hth_x|gambling|added late");
    assertTrue(browser.currentUrl().endsWith("/saved"), browser.currentUrl());
  }

  @Test
  void screenshotWritesAPng(@TempDir Path dir) throws Exception {
    browser.open(url);
    Path png = browser.screenshot(dir.resolve("sub/shot.png"));
    byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
  }

  @Test
  void aMissingFieldFailsWithinTheBoundAndSaysWhatAndWhere() throws Exception {
    browser.open(url);
    long t0 = System.nanoTime();
    AssertionError e = assertThrows(AssertionError.class, () -> browser.fill("Password", "x"));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(tookMs >= WAIT.toMillis() && tookMs < WAIT.toMillis() + 5_000,
        "waited " + tookMs + " ms for a bound of " + WAIT);
    String msg = e.getMessage();
    assertTrue(msg.contains("'Password'") && msg.contains(url) && msg.contains("Profile name"),
        "the failure should name the field, the URL and show the page text:\n" + msg);
    Path shot = Path.of(msg.substring(msg.indexOf("--- screenshot: ") + 16).trim());
    assertTrue(Files.size(shot) > 0, "screenshot " + shot);
    assertEquals("png", shot.getFileName().toString().replaceAll(".*\\.", ""));
    Files.delete(shot); // expected here; target/browser-failures keeps only real failures
  }
}
