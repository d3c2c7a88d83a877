package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run-time presets end to end with the built jar: a preset created over the API blocks its
 * category for a household whose profile names it, as `dig -b` from the household's address
 * shows; editing the preset changes that profile on the next query, the public check page
 * offers the preset at once, and the preset survives a restart.
 */
@Timeout(180)
class PresetsIT {
  private static AdminServerFixture server;
  private static HearthProcess hearth;
  private static String token;
  @TempDir static Path dir;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    server = AdminServerFixture.start(dir);
    hearth = server.hearth();
    var created = HearthProcess.cli("admin", "create-token", "--data-dir",
        hearth.dataDir().toString(), "--name", "e2e-presets", "--role", "administrator");
    assertEquals(0, created.exit(), created.output());
    token = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst().orElseThrow();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static HttpResponse<String> http(String method, String path, String body) throws Exception {
    return AdminHttp.api(server.base(), token, method, path, body);
  }

  static Result dig(String source, String name) {
    return Dig.dig(hearth.port(), "-b", source, name, "A");
  }

  @Test
  void aPresetMadeOverTheApi_blocksForItsProfile_andItsEditsApplyOnTheNextQuery()
      throws Exception {
    assertEquals("NOERROR", dig("127.0.0.31", "target.e2e.test").status(), "baseline only");
    var preset = http("PUT", "/api/v1/presets/library", "{\"name\": \"Library\","
        + " \"block_categories\": [\"adult\"]}");
    assertEquals(201, preset.statusCode(), preset.body());
    var profile = http("PUT", "/api/v1/profiles/reading-room", "{\"preset\": \"library\"}");
    assertEquals(201, profile.statusCode(), profile.body());
    var household = http("PUT", "/api/v1/subscribers/house-31", "{\"profile\":"
        + " \"reading-room\", \"addresses\": [\"127.0.0.31/32\"]}");
    assertEquals(201, household.statusCode(), household.body());

    Result blocked = dig("127.0.0.31", "target.e2e.test");
    assertEquals("NXDOMAIN", blocked.status(), blocked::toString);
    String check = HTTP.send(HttpRequest.newBuilder(URI.create(server.base()
        + "/check?name=target.e2e.test")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(check.contains("Library"), "the public check page offers it at once: " + check);

    var edited = http("PUT", "/api/v1/presets/library", "{\"name\": \"Library\","
        + " \"block_categories\": [\"gambling\"]}");
    assertEquals(200, edited.statusCode(), edited.body());
    Result resolved = dig("127.0.0.31", "target.e2e.test");
    assertEquals("NOERROR", resolved.status(), resolved::toString);

    var inUse = http("DELETE", "/api/v1/presets/library", null);
    assertEquals(400, inUse.statusCode(), inUse.body());
    assertTrue(inUse.body().contains("reading-room"), inUse.body());

    http("PUT", "/api/v1/presets/library", "{\"name\": \"Library\", \"block_categories\":"
        + " [\"adult\"]}");
    hearth.restart();
    AdminIT.waitFor(server.base() + "/healthz", hearth);
    assertEquals("NXDOMAIN", dig("127.0.0.31", "target.e2e.test").status(),
        "the stored preset is read at start");
    var list = http("GET", "/api/v1/presets", null);
    assertTrue(list.body().contains("\"id\":\"library\""), list.body());
  }
}
