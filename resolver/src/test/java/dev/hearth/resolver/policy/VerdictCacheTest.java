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
    VerdictCache c = new VerdictCache(List.of(CompiledList.build("iwf",
        List.of(Rule.block("bad.example")))), 100);
    byte[] listed = wire("bad.example");
    // As if another name with the same 64-bit key had been asked first and found unlisted.
    c.plant(CompiledList.nameKey(listed), wire("innocent.example"), Verdict.NONE);
    Verdict v = c.decide(listed);
    assertTrue(v.isBlock(), "the planted entry is for another name and is not used");
    assertEquals("bad.example", v.matchedName());
  }
}
