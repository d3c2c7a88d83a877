package dev.hearth.blocklists;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lists in force, together, decided the way {@link CompiledList#decide} does, but without
 * probing every list for every suffix of a name. With dozens of category lists (UT1 has about
 * eighty) that would be hundreds of random memory reads per query; instead one shared index maps
 * each listed name's hash to the list (or lists) holding it, so a lookup costs one index probe
 * per suffix plus one probe in each list that actually holds a suffix.
 *
 * <p>Index slots pack the top 40 bits of the name hash (a fingerprint: a rare false match only
 * costs a probe in the list, which checks the full 64-bit hash) with a 24-bit list reference.
 * Keyed (locked) lists have their own hashes and are always probed directly; there are few.
 * So is a plain list that holds a large share of all the names (a million-name community list
 * next to a few small ones, the usual set-up): indexing it would copy most of its table into the
 * index (16 MB for a million names) and turn each of its hits into two random memory reads, the
 * index's and the list's, instead of one.
 * Immutable; built off the query path when a new set of lists is swapped in.
 */
public final class ListSet {
  /** Below this many plain lists, probing each list directly is as fast as the index. */
  static final int INDEX_FROM = 4;
  /** A plain list with at least 1/DIRECT_SHARE of all plain names is probed, not indexed. */
  static final int DIRECT_SHARE = 4;
  private static final long FP_MASK = ~0xFFFFFFL;
  private static final int MULTI = 0x800000;

  private final List<CompiledList> lists;
  private final CompiledList[] array;
  private final boolean[] plain;
  /**
   * Indexes of the lists probed for every name: keyed (locked) lists and the large plain lists
   * (see {@link #DIRECT_SHARE}); the shared index covers the others.
   */
  private final int[] direct;
  private final long[] index;
  /** One byte per index slot (0 = empty), read before the 8-byte slot, as in CompiledList. */
  private final byte[] indexFingerprints;
  private final int[] multi;
  private final long labelMask;

  private ListSet(List<CompiledList> lists, boolean[] large, long[] index, int[] multi,
      long labelMask) {
    this.lists = lists;
    this.array = lists.toArray(new CompiledList[0]);
    this.plain = new boolean[array.length];
    List<Integer> probed = new ArrayList<>();
    for (int i = 0; i < array.length; i++) {
      plain[i] = array[i].hasher == NameHasher.PLAIN;
      if (!plain[i] || large[i]) {
        probed.add(i);
      }
    }
    this.direct = probed.stream().mapToInt(Integer::intValue).toArray();
    this.index = index;
    this.multi = multi;
    this.indexFingerprints = index == null ? null : new byte[index.length];
    if (index != null) {
      for (int i = 0; i < index.length; i++) {
        if (index[i] != 0) {
          // The slot keeps the key's top 40 bits, so its top byte is the key's top byte.
          indexFingerprints[i] = CompiledList.fingerprint(index[i] & FP_MASK);
        }
      }
    }
    this.labelMask = labelMask;
  }

  public static ListSet of(List<CompiledList> lists) {
    List<CompiledList> copy = List.copyOf(lists);
    long allNames = 0;
    for (CompiledList l : copy) {
      if (l.hasher == NameHasher.PLAIN) {
        allNames += l.counts.names();
      }
    }
    boolean[] large = new boolean[copy.size()];
    int indexedLists = 0;
    long names = 0;
    long mask = 0;
    for (int li = 0; li < copy.size(); li++) {
      CompiledList l = copy.get(li);
      if (l.hasher != NameHasher.PLAIN) {
        continue;
      }
      if (allNames > 0 && (long) l.counts.names() * DIRECT_SHARE >= allNames) {
        large[li] = true;
      } else {
        indexedLists++;
        names += l.counts.names();
        mask |= l.labelMask;
      }
    }
    if (indexedLists < INDEX_FROM || copy.size() >= MULTI) {
      return new ListSet(copy, new boolean[copy.size()], null, null, 0);
    }
    int cap = CompiledList.capacityFor((int) Math.min(names, 1 << 29));
    long[] index = new long[cap];
    Map<Integer, List<Integer>> multiBySlot = new HashMap<>();
    for (int li = 0; li < copy.size(); li++) {
      CompiledList l = copy.get(li);
      if (l.hasher != NameHasher.PLAIN || large[li]) {
        continue;
      }
      for (int s = 0; s < l.slots(); s++) {
        long key = l.keyAt(s);
        if (key == 0) {
          continue;
        }
        long fp = fingerprint(key);
        int i = CompiledList.slot(key, cap);
        while (index[i] != 0 && (index[i] & FP_MASK) != fp) {
          i = CompiledList.nextSlot(i, cap);
        }
        if (index[i] == 0) {
          index[i] = fp | li;
        } else {
          int ref = (int) (index[i] & 0xFFFFFF);
          List<Integer> holders = multiBySlot.computeIfAbsent(i, x -> {
            List<Integer> first = new ArrayList<>();
            first.add(ref);
            return first;
          });
          if (holders.get(holders.size() - 1) != li) {
            holders.add(li);
          }
        }
      }
    }
    List<Integer> flat = new ArrayList<>();
    for (Map.Entry<Integer, List<Integer>> e : multiBySlot.entrySet()) {
      int at = flat.size();
      flat.add(e.getValue().size());
      flat.addAll(e.getValue());
      index[e.getKey()] = (index[e.getKey()] & FP_MASK) | MULTI | at;
    }
    int[] multi = flat.stream().mapToInt(Integer::intValue).toArray();
    if (flat.size() >= MULTI) {
      // absurdly many shared names: no index
      return new ListSet(copy, new boolean[copy.size()], null, null, 0);
    }
    return new ListSet(copy, large, index, multi, mask);
  }

  private static long fingerprint(long key) {
    long fp = key & FP_MASK;
    return fp == 0 ? 1L << 24 : fp;
  }

  public List<CompiledList> lists() {
    return lists;
  }

  /** How many lists are probed for every name (0 without an index: then all of them are). */
  int directLists() {
    return index == null ? 0 : direct.length;
  }

  /** Bytes used by the shared index (0 when there is none). */
  public long indexBytes() {
    return index == null ? 0 : 9L * index.length + 4L * multi.length;
  }

  /** The verdict for an uncompressed wire-format name, exactly as {@link CompiledList#decide}. */
  public Verdict decide(byte[] wireName) {
    if (index == null) {
      return CompiledList.decide(lists, wireName);
    }
    return matchAll(wireName).decide();
  }

  /**
   * Every list's own verdict on a name (only the lists that have one), so that callers choosing
   * different subsets of the lists (profiles choosing categories) share one lookup and one cache
   * entry per name, then {@link Matches#decide(long[]) decide} over their subset.
   */
  public Matches matchAll(byte[] wireName) {
    if (index == null) {
      CompiledList.Suffixes sx = CompiledList.Suffixes.SCRATCH.get();
      sx.of(wireName, true);
      Matches.Collector c = null;
      for (int li = 0; li < array.length; li++) {
        Verdict v = array[li].match(wireName, sx);
        if (!v.isNone()) {
          c = c == null ? new Matches.Collector() : c;
          c.add(li, v);
        }
      }
      return c == null ? Matches.NONE : c.done();
    }
    CompiledList.Suffixes sx = CompiledList.Suffixes.SCRATCH.get();
    sx.of(wireName, true);
    Scratch s = Scratch.SCRATCH.get();
    s.reset(array.length);
    int cap = index.length;
    for (int k = 0; k < sx.n; k++) {
      if ((labelMask & (1L << Math.min(sx.n - k, 63))) == 0) {
        continue;
      }
      long h = sx.hashes[k];
      long fp = fingerprint(h);
      byte small = CompiledList.fingerprint(fp);
      int i = CompiledList.slot(h, cap);
      byte f;
      while ((f = indexFingerprints[i]) != 0) {
        long e;
        if (f == small && ((e = index[i]) & FP_MASK) == fp) {
          int ref = (int) (e & 0xFFFFFF);
          if ((ref & MULTI) == 0) {
            s.mark(ref);
          } else {
            int at = ref & ~MULTI;
            for (int j = 1; j <= multi[at]; j++) {
              s.mark(multi[at + j]);
            }
          }
          break;
        }
        i = CompiledList.nextSlot(i, cap);
      }
    }
    // Keyed and large lists are always probed; the others only when the index says they hold a
    // suffix.
    for (int li : direct) {
      s.mark(li);
    }
    Matches.Collector c = null;
    long[] bits = s.bits;
    for (int w = 0, words = (array.length + 63) >>> 6; w < words; w++) {
      for (long word = bits[w]; word != 0; word &= word - 1) {
        int li = (w << 6) + Long.numberOfTrailingZeros(word);
        Verdict v = array[li].match(wireName, sx);
        if (!v.isNone()) {
          c = c == null ? new Matches.Collector() : c;
          c.add(li, v);
        }
      }
    }
    return c == null ? Matches.NONE : c.done();
  }

  /** Per-thread set of marked list indexes. */
  private static final class Scratch {
    static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    long[] bits = new long[2];

    void reset(int lists) {
      int w = (lists + 63) >>> 6;
      if (bits.length < w) {
        bits = new long[w];
      }
      for (int i = 0; i < w; i++) {
        bits[i] = 0;
      }
    }

    void mark(int i) {
      bits[i >>> 6] |= 1L << i;
    }

    boolean marked(int i) {
      return (bits[i >>> 6] & (1L << i)) != 0;
    }
  }
}
