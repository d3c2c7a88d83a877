package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety (issue 9): the jar is killed with SIGKILL while policy changes, appeals and list
 * updates are being written, then started again on the same data directory. Everything that
 * was acknowledged (a 2xx answer) must be there after the restart, the SQLite store must pass
 * its integrity check, and the block lists must load and block what the last acknowledged
 * update contained.
 */
class CrashSafetyIT {
  private static final Pattern TICKET = Pattern.compile("HA-[A-Z0-9]{6,}");

  @TempDir
  Path dir;

  @Test
  void sigkillWhileWriting_losesNothingAcknowledged_andCorruptsNothing() throws Exception {
    try (AdminServerFixture f = AdminServerFixture.start(dir)) {
      HearthProcess hearth = f.hearth();
      var created = HearthProcess.cli("admin", "create-token", "--data-dir",
          hearth.dataDir().toString(), "--name", "crash", "--role", "administrator");
      assertEquals(0, created.exit(), created.output());
      String token = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst()
          .orElseThrow();
      Path list = dir.resolve("adult.txt");

      List<String> profiles = Collections.synchronizedList(new ArrayList<>());
      List<String> tickets = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger listVersion = new AtomicInteger(-1);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = List.of(
          new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
              try {
                var r = api(f, token, "PUT", "/api/v1/profiles/p" + i,
                    "{\"preset\": \"young-child\", \"block\": [\"p" + i + ".example\"]}");
                if (r.statusCode() == 201) {
                  profiles.add("p" + i);
                }
              } catch (Exception gone) {
                return;
              }
            }
          }),
          new Thread(() -> {
            for (int i = 0; !stop.get() && i < 10; i++) { // 10: the per-address hourly limit
              try {
                String ticket = appeal(f, "site" + i + ".example");
                if (ticket != null) {
                  tickets.add(ticket);
                }
              } catch (Exception gone) {
                return;
              }
            }
          }),
          new Thread(() -> {
            // An operator's sync job: write the new version beside the list, rename it into
            // place, then ask for a refresh. Version k blocks list0 .. listk.
            StringBuilder names = new StringBuilder("target.e2e.test\n");
            for (int k = 0; !stop.get(); k++) {
              try {
                names.append("list").append(k).append(".e2e.test\n");
                Path tmp = dir.resolve("adult.txt.new");
                Files.writeString(tmp, names);
                Files.move(tmp, list, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
                if (api(f, token, "POST", "/api/v1/lists/refresh", null).statusCode() == 200) {
                  listVersion.set(k);
                }
              } catch (Exception gone) {
                return;
              }
            }
          }));
      writers.forEach(Thread::start);
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((profiles.size() < 5 || tickets.size() < 2 || listVersion.get() < 2)
          && System.nanoTime() < until) {
        E2e.sleep(50);
      }
      hearth.kill9();
      stop.set(true);
      for (Thread t : writers) {
        t.join(30_000);
      }
      assertTrue(profiles.size() >= 5 && tickets.size() >= 2 && listVersion.get() >= 2,
          "writes were under way when the process died: " + profiles.size() + " profiles, "
              + tickets.size() + " appeals, list version " + listVersion.get());

      System.out.printf("CrashSafetyIT: SIGKILL with %d profile changes, %d appeals and list"
          + " version %d acknowledged%n", profiles.size(), tickets.size(), listVersion.get());
      // The store as the crash left it (WAL and all) passes SQLite's own check.
      Path db = hearth.dataDir().resolve("admin.db");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
          ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
        assertTrue(rs.next());
        assertEquals("ok", rs.getString(1));
      }

      hearth.relaunch();
      AdminIT.waitFor(f.base() + "/healthz", hearth);
      for (String id : List.copyOf(profiles)) {
        var r = api(f, token, "GET", "/api/v1/profiles/" + id, null);
        assertEquals(200, r.statusCode(), "acknowledged profile " + id + " after the crash: "
            + r.body());
      }
      for (String t : List.copyOf(tickets)) {
        var r = api(f, token, "GET", "/api/v1/appeals/" + t, null);
        assertEquals(200, r.statusCode(), "acknowledged appeal " + t + ": " + r.body());
      }
      var audit = api(f, token, "GET", "/api/v1/audit?limit=1000", null);
      assertEquals(200, audit.statusCode(), audit.body());
      for (String id : List.copyOf(profiles)) {
        assertTrue(audit.body().contains(id + "\""), "audit entry for " + id);
      }
      // Every list version acknowledged before the crash is in force after it.
      for (int k = 0; k <= listVersion.get(); k++) {
        Dig.Result r = Dig.dig(hearth.port(), "list" + k + ".e2e.test", "A");
        assertEquals("NXDOMAIN", r.status(), "list" + k + ".e2e.test after the restart\n" + r
            + "\n" + hearth.describe());
      }
      assertTrue(hearth.log().contains("adult"), hearth.describe());
    }
  }

  private static HttpResponse<String> api(AdminServerFixture f, String token, String method,
      String path, String body) throws Exception {
    return AdminHttp.api(f.base(), token, method, path, body);
  }

  /** Sends the public appeal form as a visitor would; the ticket when acknowledged, else null. */
  private static String appeal(AdminServerFixture f, String site) throws Exception {
    HttpResponse<String> r = AdminHttp.appeal(f.base(), site);
    if (r.statusCode() != 201) {
      return null;
    }
    Matcher t = TICKET.matcher(r.body());
    return t.find() ? t.group() : null;
  }
}
