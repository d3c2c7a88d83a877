package dev.hearth.resolver.policy;

import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.Subscriber;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts, for households that opted in to an activity summary, how many queries each of their
 * profiles had allowed and blocked per list category: numbers only, never a name or an address.
 * Households that did not opt in cost one empty-map check (or one hash lookup) per query and
 * allocate nothing; which households opted in is read from each policy snapshot
 * ({@link #update}), so a change applies from the next query.
 *
 * <p>Counters only grow, from the moment a household opts in; the admin side reads them
 * ({@link #read}) and keeps daily totals. A household that opts out again is dropped with its
 * counters, and a later opt-in starts a new {@link Reading#epoch()}, so a reader that remembers
 * the last values never mixes the two.
 */
public final class ActivityMeter {
  /** Queries in no category list. */
  public static final String OTHER = "(other)";
  /** Blocked by the operator's own uncategorised or legal lists (the category is not shown). */
  public static final String OPERATOR = "(operator)";
  /** Blocked by a pause. */
  public static final String PAUSE = "(pause)";
  /** Blocked by the profile's own block names. */
  public static final String OWN_LIST = "(own-list)";
  /** Blocked as a way around the filter. */
  public static final String BYPASS = "(bypass)";
  /** Prefix of a block-all schedule's key: {@code (schedule:bedtime)}. */
  public static final String SCHEDULE = "(schedule:";

  private static final AtomicLong EPOCHS = new AtomicLong();

  /** Allowed and blocked queries of one bucket. */
  static final class Counts {
    final LongAdder allowed = new LongAdder();
    final LongAdder blocked = new LongAdder();
  }

  /** One profile's buckets within an opted-in household. */
  public static final class Slot {
    private final ConcurrentHashMap<String, Counts> categories = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counts> schedules = new ConcurrentHashMap<>();

    private static Counts of(ConcurrentHashMap<String, Counts> map, String key) {
      Counts c = map.get(key);
      return c != null ? c : map.computeIfAbsent(key, k -> new Counts());
    }

    /** Counts one decision; allocates only the first time a bucket is seen. */
    public void count(PolicyDecision d) {
      if (!d.block()) {
        of(categories, d.category() != null ? d.category() : OTHER).allowed.increment();
        return;
      }
      if (d.category() != null) {
        of(categories, d.category()).blocked.increment();
        return;
      }
      Counts c;
      switch (d.rule()) {
        case "schedule" -> c = of(schedules, d.detail());
        case "pause" -> c = of(categories, PAUSE);
        case "profile-block" -> c = of(categories, OWN_LIST);
        case "bypass" -> c = of(categories, BYPASS);
        case "locked-list", "baseline-list" -> c = of(categories, OPERATOR);
        default -> c = of(categories, OTHER);
      }
      c.blocked.increment();
    }
  }

  /** An opted-in household: its profiles' slots, kept across snapshots while it stays in. */
  private static final class Household {
    final long epoch = EPOCHS.incrementAndGet();
    final ConcurrentHashMap<String, Slot> profiles = new ConcurrentHashMap<>();
  }

  /**
   * One bucket's totals since {@code epoch} began.
   *
   * @param key a category, or one of {@link #OTHER}, {@link #OPERATOR}, {@link #PAUSE},
   *     {@link #OWN_LIST}, {@link #BYPASS}, or {@code (schedule:NAME)}
   */
  public record Reading(String subscriberId, long epoch, String profileId, String key,
      long allowed, long blocked) {}

  private volatile Map<String, Household> households = Map.of();

  /** Takes the opted-in households from a new snapshot's directory (off the query path). */
  public synchronized void update(ClientDirectory directory) {
    Map<String, Household> old = households;
    Map<String, Household> next = new HashMap<>();
    for (Subscriber s : directory.subscribers().values()) {
      if (s.activitySummary()) {
        Household h = old.get(s.id());
        next.put(s.id(), h != null ? h : new Household());
      }
    }
    households = next.isEmpty() ? Map.of() : next;
  }

  /** The slot to count {@code who}'s queries in, or null when its household did not opt in. */
  public Slot slot(ClientIdentity who) {
    Map<String, Household> h = households;
    String sub;
    if (h.isEmpty() || (sub = who.subscriberId()) == null) {
      return null;
    }
    Household house = h.get(sub);
    if (house == null) {
      return null;
    }
    Slot s = house.profiles.get(who.profileId());
    return s != null ? s : house.profiles.computeIfAbsent(who.profileId(), p -> new Slot());
  }

  /** Whether a household's queries are being counted now. */
  public boolean counting(String subscriberId) {
    return households.containsKey(subscriberId);
  }

  /** Every bucket of every opted-in household, totals since each household's epoch began. */
  public List<Reading> read() {
    List<Reading> out = new ArrayList<>();
    households.forEach((sub, h) -> h.profiles.forEach((profile, slot) -> {
      slot.categories.forEach((k, c) -> out.add(new Reading(sub, h.epoch, profile, k,
          c.allowed.sum(), c.blocked.sum())));
      slot.schedules.forEach((k, c) -> out.add(new Reading(sub, h.epoch, profile,
          SCHEDULE + k + ")", c.allowed.sum(), c.blocked.sum())));
    }));
    return out;
  }
}
