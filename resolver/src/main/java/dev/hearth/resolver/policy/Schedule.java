package dev.hearth.resolver.policy;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A weekly window in the household's own time zone: bedtime (everything blocked except a short
 * allowlist) or homework time (extra categories blocked). A window whose end is not after its
 * start runs past midnight into the next day ({@code 20:00-07:00} on Sunday ends Monday 07:00).
 *
 * <p>Windows are wall-clock times, evaluated on the local date and time of the moment asked
 * about, so they follow daylight saving time: a 21:00 bedtime starts at 21:00 local time in winter
 * and in summer. On the night the clocks go forward, a window edge inside the skipped hour takes
 * effect at the first local time after it; on the night they go back, the repeated hour is inside
 * or outside the window both times, as its wall-clock time says.
 *
 * @param days the days the window starts on
 * @param blockAll true for bedtime (block all but {@code allowNames}), false to add categories
 * @param categories categories blocked while the window is open (when not {@code blockAll})
 * @param allowNames names that stay reachable during a block-all window (subdomains included)
 */
public record Schedule(String name, Set<DayOfWeek> days, LocalTime from, LocalTime to,
    boolean blockAll, Set<String> categories, List<String> allowNames) {

  public Schedule {
    Objects.requireNonNull(name, "name");
    days = days.isEmpty() ? EnumSet.noneOf(DayOfWeek.class) : EnumSet.copyOf(days);
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    categories = Set.copyOf(categories);
    allowNames = List.copyOf(allowNames);
    if (from.equals(to)) {
      throw new IllegalArgumentException("schedule '" + name + "' starts and ends at " + from
          + ": give a window of at least one minute");
    }
  }

  /** True when the window runs past midnight. */
  public boolean overnight() {
    return !to.isAfter(from);
  }

  /** Whether the window is open at this local date and time. */
  public boolean activeAt(LocalDateTime local) {
    LocalTime t = local.toLocalTime();
    DayOfWeek day = local.getDayOfWeek();
    if (!overnight()) {
      return days.contains(day) && !t.isBefore(from) && t.isBefore(to);
    }
    return (days.contains(day) && !t.isBefore(from))
        || (days.contains(day.minus(1)) && t.isBefore(to));
  }

  /** Whether the window is open at {@code instant} in {@code zone}. */
  public boolean activeAt(java.time.Instant instant, ZoneId zone) {
    return activeAt(LocalDateTime.ofInstant(instant, zone));
  }

  /**
   * The first moment after {@code now} at which this window opens or closes, searching the next
   * eight days; null if it never does (no days).
   */
  public ZonedDateTime nextEdgeAfter(ZonedDateTime now) {
    if (days.isEmpty()) {
      return null;
    }
    java.time.Instant after = now.toInstant();
    ZoneId zone = now.getZone();
    java.time.zone.ZoneRules rules = zone.getRules();
    java.util.TreeSet<java.time.Instant> candidates = new java.util.TreeSet<>();
    LocalDate start = now.toLocalDate().minusDays(1);
    for (int i = 0; i <= 8; i++) {
      LocalDate d = start.plusDays(i);
      if (!days.contains(d.getDayOfWeek())) {
        continue;
      }
      LocalDateTime[] edges = {LocalDateTime.of(d, from),
          LocalDateTime.of(overnight() ? d.plusDays(1) : d, to)};
      for (LocalDateTime edge : edges) {
        candidates.addAll(java.util.Arrays.asList(instants(edge, rules)));
      }
    }
    // When the clocks go back, the wall clock re-enters the window at the transition itself.
    java.time.Instant horizon = after.plus(java.time.Duration.ofDays(9));
    for (var t = rules.nextTransition(after); t != null && t.getInstant().isBefore(horizon);
        t = rules.nextTransition(t.getInstant())) {
      candidates.add(t.getInstant());
    }
    for (java.time.Instant at : candidates.tailSet(after, false)) {
      if (activeAt(at, zone) != activeAt(at.minusSeconds(1), zone)) {
        return at.atZone(zone);
      }
    }
    return null;
  }

  /**
   * The moments the wall clock passes {@code local}: once normally; in a skipped hour, when the
   * clocks jump past it; in a repeated hour, twice (the window's state flips at both).
   */
  private static java.time.Instant[] instants(LocalDateTime local,
      java.time.zone.ZoneRules rules) {
    List<java.time.ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.isEmpty()) {
      return new java.time.Instant[] {rules.getTransition(local).getInstant()};
    }
    java.time.Instant[] out = new java.time.Instant[offsets.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = local.toInstant(offsets.get(i));
    }
    return out;
  }
}
