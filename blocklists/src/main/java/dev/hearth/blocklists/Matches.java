package dev.hearth.blocklists;

import java.util.Arrays;

/**
 * The lists of a {@link ListSet} that have a verdict on one name, each with its own verdict, in
 * list order. Most names match no list ({@link #NONE}, shared) and a few match one or two, so this
 * is small; it is what the resolver caches per name. Each profile then {@link #decide(long[])
 * decides} over the lists it has chosen, by the one rule of {@link CompiledList#decide}, without
 * another lookup.
 */
public final class Matches {
  public static final Matches NONE = new Matches(new int[0], new Verdict[0]);

  private final int[] lists;
  private final Verdict[] verdicts;
  private final Verdict all;

  private Matches(int[] lists, Verdict[] verdicts) {
    this.lists = lists;
    this.verdicts = verdicts;
    this.all = combine(null);
  }

  public boolean isEmpty() {
    return lists.length == 0;
  }

  /** How many lists have a verdict. */
  public int size() {
    return lists.length;
  }

  /** Index (in the {@link ListSet}) of the {@code i}-th matching list. */
  public int listIndex(int i) {
    return lists[i];
  }

  /** That list's own verdict. */
  public Verdict verdict(int i) {
    return verdicts[i];
  }

  /** The verdict of all the lists together (as {@link ListSet#decide}). */
  public Verdict decide() {
    return all;
  }

  /**
   * The verdict of only the lists whose index bit is set in {@code enabled} (bit {@code i} of word
   * {@code i / 64}; missing words count as zero).
   */
  public Verdict decide(long[] enabled) {
    if (lists.length == 0) {
      return Verdict.NONE;
    }
    return combine(enabled);
  }

  private Verdict combine(long[] enabled) {
    if (lists.length == 1) {
      return enabled == null || isSet(enabled, lists[0]) ? verdicts[0] : Verdict.NONE;
    }
    CompiledList.Decision d = null;
    for (int i = 0; i < lists.length; i++) {
      if (enabled == null || isSet(enabled, lists[i])) {
        d = d == null ? new CompiledList.Decision() : d;
        d.add(verdicts[i]);
      }
    }
    return d == null ? Verdict.NONE : d.result();
  }

  static boolean isSet(long[] mask, int i) {
    int w = i >>> 6;
    return w < mask.length && (mask[w] & (1L << i)) != 0;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Matches[");
    for (int i = 0; i < lists.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(lists[i]).append('=').append(verdicts[i]);
    }
    return sb.append(']').toString();
  }

  /** Gathers matches during a lookup. */
  static final class Collector {
    private int[] lists = new int[2];
    private Verdict[] verdicts = new Verdict[2];
    private int n;

    void add(int list, Verdict v) {
      if (n == lists.length) {
        lists = Arrays.copyOf(lists, n * 2);
        verdicts = Arrays.copyOf(verdicts, n * 2);
      }
      lists[n] = list;
      verdicts[n++] = v;
    }

    Matches done() {
      return new Matches(Arrays.copyOf(lists, n), Arrays.copyOf(verdicts, n));
    }
  }
}
