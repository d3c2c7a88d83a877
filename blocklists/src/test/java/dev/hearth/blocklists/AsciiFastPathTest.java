package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The parsers' byte-level fast path for plain lines ({@link ListParser#parseAsciiLine}) must give
 * exactly what the String path gives: the same rules on the same lines, the same problems, the
 * same compiled table. Random lists mix the shapes the fast path takes with every near miss it
 * must hand back (case, trailing dots, IP-like names, overlong labels, comments, whitespace,
 * wildcards, local host names, adblock syntax, non-ASCII).
 */
class AsciiFastPathTest {
  private static final String[] NAMES = {
    "example.com", "Example.COM", "a.b.c.example.org", "x-y_z.example.net", "example.com.",
    "example.com..", ".example.com", "1.2.3.4", "1.2.3.4.5", "10.0.0.1.example", "999.1.1.1",
    "com", "localhost", "localhost.localdomain", "LOCALHOST.localdomain", "localhost.example",
    "l" + "a".repeat(62) + ".example", "l" + "a".repeat(63) + ".example",
    ("abcdefghi." ).repeat(25) + "com", ("abcdefghi.").repeat(26) + "com", "bücher.example",
    "exa mple.com", "*.wild.example", "a*b.example", "under_score.example", "-lead.example",
    "0.0.0.0", "ip6-localhost", "a..b.example", "trail-dot.example.", "UPPER.Example.Com.",
  };
  private static final String[] SHAPES = {"%s", "||%s^", "@@||%s^", "|%s^", "0.0.0.0 %s",
    "127.0.0.1 %s", "127.0.0.1\t%s", "0.0.0.0  %s", "0.0.0.0 %s # comment", " %s", "%s ",
    "%s # c", "# %s", "! %s", "||%s^$important", "||%s", "0.0.0.0 %s %s", "::1 %s", "%s\t",
    "0.0.0.01 %s", "127.0.0.1 %s.", "||%s.^"};

  @Test
  void fastAndStringPathsAgreeOnRandomLists() throws IOException {
    SplittableRandom rnd = new SplittableRandom(20261126L);
    for (int round = 0; round < 300; round++) {
      byte[] input = randomList(rnd);
      for (Format f : new Format[] {Format.DOMAINS, Format.HOSTS, Format.ADBLOCK, Format.AUTO}) {
        Parsed fast = parse(f, input, true);
        Parsed slow = parse(f, input, false);
        String where = "round " + round + ", " + f + "\n" + new String(input,
            StandardCharsets.UTF_8);
        assertEquals(slow.rules, fast.rules, where);
        assertEquals(slow.problems, fast.problems, where);
        assertEquals(slow.lines, fast.lines, where);
        assertEquals(slow.tally, fast.tally, where);
        CompiledList a = slow.list;
        CompiledList b = fast.list;
        assertTrue(a.sameEntries(b), where);
        assertEquals(a.counts(), b.counts(), where);
        assertEquals(a.labelMask, b.labelMask, where);
        for (int i = 0; i < a.slots(); i++) {
          assertEquals(a.locationAt(i), b.locationAt(i), where);
        }
      }
    }
  }

  @Test
  void theFastPathIsTakenForPlainLines() throws IOException {
    // A sink that only accepts the fast path's calls: a String-path rule fails the test.
    byte[] input = "first.example\nsecond.example\nThird.Example.\n".getBytes(
        StandardCharsets.US_ASCII);
    List<String> seen = new ArrayList<>();
    RuleSink onlyFast = new RuleSink() {
      @Override
      public void rule(Rule rule) {
        seen.add("rule:" + rule.name());
      }

      @Override
      public void block(byte[] wire, int len, int labels, int line) {
        seen.add("fast:" + DomainNames.fromWire(wire, 0) + "/" + labels + "@" + line);
      }

      @Override
      public void url(String host, String key, int line) {}

      @Override
      public void invalid(String file, int line, String reason, String text) {}

      @Override
      public void unsupported(String file, int line, String text) {}
    };
    ListParser.forFormat(Format.DOMAINS).parse("t",
        new BoundedLineReader(new ByteArrayInputStream(input)), onlyFast);
    // Line 1 always takes the String path (it may start with a byte order mark).
    assertEquals(List.of("rule:first.example", "fast:second.example/2@2",
        "fast:third.example/2@3"), seen);
  }

  private static byte[] randomList(SplittableRandom rnd) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int lines = rnd.nextInt(1, 60);
    for (int i = 0; i < lines; i++) {
      String shape = SHAPES[rnd.nextInt(SHAPES.length)];
      String name = NAMES[rnd.nextInt(NAMES.length)];
      if (rnd.nextInt(4) == 0) {
        name = "n" + rnd.nextInt(50) + "." + name;
      }
      String line = shape.replace("%s", name);
      if (rnd.nextInt(30) == 0) {
        line = "\uFEFF" + line;
      }
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      out.write(b, 0, b.length);
      String eol = rnd.nextInt(8) == 0 ? "\r\n" : rnd.nextInt(16) == 0 ? "\r" : "\n";
      if (i < lines - 1 || rnd.nextBoolean()) {
        out.write(eol.getBytes(StandardCharsets.US_ASCII), 0, eol.length());
      }
    }
    return out.toByteArray();
  }

  private record Parsed(List<String> rules, List<ListProblem> problems, int lines, String tally,
      CompiledList list) {}

  private static Parsed parse(Format format, byte[] input, boolean fast) throws IOException {
    List<String> rules = new ArrayList<>();
    ParseTally recorder = new ParseTally(r -> rules.add(r.toString()));
    ListParser p = ListParser.forFormat(format);
    p.asciiFastPath = fast;
    p.parse("list.txt", new BoundedLineReader(new ByteArrayInputStream(input)), recorder);

    CompiledList.Builder builder = CompiledList.builder(ListInfo.named("t"), NameHasher.PLAIN);
    ParseTally tally = new ParseTally(builder, false);
    ListParser q = ListParser.forFormat(format);
    q.asciiFastPath = fast;
    int lines = q.parse("list.txt", new BoundedLineReader(new ByteArrayInputStream(input)), tally);
    String counts = tally.accepted() + "/" + tally.invalid() + "/" + tally.unsupported() + "/"
        + tally.urls();
    assertEquals(recorder.accepted(), tally.accepted());
    return new Parsed(rules, tally.problems(), lines, counts, builder.build("v"));
  }
}
