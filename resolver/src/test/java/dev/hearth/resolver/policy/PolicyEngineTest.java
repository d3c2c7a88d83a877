package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.wire.Ede;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy's order of precedence, EDE codes and isolation between profiles. */
class PolicyEngineTest {
  static final ListInfo IWF = new ListInfo("iwf", "csam", true, false, "v1", List.of());
  static final ListInfo OVERRIDE = new ListInfo("court-override", null, false, true, "", List.of());
  static final ListInfo SECURITY = new ListInfo("operator-security", null, false, false, "s1",
      List.of());
  static final ListInfo ADULT = new ListInfo("ut1/adult", "adult", false, false, "a1", List.of());
  static final ListInfo GAMBLING = new ListInfo("ut1/gambling", "gambling", false, false, "g1",
      List.of());

  static CompiledList list(ListInfo info, Rule... rules) {
    CompiledList.Builder b = CompiledList.builder(info, NameHasher.PLAIN);
    int line = 0;
    for (Rule r : rules) {
      b.add(r.atLine(++line));
    }
    return b.build(info.version());
  }

  static byte[] wire(String name) {
    return DomainNames.toWire(name);
  }

  static Profile profile(String id, Set<String> categories, List<String> allow,
      List<String> block, boolean bypass) {
    return new Profile(id, id, categories, false, allow, block, bypass, BlockAnswer.NXDOMAIN);
  }

  static ClientIdentity household(String profile) {
    return new ClientIdentity("house-1", null, profile, ClientIdentity.Source.ADDRESS, "");
  }

  static ClientIdentity venue(String profile) {
    return new ClientIdentity(null, "cafe", profile, ClientIdentity.Source.ADDRESS, "");
  }

  final List<CompiledList> lists = List.of(
      list(IWF, Rule.block("abuse.example"), Rule.block("helpline.example")),
      list(SECURITY, Rule.block("malware.example"), Rule.block("helpline-phish.example")),
      list(ADULT, Rule.block("adult.example"), Rule.block("school.example"),
          Rule.allow("safe.adult.example")),
      list(GAMBLING, Rule.block("casino.example")));

  PolicySnapshot policy(Profile... profiles) {
    Map<String, Profile> map = new HashMap<>();
    map.put("default", Profile.baselineOnly("default"));
    for (Profile p : profiles) {
      map.put(p.id(), p);
    }
    ClientDirectory dir = ClientDirectory.builder("default")
        .subscriber(new Subscriber("house-1", profiles.length > 0 ? profiles[0].id() : "default",
            null, Map.of()))
        .build();
    return new PolicySnapshot(map, dir, List.of("helpline.example", "helpline-phish.example"),
        PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
  }

  @Test
  void lockedListWins_overProtectedAllowlistAndProfileExceptions_withEde16AndNoEntry() {
    Profile kids = profile("kids", Set.of(), List.of("abuse.example"), List.of(), false);
    PolicyEngine e = new PolicyEngine(lists, policy(kids), 1000);
    PolicyDecision d = e.decide(household("kids"), wire("www.abuse.example"));
    assertTrue(d.block());
    assertEquals("locked-list", d.rule());
    assertEquals(Ede.CENSORED, d.edeCode());
    assertFalse(d.describe().contains("abuse"), d.describe());
    assertFalse(d.reasonId().contains("abuse"), d.reasonId());
    // The protected allowlist does not pass a legal list either.
    assertTrue(e.decide(household("kids"), wire("helpline.example")).block());
  }

  @Test
  void publicCheck_leavesLockedListsOut_soItIsNoOracle_butShowsCategoriesAndOperatorLists() {
    Profile child = profile("child", Set.of("adult"), List.of(), List.of(), true);
    PolicyEngine e = new PolicyEngine(lists, policy(child), 1000);
    java.time.Instant now = java.time.Instant.parse("2026-11-26T12:00:00Z");
    // On the IWF list: the live decision blocks, the public one answers as for an unlisted name.
    assertTrue(e.decide(household("child"), wire("abuse.example"), now).block());
    PolicyDecision pub = e.decidePublicly(child, "Abuse.Example.", now);
    PolicyDecision unlisted = e.decidePublicly(child, "nothing.example", now);
    assertFalse(pub.block());
    assertEquals(unlisted.rule(), pub.rule());
    assertTrue(pub.verdict().isNone(), "the locked verdict must not show: " + pub.verdict());
    // Categories and the operator's own lists still show, with their reason.
    PolicyDecision adult = e.decidePublicly(child, "adult.example", now);
    assertTrue(adult.block());
    assertEquals("category", adult.rule());
    assertEquals("ut1/adult", adult.verdict().listName());
    Profile def = e.policy().defaultProfile();
    assertFalse(e.decidePublicly(def, "adult.example", now).block());
    assertTrue(e.decidePublicly(def, "malware.example", now).block());
    assertEquals(0, e.usage().used(null, "child", "adult", now, java.time.ZoneOffset.UTC));
    // A preset no profile uses yet: its categories count.
    Profile preset = profile("teen", Set.of("gambling"), List.of(), List.of(), true);
    assertTrue(e.decidePublicly(preset, "casino.example", now).block());
    assertFalse(e.decidePublicly(preset, "adult.example", now).block());
    assertFalse(e.decidePublicly(preset, "abuse.example", now).block());
  }

  @Test
  void upheldAppeals_unblockOrRecategorise_butNeverPassLockedListsOrAHouseholdsOwnBlock() {
    Profile child = profile("child", Set.of("adult", "gambling"), List.of(),
        List.of("casino.example"), true);
    PolicySnapshot p = policy(child).withAppealOverrides(List.of(
        new AppealOverride("school.example", false, null, "T-1"),
        new AppealOverride("adult.example", true, "gambling", "T-2"),
        new AppealOverride("abuse.example", false, null, "T-3"),
        new AppealOverride("casino.example", false, null, "T-4"),
        new AppealOverride("malware.example", false, null, "T-5")));
    PolicyEngine e = new PolicyEngine(lists, p, 1000);
    java.time.Instant now = java.time.Instant.parse("2026-11-26T12:00:00Z");
    PolicyDecision school = e.decide(household("child"), wire("school.example"), now);
    assertFalse(school.block(), school.toString());
    assertEquals("appeal", school.rule());
    assertEquals("appeal:T-1", school.reasonId());
    assertEquals("allowed by upheld appeal T-1; profile child", school.describe());
    // Recategorised: blocked only where the new category is chosen, subdomains included.
    PolicyDecision moved = e.decide(household("child"), wire("www.adult.example"), now);
    assertTrue(moved.block());
    assertEquals("appeal-category", moved.rule());
    assertEquals("appeal-category:T-2", moved.reasonId());
    assertEquals(Ede.FILTERED, moved.edeCode());
    Profile teen = profile("teen", Set.of("adult"), List.of(), List.of(), true);
    PolicyEngine e2 = new PolicyEngine(lists, policy(teen).withAppealOverrides(
        p.appealOverrides()), 1000);
    assertFalse(e2.decide(household("teen"), wire("adult.example"), now).block());
    // Exact overrides do not cover subdomains.
    assertTrue(e.decide(household("child"), wire("www.school.example"), now).block());
    // Locked lists and the household's own block still win; operator lists do not.
    assertEquals("locked-list", e.decide(household("child"), wire("abuse.example"), now).rule());
    assertEquals("profile-block",
        e.decide(household("child"), wire("casino.example"), now).rule());
    assertFalse(e.decide(venue("default"), wire("malware.example"), now).block());
    // The public check sees the override too.
    assertFalse(e.decidePublicly(child, "school.example", now).block());
  }

  @Test
  void onlyALegalOverrideListPassesALockedList() {
    List<CompiledList> withOverride = new ArrayList<>(lists);
    withOverride.add(list(OVERRIDE, Rule.allow("abuse.example")));
    PolicyEngine e = new PolicyEngine(withOverride, policy(), 1000);
    PolicyDecision d = e.decide(venue("default"), wire("abuse.example"));
    assertFalse(d.block(), d.toString());
  }

  @Test
  void protectedAllowlist_beatsOperatorListsCategoriesAndProfileBlocks() {
    Profile kids = profile("kids", Set.of("adult"), List.of(),
        List.of("helpline-phish.example"), false);
    PolicyEngine e = new PolicyEngine(lists, policy(kids), 1000);
    PolicyDecision d = e.decide(household("kids"), wire("helpline-phish.example"));
    assertFalse(d.block());
    assertEquals("protected", d.rule());
  }

  @Test
  void profileExceptions_beatCategoriesAndOperatorLists_profileBlocksAreFiltered() {
    Profile kids = profile("kids", Set.of("adult"), List.of("school.example", "malware.example"),
        List.of("game.example"), false);
    PolicyEngine e = new PolicyEngine(lists, policy(kids), 1000);
    assertEquals("profile-allow", e.decide(household("kids"), wire("school.example")).rule());
    assertFalse(e.decide(household("kids"), wire("malware.example")).block());
    PolicyDecision own = e.decide(household("kids"), wire("play.game.example"));
    assertTrue(own.block());
    assertEquals("profile-block", own.rule());
    assertEquals(Ede.FILTERED, own.edeCode());
    assertEquals("profile-block:profile:kids:block#1", own.reasonId());
  }

  @Test
  void categories_onlyForProfilesThatChoseThem_edeFilteredForHouseholds_blockedForVenues() {
    Profile kids = profile("kids", Set.of("adult", "gambling"), List.of(), List.of(), false);
    Profile adults = profile("adults", Set.of(), List.of(), List.of(), false);
    PolicyEngine e = new PolicyEngine(lists, policy(kids, adults), 1000);
    PolicyDecision k = e.decide(household("kids"), wire("adult.example"));
    assertTrue(k.block());
    assertEquals("category", k.rule());
    assertEquals(Ede.FILTERED, k.edeCode(), "the household chose it");
    assertFalse(e.decide(household("adults"), wire("adult.example")).block());
    PolicyDecision v = e.decide(venue("kids"), wire("casino.example"));
    assertEquals(Ede.BLOCKED, v.edeCode(), "a venue's policy is the operator's, not the client's");
    // An exception inside a chosen category list passes it.
    assertFalse(e.decide(household("kids"), wire("safe.adult.example")).block());
  }

  @Test
  void operatorListsApplyToEveryProfile_withEde15() {
    Profile adults = profile("adults", Set.of(), List.of(), List.of(), false);
    PolicyEngine e = new PolicyEngine(lists, policy(adults), 1000);
    for (ClientIdentity who : List.of(household("adults"), venue("default"),
        new ClientIdentity(null, null, "default", ClientIdentity.Source.DEFAULT, ""))) {
      PolicyDecision d = e.decide(who, wire("x.malware.example"));
      assertTrue(d.block(), who.toString());
      assertEquals("baseline-list", d.rule());
      assertEquals(Ede.BLOCKED, d.edeCode());
    }
  }

  @Test
  void bypassNames_onlyWhenTheProfileBlocksBypasses() {
    Profile kids = profile("kids", Set.of(), List.of(), List.of(), true);
    Profile adults = profile("adults", Set.of(), List.of(), List.of(), false);
    PolicyEngine e = new PolicyEngine(lists, policy(kids, adults), 1000);
    for (String canary : PolicySnapshot.DEFAULT_BYPASS_NAMES) {
      PolicyDecision d = e.decide(household("kids"), wire(canary));
      assertTrue(d.block(), canary);
      assertEquals("bypass", d.rule());
      assertFalse(e.decide(household("adults"), wire(canary)).block(), canary);
    }
    assertFalse(e.decide(household("kids"), wire("icloud.com")).block());
  }

  @Test
  void unknownProfileIdFallsBackToTheDefaultProfile() {
    PolicyEngine e = new PolicyEngine(lists, policy(), 1000);
    PolicyDecision d = e.decide(household("deleted-profile"), wire("adult.example"));
    assertEquals("default", d.profile().id());
    assertFalse(d.block(), "the baseline-only default does not block categories");
  }

  @Test
  void everyListForEveryone_blocksCategoriesWithEde15() {
    PolicyEngine e = new PolicyEngine(lists, PolicySnapshot.everyListForEveryone(), 1000);
    PolicyDecision d = e.decide(new ClientIdentity(null, null, "default",
        ClientIdentity.Source.DEFAULT, ""), wire("casino.example"));
    assertTrue(d.block());
    assertEquals(Ede.BLOCKED, d.edeCode());
  }

  @Test
  void explainRecordsEveryStepAndTheSameDecision() {
    Profile kids = profile("kids", Set.of("adult"), List.of(), List.of(), true);
    PolicyEngine e = new PolicyEngine(lists, policy(kids), 1000);
    PolicyDecision fast = e.decide(household("kids"), wire("adult.example"));
    PolicyDecision slow = e.explain(household("kids"), wire("adult.example"),
        java.time.Instant.now());
    assertEquals(fast.block(), slow.block());
    assertEquals(fast.rule(), slow.rule());
    assertTrue(fast.trace().isEmpty());
    String all = String.join("\n", slow.trace());
    assertTrue(all.contains("1. locked legal lists: no match"), all);
    assertTrue(all.contains("9. operator lists and chosen categories: blocked by list ut1/adult"),
        all);
    assertTrue(all.endsWith("=> blocked (category, EDE 17)"), all);
  }

  @Test
  void structuredEdeText_followsTheDraft() {
    ListInfo phishing = new ListInfo("sec/phishing", "phishing", false, false, "p1", List.of());
    List<CompiledList> ls = new ArrayList<>(lists);
    ls.add(list(phishing, Rule.block("bank-login.example")));
    Profile kids = profile("kids", Set.of("adult", "phishing"), List.of(), List.of(), false);
    PolicyEngine e = new PolicyEngine(ls, policy(kids), 1000);
    Operator op = new Operator("Example \"ISP\"", List.of("mailto:abuse@isp.example",
        "tel:+441234567890"), "en-GB");
    PolicyDecision chosen = e.decide(household("kids"), wire("adult.example"));
    String json = chosen.structuredText(op, true);
    assertTrue(json.startsWith("{\"c\":[\"mailto:abuse@isp.example\",\"tel:+441234567890\"],"
        + "\"j\":\"blocked by list ut1/adult"), json);
    assertTrue(json.contains(",\"o\":\"Example \\\"ISP\\\"\",\"l\":\"en-GB\"}"), json);
    assertFalse(json.contains("\"s\""), "no sub-error for what the client chose: " + json);
    String brief = chosen.structuredText(op, false);
    assertEquals("{\"c\":[\"mailto:abuse@isp.example\",\"tel:+441234567890\"],\"l\":\"en-GB\"}",
        brief, "j and o are dropped first");
    PolicyDecision security = e.decide(venue("kids"), wire("bank-login.example"));
    assertEquals(Ede.BLOCKED, security.edeCode());
    assertTrue(security.structuredText(op, true).contains("\"s\":2,"), "2 = phishing");
    PolicyDecision legal = e.decide(venue("default"), wire("abuse.example"));
    String censored = legal.structuredText(op, true);
    assertFalse(censored.contains("\"s\""), "never a sub-error with Censored: " + censored);
    assertFalse(censored.contains("abuse.example"), "never the entry: " + censored);
  }

  /**
   * Random lists, profiles and names: (1) a locked list's block always wins; (2) decisions with
   * the shared name cache equal decisions without it, in any order of queries across profiles,
   * so nothing leaks from one profile's query into another's answer.
   */
  @Test
  void property_lockedAlwaysWins_andTheCacheNeverChangesADecision() {
    long seed = new Random().nextLong();
    Random rnd = new Random(seed);
    for (int round = 0; round < 30; round++) {
      String[] pool = new String[40];
      for (int i = 0; i < pool.length; i++) {
        pool[i] = (rnd.nextBoolean() ? "" : "w" + rnd.nextInt(3) + ".") + "n" + rnd.nextInt(15)
            + ".example";
      }
      List<CompiledList> ls = new ArrayList<>();
      String[] cats = {"adult", "gambling", "games", null};
      for (int li = 0; li < 1 + rnd.nextInt(6); li++) {
        boolean locked = rnd.nextInt(5) == 0;
        ListInfo info = new ListInfo("l" + li, cats[rnd.nextInt(cats.length)], locked, false, "",
            List.of());
        List<Rule> rules = new ArrayList<>();
        for (int r = 0; r < 1 + rnd.nextInt(8); r++) {
          String n = pool[rnd.nextInt(pool.length)];
          rules.add(!locked && rnd.nextInt(4) == 0 ? Rule.allow(n) : Rule.block(n));
        }
        ls.add(list(info, rules.toArray(new Rule[0])));
      }
      List<Profile> profiles = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        Set<String> chosen = new java.util.HashSet<>();
        for (String c : cats) {
          if (c != null && rnd.nextBoolean()) {
            chosen.add(c);
          }
        }
        List<String> allow = rnd.nextBoolean() ? List.of(pool[rnd.nextInt(pool.length)])
            : List.of();
        List<String> block = rnd.nextBoolean() ? List.of(pool[rnd.nextInt(pool.length)])
            : List.of();
        profiles.add(profile("p" + p, chosen, allow, block, rnd.nextBoolean()));
      }
      PolicySnapshot snap = policy(profiles.toArray(new Profile[0]));
      PolicyEngine cached = new PolicyEngine(ls, snap, 64);
      PolicyEngine uncached = new PolicyEngine(ls, snap, 0);
      for (int q = 0; q < 400; q++) {
        String name = (rnd.nextInt(3) == 0 ? "sub." : "") + pool[rnd.nextInt(pool.length)];
        ClientIdentity who = rnd.nextBoolean() ? household("p" + rnd.nextInt(4))
            : venue("p" + rnd.nextInt(4));
        PolicyDecision a = cached.decide(who, wire(name));
        PolicyDecision b = uncached.decide(who, wire(name));
        String ctx = "seed=" + seed + " round=" + round + " name=" + name + " who=" + who;
        assertEquals(b.block(), a.block(), ctx);
        assertEquals(b.rule(), a.rule(), ctx);
        assertEquals(b.reasonId(), a.reasonId(), ctx);
        boolean lockedBlocks = CompiledList.decide(
            ls.stream().filter(l -> l.info().locked()).toList(), wire(name)).isBlock();
        if (lockedBlocks) {
          assertTrue(a.block(), "a locked list's block must win: " + ctx);
          assertEquals(Ede.CENSORED, a.edeCode(), ctx);
        }
      }
    }
  }
}
