package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A name can carry several rules (RPZ {@code name} and {@code *.name}, AdBlock {@code |x^} and
 * {@code ||x^}, a block and its exception): each verdict names the line of the rule that decided
 * it, not the name's first rule.
 */
class RuleLocationTest {
  @TempDir Path dir;

  private CompiledList load(Format format, String file, String... lines)
      throws IOException, ListRejectedException {
    Path f = dir.resolve(file);
    Files.write(f, List.of(lines), StandardCharsets.UTF_8);
    return ListLoader.load(f, format, 0.5).list();
  }

  private static void assertLine(CompiledList list, String name, Verdict.Action action, int line) {
    Verdict v = list.match(name);
    assertEquals(action, v.action(), name + ": " + v);
    assertEquals(line, v.line(), name + ": " + v);
    assertTrue(v.describe().contains("rule line " + line), v.describe());
  }

  static final String[] ZONE = {
    "$TTL 300",                                        // 1
    "$ORIGIN rpz.example.",                            // 2
    "@ SOA ns.example. admin.example. 1 1 1 1 1",      // 3
    "bad.example       CNAME .",                       // 4
    "*.bad.example     CNAME *.",                      // 5
    "*.sub.example     CNAME .",                       // 6
    "sub.example       A 192.0.2.1",                   // 7
    "ok.example        CNAME rpz-passthru.",           // 8
    "*.ok.example      CNAME rpz-passthru.",           // 9
    "two.example       CNAME .",                       // 10
    "two.example       CNAME *.   ; second: ignored",  // 11
  };

  @Test
  void rpzNameAndWildcardEachReportTheirOwnLine() throws Exception {
    CompiledList rpz = load(Format.RPZ, "policy.rpz", ZONE);
    assertLine(rpz, "bad.example", Verdict.Action.BLOCK, 4);
    assertLine(rpz, "www.bad.example", Verdict.Action.BLOCK, 5);
    assertEquals(BlockAction.NODATA, rpz.match("www.bad.example").blockAction());
    assertLine(rpz, "a.b.bad.example", Verdict.Action.BLOCK, 5);
    // Wildcard first, then the exact trigger.
    assertLine(rpz, "x.sub.example", Verdict.Action.BLOCK, 6);
    assertLine(rpz, "sub.example", Verdict.Action.BLOCK, 7);
    assertEquals(List.of("A 192.0.2.1"), rpz.match("sub.example").localData());
    assertLine(rpz, "ok.example", Verdict.Action.ALLOW, 8);
    assertLine(rpz, "www.ok.example", Verdict.Action.ALLOW, 9);
    // Two triggers for the same scope: the first decides, answer and line alike.
    assertLine(rpz, "two.example", Verdict.Action.BLOCK, 10);
    assertEquals(BlockAction.NXDOMAIN, rpz.match("two.example").blockAction());
  }

  @Test
  void adblockExactAndSubtreeRulesEachReportTheirOwnLine() throws Exception {
    CompiledList ab = load(Format.ADBLOCK, "filters.txt",
        "! title",                     // 1
        "|exact.example^",             // 2
        "||exact.example^",            // 3
        "||ads.example^",              // 4
        "@@||ads.example^",            // 5
        "||tracker.example^",          // 6
        "@@||www.tracker.example^");   // 7
    assertLine(ab, "exact.example", Verdict.Action.BLOCK, 2);
    assertLine(ab, "www.exact.example", Verdict.Action.BLOCK, 3);
    assertLine(ab, "ads.example", Verdict.Action.ALLOW, 5);
    assertLine(ab, "x.ads.example", Verdict.Action.ALLOW, 5);
    assertLine(ab, "tracker.example", Verdict.Action.BLOCK, 6);
    assertLine(ab, "a.www.tracker.example", Verdict.Action.ALLOW, 7);
  }

  @Test
  void locationsSurviveTheSavedVersionAndDoNotCountAsChanges() throws Exception {
    CompiledList rpz = load(Format.RPZ, "policy.rpz", ZONE);
    Path saved = dir.resolve("policy.hl");
    ListStore.write(rpz, saved);
    CompiledList back = ListStore.read(saved, NameHasher.PLAIN, null);
    assertLine(back, "bad.example", Verdict.Action.BLOCK, 4);
    assertLine(back, "www.bad.example", Verdict.Action.BLOCK, 5);
    assertLine(back, "www.ok.example", Verdict.Action.ALLOW, 9);
    assertTrue(back.sameEntries(rpz));

    // The same rules without lines (as a list saved before locations were kept per rule):
    // where a rule is written does not make it a different entry.
    CompiledList plain = CompiledList.builder("policy.rpz").mostSpecificWins(true)
        .add(new Rule("bad.example", Rule.Scope.EXACT, false, BlockAction.NXDOMAIN, null, 0))
        .add(new Rule("bad.example", Rule.Scope.BELOW, false, BlockAction.NODATA, null, 0))
        .add(new Rule("sub.example", Rule.Scope.BELOW, false, BlockAction.NXDOMAIN, null, 0))
        .add(new Rule("sub.example", Rule.Scope.EXACT, false, BlockAction.LOCAL_DATA,
            "A 192.0.2.1", 0))
        .add(new Rule("ok.example", Rule.Scope.SUBTREE, true, BlockAction.NXDOMAIN, null, 0))
        .add(new Rule("two.example", Rule.Scope.EXACT, false, BlockAction.NXDOMAIN, null, 0))
        .build();
    assertEquals(0, rpz.addedSince(plain));
    assertEquals(0, plain.addedSince(rpz));
  }

  /**
   * {@code stored-v5/domains.hbl} is {@code a.example} and {@code b.example} (the file next to
   * it) saved in the format before per-role rule locations ("HRTHLST5"): the format-7 writer of
   * commit 1c6638e with the trailing role-location count cut off.
   */
  @Test
  void readsAListSavedInTheFormatBeforeRoleLocations() throws Exception {
    Path saved = dir.resolve("domains.hbl");
    try (var in = RuleLocationTest.class.getResourceAsStream("stored-v5/domains.hbl")) {
      Files.copy(in, saved);
    }
    CompiledList l = load(Format.DOMAINS, "domains.txt", "a.example", "b.example");
    CompiledList back = ListStore.read(saved, NameHasher.PLAIN, null);
    assertTrue(back.sameEntries(l));
    assertLine(back, "www.b.example", Verdict.Action.BLOCK, 2);
  }
}
