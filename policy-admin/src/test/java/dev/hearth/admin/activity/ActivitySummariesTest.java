package dev.hearth.admin.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.ActivityMeter;
import dev.hearth.resolver.policy.PolicyEngine;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Daily activity summaries over a real SQLite file: what the resolver counted since the last
 * flush lands on the household's local day, nothing is kept for households that did not opt in
 * or opted out, and days past the retention are deleted.
 */
class ActivitySummariesTest {
  @TempDir Path dir;
  final Instant[] now = {Instant.parse("2026-06-10T12:00:00Z")};
  AdminStore store;
  final ActivityMeter meter = new ActivityMeter();
  final AtomicReference<PolicySnapshot> policy = new AtomicReference<>();
  PolicyEngine engine;
  ActivitySummaries summaries;

  static final List<CompiledList> LISTS = List.of(list("adult"), list("games"));

  static CompiledList list(String category) {
    return CompiledList.builder(new ListInfo(category, category, false, false, "v1", List.of()),
        NameHasher.PLAIN).add(Rule.block(category + ".test")).build("v1");
  }

  static Clock clock(Instant[] now) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneId.of("UTC");
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now[0];
      }
    };
  }

  void setPolicy(boolean oneIn, boolean twoIn) {
    Profile kids = new Profile("kids", "Kids", Set.of("adult"), false, List.of(), List.of(),
        false, null);
    PolicySnapshot p = new PolicySnapshot(Map.of("default", Profile.baselineOnly("default"),
        "kids", kids), ClientDirectory.builder("default")
        .subscriber(new Subscriber("house-1", "kids", ZoneId.of("Pacific/Auckland"), Map.of(),
            oneIn))
        .subscriber(new Subscriber("house-2", "kids", null, Map.of(), twoIn)).build(),
        List.of(), PolicySnapshot.DEFAULT_BYPASS_NAMES, 60, null, null);
    policy.set(p);
    meter.update(p.directory());
    engine = new PolicyEngine(LISTS, p, 100);
  }

  void ask(String sub, String name, int times) {
    ClientIdentity who = new ClientIdentity(sub, null, "kids", ClientIdentity.Source.ADDRESS, "");
    for (int i = 0; i < times; i++) {
      var slot = meter.slot(who);
      if (slot != null) {
        slot.count(engine.decide(who, DomainNames.toWire(name), now[0]));
      }
    }
  }

  @BeforeEach
  void open() throws Exception {
    store = AdminStore.open(dir.resolve("admin.db"), clock(now));
    setPolicy(true, false);
    summaries = new ActivitySummaries(store, meter, () -> policy.get().directory(), 7);
  }

  @AfterEach
  void close() {
    store.close();
  }

  Map<String, long[]> day(String household, String date) throws Exception {
    Map<String, long[]> out = new java.util.TreeMap<>();
    for (var r : summaries.summary(household, LocalDate.parse(date), LocalDate.parse(date))) {
      out.put(r.profile() + "/" + r.category(), new long[] {r.allowed(), r.blocked()});
    }
    return out;
  }

  long rows() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("admin.db"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM activity_daily")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void flushes_addWhatWasCountedSince_onTheHouseholdsLocalDay() throws Exception {
    ask("house-1", "adult.test", 3);
    ask("house-1", "games.test", 2);
    ask("house-1", "example.test", 1);
    assertEquals(3, summaries.flush());
    // 12:00 UTC is already 00:00 on 11 June in Auckland (UTC+12 in June).
    Map<String, long[]> d = day("house-1", "2026-06-11");
    assertEquals(3, d.get("kids/adult")[1]);
    assertEquals(2, d.get("kids/games")[0]);
    assertEquals(1, d.get("kids/(other)")[0]);
    assertEquals(0, summaries.flush(), "nothing new: nothing written");
    ask("house-1", "adult.test", 2);
    summaries.flush();
    assertEquals(5, day("house-1", "2026-06-11").get("kids/adult")[1], "added, not replaced");
    now[0] = now[0].plusSeconds(86_400);
    ask("house-1", "adult.test", 1);
    summaries.flush();
    assertEquals(1, day("house-1", "2026-06-12").get("kids/adult")[1], "the next day apart");
    assertEquals(5, day("house-1", "2026-06-11").get("kids/adult")[1]);
  }

  @Test
  void aHouseholdThatDidNotOptIn_hasNothingStored() throws Exception {
    ask("house-2", "adult.test", 5);
    summaries.flush();
    assertTrue(summaries.summary("house-2", LocalDate.parse("2026-01-01"),
        LocalDate.parse("2026-12-31")).isEmpty());
    assertEquals(0, rows());
  }

  @Test
  void optingOut_deletesTheSummary_andOptingInAgainStartsAfresh() throws Exception {
    ask("house-1", "adult.test", 4);
    summaries.flush();
    assertEquals(1, rows());
    setPolicy(false, false);
    summaries.flush();
    assertEquals(0, rows(), "a household that is not opted in has nothing stored");
    setPolicy(true, false);
    ask("house-1", "adult.test", 1);
    summaries.flush();
    assertEquals(1, day("house-1", "2026-06-11").get("kids/adult")[1]);
    summaries.forget("house-1");
    assertEquals(0, rows());
  }

  @Test
  void daysPastTheRetention_areDeleted() throws Exception {
    ask("house-1", "adult.test", 1);
    summaries.flush();
    now[0] = now[0].plusSeconds(7 * 86_400);
    ask("house-1", "adult.test", 1);
    summaries.flush();
    assertEquals(2, rows(), "seven days later the first day is still within the retention");
    // Cut off by the UTC date less the retention, a spare day kept for zones ahead of UTC.
    now[0] = now[0].plusSeconds(2 * 86_400);
    summaries.flush();
    assertEquals(1, rows(), "the day past the retention is gone");
    assertEquals(List.of(LocalDate.parse("2026-06-18")), summaries.summary("house-1",
        LocalDate.parse("2026-06-01"), LocalDate.parse("2026-06-30")).stream()
        .map(ActivitySummaries.Row::day).toList());
  }

  @Test
  void aFailedWrite_isRetriedByTheNextFlush() throws Exception {
    ask("house-1", "adult.test", 2);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("admin.db"));
        Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 0");
      s.execute("BEGIN EXCLUSIVE"); // another writer holds the database
      org.junit.jupiter.api.Assertions.assertThrows(dev.hearth.admin.store.StoreException.class,
          () -> summaries.flush());
      s.execute("ROLLBACK");
    }
    summaries.flush();
    assertEquals(2, day("house-1", "2026-06-11").get("kids/adult")[1]);
  }
}
