package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParsersTest {
  @TempDir Path dir;

  /** Rules without their line numbers (compared separately in {@link #rulesRememberTheirLine}). */
  record Parsed(List<Rule> rules, List<Integer> lines, ParseTally tally, Path file) {
    List<String> problems() {
      List<String> out = new ArrayList<>();
      for (ListProblem p : tally.problems()) {
        out.add(p.file() + ":" + p.line() + ":" + p.text());
      }
      return out;
    }
  }

  private Parsed parse(Format format, String name, String... lines) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    List<Rule> rules = new ArrayList<>();
    List<Integer> lineNos = new ArrayList<>();
    ParseTally tally = new ParseTally(r -> {
      rules.add(r.atLine(0));
      lineNos.add(r.line());
    });
    try (BufferedReader in = Files.newBufferedReader(f)) {
      ListParser.forFormat(format).parse(f.toString(), in, tally);
    }
    return new Parsed(rules, lineNos, tally, f);
  }

  private static List<Rule> blocks(String... names) {
    List<Rule> out = new ArrayList<>();
    for (String n : names) {
      out.add(Rule.block(n));
    }
    return out;
  }

  @Test
  void domainsFormat() throws IOException {
    Parsed p = parse(Format.DOMAINS, "domains.txt",
        "\uFEFF# a comment",
        "! another comment",
        "",
        "Ads.Example.com",
        "tracker.example.net.   # inline comment",
        "*.wild.example",
        "bücher.example",
        "bad..name",
        "0.0.0.0 hosts.style",
        "10.1.2.3",
        "\tspaced.example\t");
    List<Rule> want = blocks("ads.example.com", "tracker.example.net", "wild.example",
        "xn--bcher-kva.example", "spaced.example");
    want.set(2, Rule.block("wild.example").withScope(Rule.Scope.BELOW)); // subdomains only
    assertEquals(want, p.rules());
    assertEquals(List.of(4, 5, 6, 7, 11), p.lines(), "each rule remembers its line");
    assertEquals(3, p.tally().invalid());
    assertEquals(List.of(p.file() + ":8:bad..name", p.file() + ":9:0.0.0.0 hosts.style",
        p.file() + ":10:10.1.2.3"), p.problems());
    assertEquals("empty label", p.tally().problems().get(0).reason());
  }

  @Test
  void hostsFormat() throws IOException {
    Parsed p = parse(Format.HOSTS, "hosts",
        "# StevenBlack-style header",
        "127.0.0.1 localhost",
        "127.0.0.1 localhost.localdomain",
        "255.255.255.255 broadcasthost",
        "::1 localhost ip6-localhost ip6-loopback",
        "fe80::1%lo0 localhost",
        "0.0.0.0 0.0.0.0",
        "0.0.0.0 ads.example.com   # inline",
        "0.0.0.0\ta.example b.example  C.Example",
        "127.0.0.1 bücher.example",
        ":: v6.example",
        "example.org",
        "0.0.0.0",
        "0.0.0.0 good.example bad_name!.example");
    assertEquals(blocks("ads.example.com", "a.example", "b.example", "c.example",
        "xn--bcher-kva.example", "v6.example", "good.example"), p.rules());
    assertEquals(3, p.tally().invalid());
    assertEquals(List.of(p.file() + ":12:example.org", p.file() + ":13:0.0.0.0",
        p.file() + ":14:0.0.0.0 good.example bad_name!.example"), p.problems());
  }

  @Test
  void adblockFormat() throws IOException {
    Parsed p = parse(Format.ADBLOCK, "adguard.txt",
        "[Adblock Plus 2.0]",
        "! Title: test",
        "# hash comment",
        "||ads.example.com^",
        "@@||good.ads.example.com^",
        "||important.example^$important",
        "||bücher.example^",
        "plain.example",
        "||x.com/ads",
        "##.banner",
        "example.org##.ad",
        "/ads[0-9]+/",
        "||tp.example^$third-party",
        "|exact.example^",
        "||noanchor.example",
        "||bad..name^",
        "not a rule");
    assertEquals(List.of(Rule.block("ads.example.com"), Rule.allow("good.ads.example.com"),
        Rule.block("important.example").asImportant(), Rule.block("xn--bcher-kva.example"),
        Rule.block("plain.example"), Rule.exactBlock("exact.example")), p.rules());
    assertEquals(6, p.tally().unsupported());
    assertEquals(List.of(p.file() + ":16:||bad..name^", p.file() + ":17:not a rule"),
        p.problems());
  }

  @Test
  void autoDetectsEachFormat() throws IOException {
    Parsed hosts = parse(Format.AUTO, "h", "# c", "127.0.0.1 localhost", "0.0.0.0 a.example");
    assertEquals(blocks("a.example"), hosts.rules());
    Parsed adblock = parse(Format.AUTO, "a", "! c", "a.example", "||b.example^",
        "@@||c.example^");
    assertEquals(List.of(Rule.block("a.example"), Rule.block("b.example"),
        Rule.allow("c.example")), adblock.rules());
    Parsed domains = parse(Format.AUTO, "d", "# c", "a.example", "b.example # note");
    assertEquals(blocks("a.example", "b.example"), domains.rules());
    assertEquals(Format.HOSTS, AutoParser.sniff(List.of("0.0.0.0 a", "0.0.0.0 b", "c")));
    assertEquals(Format.DOMAINS, AutoParser.sniff(List.of("a", "b", "0.0.0.0 c")));
    assertEquals(Format.DOMAINS, AutoParser.sniff(List.of()));
  }

  @Test
  void autoKeepsLineNumbersPastTheSniffedHead() throws IOException {
    String[] lines = new String[250];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = "0.0.0.0 n" + i + ".example";
    }
    lines[199] = "garbage line here";
    Parsed p = parse(Format.AUTO, "big-hosts", lines);
    assertEquals(249, p.rules().size());
    assertEquals(List.of(p.file() + ":200:garbage line here"), p.problems());
  }

  @Test
  void keepsOnlyFirstHundredProblemsButCountsAll() throws IOException {
    String[] lines = new String[150];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = "bad name " + i;
    }
    Parsed p = parse(Format.DOMAINS, "bad", lines);
    assertEquals(150, p.tally().invalid());
    assertEquals(100, p.tally().problems().size());
    assertEquals(100, p.tally().problems().get(99).line());
  }
}
