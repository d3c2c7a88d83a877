package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin side end to end with the built jar: the first start prints a one-time administrator
 * password, `hearth admin create-token` makes a token next to the running server, a profile and
 * a subscriber created over the API change what `dig -b` from that subscriber's address gets,
 * a run-time binding takes effect on the next query, and all of it survives a restart and a
 * backup made while serving.
 */
@Timeout(180)
class AdminIT {
  private static AdminServerFixture server;
  private static HearthProcess hearth;
  private static int httpPort;
  private static String token;
  private static String firstStartLog;
  @TempDir static Path dir;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = AdminServerFixture.start(dir);
    hearth = server.hearth();
    httpPort = server.httpPort();
    firstStartLog = hearth.log();
    var created = HearthProcess.cli("admin", "create-token", "--data-dir",
        hearth.dataDir().toString(), "--name", "e2e-provisioning", "--role", "administrator");
    assertEquals(0, created.exit(), created.output());
    token = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static void waitForHttp() throws Exception {
    waitFor("http://127.0.0.1:" + httpPort + "/healthz", hearth);
  }

  /** Waits (at most 30 s) until {@code url} answers 200: the admin listener is up. */
  static void waitFor(String url, HearthProcess process) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      E2e.sleep(100);
    }
    throw new AssertionError("admin listener did not come up\n" + process.describe());
  }

  static HttpResponse<String> http(String method, String path, String body, boolean auth)
      throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
        + path)).timeout(Duration.ofSeconds(20));
    if (auth) {
      r.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Result dig(String source, String name) {
    return Dig.dig(hearth.port(), "-b", source, name, "A");
  }

  @Test
  void firstStart_printsAOneTimeAdministratorPassword() {
    assertTrue(firstStartLog.matches("(?s).*created administrator 'admin' with one-time password"
        + " [A-Za-z0-9]{20}.*"), firstStartLog);
  }

  @Test
  void profileSubscriberAndBinding_fromTheApi_changeWhatDigGets_andSurviveRestartAndBackup()
      throws Exception {
    assertEquals("NOERROR", dig("127.0.0.21", "target.e2e.test").status(),
        "unidentified clients: baseline only");
    var p = http("PUT", "/api/v1/profiles/kids", "{\"preset\": \"young-child\","
        + " \"block\": [\"www.e2e.test\"]}", true);
    assertEquals(201, p.statusCode(), p.body());
    var s = http("PUT", "/api/v1/subscribers/house-21", "{\"profile\": \"kids\","
        + " \"addresses\": [\"127.0.0.21/32\"]}", true);
    assertEquals(201, s.statusCode(), s.body());

    Result blocked = dig("127.0.0.21", "target.e2e.test");
    assertEquals("NXDOMAIN", blocked.status(), blocked::toString);
    assertTrue(blocked.edeCodes().contains(17), blocked::toString);
    assertTrue(String.join(" ", blocked.edeTexts()).contains("profile kids"), blocked::toString);
    assertEquals("NXDOMAIN", dig("127.0.0.21", "www.e2e.test").status(), "own block list");
    assertEquals("NOERROR", dig("127.0.0.22", "target.e2e.test").status(), "another address");

    var b = http("POST", "/api/v1/bindings", "{\"address\": \"127.0.0.22\", \"subscriber\":"
        + " \"house-21\"}", true);
    assertEquals(200, b.statusCode(), b.body());
    assertEquals("NXDOMAIN", dig("127.0.0.22", "target.e2e.test").status(),
        "bound at run time: next query");

    Path backup = dir.resolve("admin-backup.db");
    var bk = HearthProcess.cli("admin", "backup", "--data-dir", hearth.dataDir().toString(),
        backup.toString());
    assertEquals(0, bk.exit(), bk.output());
    assertTrue(Files.size(backup) > 0);

    hearth.restart();
    waitForHttp();
    assertEquals("NXDOMAIN", dig("127.0.0.21", "target.e2e.test").status(), "profile kept");
    assertEquals("NXDOMAIN", dig("127.0.0.22", "target.e2e.test").status(), "binding kept");
    assertTrue(hearth.log().lines().noneMatch(l -> l.contains("one-time password")),
        "the first administrator is created once");

    var del = http("DELETE", "/api/v1/bindings?address=127.0.0.22", null, true);
    assertEquals(204, del.statusCode(), del.body());
    assertEquals("NOERROR", dig("127.0.0.22", "target.e2e.test").status());
  }

  @Test
  void withoutAToken_theApiAnswers401_andBadInputA400NamingTheField() throws Exception {
    assertEquals(401, http("GET", "/api/v1/profiles", null, false).statusCode());
    var bad = http("PUT", "/api/v1/profiles/late", "{\"schedules\": [{\"days\": [\"someday\"],"
        + " \"from\": \"20:00\", \"to\": \"07:00\", \"block\": \"all\"}]}", true);
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("\"field\":\"schedules[0].days\""), bad.body());
    assertEquals(404, http("GET", "/api/v1/profiles/late", null, true).statusCode());
  }
}
