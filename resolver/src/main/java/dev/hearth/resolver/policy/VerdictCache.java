package dev.hearth.resolver.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListSet;
import dev.hearth.blocklists.Matches;
import dev.hearth.blocklists.Verdict;
import java.util.List;

/**
 * What the lists in force say about a name ({@link ListSet}: one shared index probe per label
 * however many lists apply), with a Caffeine cache of recent results in front of it: popular
 * names (most of the traffic) cost one hash and one cache lookup. A result is every matching
 * list's own verdict ({@link Matches}), so all profiles share one entry per name and each decides
 * over the lists it has chosen.
 *
 * <p>In front of Caffeine sits a small 4-way set-associative array of the hottest entries (up to
 * {@value #HOT_SLOTS} slots, 128 KB of references): a hit there costs the name's hash, one cache
 * line of slots and the name check, with no boxing, no read-buffer bookkeeping and no locks,
 * which is what keeps a cached verdict under 60 ns. Caffeine stays the sized, frequency-aware
 * store behind it; an entry reaches the array when it is looked up, and a colliding entry replaces
 * one way of its set. Slots are written without locks: an entry is immutable (final fields), so a
 * racing reader sees a whole entry or the one before.
 *
 * <p>Immutable lists, so the cache never needs invalidating: a new set of lists gets a new
 * instance.
 */
public final class VerdictCache {
  static final int HOT_SLOTS = 1 << 15;
  private static final int WAYS = 4;

  private final ListSet set;
  private final Cache<Long, Entry> recent;
  private final Entry[] hot;
  private final int hotSetMask;
  /** Picks the way a new hot entry replaces; racy increments are fine, it only spreads victims. */
  private int victim;

  /**
   * A verdict with the name it was made for: a hit is only used for that very name. Keys are a
   * public 64-bit hash, so someone could craft a name with a listed name's key; without this
   * check their query could plant an "allowed" verdict that everyone asking for the listed name
   * would then get.
   */
  private record Entry(long key, byte[] name, Matches matches) {
    boolean isFor(byte[] wire) {
      if (wire.length < name.length) {
        return false;
      }
      if (java.util.Arrays.equals(wire, 0, name.length, name, 0, name.length)) {
        return true; // the usual case: the resolver passes names already in lower case
      }
      for (int i = 0; i < name.length; i++) {
        int c = wire[i];
        if (c >= 'A' && c <= 'Z') {
          c |= 0x20;
        }
        if (c != name[i]) {
          return false;
        }
      }
      return true;
    }
  }

  public VerdictCache(List<CompiledList> lists, int maxEntries) {
    this.set = ListSet.of(lists);
    this.recent = maxEntries <= 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .executor(Runnable::run)
        .build();
    int slots = maxEntries <= 0 ? 0
        : Math.max(WAYS, Math.min(HOT_SLOTS, Integer.highestOneBit(maxEntries - 1) << 1));
    this.hot = new Entry[slots];
    this.hotSetMask = (slots - 1) & ~(WAYS - 1);
  }

  public List<CompiledList> lists() {
    return set.lists();
  }

  /** The set's index of each list (for {@link Matches#decide(long[])} masks). */
  public ListSet set() {
    return set;
  }

  /** The combined verdict of all the lists for an uncompressed wire-format name. */
  public Verdict decide(byte[] wireName) {
    return matches(wireName).decide();
  }

  /** Every list's verdict on an uncompressed wire-format name (case-insensitive). */
  public Matches matches(byte[] wireName) {
    if (set.lists().isEmpty()) {
      return Matches.NONE;
    }
    if (recent == null) {
      return set.matchAll(wireName);
    }
    long key = CompiledList.nameKey(wireName);
    Entry[] h = hot;
    int base = (int) (key ^ (key >>> 32)) & hotSetMask;
    for (int j = base; j < base + WAYS; j++) {
      Entry e = h[j];
      if (e != null && e.key == key && e.isFor(wireName)) {
        return e.matches;
      }
    }
    Entry e = recent.getIfPresent(key);
    if (e == null || !e.isFor(wireName)) {
      e = new Entry(key, lowerCopy(wireName), set.matchAll(wireName));
      recent.put(key, e);
    }
    promote(h, base, e);
    return e.matches;
  }

  /** Puts {@code e} into a free way of its set, else into the next way in turn. */
  private void promote(Entry[] h, int base, Entry e) {
    for (int j = base; j < base + WAYS; j++) {
      if (h[j] == null) {
        h[j] = e;
        return;
      }
    }
    h[base + (victim++ & (WAYS - 1))] = e;
  }

  /**
   * Puts a verdict for {@code wireName} under {@code key} in both tiers, as a colliding name would
   * (tests).
   */
  void plant(long key, byte[] wireName, Matches m) {
    Entry e = new Entry(key, lowerCopy(wireName), m);
    recent.put(key, e);
    promote(hot, (int) (key ^ (key >>> 32)) & hotSetMask, e);
  }

  /** The name up to and including its terminating zero, ASCII letters in lower case. */
  private static byte[] lowerCopy(byte[] wire) {
    int p = 0;
    while (p < wire.length && wire[p] != 0) {
      p += (wire[p] & 0xff) + 1;
    }
    byte[] out = java.util.Arrays.copyOf(wire, Math.min(p + 1, wire.length));
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 'A' && out[i] <= 'Z') {
        out[i] |= 0x20;
      }
    }
    return out;
  }
}
