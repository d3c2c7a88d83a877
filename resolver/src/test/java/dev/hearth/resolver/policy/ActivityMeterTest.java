package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.Subscriber;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Activity counts per household, profile and category: only for households that opted in,
 * never a name, and without allocating for the ones that did not.
 */
class ActivityMeterTest {
  static final Instant NOON = Instant.parse("2026-06-10T12:00:00Z"); // a Wednesday
  static final Instant NIGHT = Instant.parse("2026-06-10T22:00:00Z");

  static CompiledList list(String id, String category, boolean locked, String... names) {
    ListInfo info = new ListInfo(id, category, locked, false, "v1", List.of());
    var b = CompiledList.builder(info, NameHasher.PLAIN);
    for (String n : names) {
      b.add(Rule.block(n));
    }
    return b.build("v1");
  }

  static final List<CompiledList> LISTS = List.of(
      list("adult", "adult", false, "adult.test"),
      list("games", "games", false, "games.test"),
      list("ads", null, false, "ads.test"));

  static Profile kids() {
    Schedule bedtime = new Schedule("bedtime", EnumSet.allOf(DayOfWeek.class),
        LocalTime.of(21, 0), LocalTime.of(7, 0), true, Set.of(), List.of());
    return new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of("own.test"),
        false, null, List.of(bedtime), Map.of());
  }

  static PolicySnapshot policy(boolean houseOneIn, boolean houseTwoIn) {
    Map<String, Profile> profiles = new HashMap<>();
    profiles.put("default", Profile.baselineOnly("default"));
    profiles.put("kids", kids());
    return new PolicySnapshot(profiles, ClientDirectory.builder("default")
        .subscriber(new Subscriber("house-1", "kids", null, Map.of(), houseOneIn))
        .subscriber(new Subscriber("house-2", "kids", null, Map.of(), houseTwoIn))
        .build(), List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
  }

  static ClientIdentity who(String sub) {
    return new ClientIdentity(sub, null, "kids", ClientIdentity.Source.ADDRESS, "");
  }

  final ActivityMeter meter = new ActivityMeter();

  void ask(PolicyEngine e, String sub, String name, Instant at) {
    ClientIdentity c = who(sub);
    PolicyDecision d = e.decide(c, DomainNames.toWire(name), at);
    ActivityMeter.Slot slot = meter.slot(c);
    if (slot != null) {
      slot.count(d);
    }
  }

  Map<String, long[]> totals(String sub) {
    Map<String, long[]> out = new HashMap<>();
    for (var r : meter.read()) {
      if (r.subscriberId().equals(sub)) {
        out.put(r.profileId() + "/" + r.key(), new long[] {r.allowed(), r.blocked()});
      }
    }
    return out;
  }

  @Test
  void anOptedInHousehold_isCountedPerCategory_allowedAndBlocked() {
    PolicySnapshot p = policy(true, false);
    meter.update(p.directory());
    PolicyEngine e = new PolicyEngine(LISTS, p, 100);
    ask(e, "house-1", "adult.test", NOON);
    ask(e, "house-1", "www.adult.test", NOON);
    ask(e, "house-1", "games.test", NOON); // the profile allows games: counted as allowed games
    ask(e, "house-1", "example.test", NOON);
    ask(e, "house-1", "ads.test", NOON); // the operator's uncategorised list
    ask(e, "house-1", "own.test", NOON); // the profile's own block
    ask(e, "house-1", "example.test", NIGHT); // bedtime
    Map<String, long[]> t = totals("house-1");
    assertEquals(List.of(0L, 2L), List.of(t.get("kids/adult")[0], t.get("kids/adult")[1]));
    assertEquals(List.of(1L, 0L), List.of(t.get("kids/games")[0], t.get("kids/games")[1]));
    assertEquals(1L, t.get("kids/(other)")[0]);
    assertEquals(1L, t.get("kids/(operator)")[1]);
    assertEquals(1L, t.get("kids/(own-list)")[1]);
    assertEquals(1L, t.get("kids/(schedule:bedtime)")[1]);
    assertEquals(6, t.size(), t.keySet().toString());
  }

  @Test
  void aHouseholdThatDidNotOptIn_isNotCounted_norAreUnidentifiedClients() {
    PolicySnapshot p = policy(true, false);
    meter.update(p.directory());
    PolicyEngine e = new PolicyEngine(LISTS, p, 100);
    ask(e, "house-2", "adult.test", NOON);
    ask(e, "house-2", "games.test", NOON);
    assertNull(meter.slot(who("house-2")));
    assertNull(meter.slot(new ClientIdentity(null, null, "default",
        ClientIdentity.Source.DEFAULT, "")));
    assertTrue(totals("house-2").isEmpty());
    assertTrue(meter.read().isEmpty(), "house-1 asked nothing yet");
  }

  @Test
  void nobodyOptedIn_countsNothing() {
    PolicySnapshot p = policy(false, false);
    meter.update(p.directory());
    PolicyEngine e = new PolicyEngine(LISTS, p, 100);
    for (String sub : List.of("house-1", "house-2")) {
      ask(e, sub, "adult.test", NOON);
    }
    assertTrue(meter.read().isEmpty());
    assertTrue(!meter.counting("house-1") && !meter.counting("house-2"));
  }

  @Test
  void optingOut_dropsTheCounters_andOptingInAgainStartsANewEpoch() {
    meter.update(policy(true, false).directory());
    PolicyEngine e = new PolicyEngine(LISTS, policy(true, false), 100);
    ask(e, "house-1", "adult.test", NOON);
    long first = meter.read().get(0).epoch();
    meter.update(policy(true, true).directory()); // another change: house-1 keeps its counts
    assertEquals(first, meter.read().get(0).epoch());
    assertEquals(1L, totals("house-1").get("kids/adult")[1]);
    meter.update(policy(false, true).directory());
    assertTrue(totals("house-1").isEmpty(), "opted out: gone");
    meter.update(policy(true, true).directory());
    ask(e, "house-1", "adult.test", NOON);
    assertNotEquals(first, meter.read().get(0).epoch());
    assertEquals(1L, totals("house-1").get("kids/adult")[1], "counted from zero again");
  }

  @Test
  void lockedLegalListsAreNeverNamed() {
    List<CompiledList> lists = List.of(list("iwf", "csam", true, "bad.test"));
    PolicySnapshot p = policy(true, false);
    meter.update(p.directory());
    PolicyEngine e = new PolicyEngine(lists, p, 100);
    ask(e, "house-1", "bad.test", NOON);
    Map<String, long[]> t = totals("house-1");
    assertEquals(Set.of("kids/(operator)"), t.keySet());
    assertNull(e.decide(who("house-1"), DomainNames.toWire("bad.test"), NOON).category());
  }

  @Test
  void theQueryPath_allocatesNothingForHouseholdsThatDidNotOptIn() {
    var threads = (com.sun.management.ThreadMXBean)
        java.lang.management.ManagementFactory.getThreadMXBean();
    meter.update(policy(true, false).directory());
    ClientIdentity out = who("house-2");
    ClientIdentity nobody = new ClientIdentity(null, null, "default",
        ClientIdentity.Source.DEFAULT, "");
    for (int i = 0; i < 20_000; i++) { // warm up (JIT)
      meter.slot(out);
      meter.slot(nobody);
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    int found = 0;
    for (int i = 0; i < 100_000; i++) {
      found += meter.slot(out) == null ? 0 : 1;
      found += meter.slot(nobody) == null ? 0 : 1;
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertEquals(0, found);
    assertTrue(allocated < 10_000, "200,000 lookups allocated " + allocated + " bytes");
    // And an opted-in household allocates only its first bucket, not one per query.
    ActivityMeter.Slot slot = meter.slot(who("house-1"));
    assertNotNull(slot);
    PolicyDecision d = new PolicyEngine(LISTS, policy(true, false), 100)
        .decide(who("house-1"), DomainNames.toWire("games.test"), NOON);
    for (int i = 0; i < 20_000; i++) {
      meter.slot(who("house-1")).count(d);
    }
    ClientIdentity in = who("house-1");
    before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      meter.slot(in).count(d);
    }
    allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertTrue(allocated < 10_000, "100,000 counted queries allocated " + allocated + " bytes");
  }
}
