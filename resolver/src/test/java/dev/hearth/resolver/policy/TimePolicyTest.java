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
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Time-based policy in {@link PolicyEngine}: bedtime and homework schedules, pauses and grants
 * ({@link PolicyOverrides}), daily category budgets ({@link UsageMeter}) and the TTL cap of
 * decisions. Every decision is made at an explicit instant.
 *
 * <p>The dates are in 2036 on purpose: {@link PolicyOverrides#pause} and
 * {@link PolicyOverrides#grant} sweep expired entries against the real clock, so overrides that
 * expire before the real "now" could vanish when another override is added. 2036-06-11 is a
 * Wednesday; London is on BST (UTC+1) then, so local and UTC times differ.
 */
class TimePolicyTest {
  static final ZoneId LONDON = ZoneId.of("Europe/London");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final LocalDate WEDNESDAY = LocalDate.of(2036, 6, 11);
  static final LocalDate SATURDAY = LocalDate.of(2036, 6, 14);

  static final ListInfo IWF = new ListInfo("iwf", "csam", true, false, "v1", List.of());
  static final ListInfo SECURITY = new ListInfo("operator-security", null, false, false, "s1",
      List.of());
  static final ListInfo ADULT = new ListInfo("ut1/adult", "adult", false, false, "a1", List.of());
  static final ListInfo GAMES = new ListInfo("ut1/games", "games", false, false, "g1", List.of());
  static final ListInfo SOCIAL = new ListInfo("ut1/social", "social", false, false, "c1",
      List.of());

  static final Schedule BEDTIME = new Schedule("bedtime", EnumSet.allOf(DayOfWeek.class),
      LocalTime.of(21, 0), LocalTime.of(7, 0), true, Set.of(), List.of("school.example"));
  static final Schedule HOMEWORK = new Schedule("homework",
      EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(16, 0), LocalTime.of(18, 0),
      false, Set.of("social"), List.of());

  /** Bedtime and homework; blocks adult and games; its own exception granny.example. */
  static final Profile KIDS = new Profile("kids", "Kids", Set.of("adult", "games"), false,
      List.of("granny.example"), List.of(), false, BlockAnswer.NXDOMAIN,
      List.of(BEDTIME, HOMEWORK), Map.of());
  /** No time rules. */
  static final Profile PLAIN = new Profile("plain", "Plain", Set.of("adult", "games"), false,
      List.of(), List.of(), false, BlockAnswer.NXDOMAIN);
  /** Three minutes of games a day; blocks adult. */
  static final Profile GAMER = new Profile("gamer", "Gamer", Set.of("adult"), false, List.of(),
      List.of(), false, BlockAnswer.NXDOMAIN, List.of(), Map.of("games", 3));
  /** One minute of games a day. */
  static final Profile MINUTE = new Profile("minute", "Minute", Set.of(), false, List.of(),
      List.of(), false, BlockAnswer.NXDOMAIN, List.of(), Map.of("games", 1));

  static CompiledList list(ListInfo info, Rule... rules) {
    CompiledList.Builder b = CompiledList.builder(info, NameHasher.PLAIN);
    int line = 0;
    for (Rule r : rules) {
      b.add(r.atLine(++line));
    }
    return b.build(info.version());
  }

  static final List<CompiledList> LISTS = List.of(
      list(IWF, Rule.block("abuse.example")),
      list(SECURITY, Rule.block("malware.example")),
      list(ADULT, Rule.block("adult.example")),
      list(GAMES, Rule.block("games.example"), Rule.block("play.example")),
      list(SOCIAL, Rule.block("social.example")));

  static final PolicySnapshot POLICY = snapshot();

  static PolicySnapshot snapshot() {
    Map<String, Profile> profiles = new HashMap<>();
    profiles.put("default", Profile.baselineOnly("default"));
    for (Profile p : List.of(KIDS, PLAIN, GAMER, MINUTE)) {
      profiles.put(p.id(), p);
    }
    ClientDirectory dir = ClientDirectory.builder("default")
        .subscriber(new Subscriber("house-1", "kids", LONDON, Map.of()))
        .subscriber(new Subscriber("house-2", "kids", LONDON, Map.of()))
        .subscriber(new Subscriber("house-3", "plain", LONDON, Map.of()))
        .subscriber(new Subscriber("house-4", "gamer", LONDON, Map.of()))
        .subscriber(new Subscriber("house-5", "gamer", LONDON, Map.of()))
        .subscriber(new Subscriber("house-6", "minute", LONDON, Map.of()))
        .build();
    return new PolicySnapshot(profiles, dir, List.of("helpline.example"),
        PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null, NEW_YORK);
  }

  static ClientIdentity household(String subscriber, String profile) {
    return new ClientIdentity(subscriber, null, profile, ClientIdentity.Source.ADDRESS, "");
  }

  static final ClientIdentity HOUSE1 = household("house-1", "kids");
  static final ClientIdentity HOUSE2 = household("house-2", "kids");
  static final ClientIdentity HOUSE3 = household("house-3", "plain");
  static final ClientIdentity HOUSE4 = household("house-4", "gamer");
  static final ClientIdentity HOUSE5 = household("house-5", "gamer");
  static final ClientIdentity HOUSE6 = household("house-6", "minute");
  static final ClientIdentity CAFE = new ClientIdentity(null, "cafe", "kids",
      ClientIdentity.Source.ADDRESS, "");

  /** An instant from a London wall-clock time on {@code day}, e.g. {@code "20:58:30"}. */
  static Instant london(LocalDate day, String time) {
    return LocalDateTime.of(day, LocalTime.parse(time)).atZone(LONDON).toInstant();
  }

  static Instant wed(String time) {
    return london(WEDNESDAY, time);
  }

  final PolicyOverrides overrides = new PolicyOverrides();
  final UsageMeter meter = new UsageMeter();
  final PolicyEngine engine = new PolicyEngine(LISTS, POLICY, 1000, overrides, meter);

  PolicyDecision decide(ClientIdentity who, String name, Instant at) {
    return engine.decide(who, DomainNames.toWire(name), at);
  }

  static void assertBlocked(PolicyDecision d, String rule, int ede) {
    assertTrue(d.block(), d.toString());
    assertEquals(rule, d.rule(), d.toString());
    assertEquals(ede, d.edeCode(), d.toString());
  }

  static void assertPasses(PolicyDecision d, String rule) {
    assertFalse(d.block(), d.toString());
    assertEquals(rule, d.rule(), d.toString());
  }

  // --- bedtime ------------------------------------------------------------------------------

  @Test
  void bedtime_blocksEverythingButItsAllowNamesAndTheProtectedList_withEde17() {
    Instant night = wed("22:00");
    PolicyDecision news = decide(HOUSE1, "news.example", night);
    assertBlocked(news, "schedule", Ede.FILTERED);
    assertEquals("bedtime", news.detail());
    assertTrue(news.describe().contains("schedule bedtime"), news.describe());
    assertEquals("schedule:kids", news.reasonId());
    assertBlocked(decide(HOUSE1, "games.example", night), "schedule", Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "malware.example", night), "schedule", Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "granny.example", night), "schedule", Ede.FILTERED);
    // The schedule's allowlist, subdomains included, and the protected allowlist resolve.
    assertPasses(decide(HOUSE1, "school.example", night), "not-blocked");
    assertPasses(decide(HOUSE1, "www.school.example", night), "not-blocked");
    assertBlocked(decide(HOUSE1, "notschool.example", night), "schedule", Ede.FILTERED);
    assertPasses(decide(HOUSE1, "helpline.example", night), "protected");
    // Other profiles have no bedtime (an unlisted name takes the fast path without time rules).
    assertPasses(decide(HOUSE3, "news.example", night), "not-listed");
    assertBlocked(decide(HOUSE3, "games.example", night), "category", Ede.FILTERED);
  }

  @Test
  void bedtime_runsOnTheHouseholdsWallClock() {
    // 21:00 BST is 20:00 UTC.
    assertPasses(decide(HOUSE1, "news.example", wed("20:59:59")), "not-blocked");
    assertBlocked(decide(HOUSE1, "news.example", wed("21:00")), "schedule", Ede.FILTERED);
    assertEquals(Instant.parse("2036-06-11T20:00:00Z"), wed("21:00"));
    assertBlocked(decide(HOUSE1, "news.example", Instant.parse("2036-06-11T20:00:00Z")),
        "schedule", Ede.FILTERED);
    LocalDate thursday = WEDNESDAY.plusDays(1);
    assertBlocked(decide(HOUSE1, "news.example", london(thursday, "00:30")), "schedule",
        Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "news.example", london(thursday, "06:59:59")), "schedule",
        Ede.FILTERED);
    assertPasses(decide(HOUSE1, "news.example", london(thursday, "07:00")), "not-blocked");
  }

  @Test
  void bedtime_forAVenue_usesTheSnapshotZone_andEde15() {
    // The cafe has no subscriber: the snapshot's zone (New York, EDT = UTC-4) applies.
    Instant londonNight = wed("22:00"); // 17:00 in New York
    assertPasses(decide(CAFE, "news.example", londonNight), "not-blocked");
    Instant newYorkNight = Instant.parse("2036-06-12T01:00:00Z"); // 21:00 EDT
    PolicyDecision d = decide(CAFE, "news.example", newYorkNight);
    assertBlocked(d, "schedule", Ede.BLOCKED);
    assertEquals(NEW_YORK, engine.zoneFor(CAFE));
    assertEquals(LONDON, engine.zoneFor(HOUSE1));
  }

  @Test
  void explain_showsTheScheduleStep() {
    PolicyDecision d = engine.explain(HOUSE1, DomainNames.toWire("news.example"), wed("22:00"));
    assertBlocked(d, "schedule", Ede.FILTERED);
    String trace = String.join("\n", d.trace());
    assertTrue(trace.contains("3. pause: none"), trace);
    assertTrue(trace.contains("4. schedule bedtime (21:00-07:00 Europe/London): open"), trace);
    assertTrue(trace.contains("=> blocked (schedule bedtime, EDE 17)"), trace);
    assertTrue(trace.contains("32400 s"), "cap until 07:00: " + trace);

    PolicyDecision homework = engine.explain(HOUSE1, DomainNames.toWire("social.example"),
        wed("17:00"));
    assertBlocked(homework, "category", Ede.FILTERED);
    String t2 = String.join("\n", homework.trace());
    assertTrue(t2.contains("4. schedule bedtime (21:00-07:00 Europe/London): closed"), t2);
    assertTrue(t2.contains("4. schedule homework (16:00-18:00 Europe/London): open"), t2);
    assertTrue(t2.contains("during a schedule"), t2);
  }

  @Test
  void lockedList_winsDuringBedtime_duringAGrant_andDuringAPause() {
    PolicyDecision night = decide(HOUSE1, "abuse.example", wed("22:00"));
    assertBlocked(night, "locked-list", Ede.CENSORED);
    overrides.grant("house-1", "kids", "abuse.example", wed("23:59"));
    overrides.grant("house-1", "kids", "category:csam", wed("23:59"));
    assertBlocked(decide(HOUSE1, "abuse.example", wed("10:00")), "locked-list", Ede.CENSORED);
    assertBlocked(decide(HOUSE1, "www.abuse.example", wed("12:00")), "locked-list",
        Ede.CENSORED);
    overrides.pause("house-1", "kids", wed("23:59"));
    assertBlocked(decide(HOUSE1, "abuse.example", wed("11:00")), "locked-list", Ede.CENSORED);
  }

  @Test
  void aGrantDoesNotPassBedtime() {
    overrides.grant("house-1", "kids", "games.example", london(WEDNESDAY.plusDays(1), "12:00"));
    assertPasses(decide(HOUSE1, "games.example", wed("20:00")), "grant");
    assertBlocked(decide(HOUSE1, "games.example", wed("22:00")), "schedule", Ede.FILTERED);
  }

  // --- homework -----------------------------------------------------------------------------

  @Test
  void homework_addsItsCategoryOnlyWhileOpen() {
    assertPasses(decide(HOUSE1, "social.example", wed("15:59:59")), "not-blocked");
    PolicyDecision d = decide(HOUSE1, "social.example", wed("16:00"));
    assertBlocked(d, "category", Ede.FILTERED);
    assertEquals("during a schedule", d.detail());
    assertEquals("ut1/social", d.verdict().listName());
    assertBlocked(decide(HOUSE1, "www.social.example", wed("17:59:59")), "category",
        Ede.FILTERED);
    assertPasses(decide(HOUSE1, "social.example", wed("18:00")), "not-blocked");
    // Not on a Saturday.
    assertPasses(decide(HOUSE1, "social.example", london(SATURDAY, "16:30")), "not-blocked");
    // The profile's own categories are blocked anyway, and not "during a schedule".
    PolicyDecision adult = decide(HOUSE1, "adult.example", wed("17:00"));
    assertBlocked(adult, "category", Ede.FILTERED);
    assertEquals("", adult.detail());
    // Everything else resolves during homework.
    assertPasses(decide(HOUSE1, "news.example", wed("17:00")), "not-blocked");
    // A profile without the schedule is not affected.
    assertPasses(decide(HOUSE3, "social.example", wed("17:00")), "not-blocked");
  }

  @Test
  void homework_categoryGrantPassesTheAddedCategory() {
    overrides.grant("house-1", "kids", "category:social", wed("17:00"));
    assertPasses(decide(HOUSE1, "social.example", wed("16:30")), "not-blocked");
    assertBlocked(decide(HOUSE1, "social.example", wed("17:00")), "category", Ede.FILTERED);
  }

  // --- pause --------------------------------------------------------------------------------

  @Test
  void pause_blocksAllUntilItExpires_onlyForThatHouseholdsProfile() {
    Instant until = wed("10:10");
    overrides.pause("house-1", "kids", until);
    PolicyDecision d = decide(HOUSE1, "news.example", wed("10:00"));
    assertBlocked(d, "pause", Ede.FILTERED);
    assertEquals("until " + until, d.detail());
    assertBlocked(decide(HOUSE1, "school.example", wed("10:00")), "pause", Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "granny.example", wed("10:00")), "pause", Ede.FILTERED);
    assertPasses(decide(HOUSE1, "helpline.example", wed("10:00")), "protected");
    assertBlocked(decide(HOUSE1, "news.example", until.minusSeconds(1)), "pause", Ede.FILTERED);
    assertPasses(decide(HOUSE1, "news.example", until), "not-blocked");
    // Another household with the same profile, and the same household with another profile.
    assertPasses(decide(HOUSE2, "news.example", wed("10:00")), "not-blocked");
    assertPasses(decide(household("house-1", "plain"), "news.example", wed("10:00")),
        "not-listed");
    // Overrides outlive engines: a new engine over the same overrides sees the pause.
    PolicyEngine next = new PolicyEngine(LISTS, POLICY, 0, overrides, meter);
    assertBlocked(next.decide(HOUSE1, DomainNames.toWire("news.example"), wed("10:05")), "pause",
        Ede.FILTERED);
  }

  @Test
  void pause_forAVenue_isEde15() {
    overrides.pause(null, "kids", wed("10:10"));
    assertBlocked(decide(CAFE, "news.example", wed("10:00")), "pause", Ede.BLOCKED);
    assertPasses(decide(HOUSE1, "news.example", wed("10:00")), "not-blocked");
  }

  @Test
  void resume_endsAPauseEarly() {
    overrides.pause("house-1", "kids", wed("12:00"));
    assertBlocked(decide(HOUSE1, "news.example", wed("10:00")), "pause", Ede.FILTERED);
    assertFalse(overrides.resume("house-2", "kids"), "house-2 was not paused");
    assertBlocked(decide(HOUSE1, "news.example", wed("10:01")), "pause", Ede.FILTERED);
    assertTrue(overrides.resume("house-1", "kids"));
    assertPasses(decide(HOUSE1, "news.example", wed("10:02")), "not-blocked");
    assertFalse(overrides.resume("house-1", "kids"), "nothing left to resume");
  }

  // --- grants -------------------------------------------------------------------------------

  @Test
  void grantOfAName_passesTheCategoryBlockUntilItExpires() {
    assertBlocked(decide(HOUSE1, "games.example", wed("10:00")), "category", Ede.FILTERED);
    Instant until = wed("11:00");
    overrides.grant("house-1", "kids", "Games.Example.", until);
    PolicyDecision d = decide(HOUSE1, "games.example", wed("10:00"));
    assertPasses(d, "grant");
    assertPasses(decide(HOUSE1, "www.games.example", wed("10:59:59")), "grant");
    // Only that name: the rest of the category stays blocked.
    assertBlocked(decide(HOUSE1, "play.example", wed("10:00")), "category", Ede.FILTERED);
    // Only that household.
    assertBlocked(decide(HOUSE2, "games.example", wed("10:00")), "category", Ede.FILTERED);
    // Expired.
    assertBlocked(decide(HOUSE1, "games.example", until), "category", Ede.FILTERED);
  }

  @Test
  void revoke_withdrawsAGrantEarly() {
    overrides.grant("house-1", "kids", "games.example", wed("11:00"));
    assertPasses(decide(HOUSE1, "games.example", wed("10:00")), "grant");
    assertFalse(overrides.revoke("house-2", "kids", "games.example"));
    assertTrue(overrides.revoke("house-1", "kids", "games.example"));
    assertBlocked(decide(HOUSE1, "games.example", wed("10:01")), "category", Ede.FILTERED);
    assertFalse(overrides.revoke("house-1", "kids", "games.example"));
  }

  @Test
  void revoke_acceptsTheNameAsItWasGranted() {
    overrides.grant("house-1", "kids", "Games.Example.", wed("11:00"));
    assertPasses(decide(HOUSE1, "games.example", wed("10:00")), "grant");
    assertTrue(overrides.revoke("house-1", "kids", "Games.Example."));
    assertBlocked(decide(HOUSE1, "games.example", wed("10:01")), "category", Ede.FILTERED);
  }

  @Test
  void grantOfACategory_passesThatCategoryOnly_untilItExpires() {
    Instant until = wed("11:00");
    overrides.grant("house-1", "kids", "category:games", until);
    assertPasses(decide(HOUSE1, "games.example", wed("10:00")), "not-blocked");
    assertPasses(decide(HOUSE1, "play.example", wed("10:30")), "not-blocked");
    assertBlocked(decide(HOUSE1, "adult.example", wed("10:30")), "category", Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "malware.example", wed("10:30")), "baseline-list",
        Ede.BLOCKED);
    assertBlocked(decide(HOUSE2, "play.example", wed("10:30")), "category", Ede.FILTERED);
    assertBlocked(decide(HOUSE1, "play.example", until), "category", Ede.FILTERED);
  }

  // --- budgets ------------------------------------------------------------------------------

  @Test
  void budget_threeDistinctMinutesPass_theFourthIsBlocked() {
    assertPasses(decide(HOUSE4, "games.example", wed("10:00:05")), "not-blocked");
    assertPasses(decide(HOUSE4, "games.example", wed("10:01:10")), "not-blocked");
    assertPasses(decide(HOUSE4, "play.example", wed("10:05:59")), "not-blocked");
    assertEquals(3, meter.used("house-4", "gamer", "games", wed("10:06"), LONDON));
    PolicyDecision d = decide(HOUSE4, "games.example", wed("10:06:00"));
    assertBlocked(d, "budget", Ede.FILTERED);
    assertEquals("games (3 min a day)", d.detail());
    assertEquals("ut1/games", d.verdict().listName());
    assertTrue(d.describe().contains("ut1/games"), d.describe());
    assertBlocked(decide(HOUSE4, "play.example", wed("15:00")), "budget", Ede.FILTERED);
    assertEquals(3, meter.used("house-4", "gamer", "games", wed("15:00"), LONDON),
        "blocked queries use nothing");
    // Other names, and other households with the same profile, are not affected.
    assertPasses(decide(HOUSE4, "news.example", wed("15:00")), "not-blocked");
    assertBlocked(decide(HOUSE4, "adult.example", wed("15:00")), "category", Ede.FILTERED);
    assertPasses(decide(HOUSE5, "games.example", wed("15:00")), "not-blocked");
  }

  @Test
  void budget_manyQueriesWithinOneMinuteCountOnce() {
    for (int s = 0; s < 60; s += 3) {
      assertPasses(decide(HOUSE4, s % 2 == 0 ? "games.example" : "www.play.example",
          wed("10:00").plusSeconds(s)), "not-blocked");
    }
    assertEquals(1, meter.used("house-4", "gamer", "games", wed("10:00"), LONDON));
    assertPasses(decide(HOUSE4, "games.example", wed("10:01")), "not-blocked");
    assertEquals(2, meter.used("house-4", "gamer", "games", wed("10:01"), LONDON));
  }

  @Test
  void budget_theLastAllowedMinuteIsWholeToo() {
    assertPasses(decide(HOUSE6, "games.example", wed("10:00:00")), "not-blocked");
    assertPasses(decide(HOUSE6, "play.example", wed("10:00:30")), "not-blocked");
    assertEquals(1, meter.used("house-6", "minute", "games", wed("10:00:30"), LONDON));
    assertBlocked(decide(HOUSE6, "games.example", wed("10:01:00")), "budget", Ede.FILTERED);

    // The same with three minutes: the third minute is not cut short after one query.
    assertPasses(decide(HOUSE4, "games.example", wed("10:00")), "not-blocked");
    assertPasses(decide(HOUSE4, "games.example", wed("10:01")), "not-blocked");
    assertPasses(decide(HOUSE4, "games.example", wed("10:02:00")), "not-blocked");
    assertPasses(decide(HOUSE4, "games.example", wed("10:02:40")), "not-blocked");
  }

  @Test
  void budget_resetsAtLocalMidnight() {
    for (int m = 0; m < 3; m++) {
      decide(HOUSE4, "games.example", wed("20:00").plusSeconds(60L * m));
    }
    // 23:59:59 BST is 22:59:59 UTC: still Wednesday, still spent.
    assertBlocked(decide(HOUSE4, "games.example", wed("23:59:59")), "budget", Ede.FILTERED);
    // Local midnight (23:00 UTC), not UTC midnight, starts a new budget.
    Instant midnight = london(WEDNESDAY.plusDays(1), "00:00");
    assertEquals(Instant.parse("2036-06-11T23:00:00Z"), midnight);
    assertPasses(decide(HOUSE4, "games.example", midnight), "not-blocked");
    assertEquals(1, meter.used("house-4", "gamer", "games", midnight, LONDON));
  }

  @Test
  void explain_recordsNoUse() {
    for (int m = 0; m < 5; m++) {
      PolicyDecision d = engine.explain(HOUSE4, DomainNames.toWire("games.example"),
          wed("10:00").plusSeconds(60L * m));
      assertPasses(d, "not-blocked");
      assertTrue(String.join("\n", d.trace()).contains("10. budget games: 0 of 3 minutes used"),
          d.trace().toString());
    }
    assertEquals(0, meter.used("house-4", "gamer", "games", wed("10:05"), LONDON));
    for (int m = 0; m < 3; m++) {
      decide(HOUSE4, "games.example", wed("11:00").plusSeconds(60L * m));
    }
    PolicyDecision spent = engine.explain(HOUSE4, DomainNames.toWire("games.example"),
        wed("11:10"));
    assertBlocked(spent, "budget", Ede.FILTERED);
    assertTrue(String.join("\n", spent.trace()).contains("10. budget games: 3 of 3 minutes used"),
        spent.trace().toString());
    assertEquals(3, meter.used("house-4", "gamer", "games", wed("11:10"), LONDON));
  }

  @Test
  void categoryGrant_passesABudgetedCategory_withoutUsingTheBudget() {
    for (int m = 0; m < 3; m++) {
      decide(HOUSE4, "games.example", wed("10:00").plusSeconds(60L * m));
    }
    assertBlocked(decide(HOUSE4, "games.example", wed("10:05")), "budget", Ede.FILTERED);
    overrides.grant("house-4", "gamer", "category:games", wed("10:30"));
    assertPasses(decide(HOUSE4, "games.example", wed("10:10")), "not-blocked");
    assertEquals(3, meter.used("house-4", "gamer", "games", wed("10:10"), LONDON));
  }

  @Test
  void categoryGrant_expired_budgetAppliesAgain() {
    for (int m = 0; m < 3; m++) {
      decide(HOUSE4, "games.example", wed("10:00").plusSeconds(60L * m));
    }
    overrides.grant("house-4", "gamer", "category:games", wed("10:30"));
    assertPasses(decide(HOUSE4, "games.example", wed("10:10")), "not-blocked");
    assertBlocked(decide(HOUSE4, "games.example", wed("10:31")), "budget", Ede.FILTERED);
  }

  // --- TTL caps -----------------------------------------------------------------------------

  @Test
  void ttlCap_passBeforeBedtime_isTheSecondsUntilItStarts() {
    PolicyDecision d = decide(HOUSE1, "news.example", wed("20:58:30"));
    assertPasses(d, "not-blocked");
    assertEquals(90, d.ttlCap());
    // During homework (closes at 18:00), blocks and passes alike.
    assertEquals(60, decide(HOUSE1, "social.example", wed("17:59")).ttlCap());
    assertEquals(60, decide(HOUSE1, "news.example", wed("17:59")).ttlCap());
    // In bedtime: until 07:00.
    assertEquals(60, decide(HOUSE1, "news.example", london(WEDNESDAY.plusDays(1), "06:59"))
        .ttlCap());
    assertEquals(Duration.ofHours(9).toSeconds(), decide(HOUSE1, "news.example", wed("22:00"))
        .ttlCap());
    // A venue: New York time, 21:00 EDT is 01:00 UTC.
    assertEquals(90, decide(CAFE, "news.example", Instant.parse("2036-06-12T00:58:30Z"))
        .ttlCap());
  }

  @Test
  void ttlCap_blockDuringAPause_isAtMostTheSecondsLeft() {
    overrides.pause("house-3", "plain", wed("10:00:45"));
    PolicyDecision d = decide(HOUSE3, "news.example", wed("10:00"));
    assertBlocked(d, "pause", Ede.FILTERED);
    assertTrue(d.ttlCap() >= 0 && d.ttlCap() <= 45, "ttlCap " + d.ttlCap());
    assertEquals(45, d.ttlCap(), "nothing else can change for this profile");
    // For kids, the pause ends before any schedule edge, too.
    overrides.pause("house-1", "kids", wed("20:59:30"));
    PolicyDecision k = decide(HOUSE1, "news.example", wed("20:59"));
    assertBlocked(k, "pause", Ede.FILTERED);
    assertEquals(30, k.ttlCap());
    // A pause ending after bedtime starts: the schedule edge comes first.
    overrides.pause("house-2", "kids", wed("21:30"));
    assertEquals(60, decide(HOUSE2, "news.example", wed("20:59")).ttlCap());
  }

  @Test
  void ttlCap_isMinusOne_withoutTimeRules() {
    for (String name : List.of("news.example", "games.example", "adult.example",
        "malware.example", "helpline.example", "abuse.example")) {
      assertEquals(-1, decide(HOUSE3, name, wed("20:58:30")).ttlCap(), name);
    }
    // Someone else's pause or grant changes nothing for this household.
    overrides.pause("house-1", "kids", wed("23:00"));
    overrides.grant("house-2", "plain", "games.example", wed("23:00"));
    assertEquals(-1, decide(HOUSE3, "games.example", wed("20:58:30")).ttlCap());
    assertEquals(-1, decide(HOUSE3, "news.example", wed("20:58:30")).ttlCap());
  }

  @Test
  void ttlCap_ofAGrant_isTheSecondsUntilItExpires() {
    overrides.grant("house-3", "plain", "games.example", wed("10:30"));
    PolicyDecision d = decide(HOUSE3, "games.example", wed("10:00"));
    assertPasses(d, "grant");
    assertEquals(1800, d.ttlCap());
    // Other decisions for this profile are capped at the grant's end as well, never longer.
    PolicyDecision other = decide(HOUSE3, "play.example", wed("10:00"));
    assertBlocked(other, "category", Ede.FILTERED);
    assertTrue(other.ttlCap() >= 0 && other.ttlCap() <= 1800, "ttlCap " + other.ttlCap());
    // After it: no time rules left.
    assertEquals(-1, decide(HOUSE3, "play.example", wed("10:30")).ttlCap(),
        "an expired grant is not a reason to cap");
  }

  @Test
  void ttlCap_budgetedPassesAreShort_budgetBlocksLastUntilLocalMidnight() {
    PolicyDecision d = decide(HOUSE4, "games.example", wed("10:00:15"));
    assertPasses(d, "not-blocked");
    assertTrue(d.ttlCap() > 0 && d.ttlCap() <= 60, "ttlCap " + d.ttlCap());
    for (int m = 1; m < 3; m++) {
      PolicyDecision p = decide(HOUSE4, "games.example", wed("10:00:15").plusSeconds(60L * m));
      assertTrue(p.ttlCap() > 0 && p.ttlCap() <= 60, "ttlCap " + p.ttlCap());
    }
    PolicyDecision b = decide(HOUSE4, "games.example", wed("10:03:15"));
    assertBlocked(b, "budget", Ede.FILTERED);
    long toMidnight = Duration.between(wed("10:03:15"), london(WEDNESDAY.plusDays(1), "00:00"))
        .toSeconds();
    assertEquals(toMidnight, b.ttlCap());
    // A name outside the budget: the profile is time dependent only through midnight.
    assertEquals(toMidnight, decide(HOUSE4, "news.example", wed("10:03:15")).ttlCap());
    // explain() gives the same cap as decide() for a budgeted pass.
    PolicyDecision e = engine.explain(HOUSE5, DomainNames.toWire("games.example"),
        wed("10:00:15"));
    assertPasses(e, "not-blocked");
    assertTrue(e.ttlCap() > 0 && e.ttlCap() <= 60, "ttlCap " + e.ttlCap());
  }

  // --- the name cache does not change time-based decisions -----------------------------------

  @Test
  void decisionsAreTheSame_withCacheSize0And1000() {
    PolicyOverrides shared = new PolicyOverrides();
    shared.pause("house-2", "kids", wed("12:00"));
    shared.grant("house-1", "kids", "games.example", wed("14:00"));
    shared.grant("house-5", "gamer", "category:games", wed("15:00"));
    shared.grant("house-3", "plain", "category:adult", wed("19:00"));
    UsageMeter meterA = new UsageMeter();
    UsageMeter meterB = new UsageMeter();
    PolicyEngine cached = new PolicyEngine(LISTS, POLICY, 1000, shared, meterA);
    PolicyEngine uncached = new PolicyEngine(LISTS, POLICY, 0, shared, meterB);
    List<ClientIdentity> clients = List.of(HOUSE1, HOUSE2, HOUSE3, HOUSE4, HOUSE5, HOUSE6, CAFE,
        household("house-1", "plain"));
    List<String> names = List.of("news.example", "games.example", "www.games.example",
        "play.example", "adult.example", "social.example", "school.example", "helpline.example",
        "abuse.example", "malware.example", "granny.example", "x.y.play.example");
    Random rnd = new Random(20360611L);
    Instant t = wed("06:00");
    Instant end = london(WEDNESDAY.plusDays(1), "08:00");
    int blocks = 0;
    int passes = 0;
    Set<String> rules = new java.util.TreeSet<>();
    while (t.isBefore(end)) {
      ClientIdentity who = clients.get(rnd.nextInt(clients.size()));
      String name = names.get(rnd.nextInt(names.size()));
      PolicyDecision a = cached.decide(who, DomainNames.toWire(name), t);
      PolicyDecision b = uncached.decide(who, DomainNames.toWire(name), t);
      String ctx = who.describe() + " " + name + " at " + t.atZone(LONDON);
      assertEquals(b.block(), a.block(), ctx);
      assertEquals(b.rule(), a.rule(), ctx);
      assertEquals(b.edeCode(), a.edeCode(), ctx);
      assertEquals(b.ttlCap(), a.ttlCap(), ctx);
      assertEquals(b.detail(), a.detail(), ctx);
      assertEquals(b.reasonId(), a.reasonId(), ctx);
      assertEquals(b.describe(), a.describe(), ctx);
      rules.add(a.rule());
      if (a.block()) {
        blocks++;
      } else {
        passes++;
      }
      t = t.plusSeconds(1 + rnd.nextInt(90));
    }
    for (String sub : List.of("house-4", "house-5", "house-6")) {
      String profile = sub.equals("house-6") ? "minute" : "gamer";
      for (Instant day : List.of(wed("12:00"), london(WEDNESDAY.plusDays(1), "07:00"))) {
        assertEquals(meterB.used(sub, profile, "games", day, LONDON),
            meterA.used(sub, profile, "games", day, LONDON), sub + " " + day);
      }
    }
    // The walk went through every kind of time-based decision.
    assertTrue(rules.containsAll(List.of("pause", "schedule", "grant", "budget", "category",
        "not-blocked", "protected", "locked-list", "baseline-list")), rules.toString());
    assertTrue(blocks > 100 && passes > 100, blocks + " blocks, " + passes + " passes");
  }
}
