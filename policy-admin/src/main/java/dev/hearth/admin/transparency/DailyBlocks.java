package dev.hearth.admin.transparency;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Blocks per category per day (UTC) for the transparency report: aggregate counters only, no
 * client, no name. The resolver counts blocks since it started; {@link #record} is called
 * periodically with its current totals and stores what was added since the last call, so a
 * restart (counters back to zero) loses at most one period.
 */
public final class DailyBlocks {
  /** The category under which blocks by lists without one are counted. */
  public static final String OPERATOR = "(operator)";

  private final AdminStore store;
  private final Clock clock;
  private Map<String, Long> last = new HashMap<>();

  public DailyBlocks(AdminStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Adds the growth of {@code totals} (cumulative counts by category) to today's row. */
  public synchronized void record(Map<String, Long> totals) throws StoreException {
    String day = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
    Map<String, Long> delta = new HashMap<>();
    totals.forEach((cat, n) -> {
      long before = last.getOrDefault(cat, 0L);
      long d = n >= before ? n - before : n; // a restart resets the counters
      if (d > 0) {
        delta.put(cat == null || cat.isEmpty() ? OPERATOR : cat, d);
      }
    });
    if (!delta.isEmpty()) {
      store.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO daily_blocks(day, category,"
            + " blocks) VALUES (?,?,?) ON CONFLICT(day, category) DO UPDATE SET blocks ="
            + " blocks + excluded.blocks")) {
          for (var e : delta.entrySet()) {
            ps.setString(1, day);
            ps.setString(2, e.getKey());
            ps.setLong(3, e.getValue());
            ps.addBatch();
          }
          ps.executeBatch();
        }
        return null;
      });
    }
    last = new HashMap<>(totals);
  }

  /** Day → category → blocks, for the last {@code days} days, oldest first. */
  public Map<String, Map<String, Long>> lastDays(int days) throws StoreException {
    String from = LocalDate.now(clock.withZone(ZoneOffset.UTC)).minusDays(days - 1L).toString();
    return store.read(c -> {
      Map<String, Map<String, Long>> out = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT day, category, blocks FROM"
          + " daily_blocks WHERE day >= ? ORDER BY day, category")) {
        ps.setString(1, from);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.computeIfAbsent(rs.getString(1), d -> new TreeMap<>())
                .put(rs.getString(2), rs.getLong(3));
          }
        }
      }
      return out;
    });
  }
}
