package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.Rule;
import dev.hearth.blocklists.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {
  static byte[] wire(String name) {
    return DomainNames.toWire(name);
  }

  /** The cache's verdict is the list's: the same action on the same matched name. */
  static void assertAgrees(Verdict want, Verdict got, String name) {
    assertEquals(want.action(), got.action(), name);
    assertEquals(want.matchedName(), got.matchedName(), name);
  }

  @Test
  void cachedVerdictsMatchTheLists_whateverTheCaseOfTheQuery() {
    VerdictCache c = new VerdictCache(List.of(CompiledList.build("ads",
        List.of(Rule.block("ads.example"), Rule.allow("ok.ads.example")))), 100);
    for (int i = 0; i < 3; i++) {
      assertTrue(c.decide(wire("x.ads.example")).isBlock());
      assertTrue(c.decide(new byte[] {1, 'X', 3, 'A', 'D', 'S', 7, 'e', 'x', 'a', 'm', 'p', 'l',
          'e', 0}).isBlock());
      assertTrue(c.decide(wire("ok.ads.example")).isAllow());
      assertSame(Verdict.NONE, c.decide(wire("example")));
    }
  }

  @Test
  void aCollidingNameCannotPlantItsVerdictForAListedName() {
    VerdictCache c = onlyListing("bad.example");
    byte[] listed = wire("bad.example");
    // As if another name with the same 64-bit key had been asked first and found unlisted.
    c.plant(VerdictCache.keyOf(listed), wire("innocent.example"), dev.hearth.blocklists.Matches.NONE);
    Verdict v = c.decide(listed);
    assertTrue(v.isBlock(), "the planted entry is for another name and is not used");
    assertEquals("bad.example", v.matchedName());
  }

  @Test
  void bothTiersAgreeWithTheLists_whenManyMoreNamesThanSlotsCompete() {
    List<Rule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rules.add(Rule.block("blocked" + i + ".example"));
    }
    rules.add(Rule.allow("ok.blocked7.example"));
    CompiledList list = CompiledList.build("mixed", rules);
    // 64 entries: a 64-slot hot array and a 64-entry Caffeine cache, for 2,000 distinct names.
    VerdictCache c = new VerdictCache(List.of(list), 64);
    java.util.Random rnd = new java.util.Random(11);
    int blocks = 0;
    for (int i = 0; i < 50_000; i++) {
      int n = rnd.nextInt(10) < 7 ? rnd.nextInt(40) : rnd.nextInt(2000); // a hot set and a tail
      String name = switch (n % 4) {
        case 0 -> "www.blocked" + (n / 4) + ".example";
        case 1 -> "host" + n + ".example";
        case 2 -> "ok.blocked7.example";
        default -> "WWW.Blocked" + (n / 4) + ".Example";
      };
      Verdict got = c.decide(wire(name));
      assertAgrees(list.match(wire(name)), got, name);
      blocks += got.isBlock() ? 1 : 0;
    }
    assertTrue(blocks > 10_000, "the mix exercised blocked names: " + blocks);
  }

  @Test
  void aCollidingNamePlantedInTheHotTierIsNotUsedEither() {
    VerdictCache c = onlyListing("bad.example");
    byte[] listed = wire("bad.example");
    for (int i = 0; i < 8; i++) { // fill every way of the set with impostors
      c.plant(VerdictCache.keyOf(listed), wire("innocent" + i + ".example"),
          dev.hearth.blocklists.Matches.NONE);
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(c.decide(listed).isBlock());
    }
  }

  /**
   * Names from 1 to about 130 bytes, and names that differ from them only in their last byte, in
   * case or by one more label, each get their own verdict, also when the wire array has bytes
   * after the name.
   */
  @Test
  void namesOfEveryLength_getTheirOwnVerdict_inAnyCase_andWithBytesAfterTheName() {
    java.util.Random rnd = new java.util.Random(5);
    List<String> names = new java.util.ArrayList<>();
    for (int len = 1; len <= 120; len++) {
      StringBuilder sb = new StringBuilder();
      while (sb.length() < len) {
        int label = 1 + rnd.nextInt(Math.min(20, len - sb.length()));
        if (sb.length() > 0) {
          sb.append('.');
        }
        for (int i = 0; i < label && sb.length() < len; i++) {
          sb.append((char) ('a' + rnd.nextInt(26)));
        }
      }
      String n = sb.toString().replaceAll("\\.$", "") + ".example";
      names.add(n);
      // Differs only in its last byte.
      names.add(n.substring(0, n.length() - "example".length()) + "exampla");
      names.add("x." + n);
    }
    List<Rule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < names.size(); i += 2) {
      rules.add(Rule.block(names.get(i)));
    }
    CompiledList list = CompiledList.build("lengths", rules);
    VerdictCache c = new VerdictCache(List.of(list), 1024);
    int blocked = 0;
    for (int round = 0; round < 3; round++) {
      for (String name : names) {
        byte[] w = wire(name);
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        byte[] padded = java.util.Arrays.copyOf(wire(round == 1 ? upper : name), w.length + 9);
        java.util.Arrays.fill(padded, w.length, padded.length, (byte) 'Q');
        Verdict want = list.match(w);
        for (byte[] q : new byte[][] {w, wire(upper), padded}) {
          assertAgrees(want, c.decide(q), name);
        }
        blocked += want.isBlock() ? 1 : 0;
      }
    }
    assertTrue(blocked > 300, "blocked and unlisted names both ran: " + blocked);
  }

  /**
   * Impostors under a listed name's key that share all but its last byte, or that are one label
   * longer or shorter, are not taken for it; the same name in another case is.
   */
  @Test
  void aCollidingLongNameThatDiffersOnlyAtItsEndOrInLength_isNotUsed() {
    String listed = "a-rather-long-first-label.sub.blocked.example";
    byte[] w = wire(listed);
    long key = VerdictCache.keyOf(w);
    VerdictCache c = onlyListing(listed);
    for (String impostor : List.of(listed.replaceAll("e$", "a"), listed + ".org",
        listed.replaceAll("\\.example$", ""))) {
      c.plant(key, wire(impostor), dev.hearth.blocklists.Matches.NONE);
    }
    for (int i = 0; i < 3; i++) {
      assertTrue(c.decide(w).isBlock(), "an impostor was used");
    }
    c.plant(key, wire(listed.toUpperCase(java.util.Locale.ROOT)),
        dev.hearth.blocklists.Matches.NONE);
    assertTrue(c.decide(w).isNone(), "an entry for the same name in another case is a hit");
  }

  /** A cache in front of one list that blocks {@code listed} alone. */
  private static VerdictCache onlyListing(String listed) {
    return new VerdictCache(List.of(CompiledList.build("iwf", List.of(Rule.block(listed)))), 100);
  }

  /**
   * For every byte of {@code listed}'s wire form that {@code swap} changes (it returns -1 to leave
   * a byte alone), plants the impostor with that byte changed under the listed name's key, and
   * the listed name's entry under the impostor's key: neither is taken for the other. Returns how
   * many impostors were tried.
   */
  private static int assertNoImpostorIsUsed(String listed,
      java.util.function.IntUnaryOperator swap) {
    byte[] w = wire(listed);
    long key = VerdictCache.keyOf(w);
    VerdictCache c = onlyListing(listed);
    int tried = 0;
    for (int i = 0; i < w.length; i++) {
      int b = swap.applyAsInt(w[i]);
      if (b < 0) {
        continue;
      }
      byte[] other = w.clone();
      other[i] = (byte) b;
      c.plant(key, other, dev.hearth.blocklists.Matches.NONE);
      assertTrue(c.decide(w).isBlock(), listed + ": impostor differing at byte " + i + " used");
      // And the other way: the impostor asks, and finds the listed name's entry under its key.
      c.plant(VerdictCache.keyOf(other), w, c.matches(w));
      assertTrue(c.decide(other).isNone(), listed + ": listed entry used for byte " + i);
      tried++;
    }
    c.plant(key, new byte[] {0}, dev.hearth.blocklists.Matches.NONE); // the root name
    assertTrue(c.decide(w).isBlock(), listed + ": an entry for the root was used");
    return tried;
  }

  /**
   * An impostor planted under a listed name's key that differs from it in any single letter (the
   * name is held as words in the entry, so every word and every byte within a word must count) is
   * never taken for it, for names that fit the entry and names longer than that.
   */
  @Test
  void anImpostorDifferingInAnySingleLetter_isNotUsed() {
    for (String listed : List.of("abcdefg.hijklmnopq.rstuvwxyz.blocked.example",
        "ab.c.blocked.example", "a-name-that-is-longer-than-an-entry-holds.blocked.example",
        "a", "abcde", "ab.cd")) {
      int impostors = assertNoImpostorIsUsed(listed,
          b -> b < 'a' || b > 'z' ? -1 : b == 'z' ? 'a' : b + 1); // not length bytes or the end
      assertTrue(impostors >= listed.replace(".", "").replace("-", "").length(), listed);
    }
  }

  /**
   * Upper case folds only ASCII letters: a byte that differs from the listed name's {@code -} by
   * the case bit alone (0x0d) is another name, within the entry's words and past them.
   */
  @Test
  void anImpostorDifferingFromAHyphenByTheCaseBit_isNotUsed() {
    int tried = assertNoImpostorIsUsed(
        "a-b.c-d.blocked.example-with-a-long-label-past-48-bytes.example",
        b -> b == '-' ? 0x0d : -1);
    assertTrue(tried >= 4, "hyphens before and after byte 48: " + tried);
  }

  /**
   * Short names (under eight bytes, read byte by byte) hit in any case, and an array that holds a
   * name followed by zero bytes gets the name's verdict without filling the hot array with
   * copies of it.
   */
  @Test
  void shortNamesInAnyCase_andNamesFollowedByZeroBytes_areCachedOnce() {
    CompiledList list = CompiledList.build("short",
        List.of(Rule.block("ab"), Rule.block("x.y"), Rule.block("bad.example")));
    VerdictCache c = new VerdictCache(List.of(list), 100);
    for (String name : List.of("ab", "AB", "x.y", "X.Y", "ac", "x.z", "bad.example")) {
      byte[] w = wire(name);
      Verdict want = list.match(w);
      byte[] zeros = java.util.Arrays.copyOf(w, w.length + 3);
      for (int i = 0; i < 5; i++) {
        assertAgrees(want, c.decide(w), name);
        assertAgrees(want, c.decide(zeros), name + " followed by zero bytes");
      }
      assertTrue(c.hotCopies(zeros) <= 2,
          name + ": the exact and the padded array each take one slot at most, got "
              + c.hotCopies(zeros));
    }
    assertSame(c.decide(wire("ab")), c.decide(wire("AB")), "the same name in another case hits");
  }
}
