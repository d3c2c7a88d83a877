package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog with real files, a real data directory and a real HTTP server on loopback. */
class ListCatalogTest {
  @TempDir Path dir;
  final List<String> log = new ArrayList<>();

  static void touch(Path f, int secondsLater) throws Exception {
    Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis()
        + secondsLater * 1000L));
  }

  ListCatalog catalog(SafetyPolicy safety, ListSource... sources) throws Exception {
    ListCatalog c = unopened(safety, sources);
    c.open();
    return c;
  }

  ListCatalog unopened(SafetyPolicy safety, ListSource... sources) throws Exception {
    return new ListCatalog(dir.resolve("data"), List.of(sources), safety,
        new HttpListFetcher(HttpListFetcher.Options.defaults()), log::add, Clock.systemUTC());
  }

  static String names(String prefix, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(prefix).append(i).append(".example\n");
    }
    return sb.toString();
  }

  @Test
  void changedFileIsReloaded_unchangedIsNot() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    ListCatalog c = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    assertTrue(c.snapshot().get(0).match("x.ads.example").isBlock());
    assertFalse(c.refresh(true), "nothing changed");
    Files.writeString(a, "tracker.example\n");
    touch(a, 5);
    assertTrue(c.refresh(true));
    assertTrue(c.snapshot().get(0).match("tracker.example").isBlock());
    assertTrue(c.snapshot().get(0).match("ads.example").isNone());
  }

  @Test
  void anUnwritableDataDirectory_theNewVersionStillServes_andTheProblemIsReported()
      throws Exception {
    // Tests run as root, which ignores permissions: a plain file where the list's directory
    // belongs fails every write the same way a read-only or full disk does.
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "other.example\n");
    ListCatalog c = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()),
        ListSource.file("b", b.toString()));
    Path listDir = dir.resolve("data").resolve("lists").resolve("a");
    assertTrue(Files.isDirectory(listDir), "the catalog keeps list a under " + listDir);
    try (var files = Files.walk(listDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    Files.writeString(listDir, "not a directory");
    Files.writeString(a, "tracker.example\n");
    touch(a, 5);
    assertTrue(c.refresh(true), "the new version is applied all the same");
    assertTrue(c.snapshot().get(0).match("tracker.example").isBlock());
    ListCatalog.Status st = c.status().stream().filter(x -> x.id().equals("a")).findFirst()
        .orElseThrow();
    assertTrue(st.lastError() != null && st.lastError().startsWith("applied, but could not be"
        + " saved for the next start"), String.valueOf(st.lastError()));
    assertTrue(log.stream().anyMatch(l -> l.contains("list a: applied, but could not be saved")),
        String.valueOf(log));
    assertTrue(c.snapshot().get(1).match("other.example").isBlock(), "list b is unaffected");
  }

  @Test
  void garbageOrMissingVersion_keepsTheLastGoodOne_andOtherListsStay() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "other.example\n");
    ListCatalog c = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()),
        ListSource.file("b", b.toString()));
    StringBuilder html = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      html.append("<div>error ").append(i).append("</div>\n");
    }
    Files.writeString(a, html);
    touch(a, 5);
    assertFalse(c.refresh(true));
    assertTrue(c.snapshot().get(0).match("ads.example").isBlock(), "last good version kept");
    assertTrue(log.get(log.size() - 1).contains("stays in force"), log.toString());
    Files.delete(a);
    assertFalse(c.refresh(true));
    assertEquals(2, c.snapshot().size());
    assertTrue(c.snapshot().get(1).match("other.example").isBlock());
    assertNotNull(c.status().get(0).lastError());
  }

  /** With source file {@code a} (list "a", ads.example) gone, a new catalog serves what was saved. */
  private void assertServedFromTheSavedVersionAfterRestart(Path a) throws Exception {
    Files.delete(a);
    log.clear();
    ListCatalog again = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    assertTrue(again.snapshot().get(0).match("ads.example").isBlock());
    assertTrue(log.get(0).contains("saved version"), log.toString());
  }

  @Test
  void savedVersion_servesAfterRestart_evenWhenTheSourceIsGone() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    assertServedFromTheSavedVersionAfterRestart(a);
  }

  @Test
  void openSavingLater_servesAtOnce_andSavesOnlyWhenAsked() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path saved = dir.resolve("data").resolve("lists").resolve("a").resolve("current.hbl");
    ListCatalog c = unopened(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    c.openSavingLater();
    assertTrue(c.snapshot().get(0).match("x.ads.example").isBlock(), "in force before saved");
    assertFalse(Files.exists(saved), "nothing written yet");
    assertTrue(c.hasPendingSaves());
    assertEquals(1, c.savePending());
    assertTrue(Files.exists(saved));
    assertFalse(c.hasPendingSaves());
    assertEquals(0, c.savePending(), "each version is written once");
    assertServedFromTheSavedVersionAfterRestart(a);
  }

  @Test
  void aVersionNotYetSaved_isWrittenByTheNextRefresh_evenWhenNothingChanged()
      throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path saved = dir.resolve("data").resolve("lists").resolve("a").resolve("current.hbl");
    ListCatalog c = unopened(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    c.openSavingLater();
    assertFalse(Files.exists(saved));
    assertTrue(c.refresh(false), "no source is due, but the snapshot changed: the version"
        + " loaded at open is now served from its saved file");
    assertTrue(Files.exists(saved), "the refresh saved the version loaded at open first");
    assertTrue(c.snapshot().get(0).isMapped());
    assertFalse(c.refresh(false), "nothing to save, no source due: nothing changed");
    assertEquals(0, c.savePending(), "nothing left to save");
  }

  /**
   * What is in force is, once saved, the saved file itself (mapped), not the copy compiled on the
   * heap: at start-up, after the deferred save, after an update and after a restart.
   */
  @Test
  void aSavedVersion_isServedFromItsMappedFile() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    ListCatalog c = unopened(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    c.openSavingLater();
    assertFalse(c.snapshot().get(0).isMapped(), "compiled, not yet saved");
    c.savePending();
    CompiledList first = c.snapshot().get(0);
    assertTrue(first.isMapped(), "saved: served from the file");
    assertTrue(first.match("x.ads.example").isBlock());
    assertEquals(0, c.replacedMappedBytes());

    Files.writeString(a, "tracker.example\n");
    touch(a, 5);
    assertTrue(c.refresh(true));
    CompiledList now = c.snapshot().get(0);
    assertTrue(now.isMapped(), "an update is served from its saved file too");
    assertTrue(now.match("tracker.example").isBlock());
    assertTrue(now.match("ads.example").isNone());
    assertEquals(first.mappedBytes(), c.replacedMappedBytes(),
        "the replaced version's mapping is counted until a collection releases its file");

    c.rollback("a");
    assertTrue(c.snapshot().get(0).isMapped(), "and so is a rollback");
    assertTrue(c.snapshot().get(0).match("ads.example").isBlock());
    // A query still holding an older snapshot reads a file that has been renamed over since.
    assertTrue(now.match("tracker.example").isBlock());
    assertTrue(first.match("x.ads.example").isBlock());

    ListCatalog again = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    assertTrue(again.snapshot().get(0).isMapped(), "a restart maps the saved file");
    assertFalse(again.hasPendingSaves());
  }

  /**
   * A list saved by an older version (format 7, copied from the test resources) is served at
   * once from the heap, then written again in today's format at the next save and mapped.
   */
  @Test
  void aListSavedInAnOlderFormat_isRewrittenAndMapped() throws Exception {
    Path src = dir.resolve("adblock.txt");
    try (var in = ListCatalogTest.class.getResourceAsStream("stored-v6/adblock.txt")) {
      Files.copy(in, src);
    }
    ListSource source = ListSource.file("adblock.txt", src.toString());
    ListCatalog first = catalog(SafetyPolicy.defaults(), source);
    Path saved = dir.resolve("data/lists/adblock.txt/current.hbl");
    try (var in = ListCatalogTest.class.getResourceAsStream("stored-v7/adblock.hbl")) {
      Files.copy(in, saved, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    log.clear();
    ListCatalog c = catalog(SafetyPolicy.defaults(), source);
    assertTrue(log.get(0).contains("saved version"), log.toString());
    CompiledList old = c.snapshot().get(0);
    assertFalse(old.isMapped(), "format 7 is read into the heap");
    assertTrue(old.sameEntries(first.snapshot().get(0)));
    assertTrue(c.hasPendingSaves());
    assertEquals(1, c.savePending());
    assertTrue(c.snapshot().get(0).isMapped());
    assertEquals("HRTHLST8", new String(Files.readAllBytes(saved), 0, 8,
        java.nio.charset.StandardCharsets.US_ASCII));
    assertTrue(c.snapshot().get(0).sameEntries(old));
  }

  @Test
  void safetyChecks_neverBlockShrinkAndGrow_keepTheRejectedVersionForInspection()
      throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), names("n", 200));
    SafetyPolicy safety = new SafetyPolicy(List.of("helpline.example"), 0.5, 1.0, 0.5);
    ListCatalog c = catalog(safety, ListSource.file("a", a.toString()));
    String first = c.status().get(0).version();

    Files.writeString(a, names("n", 200) + "example\n"); // would block helpline.example
    touch(a, 5);
    assertFalse(c.refresh(true));
    assertTrue(c.status().get(0).lastError().contains("helpline.example"),
        c.status().get(0).lastError());
    assertTrue(Files.exists(dir.resolve("data/lists/a/rejected.hbl")));

    Files.writeString(a, names("n", 50)); // a truncated download
    touch(a, 10);
    assertFalse(c.refresh(true));
    assertTrue(c.status().get(0).lastError().contains("shrank from 200 to 50"));

    Files.writeString(a, names("n", 500)); // a wrong file
    touch(a, 15);
    assertFalse(c.refresh(true));
    assertTrue(c.status().get(0).lastError().contains("grew from 200 to 500"));
    assertEquals(first, c.status().get(0).version(), "the first version still serves");

    Files.writeString(a, names("n", 250));
    touch(a, 20);
    assertTrue(c.refresh(true), "a plausible update goes live");
  }

  @Test
  void rollback_putsThePreviousVersionBack_andTheSameContentIsNotReapplied() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "good.example\n");
    ListCatalog c = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    Files.writeString(a, "good.example\nwrong.example\n");
    touch(a, 5);
    assertTrue(c.refresh(true));
    assertTrue(c.snapshot().get(0).match("wrong.example").isBlock());
    c.rollback("a");
    assertTrue(c.snapshot().get(0).match("wrong.example").isNone());
    touch(a, 10); // same content, new time stamp
    assertFalse(c.refresh(true), "the rolled-back content is not applied again");
    assertTrue(c.snapshot().get(0).match("wrong.example").isNone());
    assertThrows(IllegalArgumentException.class, () -> c.rollback("a"), "only one step back");
    Files.writeString(a, "good.example\nfixed.example\n");
    touch(a, 15);
    assertTrue(c.refresh(true), "a new version is");

    List<String> records = Files.readAllLines(dir.resolve("data/lists/updates.jsonl"));
    assertEquals(4, records.size(), records.toString());
    assertTrue(records.get(1).contains("\"outcome\":\"applied\"")
        && records.get(1).contains("\"added\":1") && records.get(1).contains("\"removed\":0"),
        records.get(1));
    assertTrue(records.get(2).contains("\"outcome\":\"rolled-back\""), records.get(2));
  }

  @Test
  void rollbackByAnotherProcess_isPickedUpOnTheNextRefresh() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "good.example\n");
    ListCatalog server = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    Files.writeString(a, "good.example\nwrong.example\n");
    touch(a, 5);
    server.refresh(true);
    ListCatalog tool = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    Thread.sleep(20); // distinct modification time of current.hbl
    tool.rollback("a");
    assertTrue(server.refresh(false), "the server adopts the rolled-back version");
    assertTrue(server.snapshot().get(0).match("wrong.example").isNone());
  }

  @Test
  void lockedList_isStoredAsKeyedHashesOnly_andMatchesAfterRestart() throws Exception {
    Path iwf = Files.writeString(dir.resolve("iwf.csv"),
        "url,category\nhttp://secret-host.example/abc/def.jpg,1\nhttps://whole.example/,1\n");
    ListSource src = new ListSource("iwf", iwf.toString(), Format.URLS, "csam", true, false,
        Duration.ofHours(1), null, null, null);
    ListCatalog c = catalog(SafetyPolicy.defaults(), src);
    CompiledList l = c.snapshot().get(0);
    assertTrue(l.match("whole.example").isBlock());
    assertTrue(l.match("secret-host.example").isUrlLevel(), "a URL never blocks its host");
    assertTrue(l.matchUrl("secret-host.example/abc/def.jpg").isBlock());
    Files.delete(iwf);
    for (Path f : filesUnder(dir.resolve("data"))) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertFalse(text.contains("secret-host") || text.contains("whole.example")
          || text.contains("def.jpg"), "plain entry written to " + f);
    }
    for (String line : log) {
      assertFalse(line.contains("secret-host") || line.contains("whole"), line);
    }
    ListCatalog again = catalog(SafetyPolicy.defaults(), src);
    assertTrue(again.snapshot().get(0).match("x.whole.example").isNone(), "root URL: host only");
    assertTrue(again.snapshot().get(0).match("whole.example").isBlock());
    assertEquals("blocked by list iwf (category csam)",
        again.snapshot().get(0).match("whole.example").describe());
  }

  @Test
  void httpSource_conditionalGet_keepsLastGoodOnServerErrors() throws Exception {
    AtomicReference<String> body = new AtomicReference<>("ads.example\n");
    AtomicInteger status = new AtomicInteger(200);
    AtomicInteger notModified = new AtomicInteger();
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/list.txt", ex -> {
      String etag = "\"" + Integer.toHexString(body.get().hashCode()) + "\"";
      if (status.get() != 200) {
        ex.sendResponseHeaders(status.get(), -1);
      } else if (etag.equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
        notModified.incrementAndGet();
        ex.sendResponseHeaders(304, -1);
      } else {
        byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("ETag", etag);
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
      }
      ex.close();
    });
    http.start();
    try {
      String url = "http://127.0.0.1:" + http.getAddress().getPort() + "/list.txt";
      ListSource src = new ListSource("remote", url, Format.AUTO, "ads", false, false,
          Duration.ofHours(1), null, null, null);
      ListCatalog c = catalog(SafetyPolicy.defaults(), src);
      assertTrue(c.snapshot().get(0).match("ads.example").isBlock());
      assertFalse(c.refresh(false), "not due yet: the refresh interval is an hour");
      assertFalse(c.refresh(true));
      assertEquals(1, notModified.get(), "second fetch was conditional");
      status.set(500);
      assertFalse(c.refresh(true));
      assertTrue(c.status().get(0).lastError().contains("500"), c.status().get(0).lastError());
      assertTrue(c.snapshot().get(0).match("ads.example").isBlock(), "last good version kept");
      status.set(200);
      body.set("ads.example\ntracker.example\n");
      assertTrue(c.refresh(true));
      assertTrue(c.snapshot().get(0).match("tracker.example").isBlock());
      assertEquals("ads.example\ntracker.example\n",
          Files.readString(dir.resolve("data/lists/remote/source.txt")), "kept for inspection");
      StringBuilder html = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        html.append("<p>maintenance ").append(i).append("</p>\n");
      }
      body.set(html.toString());
      assertFalse(c.refresh(true));
      assertTrue(Files.readString(dir.resolve("data/lists/remote/rejected.txt"))
          .startsWith("<p>maintenance 0"), "the refused download is kept too");
      assertTrue(c.snapshot().get(0).match("tracker.example").isBlock());
    } finally {
      http.stop(0);
    }
  }

  @Test
  void ut1CategoryDirectory_oneListPerCategoryWithUrlLevelHosts() throws Exception {
    Path ut1 = dir.resolve("ut1");
    Files.createDirectories(ut1.resolve("gambling"));
    Files.writeString(ut1.resolve("gambling/domains"), "casino.example\n");
    Files.writeString(ut1.resolve("gambling/urls"), "mixed.example/poker\nmixed.example/slots\n");
    assertEquals(List.of("gambling"), ListLoader.categories(ut1));
    ListSource src = new ListSource("ut1/gambling", ut1.resolve("gambling").toString(),
        Format.DOMAINS, "gambling", false, false, Duration.ofMinutes(1), null, null, null);
    CompiledList l = catalog(SafetyPolicy.defaults(), src).snapshot().get(0);
    assertTrue(l.match("www.casino.example").isBlock());
    Verdict mixed = l.match("mixed.example");
    assertTrue(mixed.isUrlLevel());
    assertEquals(2, mixed.urlCount());
    assertEquals(1, l.urlHostCount());
    assertEquals("urls:1", mixed.ruleLocation());
    assertEquals("domains:1", l.match("casino.example").ruleLocation());
  }

  @Test
  void anIdReusedForAnotherSource_doesNotServeTheOldSavedVersion() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "old.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "new.example\n");
    catalog(SafetyPolicy.defaults(), ListSource.file("x", a.toString()));
    ListCatalog again = catalog(SafetyPolicy.defaults(), ListSource.file("x", b.toString()));
    assertTrue(again.snapshot().get(0).match("new.example").isBlock());
    assertTrue(again.snapshot().get(0).match("old.example").isNone());
  }

  @Test
  void setSources_addsAListNow_andRemovingOneTakesItOutWithItsSavedVersions() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "other.example\n");
    ListSource srcA = ListSource.file("a", a.toString());
    ListCatalog c = catalog(SafetyPolicy.defaults(), srcA);
    assertFalse(c.setSources(List.of(srcA)), "the same set changes nothing");
    ListSource srcB = ListSource.file("b", b.toString()).withWithheldLines();
    assertTrue(c.setSources(List.of(srcA, srcB)), "b is loaded at once");
    assertEquals(2, c.snapshot().size());
    assertTrue(c.snapshot().get(1).match("other.example").isBlock());
    assertTrue(Files.exists(dir.resolve("data/lists/b/current.hbl")));

    assertTrue(c.setSources(List.of(srcA)));
    assertEquals(1, c.snapshot().size());
    assertEquals(List.of("a"), c.status().stream().map(ListCatalog.Status::id).toList());
    assertFalse(Files.exists(dir.resolve("data/lists/b")), "its saved versions went with it");
    List<String> records = Files.readAllLines(dir.resolve("data/lists/updates.jsonl"));
    assertTrue(records.get(records.size() - 1).contains("\"outcome\":\"removed\""),
        records.toString());
    assertThrows(IllegalArgumentException.class, () -> c.setSources(List.of(srcA, srcA)));
    assertEquals(1, c.snapshot().size(), "a refused set changes nothing");
  }

  @Test
  void aRedefinedSource_keepsServingItsVersionUntilTheNewDefinitionLoads() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), names("n", 200));
    ListCatalog c = catalog(SafetyPolicy.defaults(), ListSource.file("a", a.toString()));
    Path moved = dir.resolve("mirror.txt");
    assertFalse(c.setSources(List.of(ListSource.file("a", moved.toString()))),
        "the new path does not exist yet: the old version keeps serving");
    assertTrue(c.snapshot().get(0).match("n1.example").isBlock());
    assertNotNull(c.status().get(0).lastError());
    Files.writeString(moved, names("m", 10));
    assertTrue(c.refresh(true), "another source, not an update: no shrink limit");
    assertTrue(c.snapshot().get(0).match("m1.example").isBlock());
    assertTrue(c.snapshot().get(0).match("n1.example").isNone());
    assertTrue(c.status().get(0).canRollBack(), "the old definition's version is the previous");

    // Another category is another list: the old version leaves service at once.
    ListSource recategorised = new ListSource("a", moved.toString(), Format.AUTO, "ads", false,
        false, Duration.ofSeconds(10), null, null, null);
    Files.delete(moved);
    assertTrue(c.setSources(List.of(recategorised)));
    assertTrue(c.snapshot().isEmpty());
  }

  @Test
  void runTimeSources_withholdTheTextOfInvalidLines_andALockedOneGetsAKey() throws Exception {
    Path secret = dir.resolve("secret.conf");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      text.append("password=hunter").append(i).append('\n');
    }
    Files.writeString(secret, text);
    ListCatalog c = new ListCatalog(dir.resolve("data"), List.of(), SafetyPolicy.defaults(), null,
        log::add, Clock.systemUTC());
    c.open();
    assertFalse(Files.exists(dir.resolve("data/keys/lists.key")));
    Path legal = Files.writeString(dir.resolve("legal.txt"), "hidden.example\n");
    assertTrue(c.setSources(List.of(ListSource.file("s", secret.toString()).withWithheldLines(),
        new ListSource("legal", legal.toString(), Format.AUTO, "csam", true, false,
            Duration.ofSeconds(10), null, null, null))));
    String error = c.status().get(0).lastError();
    assertTrue(error.contains("secret.conf:1") && !error.contains("hunter"), error);
    assertTrue(Files.readString(dir.resolve("data/lists/updates.jsonl")).indexOf("hunter") < 0);
    assertTrue(log.stream().noneMatch(l -> l.contains("hunter")), log.toString());
    assertTrue(Files.exists(dir.resolve("data/keys/lists.key")));
    assertTrue(c.snapshot().get(0).match("hidden.example").isBlock());
    assertTrue(c.setSources(List.of()));
    assertTrue(c.snapshot().isEmpty());
  }

  private static List<Path> filesUnder(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
