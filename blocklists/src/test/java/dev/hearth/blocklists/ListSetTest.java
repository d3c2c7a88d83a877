package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The shared index must never change a verdict: ListSet.decide equals CompiledList.decide. */
class ListSetTest {
  private static final String[] LABELS = {"a", "b", "c", "ab", "x-y", "1"};
  private static final NameHasher KEYED = NameHasher.keyed(new byte[32]);

  static String name(Random r) {
    int n = 1 + r.nextInt(4);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ".").append(LABELS[r.nextInt(LABELS.length)]);
    }
    return sb.toString();
  }

  static List<CompiledList> lists(Random r) {
    // Every third set has one list far bigger than the others (a community list next to a few
    // small ones), which is probed directly instead of indexed.
    int n = ListSet.INDEX_FROM + 1 + r.nextInt(8);
    int big = r.nextInt(3) == 0 ? r.nextInt(n) : -1;
    List<CompiledList> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      boolean locked = kind == 0;
      boolean override = kind == 1;
      ListInfo info = new ListInfo("l" + i, "c" + i, locked, override, "", List.of());
      CompiledList.Builder b = CompiledList.builder(info, locked ? KEYED : NameHasher.PLAIN);
      int entries = i == big ? 200 + r.nextInt(100) : r.nextInt(10);
      for (int e = 0; e < entries; e++) {
        String nm = name(r);
        int what = r.nextInt(10);
        if (what < 5) {
          b.add(Rule.block(nm).atLine(e + 1));
        } else if (what < 7) {
          b.add(Rule.allow(nm).atLine(e + 1));
        } else if (what < 8) {
          b.add(Rule.exactBlock(nm).atLine(e + 1));
        } else if (what < 9) {
          b.add(Rule.block(nm).withScope(Rule.Scope.BELOW).atLine(e + 1));
        } else {
          b.addUrl(nm, nm + "/p" + e, e + 1);
        }
      }
      out.add(b.build());
    }
    return out;
  }

  @Test
  void indexGivesExactlyTheVerdictsOfProbingEveryList() {
    int hits = 0;
    int indexed = 0;
    int withLargeLists = 0;
    for (int seed = 0; seed < 1500; seed++) {
      Random r = new Random(seed);
      List<CompiledList> lists = lists(r);
      ListSet set = ListSet.of(lists);
      indexed += set.indexBytes() > 0 ? 1 : 0;
      long keyed = lists.stream().filter(l -> l.hasher() != NameHasher.PLAIN).count();
      withLargeLists += set.indexBytes() > 0 && set.directLists() > keyed ? 1 : 0;
      for (int q = 0; q < 30; q++) {
        String nm = name(r) + (r.nextBoolean() ? "" : "." + name(r));
        byte[] wire = DomainNames.toWire(nm);
        Verdict want = CompiledList.decide(lists, wire);
        Verdict got = set.decide(wire);
        String where = "seed " + seed + " name " + nm;
        assertEquals(want.action(), got.action(), where);
        assertEquals(want.listName(), got.listName(), where);
        assertEquals(want.matchedName(), got.matchedName(), where);
        assertEquals(want.line(), got.line(), where);
        hits += want.isNone() ? 0 : 1;
      }
    }
    assertTrue(hits > 10_000, "enough verdicts that are not NONE: " + hits);
    assertTrue(indexed > 1000, "sets with an index: " + indexed);
    assertTrue(withLargeLists > 200, "indexed sets with a large list probed directly: "
        + withLargeLists);
  }

  @Test
  void aListWithMostOfTheNames_staysOutOfTheIndex() {
    List<CompiledList> lists = new ArrayList<>();
    List<Rule> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(Rule.block("n" + i + ".big.example").atLine(i + 1));
    }
    lists.add(CompiledList.build("big", many));
    for (int i = 0; i < ListSet.INDEX_FROM; i++) {
      lists.add(CompiledList.build("small" + i, List.of(Rule.block("s" + i + ".example"),
          Rule.allow("ok.n" + i + ".big.example"))));
    }
    ListSet set = ListSet.of(lists);
    assertEquals(1, set.directLists());
    assertTrue(set.indexBytes() > 0 && set.indexBytes() < 9 * 64, "index of the small lists"
        + " only: " + set.indexBytes() + " bytes");
    assertEquals("big", set.decide(DomainNames.toWire("n5.big.example")).listName());
    assertTrue(set.decide(DomainNames.toWire("s2.example")).isBlock());
    Verdict allowed = set.decide(DomainNames.toWire("ok.n1.big.example"));
    assertTrue(allowed.isAllow(), "a small list's exception beats the big list's block");
    assertEquals("small1", allowed.listName());
  }

  @Test
  void fewListsNeedNoIndex() {
    List<CompiledList> two = List.of(CompiledList.build("a", List.of(Rule.block("x.example"))),
        CompiledList.build("b", List.of(Rule.allow("ok.x.example"))));
    ListSet set = ListSet.of(two);
    assertEquals(0, set.indexBytes());
    assertTrue(set.decide(DomainNames.toWire("a.x.example")).isBlock());
    assertTrue(set.decide(DomainNames.toWire("ok.x.example")).isAllow());
  }
}
