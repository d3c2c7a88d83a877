package dev.hearth.resolver.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListSet;
import dev.hearth.blocklists.Matches;
import dev.hearth.blocklists.Verdict;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * What the lists in force say about a name ({@link ListSet}: one shared index probe per label
 * however many lists apply), with a Caffeine cache of recent results in front of it: popular
 * names (most of the traffic) cost one hash and one cache lookup. A result is every matching
 * list's own verdict ({@link Matches}), so all profiles share one entry per name and each decides
 * over the lists it has chosen.
 *
 * <p>In front of Caffeine sits a small 4-way set-associative array of the hottest entries (up to
 * {@value #HOT_SLOTS} slots, 128 KB of references): a hit there costs the name's key, one cache
 * line of slots and one entry, with no boxing, no read-buffer bookkeeping and no locks. Caffeine
 * stays the sized, frequency-aware store behind it; an entry reaches the array when it is looked
 * up, and a colliding entry replaces one way of its set. Slots are written without locks: an
 * entry is immutable (final fields), so a racing reader sees a whole entry or the one before.
 *
 * <p>A name of up to {@value #INLINE} bytes in an array of its own (what the resolver's query
 * parser makes; an array merely ending in a zero byte is checked on a miss) is read once, eight bytes at a time in lower case; those words give its key (a
 * few multiplications, see {@link #key}) and are compared with the words the entry holds. The
 * key need not resist crafted collisions: every hit is checked against the whole name, so a
 * colliding name can only take another name's place, which costs that name one uncached lookup
 * the next time it is asked: no more than the client could cost by asking random names. Longer
 * names, and arrays with bytes after the name, take the general path
 * ({@link CompiledList#nameKey}).
 *
 * <p>Immutable lists, so the cache never needs invalidating: a new set of lists gets a new
 * instance.
 */
public final class VerdictCache {
  static final int HOT_SLOTS = 1 << 15;
  /** The longest name (terminating zero included) held entirely in an entry's words. */
  static final int INLINE = 48;
  private static final int WAYS = 4;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long K0 = 0xa0761d6478bd642fL;
  private static final long K1 = 0xe7037ed1a0b428dbL;
  private static final long K2 = 0x8ebc6af09c88c6e3L;
  private static final long K3 = 0x589965cc75374cc3L;
  private static final long K4 = 0x1d8e4e27c47d124fL;
  private static final long K5 = 0x9E3779B185EBCA87L;
  private static final long K6 = 0xC2B2AE3D27D4EB4FL;

  private final ListSet set;
  private final Cache<Long, Entry> recent;
  private final Entry[] hot;
  private final int hotSetMask;
  /** Picks the way a new hot entry replaces; racy increments are fine, it only spreads victims. */
  private int victim;

  /**
   * A verdict with the name it was made for: a hit is only used for that very name. Keys can be
   * crafted to collide, so without this check someone's query could plant an "allowed" verdict
   * that everyone asking for a listed name would then get.
   *
   * <p>The name's first {@value #INLINE} bytes (nearly every name) are held in six words of the
   * entry itself, in lower case and zero-padded, so the check reads no other object: a hit costs
   * one random memory read for the entry, not another for a name array. Only bytes past
   * {@value #INLINE} live in {@code tail}.
   */
  static final class Entry {
    final long key;
    final Matches matches;
    /** The name's length in bytes, its terminating zero included. */
    private final int length;
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;
    private final long w4;
    private final long w5;
    /** Bytes {@value #INLINE} to {@code length} of the name in lower case, or null. */
    private final byte[] tail;

    Entry(long key, byte[] wire, Matches matches) {
      this.key = key;
      this.matches = matches;
      int len = nameLength(wire);
      length = len;
      w0 = word(wire, 0, len);
      w1 = word(wire, 8, len);
      w2 = word(wire, 16, len);
      w3 = word(wire, 24, len);
      w4 = word(wire, 32, len);
      w5 = word(wire, 40, len);
      if (len > INLINE) {
        tail = java.util.Arrays.copyOfRange(wire, INLINE, len);
        for (int i = 0; i < tail.length; i++) {
          if (tail[i] >= 'A' && tail[i] <= 'Z') {
            tail[i] |= 0x20;
          }
        }
      } else {
        tail = null;
      }
    }

    /** Whether a name of {@code n} bytes, all inline, with these words is this entry's name. */
    boolean is(int n, long x0, long x1, long x2, long x3, long x4, long x5) {
      return length == n && w0 == x0 && w1 == x1 && w2 == x2 && w3 == x3 && w4 == x4 && w5 == x5;
    }

    /** Whether {@code wire} starts with this entry's name, ASCII case aside. */
    boolean isFor(byte[] wire) {
      int len = length;
      if (wire.length < len || !is(len, word(wire, 0, len), word(wire, 8, len),
          word(wire, 16, len), word(wire, 24, len), word(wire, 32, len), word(wire, 40, len))) {
        return false;
      }
      for (int i = INLINE; i < len; i++) {
        int c = wire[i];
        if (c >= 'A' && c <= 'Z') {
          c |= 0x20;
        }
        if (c != tail[i - INLINE]) {
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
    int n = wireName.length;
    if (!mayBeInline(wireName)) {
      return general(wireName);
    }
    long x0 = word(wireName, 0, n);
    long x1 = word(wireName, 8, n);
    long x2 = word(wireName, 16, n);
    long x3 = word(wireName, 24, n);
    long x4 = word(wireName, 32, n);
    long x5 = word(wireName, 40, n);
    long key = key(n, x0, x1, x2, x3, x4, x5);
    Entry[] h = hot;
    int base = setOf(key);
    for (int j = base; j < base + WAYS; j++) {
      Entry e = h[j];
      if (e != null && e.key == key && e.is(n, x0, x1, x2, x3, x4, x5)) {
        return e.matches;
      }
    }
    if (nameLength(wireName) != n) {
      return general(wireName); // bytes after the name that happen to end in zero
    }
    return miss(wireName, key, base);
  }

  /** Names longer than an entry holds, and arrays with bytes after the name. */
  private Matches general(byte[] wireName) {
    long key = CompiledList.nameKey(wireName);
    int base = setOf(key);
    for (int j = base; j < base + WAYS; j++) {
      Entry e = hot[j];
      if (e != null && e.key == key && e.isFor(wireName)) {
        return e.matches;
      }
    }
    return miss(wireName, key, base);
  }

  /** Not in the hot array: Caffeine, else the lists; either way the entry goes into the array. */
  private Matches miss(byte[] wireName, long key, int base) {
    Entry e = recent.getIfPresent(key);
    if (e == null || !e.isFor(wireName)) {
      e = new Entry(key, wireName, set.matchAll(wireName));
      recent.put(key, e);
    }
    promote(hot, base, e);
    return e.matches;
  }

  private int setOf(long key) {
    return (int) (key ^ (key >>> 32)) & hotSetMask;
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
    Entry e = new Entry(key, wireName, m);
    recent.put(key, e);
    promote(hot, setOf(key), e);
  }

  /** How many slots of the hot array hold an entry for {@code wireName} (tests). */
  int hotCopies(byte[] wireName) {
    int copies = 0;
    for (Entry e : hot) {
      copies += e != null && e.isFor(wireName) ? 1 : 0;
    }
    return copies;
  }

  /**
   * Whether {@code wire} may be one name of at most {@value #INLINE} bytes with nothing after it:
   * it ends in a zero byte. Only the hot path's miss walks the labels to be sure
   * ({@link #nameLength}), so a hit never does.
   */
  private static boolean mayBeInline(byte[] wire) {
    int n = wire.length;
    return n > 0 && n <= INLINE && wire[n - 1] == 0;
  }

  /** The name's length up to and including its terminating zero (at most the array's). */
  private static int nameLength(byte[] wire) {
    int p = 0;
    while (p < wire.length && wire[p] != 0) {
      p += (wire[p] & 0xff) + 1;
    }
    return Math.min(p + 1, wire.length);
  }

  /** The key a name is cached under. */
  static long keyOf(byte[] wireName) {
    int n = wireName.length;
    if (!mayBeInline(wireName) || nameLength(wireName) != n) {
      return CompiledList.nameKey(wireName);
    }
    return key(n, word(wireName, 0, n), word(wireName, 8, n), word(wireName, 16, n),
        word(wireName, 24, n), word(wireName, 32, n), word(wireName, 40, n));
  }

  /**
   * The key of an inline name from its words: three independent 64x64-to-128-bit multiplications
   * folded (as in wyhash), then one more with the length. Spreads names well over the sets; it
   * is not meant to resist crafted collisions (see the class comment).
   */
  private static long key(int n, long x0, long x1, long x2, long x3, long x4, long x5) {
    long a = mum(x0 ^ K0, x1 ^ K1);
    long b = mum(x2 ^ K2, x3 ^ K3);
    long c = mum(x4 ^ K4, x5 ^ K5);
    return mum(a ^ c ^ K6, b ^ n);
  }

  private static long mum(long a, long b) {
    return a * b ^ Math.multiplyHigh(a, b);
  }

  /**
   * Bytes {@code from} to {@code from + 8} of {@code wire} as a little-endian word, in lower case,
   * zero past {@code n} (the name's length; {@code wire} holds at least {@code n} bytes).
   */
  static long word(byte[] wire, int from, int n) {
    if (from + 8 <= n) {
      return DomainNames.lowerAscii((long) LONGS.get(wire, from));
    }
    if (from >= n) {
      return 0;
    }
    if (n >= 8) { // the name's last eight bytes, shifted down to start at {@code from}
      return DomainNames.lowerAscii((long) LONGS.get(wire, n - 8) >>> (8 * (from + 8 - n)));
    }
    long x = 0;
    for (int i = from; i < n; i++) {
      x |= (long) (wire[i] & 0xff) << (8 * (i - from));
    }
    return DomainNames.lowerAscii(x);
  }
}
