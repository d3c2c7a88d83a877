package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configured list sources through the real jar and real dig: a locked URL list (IWF-style), an
 * RPZ zone and a category list, with saved versions, safety checks and rollback.
 */
@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ListSourcesIT {
  private static Nsd nsd;
  private static HearthProcess hearth;
  private static Path config;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
    Files.writeString(dir.resolve("iwf.csv"), "url,added\n"
        + "http://www.e2e.test/some/hidden/page.html,2026-01-01\n"
        + "https://pipe0.e2e.test/,2026-01-01\n");
    Files.writeString(dir.resolve("policy.rpz"), "$TTL 300\n"
        + "@ SOA localhost. hostmaster.localhost. 1 3600 600 86400 60\n"
        + "  NS localhost.\n"
        + "pipe1.e2e.test CNAME *.\n"
        + "pipe2.e2e.test A 192.0.2.222\n");
    Files.writeString(dir.resolve("ads.txt"), "# ads\npipe3.e2e.test\n");
    config = dir.resolve("hearth.yaml");
    Files.writeString(config, "lists:\n"
        + "  never_block: [mail.e2e.test]\n"
        + "  sources:\n"
        + "    - {id: iwf, path: " + dir.resolve("iwf.csv") + ", format: urls, category: csam,"
        + " locked: true}\n"
        + "    - {id: rpz, path: " + dir.resolve("policy.rpz") + "}\n"
        + "    - {id: ads, path: " + dir.resolve("ads.txt") + ", category: ads, refresh: 1s}\n");
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config", config.toString()));
  }

  @AfterAll
  static void stop() {
    if (hearth != null) {
      try {
        hearth.stop();
      } finally {
        hearth.close();
      }
    }
    if (nsd != null) {
      nsd.close();
    }
  }

  static Result dig(String name) {
    return Dig.dig(hearth.port(), "+notcp", name, "A");
  }

  static Result waitFor(String name, Predicate<Result> done) {
    long until = System.currentTimeMillis() + 20_000;
    Result r = dig(name);
    while (!done.test(r) && System.currentTimeMillis() < until) {
      E2e.sleep(300);
      r = dig(name);
    }
    return r;
  }

  @Test
  @Order(1)
  void urlOnlyHost_isNotBlocked_hostRootIs_withEde16NamingOnlyListAndCategory() {
    Result www = dig("www.e2e.test");
    assertEquals("NOERROR", www.status(), () -> www + hearth.describe());
    assertEquals(1, www.answers("A").size(), "a listed URL never blocks its host\n" + www);
    Result root = dig("pipe0.e2e.test");
    assertEquals("NXDOMAIN", root.status(), () -> root.toString());
    assertTrue(root.edeCodes().contains(16), () -> "Censored (legal list)\n" + root);
    String text = String.join(" ", root.edeTexts());
    assertTrue(text.endsWith("(blocked by list iwf (category csam) [locked-list:iwf])"), text);
    assertFalse(text.contains("pipe0"), "never the entry: " + text);
    assertFalse(hearth.log().contains("pipe0") || hearth.log().contains("hidden/page"),
        "no locked entry in the log");
  }

  @Test
  @Order(2)
  void rpzActions_nodataAndLocalData() {
    Result nodata = dig("pipe1.e2e.test");
    assertEquals("NOERROR", nodata.status(), () -> nodata.toString());
    assertTrue(nodata.answers().isEmpty(), () -> nodata.toString());
    assertTrue(nodata.edeCodes().contains(15), () -> nodata.toString());
    Result local = dig("pipe2.e2e.test");
    assertEquals(List.of("192.0.2.222"), local.answers("A").stream().map(Dig.Rr::rdata).toList(),
        () -> local.toString());
  }

  @Test
  @Order(3)
  void categoryList_edeNamesListCategoryLineAndVersion() {
    Result r = dig("x.pipe3.e2e.test");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    String text = String.join(" ", r.edeTexts());
    assertTrue(text.contains("blocked by list ads (category ads): pipe3.e2e.test, rule line 2,"
        + " version "), text);
  }

  @Test
  @Order(4)
  void listsTestCommand_givesTheSameVerdict_andHidesLockedEntries() throws Exception {
    var ads = HearthProcess.cli("lists", "test", "x.pipe3.e2e.test", "--config",
        config.toString());
    assertEquals(0, ads.exit(), ads.output());
    assertTrue(ads.output().contains("verdict for x.pipe3.e2e.test: BLOCKED (blocked by list ads"
        + " (category ads): pipe3.e2e.test, rule line 2"), ads.output());
    var locked = HearthProcess.cli("lists", "test", "sub.pipe0.e2e.test", "--config",
        config.toString());
    assertTrue(locked.output().contains("not listed"), "host-root URL blocks only that host\n"
        + locked.output());
    var url = HearthProcess.cli("lists", "test", "http://www.e2e.test/some/hidden/page.html",
        "--config", config.toString());
    assertTrue(url.output().contains("BLOCKED (blocked by list iwf (category csam))"),
        url.output());
  }

  @Test
  @Order(5)
  void badUpdateIsRejected_goodOneApplies_rollbackUndoesIt_restartServesSavedVersions()
      throws Exception {
    Path ads = dir.resolve("ads.txt");
    Files.writeString(ads, "# ads\npipe3.e2e.test\ne2e.test\n"); // would block mail.e2e.test
    E2e.sleep(3000);
    assertEquals("NOERROR", dig("pipe4.e2e.test").status(), "never-block check refused it");
    assertTrue(hearth.log().contains("never-block"), hearth::describe);

    Files.writeString(ads, "# ads\npipe3.e2e.test\npipe4.e2e.test\n");
    Result blocked = waitFor("pipe4.e2e.test", r -> "NXDOMAIN".equals(r.status()));
    assertEquals("NXDOMAIN", blocked.status(), () -> blocked + hearth.describe());

    var rollback = HearthProcess.cli("lists", "rollback", "ads", "--config", config.toString(),
        "--data-dir", hearth.dataDir().toString());
    assertEquals(0, rollback.exit(), rollback.output());
    Result back = waitFor("pipe4.e2e.test", r -> "NOERROR".equals(r.status()));
    assertEquals("NOERROR", back.status(), () -> "rolled back\n" + back + hearth.describe());

    List<String> records = Files.readAllLines(hearth.dataDir().resolve("lists/updates.jsonl"));
    assertTrue(records.stream().anyMatch(l -> l.contains("\"outcome\":\"rejected\"")),
        records.toString());
    assertTrue(records.stream().anyMatch(l -> l.contains("\"outcome\":\"rolled-back\"")),
        records.toString());

    for (String f : List.of("iwf.csv", "policy.rpz")) {
      Files.delete(dir.resolve(f));
    }
    hearth.restart();
    assertEquals("NXDOMAIN", dig("pipe0.e2e.test").status(), "saved locked list serves");
    assertTrue(dig("pipe1.e2e.test").answers().isEmpty(), "saved RPZ serves");
    assertEquals("NOERROR", dig("pipe4.e2e.test").status(), "the rollback survives a restart");
  }
}
