package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Weekly windows in local time: edges (from inclusive, to exclusive), windows past midnight whose
 * days are the days they start on, daylight saving time in both hemispheres, and
 * {@link Schedule#nextEdgeAfter} checked against a minute-by-minute scan of
 * {@link Schedule#activeAt(Instant, ZoneId)}. Only fixed instants, never the clock.
 */
class ScheduleTest {
  static final ZoneId LONDON = ZoneId.of("Europe/London");
  static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  static final Set<DayOfWeek> WEEKDAYS = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
  static final Set<DayOfWeek> EVERY_DAY = EnumSet.allOf(DayOfWeek.class);
  static final Set<DayOfWeek> SUN_TO_THU = EnumSet.of(DayOfWeek.SUNDAY, DayOfWeek.MONDAY,
      DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY);

  static Schedule window(Set<DayOfWeek> days, String from, String to) {
    return new Schedule("w", days, LocalTime.parse(from), LocalTime.parse(to), true, Set.of(),
        List.of());
  }

  static LocalDateTime at(String localDateTime) {
    return LocalDateTime.parse(localDateTime);
  }

  static Instant utc(String instant) {
    return Instant.parse(instant);
  }

  // --- same-day windows -------------------------------------------------------------------

  @Test
  void sameDayWindow_fromInclusive_toExclusive_onlyOnItsDays() {
    Schedule homework = window(WEEKDAYS, "16:00", "18:00");
    assertFalse(homework.overnight());
    // 2026-03-02 is a Monday.
    assertEquals(DayOfWeek.MONDAY, LocalDate.of(2026, 3, 2).getDayOfWeek());
    assertFalse(homework.activeAt(at("2026-03-02T15:59:59.999")));
    assertTrue(homework.activeAt(at("2026-03-02T16:00")));
    assertTrue(homework.activeAt(at("2026-03-02T17:00")));
    assertTrue(homework.activeAt(at("2026-03-02T17:59:59.999")));
    assertFalse(homework.activeAt(at("2026-03-02T18:00")));
    assertFalse(homework.activeAt(at("2026-03-02T23:59")));
    assertFalse(homework.activeAt(at("2026-03-03T00:00")));
    // Friday yes, Saturday and Sunday no.
    assertTrue(homework.activeAt(at("2026-03-06T16:30")));
    assertFalse(homework.activeAt(at("2026-03-07T16:30")));
    assertFalse(homework.activeAt(at("2026-03-08T16:30")));
  }

  @Test
  void sameDayWindow_isEvaluatedInTheGivenZone_notUtc() {
    Schedule homework = window(WEEKDAYS, "16:00", "18:00");
    // 2026-06-10 (Wednesday): 16:00 in London (BST) is 15:00 UTC; in Sydney (AEST) 06:00 UTC.
    assertTrue(homework.activeAt(utc("2026-06-10T15:00:00Z"), LONDON));
    assertFalse(homework.activeAt(utc("2026-06-10T14:59:59Z"), LONDON));
    assertFalse(homework.activeAt(utc("2026-06-10T17:00:00Z"), LONDON));
    assertTrue(homework.activeAt(utc("2026-06-10T06:00:00Z"), SYDNEY));
    assertFalse(homework.activeAt(utc("2026-06-10T08:00:00Z"), SYDNEY));
    assertFalse(homework.activeAt(utc("2026-06-10T15:00:00Z"), SYDNEY));
  }

  // --- overnight windows ------------------------------------------------------------------

  @Test
  void overnightWindow_daysAreStartDays_theMorningAfterBelongsToThePreviousDay() {
    Schedule bedtime = window(SUN_TO_THU, "20:00", "07:00");
    assertTrue(bedtime.overnight());
    // 2026-03-01 is a Sunday.
    assertFalse(bedtime.activeAt(at("2026-03-01T06:59")), "Saturday is not a start day");
    assertFalse(bedtime.activeAt(at("2026-03-01T19:59:59")));
    assertTrue(bedtime.activeAt(at("2026-03-01T20:00")), "starts Sunday 20:00");
    assertTrue(bedtime.activeAt(at("2026-03-01T23:59:59.999")));
    assertTrue(bedtime.activeAt(at("2026-03-02T00:00")), "crosses midnight into Monday");
    assertTrue(bedtime.activeAt(at("2026-03-02T06:59")), "Monday 06:59 after Sunday's start");
    assertFalse(bedtime.activeAt(at("2026-03-02T07:00")), "to is exclusive");
    assertFalse(bedtime.activeAt(at("2026-03-02T12:00")));
    assertTrue(bedtime.activeAt(at("2026-03-02T20:00")), "Monday is a start day too");
    // Thursday's window runs into Friday morning; Friday's evening is free.
    assertTrue(bedtime.activeAt(at("2026-03-05T20:00")));
    assertTrue(bedtime.activeAt(at("2026-03-06T06:59")), "Friday 06:59: started Thursday");
    assertFalse(bedtime.activeAt(at("2026-03-06T07:00")));
    assertFalse(bedtime.activeAt(at("2026-03-06T20:00")), "Friday is not a start day");
    assertFalse(bedtime.activeAt(at("2026-03-06T23:59")));
    assertFalse(bedtime.activeAt(at("2026-03-07T06:59")), "nothing started on Friday");
    assertFalse(bedtime.activeAt(at("2026-03-07T20:00")), "Saturday is not a start day");
    assertFalse(bedtime.activeAt(at("2026-03-08T00:30")), "nothing started on Saturday");
  }

  @Test
  void overnightWindow_endingAtMidnight_andAShortWindowAcrossMidnight() {
    Schedule toMidnight = window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "00:00");
    assertTrue(toMidnight.overnight());
    // 2026-03-07 is a Saturday.
    assertTrue(toMidnight.activeAt(at("2026-03-07T23:59:59")));
    assertFalse(toMidnight.activeAt(at("2026-03-08T00:00")));
    assertEquals(ZonedDateTime.of(LocalDateTime.parse("2026-03-08T00:00"), LONDON),
        toMidnight.nextEdgeAfter(ZonedDateTime.of(at("2026-03-07T22:00"), LONDON)));

    Schedule late = window(EnumSet.of(DayOfWeek.SATURDAY), "23:30", "00:30");
    assertTrue(late.activeAt(at("2026-03-07T23:30")));
    assertTrue(late.activeAt(at("2026-03-08T00:29")));
    assertFalse(late.activeAt(at("2026-03-08T00:30")));
    assertFalse(late.activeAt(at("2026-03-07T00:15")), "Friday did not start it");
  }

  @Test
  void constructorRejectsAnEmptyWindow_andCopiesItsArguments() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> window(EVERY_DAY, "21:00", "21:00"));
    assertTrue(e.getMessage().contains("21:00"), e.getMessage());
    assertThrows(NullPointerException.class, () -> new Schedule("x", EVERY_DAY, null,
        LocalTime.NOON, true, Set.of(), List.of()));

    Set<DayOfWeek> days = EnumSet.of(DayOfWeek.MONDAY);
    Schedule s = window(days, "10:00", "11:00");
    days.add(DayOfWeek.TUESDAY);
    assertEquals(Set.of(DayOfWeek.MONDAY), s.days(), "the schedule keeps its own copy");
  }

  @Test
  void windowWithoutDays_isNeverOpen_andHasNoEdge() {
    Schedule none = window(EnumSet.noneOf(DayOfWeek.class), "21:00", "07:00");
    assertFalse(none.activeAt(at("2026-03-02T22:00")));
    assertFalse(none.activeAt(at("2026-03-03T06:00")));
    assertNull(none.nextEdgeAfter(ZonedDateTime.of(at("2026-03-02T22:00"), LONDON)));
  }

  // --- daylight saving time ----------------------------------------------------------------

  /**
   * A 21:00-07:00 bedtime starts at 21:00 and ends at 07:00 local time on both sides of every
   * change, in both hemispheres: the UTC instant of the start moves by an hour.
   */
  @Test
  void bedtimeFollowsWallClockOnBothSidesOfDstChanges() {
    Schedule bedtime = window(EVERY_DAY, "21:00", "07:00");
    // Europe/London forward on Sunday 2026-03-29 at 01:00 UTC.
    assertOpensAt(bedtime, LONDON, "2026-03-28T21:00:00Z"); // Saturday, GMT
    assertOpensAt(bedtime, LONDON, "2026-03-29T20:00:00Z"); // Sunday, BST
    assertClosesAt(bedtime, LONDON, "2026-03-29T06:00:00Z"); // 07:00 BST, the morning after
    // Europe/London back on Sunday 2026-10-25 at 01:00 UTC.
    assertOpensAt(bedtime, LONDON, "2026-10-24T20:00:00Z"); // Saturday, BST
    assertOpensAt(bedtime, LONDON, "2026-10-25T21:00:00Z"); // Sunday, GMT
    assertClosesAt(bedtime, LONDON, "2026-10-25T07:00:00Z"); // 07:00 GMT
    // Australia/Sydney back on Sunday 2026-04-05 (AEDT +11 to AEST +10).
    assertOpensAt(bedtime, SYDNEY, "2026-04-04T10:00:00Z"); // Saturday 21:00 AEDT
    assertOpensAt(bedtime, SYDNEY, "2026-04-05T11:00:00Z"); // Sunday 21:00 AEST
    assertClosesAt(bedtime, SYDNEY, "2026-04-04T21:00:00Z"); // Sunday 07:00 AEST
    // Australia/Sydney forward on Sunday 2026-10-04 (AEST +10 to AEDT +11).
    assertOpensAt(bedtime, SYDNEY, "2026-10-03T11:00:00Z"); // Saturday 21:00 AEST
    assertOpensAt(bedtime, SYDNEY, "2026-10-04T10:00:00Z"); // Sunday 21:00 AEDT
    assertClosesAt(bedtime, SYDNEY, "2026-10-03T20:00:00Z"); // Sunday 07:00 AEDT
    // America/New_York forward on Sunday 2026-03-08, back on Sunday 2026-11-01.
    assertOpensAt(bedtime, NEW_YORK, "2026-03-08T02:00:00Z"); // Saturday 21:00 EST
    assertOpensAt(bedtime, NEW_YORK, "2026-03-09T01:00:00Z"); // Sunday 21:00 EDT
    assertClosesAt(bedtime, NEW_YORK, "2026-03-08T11:00:00Z"); // Sunday 07:00 EDT
    assertOpensAt(bedtime, NEW_YORK, "2026-11-01T01:00:00Z"); // Saturday 21:00 EDT
    assertOpensAt(bedtime, NEW_YORK, "2026-11-02T02:00:00Z"); // Sunday 21:00 EST
    assertClosesAt(bedtime, NEW_YORK, "2026-11-01T12:00:00Z"); // Sunday 07:00 EST
  }

  private static void assertOpensAt(Schedule s, ZoneId zone, String instant) {
    Instant t = utc(instant);
    assertEquals(LocalTime.parse("21:00"), t.atZone(zone).toLocalTime(), instant);
    assertFalse(s.activeAt(t.minusSeconds(1), zone), "closed just before " + instant);
    assertTrue(s.activeAt(t, zone), "open at " + instant + " in " + zone);
    // The instant an hour off (what a fixed UTC offset would give) is on the wrong side.
    assertFalse(s.activeAt(t.minus(Duration.ofMinutes(61)), zone));
    assertEquals(t, s.nextEdgeAfter(t.minusSeconds(1).atZone(zone)).toInstant(),
        "next edge before " + instant + " in " + zone);
  }

  private static void assertClosesAt(Schedule s, ZoneId zone, String instant) {
    Instant t = utc(instant);
    assertEquals(LocalTime.parse("07:00"), t.atZone(zone).toLocalTime(), instant);
    assertTrue(s.activeAt(t.minusSeconds(1), zone), "open just before " + instant);
    assertFalse(s.activeAt(t, zone), "closed at " + instant + " in " + zone);
    assertEquals(t, s.nextEdgeAfter(t.minusSeconds(1).atZone(zone)).toInstant(),
        "next edge before " + instant + " in " + zone);
  }

  @Test
  void edgeInsideTheSkippedHour_takesEffectAtTheFirstLocalTimeAfterIt() {
    // London 2026-03-29: 01:00 GMT jumps to 02:00 BST; 01:30 local does not exist.
    Schedule opensInGap = window(EVERY_DAY, "01:30", "06:00");
    assertFalse(opensInGap.activeAt(utc("2026-03-29T00:59:59Z"), LONDON)); // 00:59:59 GMT
    assertTrue(opensInGap.activeAt(utc("2026-03-29T01:00:00Z"), LONDON)); // 02:00 BST
    assertTrue(opensInGap.activeAt(utc("2026-03-29T04:59:59Z"), LONDON)); // 05:59:59 BST
    assertFalse(opensInGap.activeAt(utc("2026-03-29T05:00:00Z"), LONDON)); // 06:00 BST

    // A window ending inside the gap ends at 02:00 BST, too.
    Schedule endsInGap = window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "01:30");
    assertTrue(endsInGap.activeAt(utc("2026-03-29T00:59:59Z"), LONDON));
    assertFalse(endsInGap.activeAt(utc("2026-03-29T01:00:00Z"), LONDON));

    // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    Schedule ny = window(EVERY_DAY, "02:30", "06:00");
    assertFalse(ny.activeAt(utc("2026-03-08T06:59:59Z"), NEW_YORK)); // 01:59:59 EST
    assertTrue(ny.activeAt(utc("2026-03-08T07:00:00Z"), NEW_YORK)); // 03:00 EDT
  }

  @Test
  void repeatedHour_isInsideOrOutsideTheWindowAsItsWallClockSays_bothTimes() {
    // London 2026-10-25: 01:00-01:59 happens twice (BST at 00:xx UTC, GMT at 01:xx UTC).
    Schedule s = window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "01:30");
    assertTrue(s.activeAt(utc("2026-10-25T00:15:00Z"), LONDON)); // 01:15 BST
    assertFalse(s.activeAt(utc("2026-10-25T00:45:00Z"), LONDON)); // 01:45 BST
    assertTrue(s.activeAt(utc("2026-10-25T01:15:00Z"), LONDON)); // 01:15 GMT
    assertFalse(s.activeAt(utc("2026-10-25T01:45:00Z"), LONDON)); // 01:45 GMT
  }

  // --- nextEdgeAfter -----------------------------------------------------------------------

  @Test
  void nextEdgeAfter_explicitCases() {
    Schedule bedtime = window(SUN_TO_THU, "20:00", "07:00");
    // Sunday 2026-03-01 12:00 London: opens at 20:00 the same day.
    assertEquals(ZonedDateTime.of(at("2026-03-01T20:00"), LONDON),
        bedtime.nextEdgeAfter(ZonedDateTime.of(at("2026-03-01T12:00"), LONDON)));
    // Exactly at the opening edge: the next one is the close, the morning after (not now).
    assertEquals(ZonedDateTime.of(at("2026-03-02T07:00"), LONDON),
        bedtime.nextEdgeAfter(ZonedDateTime.of(at("2026-03-01T20:00"), LONDON)));
    // Sunday 23:59 (before midnight) and Monday 00:01 (after it): Monday 07:00.
    assertEquals(ZonedDateTime.of(at("2026-03-02T07:00"), LONDON),
        bedtime.nextEdgeAfter(ZonedDateTime.of(at("2026-03-01T23:59"), LONDON)));
    assertEquals(ZonedDateTime.of(at("2026-03-02T07:00"), LONDON),
        bedtime.nextEdgeAfter(ZonedDateTime.of(at("2026-03-02T00:01"), LONDON)));
    // Friday 07:00 (Thursday's window just closed): next is Sunday 20:00.
    assertEquals(ZonedDateTime.of(at("2026-03-08T20:00"), LONDON),
        bedtime.nextEdgeAfter(ZonedDateTime.of(at("2026-03-06T07:00"), LONDON)));

    // A window on one day a week, asked just after it closed: a week later.
    Schedule monday = window(EnumSet.of(DayOfWeek.MONDAY), "16:00", "18:00");
    assertEquals(ZonedDateTime.of(at("2026-03-09T16:00"), LONDON),
        monday.nextEdgeAfter(ZonedDateTime.of(at("2026-03-02T18:00"), LONDON)));

    // Across London's spring change: Saturday 23:00 GMT, bedtime every day, next is 07:00 BST.
    Schedule every = window(EVERY_DAY, "21:00", "07:00");
    ZonedDateTime edge = every.nextEdgeAfter(ZonedDateTime.of(at("2026-03-28T23:00"), LONDON));
    assertEquals(utc("2026-03-29T06:00:00Z"), edge.toInstant());
    assertEquals(Duration.ofHours(6), Duration.between(utc("2026-03-29T00:00:00Z"),
        edge.toInstant()), "only 7 hours of wall clock, 6 elapsed");
  }

  /**
   * For windows whose edges are not in a skipped or repeated hour, the next edge equals the first
   * change of {@link Schedule#activeAt(Instant, ZoneId)} found by scanning every minute, from
   * instants spread over eight days around each DST change of three zones; and it is always
   * after now.
   */
  @Test
  void nextEdgeAfter_matchesAMinuteByMinuteScan_aroundDstChanges() {
    List<Schedule> schedules = List.of(
        window(WEEKDAYS, "16:00", "18:00"),
        window(SUN_TO_THU, "20:00", "07:00"),
        window(EVERY_DAY, "21:00", "07:00"),
        window(EnumSet.of(DayOfWeek.SATURDAY), "23:30", "00:30"),
        window(EnumSet.of(DayOfWeek.SUNDAY), "06:00", "05:00"));
    Object[][] changes = {
        {LONDON, "2026-03-29T01:00:00Z"}, {LONDON, "2026-10-25T01:00:00Z"},
        {SYDNEY, "2026-04-04T16:00:00Z"}, {SYDNEY, "2026-10-03T16:00:00Z"},
        {NEW_YORK, "2026-03-08T07:00:00Z"}, {NEW_YORK, "2026-11-01T06:00:00Z"}};
    int checked = 0;
    for (Object[] c : changes) {
      ZoneId zone = (ZoneId) c[0];
      Instant change = utc((String) c[1]);
      assertTrue(zone.getRules().nextTransition(change.minusSeconds(1)).getInstant()
          .equals(change), "fixture: a DST change at " + change + " in " + zone);
      Instant from = change.minus(Duration.ofDays(4));
      Instant to = change.plus(Duration.ofDays(4));
      for (Schedule s : schedules) {
        List<Instant> flips = flips(s, zone, from, to.plus(Duration.ofDays(9)));
        List<Instant> nows = new ArrayList<>();
        for (Instant t = from; t.isBefore(to); t = t.plusSeconds(17 * 60 + 13)) {
          nows.add(t);
        }
        for (Instant f : flips) {
          if (f.isBefore(to)) {
            nows.add(f);
            nows.add(f.minusSeconds(1));
            nows.add(f.minusNanos(1));
          }
        }
        for (Instant now : nows) {
          ZonedDateTime local = now.atZone(zone);
          ZonedDateTime edge = s.nextEdgeAfter(local);
          String ctx = s.from() + "-" + s.to() + " " + s.days() + " in " + zone + " at " + local;
          assertNotNull(edge, ctx);
          assertTrue(edge.toInstant().isAfter(now), "edge not after now: " + edge + "; " + ctx);
          assertEquals(firstAfter(flips, now), edge.toInstant(), ctx);
          checked++;
        }
      }
    }
    assertTrue(checked > 10_000, "checked " + checked);
  }

  /** Every instant (on a minute) in [from, to) at which the window opens or closes. */
  static List<Instant> flips(Schedule s, ZoneId zone, Instant from, Instant to) {
    List<Instant> out = new ArrayList<>();
    Instant t = from.truncatedTo(ChronoUnit.MINUTES);
    boolean open = s.activeAt(t, zone);
    for (t = t.plusSeconds(60); t.isBefore(to); t = t.plusSeconds(60)) {
      boolean o = s.activeAt(t, zone);
      if (o != open) {
        out.add(t);
        open = o;
      }
    }
    return out;
  }

  static Instant firstAfter(List<Instant> sorted, Instant now) {
    int i = Collections.binarySearch(sorted, now);
    i = i >= 0 ? i + 1 : -i - 1;
    return sorted.get(i);
  }

  @Test
  void nextEdgeAfter_edgeInsideTheSkippedHour_isTheFirstLocalTimeAfterIt() {
    Schedule opensInGap = window(EVERY_DAY, "01:30", "06:00");
    ZonedDateTime now = utc("2026-03-29T00:30:00Z").atZone(LONDON); // 00:30 GMT, closed
    assertFalse(opensInGap.activeAt(now.toInstant(), LONDON));
    // activeAt opens it at 01:00 UTC = 02:00 BST, the first local time after 01:30.
    assertEquals(utc("2026-03-29T01:00:00Z"), opensInGap.nextEdgeAfter(now).toInstant());

    Schedule endsInGap = window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "01:30");
    ZonedDateTime late = utc("2026-03-29T00:30:00Z").atZone(LONDON); // open
    assertTrue(endsInGap.activeAt(late.toInstant(), LONDON));
    assertEquals(utc("2026-03-29T01:00:00Z"), endsInGap.nextEdgeAfter(late).toInstant());
  }

  @Test
  void nextEdgeAfter_repeatedHour_seesBothPassesOfAnEdge() {
    Schedule s = window(EnumSet.of(DayOfWeek.SATURDAY), "22:00", "01:30");
    assertEquals(utc("2026-10-25T00:30:00Z"),
        s.nextEdgeAfter(utc("2026-10-25T00:15:00Z").atZone(LONDON)).toInstant());
    assertEquals(utc("2026-10-25T01:00:00Z"),
        s.nextEdgeAfter(utc("2026-10-25T00:45:00Z").atZone(LONDON)).toInstant());
    assertEquals(utc("2026-10-25T01:30:00Z"),
        s.nextEdgeAfter(utc("2026-10-25T01:15:00Z").atZone(LONDON)).toInstant());
  }
}
