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
  private final List<CompiledList> lists;
  private final ListSet set;
  private final Cache<Long, Verdict> recent;

  public VerdictCache(List<CompiledList> lists, int maxEntries) {
    this.lists = List.copyOf(lists);
    this.set = ListSet.of(this.lists);
    this.recent = maxEntries <= 0 ? null : Caffeine.newBuilder()
        .maximumSize(maxEntries)
        .executor(Runnable::run)
        .build();
  }

  public List<CompiledList> lists() {
    return lists;
  }

  /** The verdict for an uncompressed wire-format name (case-insensitive). */
  public Verdict decide(byte[] wireName) {
    if (lists.isEmpty()) {
      return Verdict.NONE;
    }
    if (recent == null) {
      return set.decide(wireName);
    }
    Long key = CompiledList.nameKey(wireName);
    Verdict v = recent.getIfPresent(key);
    if (v == null) {
      v = set.decide(wireName);
      recent.put(key, v);
    }
    return v;
  }
}
