package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Block list sources added at run time, end to end with the built jar and dig: a file source
 * added through the API blocks within a couple of seconds, an invalid one is refused naming the
 * field with nothing stored or audited, support staff and (for a locked source) administrators
 * are refused, the stored source is still in force after a restart, and removing it lets the
 * name resolve again, also after the next restart.
 */
@Timeout(180)
class RunTimeListSourcesIT {
  private static AdminServerFixture server;
  private static String admin;
  private static String support;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = AdminServerFixture.start(dir);
    admin = token("administrator");
    support = token("support");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String token(String role) throws Exception {
    var created = HearthProcess.cli("admin", "create-token", "--data-dir",
        server.hearth().dataDir().toString(), "--name", "e2e-" + role, "--role", role);
    assertEquals(0, created.exit(), created.output());
    return created.output().lines().filter(l -> l.startsWith("hth_")).findFirst().orElseThrow();
  }

  static HttpResponse<String> http(String method, String path, String token, String body)
      throws Exception {
    return AdminHttp.api(server.base(), token, method, path, body);
  }

  static Result dig(String name) {
    return Dig.dig(server.hearth().port(), name, "A");
  }

  /** Digs until the status is {@code status}, for at most {@code seconds}; returns the last. */
  static Result digUntil(String name, String status, int seconds) {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    Result r = dig(name);
    while (!status.equals(r.status()) && System.nanoTime() < deadline) {
      E2e.sleep(100);
      r = dig(name);
    }
    return r;
  }

  static int auditCount() throws Exception {
    var r = http("GET", "/api/v1/audit?action=list_source.", admin, null);
    assertEquals(200, r.statusCode(), r.body());
    return r.body().split("\"action\"", -1).length - 1;
  }

  @Test
  void aFileSourceFromTheApi_blocksWithinSeconds_survivesARestart_andRemovalUnblocks()
      throws Exception {
    Path list = Files.writeString(dir.resolve("runtime.txt"), "# added at run time\n"
        + "pipe5.e2e.test\n");
    assertEquals("NOERROR", dig("pipe5.e2e.test").status());

    var created = http("POST", "/api/v1/lists/sources", admin, "{\"id\": \"runtime\","
        + " \"path\": \"" + list + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    Result blocked = digUntil("pipe5.e2e.test", "NXDOMAIN", 2);
    assertEquals("NXDOMAIN", blocked.status(), blocked::toString);
    assertTrue(String.join(" ", blocked.edeTexts()).contains("list runtime"), blocked::toString);
    assertEquals(1, auditCount());

    var invalid = http("POST", "/api/v1/lists/sources", admin, "{\"id\": \"broken\","
        + " \"path\": \"" + list + "\", \"format\": \"csv\"}");
    assertEquals(400, invalid.statusCode(), invalid.body());
    assertTrue(invalid.body().contains("\"field\":\"format\""), invalid.body());
    var missing = http("POST", "/api/v1/lists/sources", admin, "{\"id\": \"broken\","
        + " \"path\": \"" + dir.resolve("no-such-list.txt") + "\"}");
    assertEquals(400, missing.statusCode(), missing.body());
    assertTrue(missing.body().contains("\"field\":\"path\""), missing.body());
    assertEquals(404, http("GET", "/api/v1/lists/sources/broken", admin, null).statusCode(),
        "nothing stored");
    assertEquals(1, auditCount(), "nothing audited");

    var bySupport = http("POST", "/api/v1/lists/sources", support, "{\"id\": \"other\","
        + " \"path\": \"" + list + "\"}");
    assertEquals(403, bySupport.statusCode(), bySupport.body());
    assertEquals(403, http("DELETE", "/api/v1/lists/sources/runtime", support, null)
        .statusCode());
    var lockedByAdmin = http("POST", "/api/v1/lists/sources", admin, "{\"id\": \"legal\","
        + " \"path\": \"" + list + "\", \"category\": \"csam\", \"locked\": true}");
    assertEquals(403, lockedByAdmin.statusCode(), "locked lists are list custodians' only: "
        + lockedByAdmin.body());

    // The saved version serves after a restart, even with the file gone.
    Files.move(list, dir.resolve("runtime.txt.away"));
    server.hearth().restart();
    AdminIT.waitFor(server.base() + "/healthz", server.hearth());
    assertEquals("NXDOMAIN", dig("pipe5.e2e.test").status(), "stored source still in force");
    var after = http("GET", "/api/v1/lists/sources/runtime", support, null);
    assertEquals(200, after.statusCode(), after.body());
    assertTrue(after.body().contains("\"origin\":\"store\""), after.body());

    assertEquals(204, http("DELETE", "/api/v1/lists/sources/runtime", admin, null).statusCode());
    Result again = digUntil("pipe5.e2e.test", "NOERROR", 2);
    assertEquals("NOERROR", again.status(), again::toString);
    assertEquals(2, auditCount());
    server.hearth().restart();
    assertEquals("NOERROR", dig("pipe5.e2e.test").status(), "removed for good");
    AdminIT.waitFor(server.base() + "/healthz", server.hearth());
    String lists = http("GET", "/api/v1/lists", support, null).body();
    assertTrue(lists.contains("\"id\":\"adult\"") && !lists.contains("runtime"),
        "the config file's list stays, the removed one is gone: " + lists);
  }
}
