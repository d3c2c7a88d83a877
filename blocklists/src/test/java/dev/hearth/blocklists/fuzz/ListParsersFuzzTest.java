package dev.hearth.blocklists.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListProblem;
import dev.hearth.blocklists.ListRejectedException;
import dev.hearth.blocklists.LoadResult;
import dev.hearth.blocklists.NameHasher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing (Jazzer) of every list parser through {@link ListLoader}, the way a
 * downloaded or local list reaches it. Whatever the bytes: only {@link ListRejectedException}
 * (the documented "this is not a usable list") escapes, every problem names the file and a line
 * that exists, and the compiled list answers lookups. In the normal suite each method runs its
 * committed inputs ({@code ListParsersFuzzTestInputs/<method>/}); {@code bench/fuzz.sh} fuzzes
 * one method for as long as asked. {@link dev.hearth.blocklists.ParserFuzzTest} complements this
 * with seeded random mutations and exact accounting.
 */
class ListParsersFuzzTest {
  private static final NameHasher KEYED = NameHasher.keyed(new byte[32]);

  @FuzzTest
  void domains(byte[] data) {
    check(Format.DOMAINS, data, false);
  }

  @FuzzTest
  void hosts(byte[] data) {
    check(Format.HOSTS, data, false);
  }

  @FuzzTest
  void adblock(byte[] data) {
    check(Format.ADBLOCK, data, false);
  }

  @FuzzTest
  void rpz(byte[] data) {
    check(Format.RPZ, data, false);
  }

  @FuzzTest
  void urls(byte[] data) {
    check(Format.URLS, data, false);
  }

  /** Format detection, then whichever parser it picked; also as a locked (hashed) list. */
  @FuzzTest
  void autoDetected(FuzzedDataProvider in) {
    boolean locked = in.consumeBoolean();
    check(Format.AUTO, in.consumeRemainingAsBytes(), locked);
  }

  /** A UT1 category directory: its {@code domains} and {@code urls} files. */
  @FuzzTest
  void ut1Directory(FuzzedDataProvider in) throws IOException {
    Path dir = Files.createTempDirectory("hearth-fuzz-ut1");
    try {
      byte[] domains = in.consumeBytes(in.consumeInt(0, 4096));
      byte[] urls = in.consumeRemainingAsBytes();
      Files.write(dir.resolve("domains"), domains);
      Files.write(dir.resolve("urls"), urls);
      int lines = Math.max(lineCount(domains), lineCount(urls));
      try {
        LoadResult r = ListLoader.loadCategory(
            new ListInfo("ut1", "adult", false, false, "", null), NameHasher.PLAIN, dir, 0.5);
        for (ListProblem p : r.problems()) {
          assertTrue(p.file().endsWith("domains") || p.file().endsWith("urls"), p.toString());
          assertTrue(p.line() >= 1 && p.line() <= lines, p.toString());
        }
        r.list().match("example.com");
      } catch (ListRejectedException expected) {
        // mostly invalid: refused whole, as documented
      }
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void check(Format format, byte[] data, boolean locked) {
    ListInfo info = new ListInfo("fuzz", "ads", locked, false, "", null);
    LoadResult r;
    try {
      r = ListLoader.load(info, locked ? KEYED : NameHasher.PLAIN, format, "fuzz.txt",
          new ByteArrayInputStream(data), 0.5);
    } catch (ListRejectedException expected) {
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("an in-memory list cannot fail to read", e);
    }
    int lines = lineCount(data);
    assertTrue(r.accepted() >= 0 && r.invalid() >= 0 && r.unsupported() >= 0);
    assertTrue(r.urls() <= r.accepted());
    for (ListProblem p : r.problems()) {
      assertEquals("fuzz.txt", p.file());
      assertTrue(p.line() >= 1 && p.line() <= lines, p + " of " + lines + " lines");
    }
    if (format != Format.AUTO) {
      assertEquals(format, r.format());
    }
    // The compiled list answers any name, including ones taken from the input.
    r.list().match("example.com");
    String text = new String(data, StandardCharsets.UTF_8);
    for (String word : text.split("[\\s|^@$,/\"]+", 8)) {
      String name;
      try {
        name = DomainNames.normalize(word);
      } catch (IllegalArgumentException notAName) {
        continue; // the documented answer to a string that is not a name
      }
      r.list().match(name);
    }
  }

  /** Lines as a reader splits them (LF, CR or CRLF), so a problem's line can be checked. */
  private static int lineCount(byte[] data) {
    int lines = 0;
    boolean open = false;
    for (int i = 0; i < data.length; i++) {
      if (data[i] == '\n' || data[i] == '\r') {
        lines++;
        open = false;
        if (data[i] == '\r' && i + 1 < data.length && data[i + 1] == '\n') {
          i++;
        }
      } else {
        open = true;
      }
    }
    return lines + (open ? 1 : 0);
  }
}
