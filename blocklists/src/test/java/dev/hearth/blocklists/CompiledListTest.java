package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompiledListTest {
  @Test
  void blocksNameAndSubtreeOnlyOnLabelBoundaries() {
    CompiledList l = CompiledList.build("ads", List.of(Rule.block("ads.example.com")));
    assertTrue(l.match("ads.example.com").isBlock());
    assertTrue(l.match("x.ads.example.com").isBlock());
    assertTrue(l.match("a.b.c.ADS.example.com.").isBlock());
    assertSame(Verdict.NONE, l.match("example.com"));
    assertSame(Verdict.NONE, l.match("badads.example.com"));
    assertSame(Verdict.NONE, l.match("ads.example.com.evil"));
    assertSame(Verdict.NONE, l.match("com"));
  }

  @Test
  void verdictNamesListAndMatchedSuffix() {
    CompiledList l = CompiledList.build("my-list", List.of(Rule.block("example.com"),
        Rule.block("www.example.com")));
    Verdict v = l.match("a.www.example.com");
    assertEquals(Verdict.Action.BLOCK, v.action());
    assertEquals("my-list", v.listName());
    assertEquals("www.example.com", v.matchedName(), "most specific suffix");
    assertEquals("example.com", l.match("mail.example.com").matchedName());
  }

  @Test
  void allowBeatsBlockForNameAndSubtree() {
    CompiledList l = CompiledList.build("l", List.of(Rule.block("example.com"),
        Rule.allow("good.example.com"), Rule.block("bad.good.example.com")));
    assertTrue(l.match("example.com").isBlock());
    assertTrue(l.match("other.example.com").isBlock());
    Verdict v = l.match("good.example.com");
    assertTrue(v.isAllow());
    assertEquals("good.example.com", v.matchedName());
    assertTrue(l.match("x.good.example.com").isAllow());
    assertTrue(l.match("bad.good.example.com").isAllow(), "allow on any suffix wins");
    assertEquals(2, l.blockCount());
    assertEquals(1, l.allowCount());
  }

  @Test
  void matchesWireFormatAndFoldsCase() {
    CompiledList l = CompiledList.build("l", List.of(Rule.block("example.com")));
    byte[] wire = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
    Verdict v = l.match(wire);
    assertTrue(v.isBlock());
    wire[5] = 'X'; // the caller reuses its buffer: the verdict kept its own copy
    assertEquals("example.com", v.matchedName());
    assertTrue(l.match(new byte[] {7, 'E', 'X', 'A', 'M', 'P', 'L', 'E', 3, 'C', 'O', 'M', 0})
        .isBlock());
    assertSame(Verdict.NONE, l.match(new byte[] {0}));
    assertThrows(IllegalArgumentException.class, () -> l.match(new byte[] {3, 'w', 'w'}));
    assertThrows(IllegalArgumentException.class,
        () -> l.match(new byte[] {(byte) 0xC0, 12}));
  }

  @Test
  void duplicatesAndEmptyLists() {
    CompiledList l = CompiledList.build("l", List.of(Rule.block("a.example"),
        Rule.block("a.example"), Rule.block("b.example")));
    assertEquals(2, l.blockCount());
    CompiledList empty = CompiledList.build("e", List.of());
    assertSame(Verdict.NONE, empty.match("a.example"));
    assertEquals(0, empty.tableBytes());
  }

  @Test
  void exactRule_blocksTheNameButNotItsSubdomains_andAllowStillWins() {
    CompiledList list = CompiledList.build("exact", java.util.List.of(
        Rule.exactBlock("tracker.example"), Rule.allow("ok.example")));
    org.junit.jupiter.api.Assertions.assertTrue(list.match("tracker.example").isBlock());
    org.junit.jupiter.api.Assertions.assertTrue(list.match("www.tracker.example").isNone());
    org.junit.jupiter.api.Assertions.assertTrue(list.match("example").isNone());
    CompiledList both = CompiledList.build("both", java.util.List.of(
        Rule.exactBlock("ok.example"), Rule.allow("ok.example")));
    org.junit.jupiter.api.Assertions.assertTrue(both.match("ok.example").isAllow());
    org.junit.jupiter.api.Assertions.assertEquals(1, list.exactCount());
  }

  @Test
  void decide_allowOnAnyListWins_elseTheFirstBlockingList() {
    CompiledList first = CompiledList.build("first", java.util.List.of(Rule.block("example")));
    CompiledList second = CompiledList.build("second", java.util.List.of(Rule.block("ads.example")));
    CompiledList exceptions = CompiledList.build("ok", java.util.List.of(Rule.allow("ok.ads.example")));
    java.util.List<CompiledList> lists = java.util.List.of(first, second, exceptions);
    Verdict v = CompiledList.decide(lists, DomainNames.toWire("x.ads.example"));
    org.junit.jupiter.api.Assertions.assertEquals("first", v.listName());
    org.junit.jupiter.api.Assertions.assertTrue(
        CompiledList.decide(lists, DomainNames.toWire("ok.ads.example")).isAllow());
    org.junit.jupiter.api.Assertions.assertTrue(
        CompiledList.decide(lists, DomainNames.toWire("other.test")).isNone());
  }

  @Test
  void importantBlockBeatsException_importantExceptionBeatsEverything() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("adblock", ".txt");
    java.nio.file.Files.writeString(f, "||tracker.example^$important\n@@||x.tracker.example^\n"
        + "||ads.example^\n@@||ok.ads.example^\n"
        + "||cdn.example^$important\n@@||img.cdn.example^$important\n");
    CompiledList l = ListLoader.load(f, Format.AUTO, 0.5).list();
    assertTrue(l.match("x.tracker.example").isBlock(), "important block beats the exception");
    Verdict v = l.match("a.x.tracker.example");
    assertEquals("tracker.example", v.matchedName());
    assertTrue(l.match("ok.ads.example").isAllow(), "ordinary rules as before");
    assertTrue(l.match("ads.example").isBlock());
    assertTrue(l.match("img.cdn.example").isAllow(), "important exception beats important block");
    assertTrue(l.match("www.cdn.example").isBlock());
    assertSame(Verdict.NONE, l.match("example"));
    java.nio.file.Files.delete(f);
  }

  @Test
  void anImportantRuleAfterAnOrdinaryOneReportsItsOwnLine() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("adblock", ".txt");
    java.nio.file.Files.writeString(f, "||ads.example^\n@@||ok.ads.example^\n"
        + "||ads.example^$important\n"
        + "||cdn.example^$important\n||cdn.example^\n"
        + "@@||img.cdn.example^\n||img.cdn.example^$important\n@@||img.cdn.example^$important\n");
    CompiledList l = ListLoader.load(f, Format.AUTO, 0.5).list();
    Verdict v = l.match("ok.ads.example");
    assertTrue(v.isBlock(), "the important block beats the exception");
    assertEquals(3, v.line(), "the important rule decided, so its line is reported");
    assertEquals(3, l.match("ads.example").line());
    assertEquals(4, l.match("www.cdn.example").line(), "an ordinary rule after it changes nothing");
    Verdict allowed = l.match("img.cdn.example");
    assertTrue(allowed.isAllow());
    assertEquals(8, allowed.line(), "the important exception, not the ordinary one on line 6");
    java.nio.file.Files.delete(f);
  }

  /** Large lists are inserted region by region of the table; order-dependent rules must hold. */
  @Test
  void aLargeListKeepsEveryEntryAndTheFirstRuleOfEachNameWins() {
    CompiledList.Builder b = CompiledList.builder("large");
    int n = 70_000;
    b.add(Rule.block("dup.example").atLine(1));
    b.add(Rule.allow("ok.dup.example").atLine(2));
    for (int i = 0; i < n; i++) {
      b.add(Rule.block("n" + i + ".example").atLine(10 + i));
    }
    b.add(Rule.exactBlock("dup.example").atLine(n + 10));
    b.add(Rule.allow("ok.dup.example").atLine(n + 11));
    b.add(Rule.block("n7.example").atLine(n + 12));
    CompiledList l = b.build();
    assertEquals(n + 2, l.size());
    for (int i = 0; i < n; i += 1 + i % 7) {
      Verdict v = l.match("www.n" + i + ".example");
      assertTrue(v.isBlock(), "n" + i);
      assertEquals(i == 7 ? 17 : 10 + i, v.line(), "n" + i);
    }
    assertEquals(1, l.match("dup.example").line(), "the first of two rules for one name");
    assertTrue(l.match("a.dup.example").isBlock(), "its subtree scope is kept");
    assertEquals(2, l.match("ok.dup.example").line());
    assertTrue(l.match("ok.dup.example").isAllow());
    assertSame(Verdict.NONE, l.match("n70000.example"));
  }

  @Test
  void rpzMostSpecificTriggerWins() throws Exception {
    java.nio.file.Path f = java.nio.file.Files.createTempFile("zone", ".rpz");
    java.nio.file.Files.writeString(f, "$TTL 60\n@ SOA localhost. root.localhost. 1 1 1 1 1\n"
        + "*.example CNAME rpz-passthru.\nbad.example CNAME .\n");
    CompiledList l = ListLoader.load(f, Format.AUTO, 0.5).list();
    assertTrue(l.match("bad.example").isBlock(), "exact trigger beats the wildcard passthru");
    assertTrue(l.match("good.example").isAllow());
    assertSame(Verdict.NONE, l.match("example"), "*.example does not cover example itself");
    java.nio.file.Files.delete(f);
  }
}
