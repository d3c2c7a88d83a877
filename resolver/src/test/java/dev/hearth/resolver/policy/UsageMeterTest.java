package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Minutes of use per (subscriber, profile, category) and local day: one-minute buckets, reset at
 * local midnight, 23- and 25-hour days. Only fixed instants, never the clock.
 */
class UsageMeterTest {
  static final ZoneId LONDON = ZoneId.of("Europe/London");
  static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");
  static final ZoneId UTC = ZoneId.of("UTC");

  final UsageMeter meter = new UsageMeter();

  static Instant utc(String s) {
    return Instant.parse(s);
  }

  int record(String instant, ZoneId zone) {
    return meter.record("house-1", "kids", "games", utc(instant), zone);
  }

  int used(String instant, ZoneId zone) {
    return meter.used("house-1", "kids", "games", utc(instant), zone);
  }

  @Test
  void aMinuteCountsOnce_howeverManyQueriesFallInIt() {
    assertEquals(0, used("2026-06-10T09:00:00Z", LONDON));
    assertEquals(1, record("2026-06-10T09:00:00Z", LONDON));
    assertEquals(1, record("2026-06-10T09:00:00.001Z", LONDON));
    assertEquals(1, record("2026-06-10T09:00:30Z", LONDON));
    assertEquals(1, record("2026-06-10T09:00:59.999Z", LONDON));
    assertEquals(2, record("2026-06-10T09:01:00Z", LONDON), "a new minute");
    assertEquals(2, record("2026-06-10T09:01:59Z", LONDON));
    assertEquals(3, record("2026-06-10T13:45:10Z", LONDON));
    assertEquals(3, record("2026-06-10T09:00:10Z", LONDON), "an earlier minute already counted");
    assertEquals(3, used("2026-06-10T20:00:00Z", LONDON), "used() on the same local day");
    for (int i = 0; i < 500; i++) {
      record("2026-06-10T15:30:00Z", LONDON);
    }
    assertEquals(4, used("2026-06-10T15:30:00Z", LONDON));
  }

  @Test
  void theClockJumpingBackAcrossMidnightAndForwardAgain_keepsTheDaysMinutes() {
    assertEquals(1, record("2026-06-10T09:00:00Z", UTC));
    assertEquals(2, record("2026-06-10T09:01:00Z", UTC));
    // An NTP step back to yesterday evening: nothing is reset, nothing counted for yesterday.
    assertEquals(2, record("2026-06-09T23:59:00Z", UTC));
    assertEquals(0, used("2026-06-09T23:59:00Z", UTC));
    // Back to today: the morning's minutes are still there.
    assertEquals(3, record("2026-06-10T09:02:00Z", UTC));
    // A jump forward to another day starts that day's count, as midnight does.
    assertEquals(1, record("2026-06-12T09:00:00Z", UTC));
  }

  @Test
  void minutesAreKeptApartPerSubscriberProfileAndCategory() {
    Instant t = utc("2026-06-10T09:00:00Z");
    assertEquals(1, meter.record("house-1", "kids", "games", t, LONDON));
    assertEquals(2, meter.record("house-1", "kids", "games", t.plusSeconds(60), LONDON));
    assertEquals(1, meter.record("house-1", "kids", "social", t, LONDON));
    assertEquals(1, meter.record("house-1", "teen", "games", t, LONDON));
    assertEquals(1, meter.record("house-2", "kids", "games", t, LONDON));
    assertEquals(1, meter.record(null, "kids", "games", t, LONDON), "a venue (no subscriber)");
    assertEquals(2, meter.used("house-1", "kids", "games", t, LONDON));
    assertEquals(1, meter.used("house-1", "kids", "social", t, LONDON));
    assertEquals(1, meter.used("house-1", "teen", "games", t, LONDON));
    assertEquals(1, meter.used("house-2", "kids", "games", t, LONDON));
    assertEquals(1, meter.used(null, "kids", "games", t, LONDON));
    assertEquals(0, meter.used("house-3", "kids", "games", t, LONDON));
    assertEquals(0, meter.used("house-1", "kids", "video", t, LONDON));
  }

  @Test
  void resetsAtLocalMidnight_notUtcMidnight() {
    // Sydney in January is UTC+11: local midnight of 2026-01-15 is 2026-01-14T13:00Z.
    assertEquals(1, record("2026-01-14T12:58:00Z", SYDNEY)); // 23:58 local on the 14th
    assertEquals(2, record("2026-01-14T12:59:59Z", SYDNEY)); // 23:59:59 local
    assertEquals(1, record("2026-01-14T13:00:00Z", SYDNEY), "local midnight: a new day");
    assertEquals(1, used("2026-01-14T13:00:30Z", SYDNEY));
    // UTC midnight (11:00 local) is nothing special.
    assertEquals(2, record("2026-01-14T23:59:00Z", SYDNEY));
    assertEquals(3, record("2026-01-15T00:00:00Z", SYDNEY));
    assertEquals(3, used("2026-01-15T12:59:59Z", SYDNEY));
    assertEquals(0, used("2026-01-15T13:00:00Z", SYDNEY), "the 16th has no use yet");

    // London in summer is UTC+1: local midnight is 23:00 UTC.
    UsageMeter m = new UsageMeter();
    assertEquals(1, m.record("h", "p", "c", utc("2026-06-10T22:59:00Z"), LONDON));
    assertEquals(1, m.record("h", "p", "c", utc("2026-06-10T23:00:00Z"), LONDON));
    assertEquals(2, m.record("h", "p", "c", utc("2026-06-11T00:00:00Z"), LONDON));
  }

  @Test
  void usedForAnotherDayIsZero() {
    record("2026-06-10T09:00:00Z", LONDON);
    record("2026-06-10T09:05:00Z", LONDON);
    assertEquals(2, used("2026-06-10T21:00:00Z", LONDON));
    assertEquals(0, used("2026-06-09T09:00:00Z", LONDON), "the day before");
    assertEquals(0, used("2026-06-11T09:00:00Z", LONDON), "the day after");
    assertEquals(0, used("2026-06-17T09:05:00Z", LONDON), "a week later");
    // A new day's use replaces the old day's.
    assertEquals(1, record("2026-06-11T09:00:00Z", LONDON));
    assertEquals(0, used("2026-06-10T09:00:00Z", LONDON));
    assertEquals(1, used("2026-06-11T22:59:00Z", LONDON));
  }

  @Test
  void dstEndDay_has25HoursOfMinutes_andBothOneOClockHoursCountSeparately() {
    // London 2026-10-25: 01:00-01:59 BST (00:xx UTC), then 01:00-01:59 GMT (01:xx UTC).
    assertEquals(1, record("2026-10-25T00:30:00Z", LONDON)); // 01:30 BST
    assertEquals(2, record("2026-10-25T01:30:00Z", LONDON), "01:30 GMT is another minute");
    assertEquals(2, record("2026-10-25T01:30:45Z", LONDON));
    assertEquals(3, record("2026-10-25T00:31:00Z", LONDON));
    // The last minute of the 25-hour day (23:59 GMT) still belongs to it.
    assertEquals(4, record("2026-10-25T23:59:30Z", LONDON));
    assertEquals(1, record("2026-10-26T00:00:00Z", LONDON), "Monday");

    // Every minute of the day counts: 1500 on the 25-hour day.
    assertEquals(1500, fillDay(LocalDate.of(2026, 10, 25), LONDON));
  }

  @Test
  void everyMinuteOfA23HourAndA24HourDayCounts() {
    assertEquals(1380, fillDay(LocalDate.of(2026, 3, 29), LONDON));
    assertEquals(1440, fillDay(LocalDate.of(2026, 6, 10), LONDON));
    // Sydney's autumn change (2026-04-05) is a 25-hour day there, and UTC days are 24 hours.
    assertEquals(1500, fillDay(LocalDate.of(2026, 4, 5), SYDNEY));
    assertEquals(1440, fillDay(LocalDate.of(2026, 10, 25), UTC));
  }

  /** Records one query in every minute of {@code day} (plus one); returns the minutes used. */
  private static int fillDay(LocalDate day, ZoneId zone) {
    UsageMeter m = new UsageMeter();
    Instant start = day.atStartOfDay(zone).toInstant();
    Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
    int last = 0;
    int minutes = 0;
    for (Instant t = start.plusSeconds(7); t.isBefore(end); t = t.plusSeconds(60)) {
      int n = m.record("h", "p", "c", t, zone);
      assertEquals(last + 1, n, "minute " + minutes + " at " + t.atZone(zone));
      last = n;
      minutes++;
    }
    assertEquals(Duration.between(start, end).toMinutes(), minutes);
    assertEquals(last, m.used("h", "p", "c", end.minusNanos(1), zone));
    return last;
  }

  @Test
  void concurrentRecordsOfDistinctMinutesAreAllCounted() throws Exception {
    Instant start = LocalDate.of(2026, 6, 10).atStartOfDay(LONDON).toInstant();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int thread = 0; thread < 4; thread++) {
        int offset = thread;
        jobs.add(pool.submit(() -> {
          // Thread k records minutes k, k+4, ... and every thread also records minute 0.
          for (int minute = offset; minute < 1440; minute += 4) {
            meter.record("house-1", "kids", "games", start.plusSeconds(60L * minute), LONDON);
            meter.record("house-1", "kids", "games", start.plusSeconds(1), LONDON);
          }
        }));
      }
      for (Future<?> f : jobs) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1440, meter.used("house-1", "kids", "games", start, LONDON));
    assertEquals(0, meter.used("house-1", "kids", "games", start.minusSeconds(1), LONDON),
        "the day before");
  }
}
