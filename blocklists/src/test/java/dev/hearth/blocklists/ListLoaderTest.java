package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListLoaderTest {
  @TempDir Path dir;

  @Test
  void loadsAndReportsProblemsWithFileAndLine() throws Exception {
    Path f = dir.resolve("list.txt");
    Files.write(f, List.of("# header", "ads.example", "bücher.example", "bad..example",
        "||x.example^"), StandardCharsets.UTF_8);
    LoadResult r = ListLoader.load(f, Format.DOMAINS, 0.5);
    assertEquals(2, r.accepted());
    assertEquals(2, r.invalid());
    assertEquals(0, r.unsupported());
    assertEquals(f.toString(), r.problems().get(0).file());
    assertEquals(4, r.problems().get(0).line());
    assertEquals(5, r.problems().get(1).line());
    assertTrue(r.list().match("www.xn--bcher-kva.example").isBlock());
    assertTrue(r.list().match("bücher.example").isBlock());
    assertEquals("list.txt", r.list().match("ads.example").listName());
  }

  @Test
  void rejectsMostlyGarbage() throws IOException {
    Path f = dir.resolve("error-page.html");
    List<String> lines = new ArrayList<>(List.of("<!DOCTYPE html>", "<html><head>",
        "<title>502 Bad Gateway</title>"));
    for (int i = 0; i < 30; i++) {
      lines.add("<p>filler line " + i + "</p>");
    }
    lines.add("real.example");
    Files.write(f, lines, StandardCharsets.UTF_8);
    ListRejectedException e = assertThrows(ListRejectedException.class,
        () -> ListLoader.load(f, Format.AUTO, 0.5));
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("97%"), e.getMessage());
    assertTrue(e.getMessage().contains(":1: "), e.getMessage());
    assertEquals(1, e.firstProblem().line());
  }

  @Test
  void smallFilesAreNeverRejected() throws Exception {
    Path f = dir.resolve("small.txt");
    Files.write(f, List.of("bad name", "also bad", "ok.example"));
    LoadResult r = ListLoader.load(f, Format.DOMAINS, 0.5);
    assertEquals(1, r.accepted());
    assertEquals(2, r.invalid());
  }

  @Test
  void undecodableBytesAreInvalidLinesNotErrors() throws Exception {
    Path f = dir.resolve("latin1.txt");
    Files.write(f, new byte[] {'a', '.', 'e', 'x', '\n', (byte) 0xff, (byte) 0xfe, '.', 'e', 'x',
        '\n'});
    LoadResult r = ListLoader.load(f, Format.DOMAINS, 1.0);
    assertEquals(1, r.accepted());
    assertEquals(1, r.invalid());
  }

  @Test
  void millionNames() throws Exception {
    Path f = dir.resolve("million.txt");
    int n = 1_000_000;
    try (BufferedWriter w = Files.newBufferedWriter(f)) {
      w.write("# generated\n");
      for (int i = 0; i < n; i++) {
        w.write("host" + i + ".zone" + (i % 977) + ".example\n");
      }
    }
    LoadResult r = ListLoader.load(f, Format.AUTO, 0.5);
    assertEquals(n, r.accepted());
    assertEquals(0, r.invalid());
    CompiledList l = r.list();
    assertEquals(n, l.blockCount());
    // 1.43M slots (70 % full) of 16 bytes (key and metadata together) plus a fingerprint byte:
    // 24.3 MB, about 25 B/name (a power-of-two table took 2M slots, 34 MB).
    assertTrue(l.tableBytes() <= 25L << 20, "tables: " + l.tableBytes());
    for (int i = 0; i < n; i += 1000) {
      String name = "host" + i + ".zone" + (i % 977) + ".example";
      assertTrue(l.match(DomainNames.toWire("sub." + name)).isBlock(), name);
      assertSame(Verdict.NONE, l.match(DomainNames.toWire("host" + i + ".zone" + (i % 977)
          + ".other")), name);
      assertSame(Verdict.NONE, l.match("xhost" + i + ".zone" + (i % 977) + ".example"));
    }
  }

  @Test
  void hugeLines_areCutAndReportedInvalid_withoutHoldingThemWhole_andTheRestLoads()
      throws Exception {
    Path f = dir.resolve("huge.txt");
    String huge = "a".repeat(3_000_000);
    Files.writeString(f, "first.example\n" + huge + ".example\r\nlast.example\r" + huge);
    Path hosts = dir.resolve("huge-hosts.txt");
    Files.writeString(hosts, "0.0.0.0 first.example\n0.0.0.0 " + huge
        + ".example\r\n0.0.0.0 last.example\r0.0.0.0 " + huge);
    for (Format format : List.of(Format.AUTO, Format.DOMAINS, Format.HOSTS, Format.ADBLOCK,
        Format.URLS, Format.RPZ)) {
      LoadResult r = ListLoader.load(format == Format.HOSTS ? hosts : f, format, 1.0);
      if (format == Format.RPZ) { // plain names are not zone records: every line is invalid
        assertEquals(List.of(1, 2, 3, 4), r.problems().stream().map(ListProblem::line).toList());
        assertTrue(r.problems().get(1).reason().contains("overlong"), r.problems().toString());
        continue;
      }
      assertEquals(2, r.invalid(), format + ": " + r.problems());
      assertEquals(2, r.problems().get(0).line(), format + ": " + r.problems());
      assertEquals(4, r.problems().get(1).line(), format + ": CR ends a line too");
      assertTrue(r.problems().get(0).text().length() < 300, "the report is short");
      if (format != Format.RPZ && format != Format.URLS) {
        assertTrue(r.list().match("last.example").isBlock(), format.toString());
      }
    }
  }

  @Test
  void versionIsTheContentHash_sameContentSameVersion() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "x.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "x.example\n");
    Path c = Files.writeString(dir.resolve("c.txt"), "y.example\n");
    String va = ListLoader.load(a, Format.AUTO, 0.5).list().info().version();
    assertEquals(12, va.length());
    assertEquals(va, ListLoader.load(b, Format.AUTO, 0.5).list().info().version());
    assertTrue(!va.equals(ListLoader.load(c, Format.AUTO, 0.5).list().info().version()));
  }

  @Test
  void savedListRoundTrips_andCorruptionIsDetected() throws Exception {
    Path src = Files.writeString(dir.resolve("l.txt"),
        "||a.example^\n@@||ok.a.example^\n|exact.example^\n*.wild.example\n");
    CompiledList l = ListLoader.load(src, Format.AUTO, 0.5).list();
    Path saved = dir.resolve("l.hbl");
    ListStore.write(l, saved);
    CompiledList back = ListStore.read(saved, NameHasher.PLAIN, null);
    assertTrue(back.sameEntries(l));
    assertEquals(l.info(), back.info());
    assertEquals(l.match("x.a.example").describe(), back.match("x.a.example").describe());
    assertTrue(back.match("ok.a.example").isAllow());
    // Damaged copies go to another file: `back` has `saved` mapped, as a server would.
    Path bad = dir.resolve("bad.hbl");
    byte[] bytes = Files.readAllBytes(saved);
    bytes[bytes.length / 2] ^= 1;
    Files.write(bad, bytes);
    IOException e = assertThrows(IOException.class,
        () -> ListStore.read(bad, NameHasher.PLAIN, null));
    assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    Files.write(bad, java.util.Arrays.copyOf(bytes, 100));
    assertThrows(IOException.class, () -> ListStore.read(bad, NameHasher.PLAIN, null));
    ListStore.write(CompiledList.builder(new ListInfo("k", null, true, false, "", List.of()),
        NameHasher.keyed(new byte[32])).add(Rule.block("k.example")).build(), bad);
    e = assertThrows(IOException.class, () -> ListStore.read(bad, NameHasher.PLAIN,
        NameHasher.keyed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})));
    assertTrue(e.getMessage().contains("not the key in use"), e.getMessage());
  }

  /**
   * A save writes to a temporary name of its own process, so a second process saving the same
   * list (`hearth lists rollback` next to a running server) cannot interleave bytes with it; the
   * copies of processes that are gone are cleared, another live writer's are not.
   */
  @Test
  void aSave_usesATemporaryNameOfItsOwn_andClearsOnlyAbandonedCopies() throws Exception {
    CompiledList l = ListLoader.load(Files.writeString(dir.resolve("l.txt"), "a.example\n"),
        Format.AUTO, 0.5).list();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Process writer = new ProcessBuilder("sleep", "60").start();
    try {
      Path saved = dir.resolve("l.hbl");
      Path oldName = Files.writeString(dir.resolve("l.hbl.tmp"), "left by an older build");
      Path abandoned = Files.writeString(dir.resolve("l.hbl." + gone.pid() + ".tmp"), "crash");
      Path another = Files.writeString(dir.resolve("l.hbl." + writer.pid() + ".tmp"), "busy");
      Path unrelated = Files.writeString(dir.resolve("l.hbl.notes.tmp"), "not ours");
      ListStore.write(l, saved);
      assertTrue(ListStore.read(saved, NameHasher.PLAIN, null).match("a.example").isBlock());
      assertFalse(Files.exists(oldName));
      assertFalse(Files.exists(abandoned));
      assertEquals("busy", Files.readString(another));
      assertTrue(Files.exists(unrelated));
      Path mine = dir.resolve("l.hbl." + ProcessHandle.current().pid() + ".tmp");
      assertEquals(mine, ListStore.temporaryCopyOf(saved));
      assertFalse(Files.exists(mine), "renamed into place");
    } finally {
      writer.destroyForcibly().waitFor();
    }
  }

  /** The version is documented as the start of the file's SHA-256: `sha256sum` tells it too. */
  @Test
  void aListsVersion_isTheStartOfTheSha256OfItsFile() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      sb.append("host").append(i).append(".version.test\n");
    }
    Path f = Files.writeString(dir.resolve("version-list.txt"), sb);
    LoadResult r = ListLoader.load(f, Format.DOMAINS, 0.5);
    String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest
        .getInstance("SHA-256").digest(Files.readAllBytes(f)), 0, 6);
    assertEquals(expected, r.list().info().version());
    assertTrue(r.list().match("host49999.version.test").isBlock());
  }
}
