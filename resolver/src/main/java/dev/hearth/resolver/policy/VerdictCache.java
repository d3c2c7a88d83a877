package dev.hearth.resolver.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListSet;
import dev.hearth.blocklists.Verdict;
import java.util.List;

/**
 * The combined verdict of one set of lists ({@link ListSet}: one shared index probe per label
 * however many lists apply), with a Caffeine cache of recent verdicts in front of it: popular
 * names (most of the traffic) cost one hash and one cache lookup.
 * Immutable lists, so the cache never needs invalidating: a new set of lists gets a new instance.
 */
public final class VerdictCache {
  private final ListSet set;
  private final Cache<Long, Entry> recent;

  /**
   * A verdict with the name it was made for: a hit is only used for that very name. Keys are a
   * public 64-bit hash, so someone could craft a name with a listed name's key; without this
   * check their query could plant an "allowed" verdict that everyone asking for the listed name
   * would then get.
   */
  private record Entry(byte[] name, Verdict verdict) {
    boolean isFor(byte[] wire) {
      if (wire.length < name.length) {
        return false;
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
  }

  public List<CompiledList> lists() {
    return set.lists();
  }

  /** The verdict for an uncompressed wire-format name (case-insensitive). */
  public Verdict decide(byte[] wireName) {
    if (set.lists().isEmpty()) {
      return Verdict.NONE;
    }
    if (recent == null) {
      return set.decide(wireName);
    }
    Long key = CompiledList.nameKey(wireName);
    Entry e = recent.getIfPresent(key);
    if (e != null && e.isFor(wireName)) {
      return e.verdict();
    }
    Verdict v = set.decide(wireName);
    recent.put(key, new Entry(lowerCopy(wireName), v));
    return v;
  }

  /** Puts a verdict for {@code wireName} under {@code key}, as a colliding name would (tests). */
  void plant(long key, byte[] wireName, Verdict v) {
    recent.put(key, new Entry(lowerCopy(wireName), v));
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
