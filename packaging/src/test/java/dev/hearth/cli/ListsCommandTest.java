package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListsCommandTest {
  @TempDir Path dir;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return Hearth.execute(new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void check_reportsCountsAndInvalidLinesWithFileAndLine() throws Exception {
    Path hosts = Files.writeString(dir.resolve("hosts.txt"),
        "# comment\n0.0.0.0 ads.example\n0.0.0.0 bad!name\n");
    assertEquals(1, run("lists", "check", hosts.toString()));
    assertTrue(out.toString().contains("1 entries"), out.toString());
    assertTrue(out.toString().contains(hosts + ":3:"), out.toString());
  }

  @Test
  void check_cleanListExitsZero_mostlyGarbageIsRejected() throws Exception {
    Path clean = Files.writeString(dir.resolve("clean.txt"), "a.example\nb.example\n");
    assertEquals(0, run("lists", "check", clean.toString()));
    StringBuilder html = new StringBuilder("<html>\n");
    for (int i = 0; i < 30; i++) {
      html.append("<p>error page line ").append(i).append("</p>\n");
    }
    Path garbage = Files.writeString(dir.resolve("garbage.txt"), html);
    assertEquals(1, run("lists", "check", garbage.toString()));
    assertTrue(out.toString().contains("REJECTED"), out.toString());
    assertEquals(2, run("lists", "check", dir.resolve("missing.txt").toString()));
  }

  @Test
  void test_showsTheDecidingListAndAllowWins() throws Exception {
    Path block = Files.writeString(dir.resolve("block.txt"), "ads.example\n");
    Path allow = Files.writeString(dir.resolve("allow.txt"), "@@||ok.ads.example^\n");
    assertEquals(0, run("lists", "test", "WWW.Ads.Example.", "--blocklist", block.toString(),
        "--blocklist", allow.toString()));
    assertTrue(out.toString().contains(
        "verdict for www.ads.example: BLOCKED (blocked by list block.txt: ads.example, rule line 1,"), out.toString());
    assertEquals(0, run("lists", "test", "x.ok.ads.example", "--blocklist", block.toString(),
        "--blocklist", allow.toString()));
    assertTrue(out.toString().contains("verdict for x.ok.ads.example: ALLOWED"), out.toString());
    assertEquals(2, run("lists", "test", "not a name", "--blocklist", block.toString()));
  }

  @Test
  void status_showsVersionsEntriesAndRollback_rollbackPutsThePreviousVersionBack()
      throws Exception {
    Path list = Files.writeString(dir.resolve("ads.txt"), "a.example\n");
    Path data = dir.resolve("data");
    assertEquals(0, run("lists", "status", "--blocklist", list.toString(), "--data-dir",
        data.toString()));
    assertTrue(out.toString().contains("ads.txt"), out.toString());
    assertTrue(out.toString().matches("(?s).*ads\\.txt\\s+-\\s+[0-9a-f]{12}\\s+1\\s+0.*"),
        out.toString());
    assertEquals(1, run("lists", "rollback", "ads.txt", "--blocklist", list.toString(),
        "--data-dir", data.toString()));
    assertTrue(err.toString().contains("no previous version"), err.toString());
    Files.writeString(list, "a.example\nb.example\n");
    Files.setLastModifiedTime(list, java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() + 5000));
    // a server would pick the change up; here a refreshing run of the catalog does
    dev.hearth.blocklists.ListCatalog c = new dev.hearth.blocklists.ListCatalog(data,
        java.util.List.of(dev.hearth.blocklists.ListSource.file("ads.txt", list.toString())),
        dev.hearth.blocklists.SafetyPolicy.defaults(), null, m -> { }, java.time.Clock.systemUTC());
    c.open();
    assertTrue(c.refresh(true));
    out.getBuffer().setLength(0);
    assertEquals(0, run("lists", "status", "--blocklist", list.toString(), "--data-dir",
        data.toString()));
    assertTrue(out.toString().contains("rollback-ok"), out.toString());
    assertEquals(0, run("lists", "rollback", "ads.txt", "--blocklist", list.toString(),
        "--data-dir", data.toString()));
    assertTrue(out.toString().contains("(1 entries)"), out.toString());
    assertEquals(0, run("lists", "test", "b.example", "--data-dir", data.toString(),
        "--blocklist", list.toString()));
    assertTrue(out.toString().contains("verdict for b.example: not listed"), out.toString());
  }
  @Test
  void theTools_seeSourcesAddedAtRunTime() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Path list = Files.writeString(dir.resolve("runtime.txt"), "stored.example\n");
    try (dev.hearth.admin.store.AdminStore store = dev.hearth.admin.store.AdminStore.open(
        data.resolve("admin.db"))) {
      new dev.hearth.admin.lists.ListSourceService(store, new StoredListSources(
          java.util.List.of())).put(dev.hearth.admin.auth.Principal.CLI, null,
          new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"id\": \"runtime\","
              + " \"path\": \"" + list + "\"}"));
    }
    assertEquals(0, run("lists", "test", "stored.example", "--data-dir", data.toString()));
    assertTrue(out.toString().contains("BLOCKED (blocked by list runtime"), out.toString());
    assertEquals(0, run("lists", "status", "--data-dir", data.toString()));
    assertTrue(out.toString().contains("runtime"), out.toString());
  }
}
