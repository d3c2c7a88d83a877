package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fuzzes every list format through {@link ListLoader#load(ListInfo, NameHasher, Format, String,
 * java.io.InputStream, double)}: random bytes, and valid sample lines mutated (bit flips,
 * truncation, NUL, CR, lines up to 100 KB, invalid UTF-8, encoded surrogates). Whatever the input:
 * nothing but {@link ListRejectedException} escapes; every rule, URL and problem points at a line
 * of the file; the counts of the {@link LoadResult} agree with what the parser reported; a
 * rejection happens exactly when the documented ratio says so.
 *
 * <p>Each try has its own seed, printed in every failure message; the input of a failing try is
 * also written to {@code target/fuzz-failures/}. Rerun one try with {@code -Dhearth.seed=SEED}.
 * RPZ is fuzzed like the others, but nothing RPZ-specific is asserted about what it accepts.
 */
class ParserFuzzTest {
  private static final int TRIES = Integer.getInteger("hearth.tries", 300);
  private static final Long ONLY_SEED = Long.getLong("hearth.seed");
  private static final NameHasher KEYED = NameHasher.keyed(new byte[32]);
  private static final String WITHHELD = "(line withheld: locked list)";
  private static final java.util.regex.Pattern CRASH =
      java.util.regex.Pattern.compile("\\(\\w*(Exception|Error)\\)");

  private static final Map<Format, String[]> SAMPLES = Map.of(
      Format.DOMAINS, new String[] {
          "ads.example.com", "*.tracker.example", "Bücher.example", "xn--bcher-kva.example.",
          "foo.example # comment", "# comment", "! comment", "", "  spaced.example  ",
          "sub.domain.example.org", "a_b.example", "bad..example", "two fields.example",
          "1.2.3.4", "ünïcödé.テスト", "ＦＵＬＬ．ｗｉｄｔｈ"},
      Format.HOSTS, new String[] {
          "0.0.0.0 ads.example.com", "127.0.0.1 localhost", "::1 ip6-localhost",
          "0.0.0.0 a.example b.example # c", "# comment", "0.0.0.0\ttab.example",
          "127.0.0.1 bücher.example", "fe80::1%lo0 link.example", "0.0.0.0", "ads.example",
          "0.0.0.0 bad..example ok.example", ""},
      Format.ADBLOCK, new String[] {
          "[Adblock Plus 2.0]", "! Title: x", "||ads.example^", "@@||ok.example^",
          "|exact.example^", "||x.example^$important", "||y.example^$third-party",
          "example.com##.banner", "/banner[0-9]+/", "||p.example/path", "plain.example",
          "@@|exc.example^", "||bücher.example^", "||bad..example^", "# comment", "||^", ""},
      Format.URLS, new String[] {
          "url,category", "http://example.com/path?q=1", "https://x.example/",
          "example.org/abc", "\"http://a.example/p,1\",x", "http://1.2.3.4/x", "https://[::1]/y",
          "ftp://files.example/pub/", "//proto.example/rel",
          "http://user:pw@host.example:8080/p#frag", "bücher.example/ä", "http://bad..example/",
          "# comment", ""},
      Format.RPZ, new String[] {
          "$ORIGIN rpz.example.", "$TTL 300", "@ SOA ns. admin. 1 3600 600 86400 300",
          "@ IN SOA ns.rpz.example. hostmaster.rpz.example. ( 1 3600", " 600 86400 300 )",
          "@ NS ns.rpz.example.", "bad.example CNAME .", "*.bad.example CNAME .",
          "ok.example CNAME rpz-passthru.", "drop.example CNAME rpz-drop.",
          "nodata.example CNAME *.", "local.example A 192.0.2.1",
          "local.example 300 IN AAAA 2001:db8::1", "tcp.example CNAME rpz-tcp-only.",
          "32.1.2.0.192.rpz-ip CNAME .", "; comment", "garden.example CNAME walled.garden.",
          "txt.example TXT \"hello; world\"", "$INCLUDE other.zone", " IN A 192.0.2.2", ""});

  private static final byte[][] ODD_BYTES = {
      {0}, {'\r'}, {'\n'}, {'\r', '\n'}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xFF},
      {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded lone high surrogate (CESU)
      {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, // an encoded lone low surrogate
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
      utf8("\uFEFF"), utf8("\u2028"), utf8("\u3002"), utf8("\uFF0E"), utf8("\uFFFD"),
      utf8("\uD83D\uDE00"), utf8("\u00A0"), utf8("\u2003"), utf8("\u0085"), {'\t'}, {' '},
      {'#'}, {'!'}, {'.'}, {'*'}, {'^'}, {'|'}, {'@'}, {'$'}, {'('}, {')'}, {';'}, {'"'},
      {'\\'}, {','}, {'/'}, {':'}};

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------------------------------------
  // What the parser reported, independently of ParseTally

  static final class Recorder implements RuleSink {
    final List<Rule> rules = new ArrayList<>();
    final List<Integer> urlLines = new ArrayList<>();
    final List<String> urlHosts = new ArrayList<>();
    final List<String> urlKeys = new ArrayList<>();
    final List<Integer> invalidLines = new ArrayList<>();
    final List<String> invalidTexts = new ArrayList<>();
    final List<String> invalidReasons = new ArrayList<>();
    final List<Integer> unsupportedLines = new ArrayList<>();
    final Map<Integer, Integer> eventsPerLine = new HashMap<>();

    @Override
    public void rule(Rule rule) {
      rules.add(rule);
      eventsPerLine.merge(rule.line(), 1, Integer::sum);
    }

    @Override
    public void url(String host, String key, int line) {
      urlHosts.add(host);
      urlKeys.add(key);
      urlLines.add(line);
      eventsPerLine.merge(line, 1, Integer::sum);
    }

    @Override
    public void invalid(String file, int line, String reason, String text) {
      invalidLines.add(line);
      invalidTexts.add(text);
      invalidReasons.add(reason);
      eventsPerLine.merge(line, 1, Integer::sum);
    }

    @Override
    public void unsupported(String file, int line, String text) {
      unsupportedLines.add(line);
      eventsPerLine.merge(line, 1, Integer::sum);
    }

    int accepted() {
      return rules.size() + urlLines.size();
    }
  }

  /** Passes everything to several sinks. */
  private static RuleSink tee(RuleSink a, RuleSink b) {
    return new RuleSink() {
      @Override
      public void rule(Rule rule) {
        a.rule(rule);
        b.rule(rule);
      }

      @Override
      public void url(String host, String key, int line) {
        a.url(host, key, line);
        b.url(host, key, line);
      }

      @Override
      public void invalid(String file, int line, String reason, String text) {
        a.invalid(file, line, reason, text);
        b.invalid(file, line, reason, text);
      }

      @Override
      public void unsupported(String file, int line, String text) {
        a.unsupported(file, line, text);
        b.unsupported(file, line, text);
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The file as lines, computed here from the bytes

  /** Lines as the parsers should see them: split at LF, CR, CRLF; overlong ones cut + NUL. */
  static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int n = text.length();
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        out.add(bound(text.substring(start, i)));
        i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
        start = i;
      } else {
        i++;
      }
    }
    if (start < n) {
      out.add(bound(text.substring(start)));
    }
    if (!out.isEmpty()) {
      out.set(0, ListParser.stripBom(out.get(0)));
    }
    return out;
  }

  private static String bound(String line) {
    return line.length() > BoundedLineReader.MAX_LINE
        ? line.substring(0, BoundedLineReader.MAX_LINE) + BoundedLineReader.OVERLONG_MARK : line;
  }

  private static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError(e);
    }
  }

  private static Recorder parseDirect(Format format, byte[] bytes) throws IOException {
    Recorder rec = new Recorder();
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    int n = ListParser.forFormat(format).parse("fuzz", new BoundedLineReader(
        new InputStreamReader(new ByteArrayInputStream(bytes), decoder)), rec);
    rec.eventsPerLine.put(-1, n); // the parser's own line count, checked by the caller
    return rec;
  }

  // ---------------------------------------------------------------------------------------------
  // The checks

  /** Loads {@code bytes} and checks everything that must hold whatever they are. */
  private static Outcome check(String what, long seed, Format format, byte[] bytes, boolean locked,
      double maxInvalidRatio) {
    String where = what + " seed=" + seed + " format=" + format + " locked=" + locked
        + " maxInvalidRatio=" + maxInvalidRatio + " bytes=" + bytes.length;
    ListInfo info = new ListInfo("fuzz", "cat", locked, false, "", List.of());
    LoadResult result = null;
    ListRejectedException rejected = null;
    try {
      result = ListLoader.load(info, locked ? KEYED : NameHasher.PLAIN, format, "fuzz-source",
          new ByteArrayInputStream(bytes), maxInvalidRatio);
    } catch (ListRejectedException e) {
      rejected = e;
    } catch (Throwable t) {
      fail(where + ": " + t + " escaped ListLoader.load" + saved(seed, format, bytes)
          + minimalLine(format, bytes), t);
    }
    try {
      checkResult(where, format, bytes, locked, maxInvalidRatio, result, rejected);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + saved(seed, format, bytes), e);
    }
    return new Outcome(result, rejected);
  }

  record Outcome(LoadResult result, ListRejectedException rejected) {}

  private static void checkResult(String where, Format format, byte[] bytes, boolean locked,
      double maxInvalidRatio, LoadResult result, ListRejectedException rejected) {
    List<String> lines = lines(decode(bytes));
    int lineCount = lines.size();
    Recorder rec;
    try {
      rec = parseDirect(format, bytes);
    } catch (IOException | RuntimeException e) {
      throw new AssertionError(where + ": the same parse, done directly, threw " + e, e);
    }
    assertEquals(lineCount, rec.eventsPerLine.remove(-1), where + ": lines read by the parser");

    for (Rule r : rec.rules) {
      assertLine(where, "rule " + r, r.line(), lineCount);
      assertEquals(r.name(), DomainNames.normalize(r.name()),
          () -> where + ": rule name not normalized: " + r);
    }
    for (int i = 0; i < rec.urlLines.size(); i++) {
      String host = rec.urlHosts.get(i);
      String key = rec.urlKeys.get(i);
      assertLine(where, "url", rec.urlLines.get(i), lineCount);
      assertEquals(host, DomainNames.normalize(host), () -> where + ": URL host not normalized");
      assertTrue(key.startsWith(host + "/"),
          () -> where + ": URL key " + key + " not below its host " + host);
    }
    for (int i = 0; i < rec.invalidLines.size(); i++) {
      int line = rec.invalidLines.get(i);
      assertLine(where, "invalid", line, lineCount);
      String reason = rec.invalidReasons.get(i);
      // A reason is for people; "(SomeException)" is a parser crash turned into a problem.
      assertTrue(reason != null && !reason.isBlank() && !CRASH.matcher(reason).find(),
          () -> where + ": line " + line + " has the reason \"" + reason + "\": "
              + show(lines.get(line - 1)));
    }
    for (int line : rec.unsupportedLines) {
      assertLine(where, "unsupported", line, lineCount);
    }
    Format effective = format;
    if (result != null && format == Format.AUTO) {
      effective = result.format();
    }
    if (effective != Format.HOSTS && effective != Format.RPZ && effective != Format.AUTO) {
      // One entry per line: a line is a rule, a URL, invalid or unsupported, never two of these.
      for (Map.Entry<Integer, Integer> e : rec.eventsPerLine.entrySet()) {
        assertTrue(e.getValue() <= 1, () -> where + ": line " + e.getKey() + " reported "
            + e.getValue() + " times: " + show(lines.get(e.getKey() - 1)));
      }
      for (int i = 0; i < rec.invalidLines.size(); i++) {
        String text = rec.invalidTexts.get(i);
        int line = rec.invalidLines.get(i);
        if (!text.equals(lines.get(line - 1))) {
          assertEquals(show(lines.get(line - 1)), show(text),
              where + ": problem text is not the text of its line " + line);
        }
      }
    }

    int invalid = rec.invalidLines.size();
    int entries = rec.accepted() + invalid;
    boolean shouldReject = lineCount >= ListLoader.MIN_LINES_FOR_REJECTION
        && entries > 0 && (double) invalid / entries > maxInvalidRatio;
    if (rejected != null) {
      assertTrue(shouldReject, where + ": rejected although " + invalid + " of " + entries
          + " entries are invalid in " + lineCount + " lines: " + rejected.getMessage());
      assertEquals("fuzz-source", rejected.source(), where);
      ListProblem first = rejected.firstProblem();
      assertNotNull(first, where + ": a rejection names its first problem");
      assertEquals((int) rec.invalidLines.get(0), first.line(), where + ": first problem");
      assertLine(where, "first problem", first.line(), lineCount);
      if (locked) {
        assertEquals(WITHHELD, first.text(), where + ": a locked list's line is never kept");
        assertEquals("invalid entry", first.reason(), where + ": nor a reason quoting it");
      }
      return;
    }
    assertFalse(shouldReject, where + ": not rejected although " + invalid + " of " + entries
        + " entries are invalid in " + lineCount + " lines");

    assertNotNull(result, where);
    assertEquals(rec.accepted(), result.accepted(), where + ": accepted");
    assertEquals(rec.urlLines.size(), result.urls(), where + ": urls");
    assertEquals(invalid, result.invalid(), where + ": invalid");
    assertEquals(rec.unsupportedLines.size(), result.unsupported(), where + ": unsupported");
    assertTrue(result.urls() <= result.accepted(), where);
    assertEquals(Math.min(invalid, ParseTally.MAX_PROBLEMS), result.problems().size(),
        where + ": problems kept");
    int previous = 0;
    for (int i = 0; i < result.problems().size(); i++) {
      ListProblem p = result.problems().get(i);
      int at = i;
      assertEquals("fuzz-source", p.file(), where);
      assertEquals((int) rec.invalidLines.get(i), p.line(), () -> where + ": problem " + at);
      assertLine(where, "problem " + i, p.line(), lineCount);
      int before = previous;
      assertTrue(p.line() >= previous || effective == Format.RPZ,
          () -> where + ": problem on line " + p.line() + " after one on line " + before);
      previous = p.line();
      if (locked) {
        assertEquals(WITHHELD, p.text(), () -> where + ": a locked list's line is never kept");
        assertEquals("invalid entry", p.reason(), () -> where + ": nor a reason quoting it");
      } else if (effective != Format.RPZ && effective != Format.AUTO) {
        String t = lines.get(p.line() - 1);
        String want = t.length() > 200 ? t.substring(0, 200) + "..." : t;
        if (!want.equals(p.text())) {
          assertEquals(show(want), show(p.text()), where + ": problem text of line " + p.line());
        }
      }
    }
    if (format == Format.AUTO) {
      assertNotEquals(Format.AUTO, result.format(), where);
    } else {
      assertEquals(format, result.format(), where);
    }
    CompiledList list = result.list();
    assertEquals("fuzz", list.name(), where);
    assertTrue(list.info().version().matches("[0-9a-f]{12}"), where + ": version");
    assertTrue(list.counts().names() <= result.accepted(), where + ": names");
    assertTrue(list.counts().urls() <= result.urls(), where + ": URL entries");
    assertEquals(locked, list.info().locked(), where);
  }

  private static void assertLine(String where, String what, int line, int lineCount) {
    if (line < 1 || line > lineCount) {
      fail(where + " " + what + ": line " + line + " outside 1.." + lineCount);
    }
  }

  /** Text with control characters and non-ASCII made visible, for messages. */
  static String show(String s) {
    StringBuilder sb = new StringBuilder();
    int max = Math.min(s.length(), 300);
    for (int i = 0; i < max; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c)
          || c == '\uFFFD' || c == '\uFEFF') {
        sb.append("\\u").append(HexFormat.of().withUpperCase().toHexDigits(c));
      } else {
        sb.append(c);
      }
    }
    return max < s.length() ? sb + "...(" + s.length() + " chars)" : sb.toString();
  }

  /** Writes a failing input where a person can get at it; returns a note for the message. */
  private static String saved(long seed, Format format, byte[] bytes) {
    try {
      Path dir = Path.of("target", "fuzz-failures");
      Files.createDirectories(dir);
      Path f = dir.resolve(format + "-" + seed + ".bin");
      Files.write(f, bytes);
      return "\n  input saved as " + f.toAbsolutePath();
    } catch (IOException | RuntimeException e) {
      return "\n  (input not saved: " + e + ")";
    }
  }

  /** For an exception: the first single line that throws by itself, if there is one. */
  private static String minimalLine(Format format, byte[] bytes) {
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n' || bytes[i] == '\r') {
        byte[] one = java.util.Arrays.copyOfRange(bytes, start, i);
        try {
          ListLoader.load(ListInfo.named("min"), NameHasher.PLAIN, format, "min",
              new ByteArrayInputStream(one), 1.0);
        } catch (Throwable t) {
          if (!(t instanceof ListRejectedException)) {
            String hex = HexFormat.of().formatHex(one);
            return "\n  one line alone throws " + t + ": hex "
                + (hex.length() > 1000 ? hex.substring(0, 1000) + "..." : hex)
                + " text " + show(decode(one));
          }
        }
        start = i + 1;
      }
    }
    return "\n  (no single line throws alone)";
  }

  // ---------------------------------------------------------------------------------------------
  // Generators

  private static long[] seeds(long base, Format format) {
    return seeds(base, format, TRIES);
  }

  private static long[] seeds(long base, Format format, int tries) {
    if (ONLY_SEED != null) {
      return new long[] {ONLY_SEED};
    }
    Random r = new Random(base * 31 + format.ordinal());
    long[] s = new long[tries];
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextLong();
    }
    return s;
  }

  private static String[] samplesFor(Format format, Random rnd) {
    if (format != Format.AUTO) {
      return SAMPLES.get(format);
    }
    // AUTO: mostly one format's lines (so each is detected), sometimes a mix of all of them.
    Format[] fs = {Format.DOMAINS, Format.HOSTS, Format.ADBLOCK, Format.URLS, Format.RPZ};
    if (rnd.nextInt(4) > 0) {
      return SAMPLES.get(fs[rnd.nextInt(fs.length)]);
    }
    List<String> all = new ArrayList<>();
    for (Format f : fs) {
      all.addAll(List.of(SAMPLES.get(f)));
    }
    return all.toArray(new String[0]);
  }

  /** Sample lines joined with LF, CRLF or CR, then mutated 0..6 times at the byte level. */
  static byte[] mutatedSample(Random rnd, Format format) {
    String[] samples = samplesFor(format, rnd);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 60);
    String[] eols = {"\n", "\r\n", "\r"};
    String eol = eols[rnd.nextInt(3)];
    for (int i = 0; i < n; i++) {
      out.writeBytes(utf8(samples[rnd.nextInt(samples.length)]));
      if (i < n - 1 || rnd.nextBoolean()) {
        out.writeBytes(utf8(rnd.nextInt(10) == 0 ? eols[rnd.nextInt(3)] : eol));
      }
    }
    byte[] b = out.toByteArray();
    int mutations = rnd.nextInt(7);
    for (int m = 0; m < mutations; m++) {
      b = mutate(rnd, b, samples);
    }
    return b;
  }

  private static byte[] mutate(Random rnd, byte[] b, String[] samples) {
    int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
    switch (rnd.nextInt(9)) {
      case 0: // bit flips
        if (b.length > 0) {
          b = b.clone();
          for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
          }
        }
        return b;
      case 1: // truncation
        return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
      case 2: // delete a range
        if (b.length > 0) {
          int from = rnd.nextInt(b.length);
          int to = Math.min(b.length, from + 1 + rnd.nextInt(20));
          return concat(java.util.Arrays.copyOfRange(b, 0, from),
              java.util.Arrays.copyOfRange(b, to, b.length));
        }
        return b;
      case 3: // a very long line
        return insert(b, at, longLine(rnd, samples));
      case 4: // a line of another format, or a duplicate of a sample
        return insert(b, at, utf8(samples[rnd.nextInt(samples.length)] + "\n"));
      default: // NUL, CR, LF, invalid UTF-8, encoded surrogates, odd characters
        return insert(b, at, ODD_BYTES[rnd.nextInt(ODD_BYTES.length)]);
    }
  }

  /** Up to 100 KB without line ends, often just around the 8192-character limit. */
  private static byte[] longLine(Random rnd, String[] samples) {
    int max = BoundedLineReader.MAX_LINE;
    int len = rnd.nextBoolean() ? max - 3 + rnd.nextInt(7) : max + rnd.nextInt(100 * 1024 - max);
    ByteArrayOutputStream out = new ByteArrayOutputStream(len + 64);
    int kind = rnd.nextInt(3);
    while (out.size() < len) {
      if (kind == 0) {
        out.write('a' + rnd.nextInt(26));
      } else if (kind == 1) {
        out.writeBytes(utf8(samples[rnd.nextInt(samples.length)] + " "));
      } else {
        int v = rnd.nextInt(256);
        out.write(v == '\n' || v == '\r' ? ' ' : v);
      }
    }
    byte[] b = java.util.Arrays.copyOf(out.toByteArray(), len);
    return concat(b, rnd.nextBoolean() ? new byte[] {'\n'} : new byte[0]);
  }

  private static byte[] insert(byte[] b, int at, byte[] what) {
    at = Math.min(at, b.length);
    return concat(concat(java.util.Arrays.copyOfRange(b, 0, at), what),
        java.util.Arrays.copyOfRange(b, at, b.length));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Uniform bytes, printable ASCII with line ends, or high bytes. */
  static byte[] randomBytes(Random rnd) {
    int len = rnd.nextInt(10) == 0 ? 0 : rnd.nextInt(2000);
    byte[] b = new byte[len];
    int mode = rnd.nextInt(3);
    for (int i = 0; i < len; i++) {
      switch (mode) {
        case 0:
          b[i] = (byte) rnd.nextInt(256);
          break;
        case 1:
          int v = rnd.nextInt(100);
          b[i] = (byte) (v < 8 ? '\n' : v < 10 ? '\r' : v < 20 ? '.' : 0x20 + rnd.nextInt(95));
          break;
        default:
          b[i] = (byte) (rnd.nextInt(8) == 0 ? '\n' : 0x80 + rnd.nextInt(128));
          break;
      }
    }
    return b;
  }

  private static final double[] RATIOS = {0.0, 0.25, 0.5, 1.0};

  // ---------------------------------------------------------------------------------------------
  // Tests

  @ParameterizedTest
  @EnumSource(Format.class)
  void mutatedSampleLines(Format format) {
    int accepted = 0;
    int invalid = 0;
    int rejected = 0;
    int loaded = 0;
    for (long seed : seeds(1, format)) {
      Random rnd = new Random(seed);
      byte[] bytes = mutatedSample(rnd, format);
      Outcome o = check("mutated sample", seed, format, bytes, rnd.nextInt(4) == 0,
          RATIOS[rnd.nextInt(RATIOS.length)]);
      if (o.rejected() != null) {
        rejected++;
      } else {
        loaded++;
        accepted += o.result().accepted();
        invalid += o.result().invalid();
      }
    }
    if (ONLY_SEED == null && format != Format.RPZ) {
      // The corpus must reach both sides of every parser, or the fuzzing says little. (Nothing is
      // asserted about RPZ, whose parser may still be a placeholder that accepts nothing.)
      assertTrue(loaded > TRIES / 4, format + ": loaded " + loaded);
      assertTrue(rejected > 0, format + ": never rejected");
      assertTrue(invalid > 0, format + ": no invalid line");
      assertTrue(accepted > TRIES, format + ": accepted only " + accepted);
    }
  }

  @ParameterizedTest
  @EnumSource(Format.class)
  void randomBytes(Format format) {
    for (long seed : seeds(2, format, TRIES * 2 / 3)) {
      Random rnd = new Random(seed);
      byte[] bytes = randomBytes(rnd);
      check("random bytes", seed, format, bytes, rnd.nextInt(4) == 0,
          RATIOS[rnd.nextInt(RATIOS.length)]);
    }
  }

  /**
   * Text that cannot come out of the UTF-8 decoder (lone surrogates, reversed pairs) given to the
   * parsers directly, feeding a real {@link CompiledList.Builder}: whatever a parser reports must
   * compile.
   */
  @ParameterizedTest
  @EnumSource(Format.class)
  void loneSurrogatesAndOddTextGivenToTheParserDirectly(Format format) throws IOException {
    String[] odd = {"\uD800", "\uDFFF", "\uDC00\uD800", "\uD83D", "\uDE00", "\u0000", "\uFFFD",
        "\u2028", "\u0085", "\uFEFF", "\u3002", "\uFF0E", "\u00DF", "\u0130", "\u212A"};
    for (long seed : seeds(3, format)) {
      Random rnd = new Random(seed);
      String[] samples = samplesFor(format, rnd);
      StringBuilder sb = new StringBuilder();
      int n = 1 + rnd.nextInt(30);
      for (int i = 0; i < n; i++) {
        StringBuilder line = new StringBuilder(samples[rnd.nextInt(samples.length)]);
        for (int k = rnd.nextInt(3); k > 0; k--) {
          line.insert(rnd.nextInt(line.length() + 1), odd[rnd.nextInt(odd.length)]);
        }
        sb.append(line).append('\n');
      }
      String text = sb.toString();
      String where = "direct text seed=" + seed + " format=" + format + " text=" + show(text);
      Recorder rec = new Recorder();
      CompiledList.Builder builder = CompiledList.builder(ListInfo.named("direct"),
          NameHasher.PLAIN);
      ParseTally tally = new ParseTally(builder, false);
      int count;
      try {
        count = ListParser.forFormat(format).parse("direct",
            new BoundedLineReader(new StringReader(text)), tee(rec, tally));
        builder.build();
      } catch (RuntimeException e) {
        throw new AssertionError(where + ": " + e + " escaped", e);
      }
      List<String> lines = lines(text);
      assertEquals(lines.size(), count, where);
      assertEquals(rec.accepted(), tally.accepted(), where);
      for (Rule r : rec.rules) {
        assertLine(where, "rule " + r, r.line(), count);
        assertEquals(r.name(), DomainNames.normalize(r.name()), () -> where + ": " + r);
      }
      for (int line : rec.invalidLines) {
        assertLine(where, "invalid", line, count);
      }
      for (int line : rec.urlLines) {
        assertLine(where, "url", line, count);
      }
    }
  }

  /**
   * A line over {@value BoundedLineReader#MAX_LINE} characters whose cut falls inside a name: the
   * cut-off name must never become a rule (it would block a different, shorter name).
   */
  @ParameterizedTest
  @EnumSource(Format.class)
  void aNameCutByTheLineLimitNeverBecomesARule(Format format) throws Exception {
    String name = "abcdefghij.example";
    // {first line that makes AUTO pick the format, text before the name, text after it}
    String[] t;
    switch (format) {
      case HOSTS:
      case AUTO:
        t = new String[] {"0.0.0.0 first.example", "0.0.0.0 ", " # tail"};
        break;
      case ADBLOCK:
        t = new String[] {"||first.example^", "||", "^"};
        break;
      case URLS:
        t = new String[] {"http://first.example/x", "http://", "/path"};
        break;
      case RPZ:
        t = new String[] {"$ORIGIN rpz.example.", "x CNAME ", ". ; tail"};
        break;
      default:
        t = new String[] {"first.example", "", " # tail"};
        break;
    }
    for (int k = 1; k < name.length(); k++) {
      int pad = BoundedLineReader.MAX_LINE - k - t[1].length();
      String line = " ".repeat(pad) + t[1] + name + t[2];
      if (format == Format.HOSTS || format == Format.AUTO || format == Format.RPZ) {
        // The address (or owner) must start the line; pad between the fields instead.
        line = t[1].trim() + " ".repeat(pad + t[1].length() - t[1].trim().length()) + name + t[2];
      }
      assertEquals(BoundedLineReader.MAX_LINE - k, line.indexOf(name), "test setup");
      byte[] bytes = utf8(t[0] + "\n" + line + "\n");
      Outcome o = check("cut name k=" + k, k, format, bytes, false, 1.0);
      Recorder rec = parseDirect(format, bytes);
      for (Rule r : rec.rules) {
        assertFalse(r.line() == 2, format + ": a rule from the cut line 2: " + r);
      }
      assertFalse(rec.urlLines.contains(2), format + ": a URL from the cut line 2");
      assertTrue(rec.invalidLines.contains(2) || rec.unsupportedLines.contains(2),
          format + ": the cut line 2 must be reported (k=" + k + ")");
      assertNotNull(o.result());
    }
  }
}
