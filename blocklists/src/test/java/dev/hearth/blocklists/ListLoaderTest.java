package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    assertTrue(l.tableBytes() <= 32L << 20, "tables: " + l.tableBytes());
    for (int i = 0; i < n; i += 1000) {
      String name = "host" + i + ".zone" + (i % 977) + ".example";
      assertTrue(l.match(DomainNames.toWire("sub." + name)).isBlock(), name);
      assertSame(Verdict.NONE, l.match(DomainNames.toWire("host" + i + ".zone" + (i % 977)
          + ".other")), name);
      assertSame(Verdict.NONE, l.match("xhost" + i + ".zone" + (i % 977) + ".example"));
    }
  }
}
