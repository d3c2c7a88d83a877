package dev.hearth.admin.activity;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.ActivityMeter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The daily activity summaries of households that opted in: the resolver's counters
 * ({@link ActivityMeter}, which only grow) are read now and then ({@link #flush}: each minute, on
 * shutdown, and before a summary is shown), and what was added since the last reading goes to
 * the household's local day in the admin store. Counts only: no names, no addresses.
 *
 * <p>Nothing is kept for a household that has not opted in: its rows are deleted when it opts
 * out ({@link #forget}) and at every flush, and rows older than the operator's retention go at
 * every flush. A reading that could not be stored is not lost: the next flush writes it.
 * Queries are attributed to the day the flush runs on, so a minute's worth around midnight may
 * land on the next day.
 */
public final class ActivitySummaries {
  /** A bucket's totals for one day. */
  public record Row(String profile, LocalDate day, String category, long allowed, long blocked) {}

  private record Key(String subscriber, long epoch, String profile, String category) {}

  private final AdminStore store;
  private final ActivityMeter meter;
  private final Supplier<ClientDirectory> directory;
  private final int retentionDays;
  /** The meter's values at the last stored flush. */
  private Map<Key, long[]> last = new HashMap<>();

  /**
   * @param directory the subscribers in force (for their time zones and who opted in)
   * @param retentionDays days of summaries kept before today (a spare day covers time zones
   *     ahead of UTC)
   */
  public ActivitySummaries(AdminStore store, ActivityMeter meter,
      Supplier<ClientDirectory> directory, int retentionDays) {
    if (retentionDays < 1) {
      throw new IllegalArgumentException("retention must be at least one day");
    }
    this.store = Objects.requireNonNull(store);
    this.meter = Objects.requireNonNull(meter);
    this.directory = Objects.requireNonNull(directory);
    this.retentionDays = retentionDays;
  }

  public int retentionDays() {
    return retentionDays;
  }

  /**
   * Stores what was counted since the last flush, deletes the rows of households that are not
   * opted in and those past the retention. Returns the number of buckets written.
   */
  public synchronized int flush() throws StoreException {
    Instant now = store.now();
    ClientDirectory dir = directory.get();
    Map<Key, long[]> seen = new HashMap<>();
    List<Object[]> writes = new ArrayList<>();
    for (ActivityMeter.Reading r : meter.read()) {
      Key k = new Key(r.subscriberId(), r.epoch(), r.profileId(), r.key());
      seen.put(k, new long[] {r.allowed(), r.blocked()});
      long[] before = last.getOrDefault(k, new long[2]);
      long allowed = r.allowed() - before[0];
      long blocked = r.blocked() - before[1];
      Subscriber s = dir.subscriber(r.subscriberId());
      if ((allowed == 0 && blocked == 0) || s == null || !s.activitySummary()) {
        continue;
      }
      LocalDate day = LocalDate.ofInstant(now, s.zone());
      writes.add(new Object[] {r.subscriberId(), r.profileId(), day.toString(), r.key(), allowed,
          blocked});
    }
    String oldest = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(retentionDays)
        .toString();
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO activity_daily(household,"
          + " profile, day, category, allowed, blocked) VALUES (?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT(household, day, profile, category) DO UPDATE SET"
          + " allowed = allowed + excluded.allowed, blocked = blocked + excluded.blocked")) {
        for (Object[] w : writes) {
          for (int i = 0; i < w.length; i++) {
            ps.setObject(i + 1, w[i]);
          }
          ps.addBatch();
        }
        ps.executeBatch();
      }
      // A day in UTC+14 is still "today" there when UTC is a day behind: keep one spare day.
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM activity_daily WHERE day < ?")) {
        ps.setString(1, oldest);
        ps.executeUpdate();
      }
      for (String household : households(c)) {
        Subscriber s = dir.subscriber(household);
        if (s == null || !s.activitySummary()) {
          delete(c, household);
        }
      }
      return null;
    });
    last = seen;
    return writes.size();
  }

  /** Deletes a household's summaries (it opted out or is gone). */
  public synchronized void forget(String household) throws StoreException {
    store.transaction(c -> {
      delete(c, household);
      return null;
    });
  }

  /** A household's rows from {@code from} to {@code to} (inclusive), by day and category. */
  public List<Row> summary(String household, LocalDate from, LocalDate to)
      throws StoreException {
    return store.read(c -> {
      List<Row> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT profile, day, category, allowed,"
          + " blocked FROM activity_daily WHERE household = ? AND day >= ? AND day <= ?"
          + " ORDER BY profile, category, day")) {
        ps.setString(1, household);
        ps.setString(2, from.toString());
        ps.setString(3, to.toString());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Row(rs.getString(1), LocalDate.parse(rs.getString(2)), rs.getString(3),
                rs.getLong(4), rs.getLong(5)));
          }
        }
      }
      return out;
    });
  }

  private static List<String> households(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT household FROM"
        + " activity_daily"); ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static void delete(Connection c, String household) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM activity_daily WHERE"
        + " household = ?")) {
      ps.setString(1, household);
      ps.executeUpdate();
    }
  }
}
