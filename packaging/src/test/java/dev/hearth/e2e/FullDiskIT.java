package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk (issue 9): the data directory is a small tmpfs of its own, which the test
 * fills to the last byte while the jar runs. DNS must not notice; an admin change, an appeal and
 * a list update must each either succeed for good or fail with the reason (the disk is full) and
 * leave nothing half-done; the operator must see it (status, metric, log); and once space is
 * freed everything works again, across a restart, with a store that passes SQLite's integrity
 * check. Mounting needs root (CI runs as root); elsewhere the test is skipped.
 */
class FullDiskIT {

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .build();

  /** The jar on a data directory of its own tmpfs, with a token and one bound subscriber. */
  private record Node(Nsd nsd, HearthProcess hearth, String base, String token, Path list)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        hearth.close();
      } finally {
        nsd.close();
      }
    }
  }

  private Path mountTmpfs() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    Path disk = Files.createDirectories(dir.resolve("disk"));
    Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=6m,mode=0755", "tmpfs",
        disk.toString()) == 0, "mounting a tmpfs needs root");
    return disk;
  }

  private Node startOn(Path disk) throws Exception {
    Nsd nsd = Nsd.startNew();
    Path list = dir.resolve("adult.txt");
    Files.writeString(list, "target.e2e.test\n");
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + list + ", category: adult, refresh: 1s}",
        "policy:",
        "  organisation: Hearth E2E ISP",
        ""));
    int httpPort = E2e.freePort();
    String base = "http://127.0.0.1:" + httpPort;
    HearthProcess hearth = HearthProcess.start(List.of(nsd.address()), List.of(
        "--config", config.toString(), "--http", "127.0.0.1:" + httpPort),
        HearthProcess.Ready.QUERY, disk.resolve("data"));
    AdminIT.waitFor(base + "/healthz", hearth);
    var created = HearthProcess.cli("admin", "create-token", "--data-dir",
        hearth.dataDir().toString(), "--name", "disk", "--role", "administrator");
    assertEquals(0, created.exit(), created.output());
    String token = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst()
        .orElseThrow();
    assertEquals(201, api(base, token, "PUT", "/api/v1/profiles/before",
        "{\"preset\": \"young-child\"}").statusCode());
    assertEquals(201, api(base, token, "PUT", "/api/v1/subscribers/house-1",
        "{\"profile\": \"before\", \"addresses\": [\"127.0.0.1/32\"]}").statusCode());
    awaitStatus(hearth, "target.e2e.test", "NXDOMAIN");
    return new Node(nsd, hearth, base, token, list);
  }

  @Test
  void aFullDataDisk_keepsDnsAnswering_refusesWritesWithTheReason_andRecovers() throws Exception {
    Path disk = mountTmpfs();
    try (Node node = startOn(disk)) {
      HearthProcess hearth = node.hearth();
      String base = node.base();
      String token = node.token();
      Path list = node.list();
      Path filler = disk.resolve("filler");
      long filled = fill(filler);
      System.out.printf("FullDiskIT: filled the data disk with %d bytes%n", filled);

      // DNS: blocked and allowed names answer as before.
      assertEquals("NXDOMAIN", Dig.dig(hearth.port(), "target.e2e.test", "A").status());
      assertEquals("NOERROR", Dig.dig(hearth.port(), "www.e2e.test", "A").status());

      // An admin change big enough to need new pages: refused with the reason, nothing kept.
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < 400; i++) {
        names.append(i == 0 ? "" : ", ").append("\"blocked-").append(i)
            .append(".a-rather-long-name-to-take-room.example\"");
      }
      var refused = api(base, token, "PUT", "/api/v1/profiles/after",
          "{\"preset\": \"young-child\", \"block\": [" + names + "]}");
      System.out.println("FullDiskIT: profile on a full disk: " + refused.statusCode() + " "
          + refused.body());
      assertEquals(503, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("the disk is full"), refused.body());
      assertEquals(404, api(base, token, "GET", "/api/v1/profiles/after", null).statusCode(),
          "nothing half-applied");
      assertEquals(200, api(base, token, "GET", "/api/v1/profiles/before", null).statusCode(),
          "reading still works");

      // A visitor's appeal: a readable refusal, no ticket, no stack trace.
      HttpResponse<String> appeal = appeal(base, "wrongly-blocked.example");
      System.out.println("FullDiskIT: appeal on a full disk: " + appeal.statusCode());
      assertEquals(503, appeal.statusCode(), appeal.body());
      assertTrue(appeal.body().contains("could not be saved just now"), appeal.body());
      assertTrue(appeal.body().contains("wrongly-blocked.example"),
          "the form keeps what was typed");
      assertFalse(appeal.body().contains("admin database"),
          "no operator internals for a visitor");
      assertFalse(appeal.body().contains("Exception"), appeal.body());

      // A list update (the operator's sync job rewrote the file): in force at once, not saved,
      // and the operator sees why in the list status and the metric.
      Files.writeString(list, "target.e2e.test\nnew.e2e.test\n");
      awaitStatus(hearth, "new.e2e.test", "NXDOMAIN");
      String status = awaitBody(base, token, "/api/v1/lists", "could not be saved");
      assertTrue(status.contains("No space left on device"), status);
      String metrics = get(base + "/metrics").body();
      assertTrue(metrics.contains("hearth_list_update_ok{list=\"adult\"} 0"), metrics);
      assertTrue(hearth.log().contains("appeal not saved: the admin database could not"
          + " complete the change: the disk is full"), hearth.describe());
      assertTrue(hearth.log().contains("could not be saved for the next start"),
          hearth.describe());
      assertEquals("NOERROR", Dig.dig(hearth.port(), "www.e2e.test", "A").status(),
          "still answering");

      // Space again: the same change goes through and everything survives a restart.
      Files.delete(filler);
      var accepted = api(base, token, "PUT", "/api/v1/profiles/after",
          "{\"preset\": \"young-child\", \"block\": [" + names + "]}");
      assertEquals(201, accepted.statusCode(), accepted.body());
      assertEquals(201, appeal(base, "wrongly-blocked.example").statusCode());
      Files.writeString(list, "target.e2e.test\nnew.e2e.test\nnewer.e2e.test\n");
      awaitStatus(hearth, "newer.e2e.test", "NXDOMAIN");
      String saved = awaitBody(base, token, "/api/v1/lists", "\"last_error\":null");
      assertTrue(saved.contains("\"entries\":3"), saved);

      hearth.restart();
      AdminIT.waitFor(base + "/healthz", hearth);
      assertEquals(200, api(base, token, "GET", "/api/v1/profiles/after", null).statusCode());
      assertEquals("NXDOMAIN", Dig.dig(hearth.port(), "newer.e2e.test", "A").status());
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:"
          + hearth.dataDir().resolve("admin.db"));
          ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
        assertTrue(rs.next());
        assertEquals("ok", rs.getString(1));
      }
    } finally {
      run("umount", "-l", disk.toString());
    }
  }

  /**
   * A data directory on a read-only file system at start-up is refused with one plain line and
   * a failing exit status (systemd then shows it and retries), never a stack trace. A file
   * system cannot be remounted read-only while the running jar holds its files open for
   * writing (Linux answers "busy"), so this is the read-only case that can be shown for real.
   */
  @Test
  void aReadOnlyDataDirectory_isRefusedAtStartWithOnePlainLine() throws Exception {
    Path disk = mountTmpfs();
    try {
      Path data = Files.createDirectories(disk.resolve("data"));
      assertEquals(0, run("mount", "-o", "remount,ro", disk.toString()), "remount read-only");
      var r = HearthProcess.cli("serve", "--dns", "127.0.0.1:" + E2e.freePort(), "--http", "off",
          "--data-dir", data.toString());
      assertTrue(r.exit() != 0, r.output());
      assertTrue(r.output().contains("data directory " + data + " is not writable"), r.output());
      assertFalse(r.output().contains("Exception"), r.output());
      assertFalse(r.output().contains("\tat "), r.output());
    } finally {
      run("umount", "-l", disk.toString());
    }
  }

  /** Writes until the file system refuses a single byte; the bytes written. */
  private static long fill(Path file) throws IOException {
    long written = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (int chunk = 1 << 16; chunk > 0; chunk >>= 1) {
        ByteBuffer b = ByteBuffer.allocate(chunk);
        while (true) {
          try {
            b.clear();
            written += ch.write(b);
          } catch (IOException full) {
            break;
          }
        }
      }
    }
    return written;
  }

  private void awaitStatus(HearthProcess hearth, String name, String status) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Dig.Result r = null;
    while (System.nanoTime() < until) {
      r = Dig.dig(hearth.port(), name, "A");
      if (status.equals(r.status())) {
        return;
      }
      E2e.sleep(200);
    }
    throw new AssertionError(name + " never became " + status + ": " + r + "\n"
        + hearth.describe());
  }

  private String awaitBody(String base, String token, String path, String wanted)
      throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String body = "";
    while (System.nanoTime() < until) {
      body = api(base, token, "GET", path, null).body();
      if (body.contains(wanted)) {
        return body;
      }
      E2e.sleep(200);
    }
    throw new AssertionError(path + " never said '" + wanted + "': " + body);
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> api(String base, String token, String method,
      String path, String body) throws Exception {
    return AdminHttp.api(base, token, method, path, body);
  }

  private static HttpResponse<String> appeal(String base, String site) throws Exception {
    return AdminHttp.appeal(base, site);
  }

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
