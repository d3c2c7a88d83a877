package dev.hearth.resolver.policy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Estimates daily use of a category from query activity, for time budgets: a minute counts as
 * used when the household's profile asked for at least one name of the category in it. Minutes
 * are kept per local day in the household's time zone, so the count resets at local midnight
 * (and a day with a DST change simply has 23 or 25 hours of minutes to count).
 *
 * <p>What DNS can see is limited, and this is an estimate: a device resolves a name once and then
 * may use the connection for an hour (under-counting a long video), apps resolve names in the
 * background (over-counting an idle phone), and device caches hide repeat lookups within a TTL.
 * Answers for budgeted categories therefore get short TTLs, which makes the estimate finer.
 */
public final class UsageMeter {
  record Key(String subscriberId, String profileId, String category) {}

  /** One local day of minutes (bit n = minute n after midnight; 1500 covers a 25-hour day). */
  private static final class Day {
    LocalDate date;
    final long[] minutes = new long[24];

    synchronized int record(LocalDate d, int minute) {
      if (date != null && d.isBefore(date)) {
        // The clock went back across midnight (NTP step, a wrong RTC at boot): the day being
        // counted stays, so the child neither gets a fresh budget nor loses today's record.
        return count();
      }
      if (!d.equals(date)) {
        date = d;
        java.util.Arrays.fill(minutes, 0);
      }
      minutes[minute >>> 6] |= 1L << minute;
      return count();
    }

    synchronized boolean counted(LocalDate d, int minute) {
      return d.equals(date) && (minutes[minute >>> 6] & (1L << minute)) != 0;
    }

    synchronized int used(LocalDate d) {
      return d.equals(date) ? count() : 0;
    }

    private int count() {
      int n = 0;
      for (long w : minutes) {
        n += Long.bitCount(w);
      }
      return n;
    }
  }

  private final Map<Key, Day> days = new ConcurrentHashMap<>();

  /** Records use at {@code now}; returns the minutes used so far on that local day. */
  public int record(String subscriberId, String profileId, String category, Instant now,
      ZoneId zone) {
    LocalDateTime local = LocalDateTime.ofInstant(now, zone);
    return days.computeIfAbsent(new Key(subscriberId, profileId, category), k -> new Day())
        .record(local.toLocalDate(), minuteOfDay(now, zone, local));
  }

  /** Minutes used on the local day of {@code now}. */
  public int used(String subscriberId, String profileId, String category, Instant now,
      ZoneId zone) {
    Day d = days.get(new Key(subscriberId, profileId, category));
    return d == null ? 0 : d.used(LocalDateTime.ofInstant(now, zone).toLocalDate());
  }

  /** Whether the minute of {@code now} already counts as used (a query in it was recorded). */
  public boolean counted(String subscriberId, String profileId, String category, Instant now,
      ZoneId zone) {
    Day d = days.get(new Key(subscriberId, profileId, category));
    if (d == null) {
      return false;
    }
    LocalDateTime local = LocalDateTime.ofInstant(now, zone);
    return d.counted(local.toLocalDate(), minuteOfDay(now, zone, local));
  }

  /** Minutes since local midnight as elapsed time (so both 01:30s of a DST-end night count). */
  private static int minuteOfDay(Instant now, ZoneId zone, LocalDateTime local) {
    Instant midnight = local.toLocalDate().atStartOfDay(zone).toInstant();
    return (int) Math.min(1499, (now.getEpochSecond() - midnight.getEpochSecond()) / 60);
  }
}
