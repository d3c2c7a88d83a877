package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpzParserTest {
  @TempDir Path dir;

  /** A realistic policy zone; the line number of each line is in the comment on the right. */
  static final String[] ZONE = {
    "; Hearth test policy zone",                                          // 1
    "$TTL 2h",                                                            // 2
    "$ORIGIN rpz.example.",                                               // 3
    "@  IN SOA ns1.example. hostmaster.example. (",                       // 4
    "        2024010101 ; serial",                                        // 5
    "        3600       ; refresh",                                       // 6
    "        600 86400  ; retry, expire",                                 // 7
    "        60 )       ; minimum",                                       // 8
    "   IN NS  ns1.example.",                                             // 9
    "",                                                                   // 10
    "bad.example            CNAME .",                                     // 11
    "*.bad.example          CNAME .",                                     // 12
    "nodata.example   300   IN CNAME *.",                                 // 13
    "ok.bad.example   IN 300 CNAME rpz-passthru.   ; class before TTL",   // 14
    "*.ok.bad.example       CNAME rpz-passthru.",                         // 15
    "drop.example           CNAME rpz-drop.",                             // 16
    "tcp.example            CNAME rpz-tcp-only.",                         // 17
    "garden.example         CNAME Walled.Garden.example.",                // 18
    "rel.example            CNAME landing       ; relative target",       // 19
    "local.example          A     192.0.2.1",                             // 20
    "                       A     192.0.2.2     ; blank owner",           // 21
    "\t                     AAAA  2001:DB8::1",                           // 22
    "                       TXT   \"blocked by   policy\"   \"see ; docs\"", // 23
    "*.wild.example         A     192.0.2.3",                             // 24
    "abs.example.RPZ.example. CNAME .",                                   // 25
    "24.0.2.0.192.rpz-ip    CNAME .",                                     // 26
    "ns.evil.rpz-nsdname    CNAME .",                                     // 27
    "old.example            CNAME old.example.   ; older passthru form",  // 28
    "mx.example             MX 10 mail",                                  // 29
    "outside.example.       CNAME .",                                     // 30
    "noval.example          CNAME",                                       // 31
    "badip.example          A 300.1.2.3",                                 // 32
    "badv6.example          AAAA 2001:db8::g",                            // 33
    "chaos.example          CH TXT \"x\"",                                // 34
    "badttl.example   1x    CNAME .",                                     // 35
    "bad..example           CNAME .",                                     // 36
    "$INCLUDE other.zone",                                                // 37
    "$GENERATE 1-3 host$ CNAME .",                                        // 38
    "multi.example  IN  A (",                                             // 39
    "     192.0.2.9 )   ; data on the next line",                         // 40
    "$ORIGIN example.rpz.example.",                                       // 41
    "www                    CNAME .   ; www.example",                     // 42
    "notype.example   3600  IN",                                          // 43
    "weird.example          BOGUS 1",                                     // 44
  };

  /** Records everything, including which lines were unsupported. */
  static final class Recorder implements RuleSink {
    final List<Rule> rules = new ArrayList<>();
    final List<String> invalid = new ArrayList<>();
    final List<Integer> unsupported = new ArrayList<>();

    @Override
    public void rule(Rule rule) {
      rules.add(rule);
    }

    @Override
    public void url(String host, String key, int line) {
      throw new AssertionError("RPZ has no URLs");
    }

    @Override
    public void invalid(String file, int line, String reason, String text) {
      invalid.add(line + ": " + reason);
    }

    @Override
    public void unsupported(String file, int line, String text) {
      unsupported.add(line);
    }
  }

  private Path write(String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    return f;
  }

  private static void parse(Path f, RuleSink sink) throws IOException {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(Files.newInputStream(f), StandardCharsets.UTF_8))) {
      ListParser.forFormat(Format.RPZ).parse(f.toString(), in, sink);
    }
  }

  private Recorder parse(String... lines) throws IOException {
    Recorder r = new Recorder();
    parse(write("zone-" + System.nanoTime() + ".rpz", lines), r);
    return r;
  }

  @Test
  void anAutoDetectedZoneReportsAnUnclosedParenthesisToo() throws Exception {
    Path f = write("auto.rpz", "$TTL 300", "@ SOA ns. admin. 1 3600 600 86400 300",
        "bad.example CNAME .", "open.example SOA ( ns. admin. 1");
    LoadResult res = ListLoader.load(f, Format.AUTO, 0.9);
    assertEquals(Format.RPZ, res.format());
    assertTrue(res.problems().stream().anyMatch(p -> p.line() == 4
        && p.reason().contains("'(' not closed")), res.problems().toString());
  }

  private static Rule block(String name, Rule.Scope scope, BlockAction action, int line) {
    return new Rule(name, scope, false, action, null, line);
  }

  private static Rule local(String name, Rule.Scope scope, String data, int line) {
    return new Rule(name, scope, false, BlockAction.LOCAL_DATA, data, line);
  }

  private static Rule passthru(String name, Rule.Scope scope, int line) {
    return new Rule(name, scope, true, BlockAction.NXDOMAIN, null, line);
  }

  @Test
  void parsesRealisticZone() throws IOException {
    Recorder r = parse(ZONE);
    Rule.Scope exact = Rule.Scope.EXACT;
    Rule.Scope below = Rule.Scope.BELOW;
    assertEquals(List.of(
        block("bad.example", exact, BlockAction.NXDOMAIN, 11),
        block("bad.example", below, BlockAction.NXDOMAIN, 12),
        block("nodata.example", exact, BlockAction.NODATA, 13),
        passthru("ok.bad.example", exact, 14),
        passthru("ok.bad.example", below, 15),
        block("drop.example", exact, BlockAction.DROP, 16),
        local("garden.example", exact, "CNAME walled.garden.example.", 18),
        local("rel.example", exact, "CNAME landing.rpz.example.", 19),
        local("local.example", exact, "A 192.0.2.1", 20),
        local("local.example", exact, "A 192.0.2.2", 21),
        local("local.example", exact, "AAAA 2001:db8::1", 22),
        local("local.example", exact, "TXT \"blocked by   policy\" \"see ; docs\"", 23),
        local("wild.example", below, "A 192.0.2.3", 24),
        block("abs.example", exact, BlockAction.NXDOMAIN, 25),
        passthru("old.example", exact, 28),
        local("mx.example", exact, "MX 10 mail.rpz.example.", 29),
        local("multi.example", exact, "A 192.0.2.9", 39),
        block("www.example", exact, BlockAction.NXDOMAIN, 42)), r.rules);
    assertEquals(List.of(17, 26, 27, 37, 38), r.unsupported,
        "rpz-tcp-only, rpz-ip, rpz-nsdname, $INCLUDE, $GENERATE");
    assertEquals(List.of(
        "30: owner outside.example is outside the zone rpz.example",
        "31: missing record data",
        "32: bad IPv4 address '300.1.2.3'",
        "33: bad IPv6 address '2001:db8::g'",
        "34: class CH in a policy zone (only IN is used)",
        "35: bad TTL '1x'",
        "36: empty label",
        "43: missing record type",
        "44: unknown record type 'BOGUS'"), r.invalid);
  }

  @Test
  void compiledZoneAnswersPerTrigger() throws IOException {
    Path f = write("policy.rpz", ZONE);
    CompiledList.Builder builder = CompiledList.builder("rpz");
    ParseTally tally = new ParseTally(builder, false);
    parse(f, tally);
    CompiledList list = builder.build();
    assertEquals(18, tally.accepted());
    assertEquals(9, tally.invalid());
    assertEquals(5, tally.unsupported());
    assertEquals(f + ":30: owner outside.example is outside the zone rpz.example: "
        + "outside.example.       CNAME .", tally.problems().get(0).toString());

    Verdict v = list.match("bad.example");
    assertTrue(v.isBlock());
    assertEquals(BlockAction.NXDOMAIN, v.blockAction());
    assertEquals(11, v.line());
    assertEquals("bad.example", v.matchedName());
    Verdict sub = list.match("x.y.bad.example");
    assertTrue(sub.isBlock());
    assertEquals(BlockAction.NXDOMAIN, sub.blockAction());

    assertTrue(list.match("ok.bad.example").isAllow(), "passthru pokes a hole");
    assertTrue(list.match("a.ok.bad.example").isAllow());

    Verdict nodata = list.match("nodata.example");
    assertTrue(nodata.isBlock());
    assertEquals(BlockAction.NODATA, nodata.blockAction());
    assertSame(Verdict.NONE, list.match("x.nodata.example"), "EXACT: not the subdomains");

    assertEquals(BlockAction.DROP, list.match("drop.example").blockAction());
    assertSame(Verdict.NONE, list.match("tcp.example"), "rpz-tcp-only is not applied");

    Verdict garden = list.match("garden.example");
    assertTrue(garden.isBlock());
    assertEquals(BlockAction.LOCAL_DATA, garden.blockAction());
    assertEquals(List.of("CNAME walled.garden.example."), garden.localData());

    Verdict local = list.match("LOCAL.example.");
    assertEquals(BlockAction.LOCAL_DATA, local.blockAction());
    assertEquals(List.of("A 192.0.2.1", "A 192.0.2.2", "AAAA 2001:db8::1",
        "TXT \"blocked by   policy\" \"see ; docs\""), local.localData());
    assertSame(Verdict.NONE, list.match("www.local.example"));

    assertSame(Verdict.NONE, list.match("wild.example"), "BELOW: not the apex");
    Verdict wild = list.match("a.b.wild.example");
    assertEquals(BlockAction.LOCAL_DATA, wild.blockAction());
    assertEquals(List.of("A 192.0.2.3"), wild.localData());

    assertTrue(list.match("abs.example").isBlock());
    assertTrue(list.match("old.example").isAllow());
    assertTrue(list.match("www.example").isBlock(), "relative to a later $ORIGIN");
    assertSame(Verdict.NONE, list.match("example"));
    assertSame(Verdict.NONE, list.match("rpz.example"));
    assertSame(Verdict.NONE, list.match("outside.example"));
    assertSame(Verdict.NONE, list.match("abs.example.rpz.example"));
  }

  @Test
  void originComesFromTheSoaOwnerWhenThereIsNoOriginDirective() throws IOException {
    Recorder r = parse(
        "rpz.example. 3600 IN SOA ns.example. admin.example. 1 3600 600 86400 60",
        "rpz.example. NS ns.example.",
        "a.example CNAME .",
        "b.example.rpz.example. CNAME *.",
        "@ CNAME .");
    assertEquals(List.of(block("a.example", Rule.Scope.EXACT, BlockAction.NXDOMAIN, 3),
        block("b.example", Rule.Scope.EXACT, BlockAction.NODATA, 4)), r.rules);
    assertEquals(List.of(5), r.unsupported, "data at the apex is no trigger");
    assertEquals(List.of(), r.invalid);
  }

  @Test
  void withoutAnyOriginOwnersAreAbsoluteTriggers() throws IOException {
    Recorder r = parse(
        "ads.example. CNAME .",
        "*.track.example CNAME rpz-drop.",
        "@ CNAME .",
        "   A 192.0.2.1",
        "$ORIGIN .",
        "x.example. A 192.0.2.7",
        "y.example A 192.0.2.8");
    assertEquals(List.of(block("ads.example", Rule.Scope.EXACT, BlockAction.NXDOMAIN, 1),
        block("track.example", Rule.Scope.BELOW, BlockAction.DROP, 2),
        local("x.example", Rule.Scope.EXACT, "A 192.0.2.7", 6),
        local("y.example", Rule.Scope.EXACT, "A 192.0.2.8", 7)), r.rules);
    assertEquals(List.of(), r.invalid, "'@' without $ORIGIN is the unnamed apex (BIND style)");
    assertEquals(List.of(3, 4), r.unsupported, "data at the apex is no trigger");
  }

  @Test
  void reportsBrokenSyntaxAtTheRightLine() throws IOException {
    Recorder r = parse(
        "$ORIGIN rpz.example.",
        "@ SOA ns. admin. 1 2 3 4 5",
        "a.example CNAME . )",
        "b.example TXT \"never closed",
        "c.example CNAME x y",
        "d.example CNAME bad..target.",
        "$TTL soon",
        "$ORIGIN",
        "e.example ( CNAME",
        "   ( . )",
        "f.example A 192.0.2.1 ; fine",
        "*.example.com.rpz.example. CNAME *.garden.example.",
        "g.example SOA ns. admin. 1 2 3 4 5",
        "h.example NS ns.example.",
        "i.example 99999999999 CNAME .",
        "j.example AAAA ::ffff:192.0.2.1",
        "k.example AAAA 1:2:3:4:5:6:7:8:9",
        "open.example ( A",
        "   192.0.2.1");
    assertEquals(List.of(
        local("f.example", Rule.Scope.EXACT, "A 192.0.2.1", 11),
        local("example.com", Rule.Scope.BELOW, "CNAME *.garden.example.", 12),
        local("j.example", Rule.Scope.EXACT, "AAAA ::ffff:192.0.2.1", 16)), r.rules);
    assertEquals(List.of(
        "3: ')' without '('",
        "4: unterminated quoted string",
        "5: CNAME needs exactly one target",
        "6: bad CNAME target: empty label",
        "7: bad $TTL 'soon'",
        "8: $ORIGIN needs exactly one name",
        "10: nested '('",
        "13: second SOA record, for another name",
        "15: bad TTL '99999999999'",
        "17: bad IPv6 address '1:2:3:4:5:6:7:8:9'",
        "18: '(' not closed before the end of the file"), r.invalid);
    assertEquals(List.of(14), r.unsupported, "NS below the apex: a delegation, no policy");
  }

  @Test
  void capsRecordsGatheredByParentheses() throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add("$ORIGIN rpz.example.");
    lines.add("big.example TXT (");
    String chunk = "\"" + "x".repeat(200) + "\"";
    for (int i = 0; i < 400; i++) {
      lines.add("  " + chunk);
    }
    lines.add(")");
    lines.add("after.example CNAME .");
    Recorder r = parse(lines.toArray(new String[0]));
    assertEquals("2: '(' not closed within 65536 characters", r.invalid.get(0));
    assertEquals(block("after.example", Rule.Scope.EXACT, BlockAction.NXDOMAIN, 404),
        r.rules.get(r.rules.size() - 1), "parsing resumes after the broken record");
  }

  @Test
  void checksTtlAndIpv6Syntax() {
    assertEquals(7200, RpzParser.ttl("2h"));
    assertEquals(694861, RpzParser.ttl("1W1d1H1m1s"));
    assertEquals(3600, RpzParser.ttl("3600"));
    assertEquals(-1, RpzParser.ttl("1h30"));
    assertEquals(-1, RpzParser.ttl("h"));
    assertEquals(-1, RpzParser.ttl("2147483648"));
    for (String ok : List.of("::", "::1", "2001:db8::", "1:2:3:4:5:6:7:8", "fe80::1:2",
        "::ffff:10.0.0.1", "1::2:3:4:5:6:7")) {
      assertTrue(RpzParser.isIpv6Literal(ok), ok);
    }
    for (String bad : List.of(":", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "12345::", "::1:", ":1::", "fe80::1%eth0", "1.2.3.4", "::1.2.3", "1:2:3:4:5:6:7::8",
        "g::1", "::1.2.3.4:5")) {
      assertFalse(RpzParser.isIpv6Literal(bad), bad);
    }
  }

  @Test
  void survivesRandomInput() throws IOException {
    Random rnd = new Random(42);
    String alphabet = "abcxyz019.*-_@$;()\"\\ \t\u00e9\u0000\u3002ACINSOTXRPZ:/%";
    String[] words = {"$ORIGIN", "$TTL", "$INCLUDE", "IN", "CH", "CNAME", "A", "AAAA", "TXT",
        "SOA", "NS", "MX", "SRV", "PTR", ".", "*.", "rpz-passthru.", "rpz-drop.", "@", "(", ")",
        "rpz-ip", "3600", "192.0.2.1", "::1", "x.example", "*.y.example", ";", "\""};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      StringBuilder sb = new StringBuilder();
      int n = rnd.nextInt(60);
      for (int j = 0; j < n; j++) {
        sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      lines.add(sb.toString());
      sb.setLength(0);
      if (rnd.nextBoolean()) {
        sb.append(' ');
      }
      for (int j = rnd.nextInt(8); j >= 0; j--) {
        sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(4) == 0 ? "" : " ");
      }
      lines.add(sb.toString());
    }
    Path text = write("random.rpz", lines.toArray(new String[0]));
    byte[] bytes = new byte[64 * 1024];
    rnd.nextBytes(bytes);
    Path binary = dir.resolve("binary.rpz");
    Files.write(binary, bytes);

    for (Path f : List.of(text, binary)) {
      CompiledList.Builder builder = CompiledList.builder("fuzz");
      ParseTally tally = new ParseTally(builder, false);
      List<Rule> seen = new ArrayList<>();
      RuleSink checking = new RuleSink() {
        @Override
        public void rule(Rule rule) {
          assertEquals(rule.name(), DomainNames.normalize(rule.name()), "normalized names only");
          seen.add(rule);
          tally.rule(rule);
        }

        @Override
        public void url(String host, String key, int line) {
          throw new AssertionError("no URLs in RPZ");
        }

        @Override
        public void invalid(String file, int line, String reason, String t) {
          assertFalse(reason.startsWith("unreadable record"), reason + " at line " + line);
          tally.invalid(file, line, reason, t);
        }

        @Override
        public void unsupported(String file, int line, String t) {
          tally.unsupported(file, line, t);
        }
      };
      parse(f, checking);
      builder.build();
      assertTrue(tally.invalid() > 0, "problems are reported for " + f);
      assertEquals(seen.size(), tally.accepted());
    }

    // Straight into parseLine as well, including characters a line reader never returns.
    RpzParser p = new RpzParser();
    Recorder r = new Recorder();
    for (int i = 0; i < 2000; i++) {
      char[] cs = new char[rnd.nextInt(40)];
      for (int j = 0; j < cs.length; j++) {
        cs[j] = rnd.nextInt(3) == 0 ? (char) rnd.nextInt(0x3000)
            : alphabet.charAt(rnd.nextInt(alphabet.length()));
      }
      p.parseLine("direct", i + 1, new String(cs), r);
    }
    assertFalse(r.invalid.isEmpty());
    assertTrue(r.invalid.stream().noneMatch(s -> s.contains("unreadable record")), r.invalid
        .stream().filter(s -> s.contains("unreadable record")).findFirst().orElse(""));
  }
}
