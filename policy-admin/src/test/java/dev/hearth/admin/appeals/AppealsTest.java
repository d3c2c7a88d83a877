package dev.hearth.admin.appeals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.policy.PolicySnapshot;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appeal workflow on a real SQLite file, with a clock the test moves: the rules a reviewer
 * and an appellant meet (merging, deadlines, conflicts of interest, limits, reopening), the mail
 * each step queues, the override an upheld appeal publishes, the transparency figures.
 */
class AppealsTest {
  @TempDir Path dir;
  AdminStore store;
  PolicyService policy;
  List<PolicySnapshot> published = new ArrayList<>();
  MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
  Appeals appeals;
  Principal rita = new Principal("user:rita", Role.APPEALS_REVIEWER, null);
  Principal carl = new Principal("user:carl", Role.LIST_CUSTODIAN, null);

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** The store under test: a SQLite file here, PostgreSQL in the subclass. */
  AdminStore openStore(Clock clock) throws Exception {
    return AdminStore.open(dir.resolve("admin.db"), clock);
  }

  @BeforeEach
  void open() throws Exception {
    store = openStore(clock);
    policy = new PolicyService(store, docs -> PolicySnapshot.everyListForEveryone());
    policy.open();
    policy.attach(published::add, new AddressBindings());
    appeals = new Appeals(store, policy, new Appeals.Settings(Duration.ofHours(24),
        Duration.ofHours(48), Duration.ofDays(90), true, "https://filter.example", "Test ISP", 5),
        clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  Appeals.Submission submission(String name, String email) {
    return new Appeals.Submission(name, "category:adult@v1#3", "webmaster", email,
        "a school, not adult", "education", "");
  }

  /** The confirmation token from the last mail to {@code to}. */
  String tokenMailedTo(String to) throws Exception {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT body FROM outbox WHERE recipient = ?"
          + " AND subject LIKE 'Confirm%' ORDER BY id DESC LIMIT 1")) {
        ps.setString(1, to);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1).replaceAll("(?s).*token=([\\w-]+).*", "$1");
        }
      }
    });
  }

  List<String> subjectsTo(String to) throws Exception {
    return store.read(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT subject FROM outbox WHERE"
          + " recipient = ? ORDER BY id")) {
        ps.setString(1, to);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  String fileAndConfirm(String name, String email, String address) throws Exception {
    String ticket = appeals.file(submission(name, email), address).ticket();
    assertEquals(ticket, appeals.confirmByToken(tokenMailedTo(email)));
    return ticket;
  }

  @Test
  void unconfirmedAppealsStayOutOfTheQueue_confirmedOnesGetDeadlines_andDuplicatesMerge()
      throws Exception {
    Appeals.Filed f = appeals.file(submission("https://School.example/page?x=1",
        "a@site.example"), "192.0.2.1");
    assertTrue(f.needsConfirmation());
    assertEquals(Appeal.State.RECEIVED, appeals.find(f.ticket()).appeal().state());
    assertTrue(appeals.queue().isEmpty());
    appeals.confirmByToken(tokenMailedTo("a@site.example"));
    Appeal a = appeals.find(f.ticket()).appeal();
    assertEquals(Appeal.State.CONFIRMED, a.state());
    assertEquals("school.example", a.name());
    assertEquals("https://School.example/page?x=1", a.url());
    assertEquals(Instant.parse("2026-11-28T10:00:00Z"), a.decideDue());
    assertThrows(AppealException.class, () -> appeals.confirmByToken("not-a-real-token-at-all"));

    clock.now = clock.now.plusSeconds(60);
    String second = fileAndConfirm("school.example", "b@site.example", "192.0.2.2");
    assertEquals(f.ticket(), appeals.find(second).appeal().mergedInto());
    assertEquals(List.of(f.ticket()), appeals.queue().stream().map(Appeal::ticket).toList());

    // Deciding the first decides the merged one too, and mails both.
    clock.now = clock.now.plus(Duration.ofHours(50));
    assertTrue(appeals.queue().get(0).overdue(clock.instant()));
    appeals.decide(rita, f.ticket(), "unblocked", null, false, "a school");
    assertEquals(Appeal.State.DECIDED, appeals.find(second).appeal().state());
    assertTrue(subjectsTo("b@site.example").contains("Decision on your appeal " + second),
        subjectsTo("b@site.example").toString());
    Appeals.Stats st = appeals.stats();
    assertEquals(1, st.received(), "a merged duplicate is not counted twice");
    assertEquals(1, st.upheld());
    assertEquals(0.0, st.decidedWithinDeadline(), "decided after the 48 h deadline");
    assertEquals(Duration.ofHours(50).plusMinutes(1), st.medianToDecision(),
        "from confirmation (10:00) to decision (one minute later, plus 50 h)");
  }

  @Test
  void anUpheldAppeal_publishesAnOverride_thatSurvivesARestart() throws Exception {
    String t = fileAndConfirm("school.example", "a@site.example", "192.0.2.1");
    appeals.take(rita, t);
    int before = published.size();
    appeals.decide(rita, t, "recategorised", "education", true, "it is a school");
    assertEquals(before + 1, published.size());
    var o = published.get(published.size() - 1).appealOverrides();
    assertEquals(1, o.size());
    assertEquals("school.example", o.get(0).name());
    assertEquals("education", o.get(0).category());
    assertTrue(o.get(0).subdomains());
    assertEquals(t, o.get(0).ticket());
    // A fresh service over the same file starts with it in force.
    PolicyService again = new PolicyService(store, docs -> PolicySnapshot.everyListForEveryone());
    assertEquals(o, again.open().appealOverrides());
    // Audited, with the reviewer's name.
    int audited = store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM audit_log WHERE"
          + " actor = 'user:rita' AND action IN ('appeal.take', 'appeal.decide',"
          + " 'appeal-override.put')"); ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
    assertEquals(3, audited);
  }

  @Test
  void aReviewerWhoAddedTheEntry_mayNotDecide_anotherMay() throws Exception {
    store.transaction(c -> {
      store.audit(c, "user:carl", "profile.update", "profile:kids", null,
          "{\"id\":\"kids\",\"block\":[\"school.example\"]}");
      return null;
    });
    String t = fileAndConfirm("school.example", "a@site.example", "192.0.2.1");
    AppealException e = assertThrows(AppealException.class,
        () -> appeals.decide(carl, t, "block-kept", null, false, "fine"));
    assertEquals(403, e.status());
    assertEquals(Appeal.State.CONFIRMED, appeals.find(t).appeal().state());
    appeals.decide(rita, t, "block-kept", null, false, "it is adult content");
    assertEquals(Appeal.Outcome.BLOCK_KEPT, appeals.find(t).appeal().outcome());
    AppealException twice = assertThrows(AppealException.class,
        () -> appeals.decide(rita, t, "unblocked", null, false, "changed my mind"));
    assertEquals(409, twice.status());
    assertTrue(policy.appealOverrides().isEmpty(), "a rejected appeal changes nothing");
  }

  @Test
  void badInput_namesTheField_andStoresNothing() throws Exception {
    record Case(Appeals.Submission s, String field) {}
    for (Case c : List.of(
        new Case(new Appeals.Submission("", null, "user", "a@b.cd", "m", null, ""), "name"),
        new Case(new Appeals.Submission("<script>", null, "user", "a@b.cd", "m", null, ""),
            "name"),
        new Case(new Appeals.Submission("x.example", null, "hacker", "a@b.cd", "m", null, ""),
            "role"),
        new Case(new Appeals.Submission("x.example", null, "user", "a@b.cd\r\nBcc: e@f.gh", "m",
            null, ""), "email"),
        new Case(new Appeals.Submission("x.example", null, "user", "a@b.cd", " ", null, ""),
            "message"),
        new Case(new Appeals.Submission("x.example", null, "user", "a@b.cd",
            "m".repeat(Appeals.MAX_MESSAGE + 1), null, ""), "message"),
        new Case(new Appeals.Submission("x.example", null, "user", "a@b.cd", "m",
            "Robert'); DROP TABLE appeals;--", ""), "category"))) {
      AppealException e = assertThrows(AppealException.class,
          () -> appeals.file(c.s(), "192.0.2.9"));
      assertEquals(c.field(), e.field(), e.getMessage());
    }
    assertTrue(appeals.recent(10).isEmpty());
    // SQL metacharacters are data, not code.
    String t = fileAndConfirm("x.example", "o'brien@site.example", "192.0.2.8");
    assertEquals("o'brien@site.example", appeals.find(t).appeal().email());
  }

  @Test
  void limits_perAddressPerHour_andTheHoneypot() throws Exception {
    for (int i = 0; i < appeals.settings().perAddressPerHour(); i++) {
      appeals.file(submission("n" + i + ".example", "a@site.example"), "192.0.2.7");
    }
    AppealException e = assertThrows(AppealException.class,
        () -> appeals.file(submission("more.example", "a@site.example"), "192.0.2.7"));
    assertEquals(429, e.status());
    appeals.file(submission("more.example", "a@site.example"), "192.0.2.70");
    clock.now = clock.now.plus(Duration.ofMinutes(61));
    appeals.file(submission("later.example", "a@site.example"), "192.0.2.7");

    var bot = appeals.file(new Appeals.Submission("bot.example", null, "user", "bot@x.example",
        "buy", null, "http://spam.example"), "192.0.2.99");
    assertNull(appeals.find(bot.ticket()), "a honeypot hit is not stored");
    assertTrue(subjectsTo("bot@x.example").isEmpty());
  }

  @Test
  void followUps_reopenADecidedAppeal_withANewDeadline_legalOnesGoToTheIwf() throws Exception {
    String t = fileAndConfirm("school.example", "a@site.example", "192.0.2.1");
    appeals.decide(rita, t, "block-kept", null, false, "adult");
    clock.now = clock.now.plus(Duration.ofHours(3));
    appeals.followUp(t, "It really is a school: see the ministry's register.", "192.0.2.1");
    Appeal a = appeals.find(t).appeal();
    assertEquals(Appeal.State.CONFIRMED, a.state());
    assertEquals(clock.now.plus(Duration.ofHours(48)), a.decideDue());
    assertEquals(List.of(t), appeals.queue().stream().map(Appeal::ticket).toList());

    Appeals.Filed legal = appeals.file(new Appeals.Submission("legal.example",
        "locked-list:iwf", "webmaster", "w@site.example", "mine", null, ""), "192.0.2.3");
    appeals.confirmByToken(tokenMailedTo("w@site.example"));
    Appeal l = appeals.find(legal.ticket()).appeal();
    assertEquals(Appeal.State.REFERRED, l.state());
    assertEquals("iwf", l.referredTo());
    assertTrue(subjectsTo("w@site.example").stream().anyMatch(s -> s.contains(
        "Internet Watch Foundation")));
  }

  @Test
  void closedAppeals_forgetTheirAddress_afterTheRetentionPeriod() throws Exception {
    String t = fileAndConfirm("school.example", "a@site.example", "192.0.2.1");
    appeals.decide(rita, t, "unblocked", null, false, "school");
    appeals.close(rita, t, null);
    assertEquals(0, appeals.forgetClosed());
    clock.now = clock.now.plus(Duration.ofDays(91));
    assertEquals(1, appeals.forgetClosed());
    assertNull(appeals.find(t).appeal().email());
    assertThrows(AppealException.class, () -> appeals.followUp(t, "more", "192.0.2.1"));
  }
}
