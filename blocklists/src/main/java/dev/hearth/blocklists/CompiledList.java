package dev.hearth.blocklists;

import java.util.Arrays;
import java.util.List;

/**
 * The rules of one list in a form made for the query path: two open-addressing tables of 64-bit
 * name hashes (block and allow, load factor at most 0.5), no Strings. A million names take 16 MB.
 *
 * <p>Since only hashes are stored, a name that is not listed matches by accident with probability
 * about n / 2^64 per suffix checked (n = listed names); for n = 10^6 that is ~5e-14, i.e. never in
 * practice. Immutable and safe to share between threads.
 */
public final class CompiledList {
  private static final long[] EMPTY = new long[0];

  private final String name;
  private final long[] block;
  private final long[] allow;
  private final long[] exact;
  private final int blockCount;
  private final int allowCount;
  private final int exactCount;

  private CompiledList(String name, long[] block, int blockCount, long[] allow, int allowCount,
      long[] exact, int exactCount) {
    this.name = name;
    this.block = block;
    this.blockCount = blockCount;
    this.allow = allow;
    this.allowCount = allowCount;
    this.exact = exact;
    this.exactCount = exactCount;
  }

  /** Compiles {@code rules}, whose names must already be {@link DomainNames#normalize normalized}. */
  public static CompiledList build(String listName, Iterable<Rule> rules) {
    Builder b = builder(listName);
    for (Rule r : rules) {
      b.add(r);
    }
    return b.build();
  }

  public static Builder builder(String listName) {
    return new Builder(listName);
  }

  public String name() {
    return name;
  }

  /** Distinct blocked names. */
  public int blockCount() {
    return blockCount;
  }

  /** Distinct names blocked exactly (without their subdomains). */
  public int exactCount() {
    return exactCount;
  }

  /** Distinct allowed names. */
  public int allowCount() {
    return allowCount;
  }

  /** Approximate heap used by the tables. */
  public long tableBytes() {
    return 8L * (block.length + allow.length + exact.length);
  }

  /**
   * Looks up an uncompressed wire-format name ({@code \3www\7example\3com\0}) and each of its
   * parents, most specific first, without creating Strings. An allow on any suffix wins; otherwise
   * the most specific block is returned.
   *
   * @throws IllegalArgumentException if {@code wireName} is not a well-formed uncompressed name
   */
  public Verdict match(byte[] wireName) {
    int end = wireEnd(wireName);
    if (blockCount == 0 && allowCount == 0 && exactCount == 0) {
      return Verdict.NONE;
    }
    int blockAt = -1;
    if (exactCount != 0 && contains(exact, NameHash.hash(wireName, 0, end))) {
      if (allowCount == 0) {
        return Verdict.block(name, wireName, 0);
      }
      blockAt = 0; // the most specific block there can be; an allow still wins
    }
    int off = 0;
    while (off < end - 1) {
      long h = NameHash.hash(wireName, off, end);
      if (allowCount != 0 && contains(allow, h)) {
        return Verdict.allow(name, wireName, off);
      }
      if (blockAt < 0 && blockCount != 0 && contains(block, h)) {
        if (allowCount == 0) {
          return Verdict.block(name, wireName, off);
        }
        blockAt = off;
      }
      off += (wireName[off] & 0xff) + 1;
    }
    return blockAt < 0 ? Verdict.NONE : Verdict.block(name, wireName, blockAt);
  }

  /**
   * The verdict of several lists together: an allow on any list wins, otherwise the first list
   * that blocks decides. The resolver and the {@code hearth lists test} tool both use this, so
   * they can never disagree.
   */
  public static Verdict decide(List<CompiledList> lists, byte[] wireName) {
    Verdict block = Verdict.NONE;
    for (int i = 0, n = lists.size(); i < n; i++) {
      Verdict v = lists.get(i).match(wireName);
      if (v.isAllow()) {
        return v;
      }
      if (v.isBlock() && block.isNone()) {
        block = v;
      }
    }
    return block;
  }

  /** Convenience for tests and tools: normalizes {@code name} first. */
  public Verdict match(String name) {
    return match(DomainNames.toWire(DomainNames.normalize(name)));
  }

  /** Index just past the terminating zero byte; validates label lengths and bounds. */
  private static int wireEnd(byte[] w) {
    int p = 0;
    while (true) {
      if (p >= w.length) {
        throw new IllegalArgumentException("wire name not terminated");
      }
      int len = w[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if (len > DomainNames.MAX_LABEL) {
        throw new IllegalArgumentException("compressed or bad label length " + len);
      }
      p += len + 1;
      if (p > 255) {
        throw new IllegalArgumentException("wire name longer than 255 bytes");
      }
    }
  }

  private static boolean contains(long[] table, long h) {
    int mask = table.length - 1;
    int i = slot(h, mask);
    while (true) {
      long v = table[i];
      if (v == h) {
        return true;
      }
      if (v == 0) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  private static int slot(long h, int mask) {
    return (int) (h ^ (h >>> 32)) & mask;
  }

  /** Turns a bag of hashes into a table; returns the distinct count in {@code count[0]}. */
  private static long[] table(long[] hashes, int n, int[] count) {
    if (n == 0) {
      count[0] = 0;
      return EMPTY;
    }
    long want = Math.max(2L, 2L * n);
    if (want > (1 << 30)) {
      throw new IllegalArgumentException("too many names: " + n);
    }
    int cap = Integer.highestOneBit((int) want - 1) << 1;
    long[] t = new long[cap];
    int mask = cap - 1;
    int distinct = 0;
    for (int k = 0; k < n; k++) {
      long h = hashes[k];
      int i = slot(h, mask);
      while (t[i] != 0 && t[i] != h) {
        i = (i + 1) & mask;
      }
      if (t[i] == 0) {
        t[i] = h;
        distinct++;
      }
    }
    count[0] = distinct;
    return t;
  }

  /** Collects hashes (8 bytes per rule, never the names) and sizes the tables once at the end. */
  public static final class Builder {
    private final String listName;
    private final byte[] scratch = new byte[DomainNames.MAX_NAME + 2];
    private long[] block = new long[1024];
    private long[] allow = new long[16];
    private long[] exact = new long[16];
    private int nBlock;
    private int nAllow;
    private int nExact;

    private Builder(String listName) {
      this.listName = listName;
    }

    /** Adds a rule whose name is already normalized. */
    public Builder add(Rule rule) {
      int len = DomainNames.toWire(rule.name(), scratch);
      long h = NameHash.hash(scratch, 0, len);
      if (rule.exact()) {
        if (nExact == exact.length) {
          exact = Arrays.copyOf(exact, nExact * 2);
        }
        exact[nExact++] = h;
      } else if (rule.allow()) {
        if (nAllow == allow.length) {
          allow = Arrays.copyOf(allow, nAllow * 2);
        }
        allow[nAllow++] = h;
      } else {
        if (nBlock == block.length) {
          block = Arrays.copyOf(block, nBlock * 2);
        }
        block[nBlock++] = h;
      }
      return this;
    }

    public CompiledList build() {
      int[] c = new int[1];
      long[] b = table(block, nBlock, c);
      int bc = c[0];
      long[] a = table(allow, nAllow, c);
      int ac = c[0];
      long[] e = table(exact, nExact, c);
      return new CompiledList(listName, b, bc, a, ac, e, c[0]);
    }
  }
}
