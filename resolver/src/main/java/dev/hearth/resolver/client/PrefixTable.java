package dev.hearth.resolver.client;

import dev.hearth.resolver.access.Prefix;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Longest-prefix match from IPv4 and IPv6 prefixes to int values (indexes of subscribers and
 * networks), sized for an ISP: a million prefixes in a few tens of megabytes, built in well under
 * a second. Immutable; a new table is built off the query path and swapped in.
 *
 * <p>One open-addressing hash table per address family holds (prefix length, masked address)
 * keys. A lookup masks the address to each prefix length that occurs in the table, longest first,
 * and stops at the first hit: an ISP has a handful of lengths (/32 and /24 subscribers, /56 and
 * /64 delegations, a few aggregates), so a lookup costs a handful of hash probes, not a walk down
 * a 32- or 128-level trie.
 */
public final class PrefixTable {
  public static final PrefixTable EMPTY = new Builder().build();
  private static final long USED = 1L << 40;

  /** IPv4 slots: {@code USED | length << 32 | masked address}, 0 when empty. */
  private final long[] v4Keys;
  private final int[] v4Values;
  /** Bit {@code n} set when some IPv4 prefix has length {@code n} (0..32). */
  private final long v4Lengths;
  /** IPv6 slots, three longs each: masked high half, masked low half, {@code USED | length}. */
  private final long[] v6Keys;
  private final int[] v6Values;
  /** IPv6 lengths present, longest first. */
  private final int[] v6LengthsDescending;
  private final int size;

  private PrefixTable(long[] v4Keys, int[] v4Values, long v4Lengths, long[] v6Keys,
      int[] v6Values, int[] v6LengthsDescending, int size) {
    this.v4Keys = v4Keys;
    this.v4Values = v4Values;
    this.v4Lengths = v4Lengths;
    this.v6Keys = v6Keys;
    this.v6Values = v6Values;
    this.v6LengthsDescending = v6LengthsDescending;
    this.size = size;
  }

  /** Number of distinct prefixes. */
  public int size() {
    return size;
  }

  /** The value of the longest prefix holding {@code address}, or -1. */
  public int lookup(InetAddress address) {
    return lookup(address.getAddress());
  }

  /** As {@link #lookup(InetAddress)} for raw bytes (4 or 16; IPv4-mapped IPv6 counts as IPv4). */
  public int lookup(byte[] a) {
    return lookup(a, 128);
  }

  /**
   * The value of the longest prefix of at most {@code maxLength} bits holding {@code a}: for a
   * network (an EDNS Client Subnet), only prefixes that hold all of it.
   */
  public int lookup(byte[] a, int maxLength) {
    if (a.length == 4) {
      return lookupV4(v4(a, 0), maxLength);
    }
    if (a.length != 16) {
      return -1;
    }
    if (isV4Mapped(a)) {
      return lookupV4(v4(a, 12), maxLength - 96);
    }
    return lookupV6(v6Half(a, 0), v6Half(a, 8), maxLength);
  }

  public int lookupV4(int address) {
    return lookupV4(address, 32);
  }

  private int lookupV4(int address, int maxLength) {
    if (maxLength < 0) {
      return -1;
    }
    long lengths = maxLength >= 32 ? v4Lengths : v4Lengths & ((1L << (maxLength + 1)) - 1);
    if (lengths == 0) {
      return -1;
    }
    int mask = v4Keys.length - 1;
    while (lengths != 0) {
      int len = 63 - Long.numberOfLeadingZeros(lengths);
      lengths &= ~(1L << len);
      long key = v4Key(address, len);
      int i = spread(key) & mask;
      long k;
      while ((k = v4Keys[i]) != 0) {
        if (k == key) {
          return v4Values[i];
        }
        i = (i + 1) & mask;
      }
    }
    return -1;
  }

  public int lookupV6(long hi, long lo) {
    return lookupV6(hi, lo, 128);
  }

  private int lookupV6(long hi, long lo, int maxLength) {
    if (v6LengthsDescending.length == 0) {
      return -1;
    }
    int slots = v6Values.length;
    int mask = slots - 1;
    for (int len : v6LengthsDescending) {
      if (len > maxLength) {
        continue;
      }
      long mh = hi & maskHigh(len);
      long ml = lo & maskLow(len);
      long tag = USED | len;
      int i = spread(mh * 31 + ml ^ len) & mask;
      while (v6Keys[3 * i + 2] != 0) {
        if (v6Keys[3 * i + 2] == tag && v6Keys[3 * i] == mh && v6Keys[3 * i + 1] == ml) {
          return v6Values[i];
        }
        i = (i + 1) & mask;
      }
    }
    return -1;
  }

  static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  static int v4(byte[] a, int at) {
    return (a[at] & 0xff) << 24 | (a[at + 1] & 0xff) << 16 | (a[at + 2] & 0xff) << 8
        | (a[at + 3] & 0xff);
  }

  static long v6Half(byte[] a, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (a[at + i] & 0xff);
    }
    return v;
  }

  private static long v4Key(int address, int len) {
    long masked = len == 0 ? 0 : (address & 0xffffffffL) & (0xffffffffL << (32 - len));
    return USED | (long) len << 32 | masked;
  }

  private static long maskHigh(int len) {
    return len >= 64 ? -1L : len == 0 ? 0 : -1L << (64 - len);
  }

  private static long maskLow(int len) {
    return len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
  }

  private static int spread(long h) {
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29) ^ (h >>> 41));
  }

  private static int capacityFor(int n) {
    long want = Math.max(4L, (long) Math.ceil(n / 0.6));
    return Integer.highestOneBit((int) Math.min(want, 1 << 30) - 1) << 1;
  }

  /** Collects prefixes; a prefix added twice keeps the last value. */
  public static final class Builder {
    private long[] v4 = new long[16];
    private int[] v4Vals = new int[16];
    private int n4;
    private long[] v6 = new long[48];
    private int[] v6Vals = new int[16];
    private int n6;

    public Builder add(Prefix prefix, int value) {
      byte[] net = prefix.network();
      return net.length == 4 ? addV4(v4(net, 0), prefix.length(), value)
          : addV6(v6Half(net, 0), v6Half(net, 8), prefix.length(), value);
    }

    public Builder addV4(int address, int length, int value) {
      if (length < 0 || length > 32) {
        throw new IllegalArgumentException("IPv4 prefix length " + length);
      }
      if (n4 == v4Vals.length) {
        v4 = Arrays.copyOf(v4, n4 * 2);
        v4Vals = Arrays.copyOf(v4Vals, n4 * 2);
      }
      v4[n4] = v4Key(address, length);
      v4Vals[n4++] = value;
      return this;
    }

    public Builder addV6(long hi, long lo, int length, int value) {
      if (length < 0 || length > 128) {
        throw new IllegalArgumentException("IPv6 prefix length " + length);
      }
      if (n6 == v6Vals.length) {
        v6 = Arrays.copyOf(v6, n6 * 6);
        v6Vals = Arrays.copyOf(v6Vals, n6 * 2);
      }
      v6[3 * n6] = hi & maskHigh(length);
      v6[3 * n6 + 1] = lo & maskLow(length);
      v6[3 * n6 + 2] = USED | length;
      v6Vals[n6++] = value;
      return this;
    }

    public PrefixTable build() {
      int cap4 = capacityFor(n4);
      long[] keys4 = new long[cap4];
      int[] vals4 = new int[cap4];
      long lengths4 = 0;
      int distinct = 0;
      for (int k = 0; k < n4; k++) {
        long key = v4[k];
        int i = spread(key) & (cap4 - 1);
        while (keys4[i] != 0 && keys4[i] != key) {
          i = (i + 1) & (cap4 - 1);
        }
        distinct += keys4[i] == 0 ? 1 : 0;
        keys4[i] = key;
        vals4[i] = v4Vals[k];
        lengths4 |= 1L << ((key >>> 32) & 0x3f);
      }
      int cap6 = capacityFor(n6);
      long[] keys6 = new long[3 * cap6];
      int[] vals6 = new int[cap6];
      boolean[] present = new boolean[129];
      for (int k = 0; k < n6; k++) {
        long mh = v6[3 * k];
        long ml = v6[3 * k + 1];
        long tag = v6[3 * k + 2];
        int len = (int) (tag & 0xff);
        int i = spread(mh * 31 + ml ^ len) & (cap6 - 1);
        while (keys6[3 * i + 2] != 0
            && !(keys6[3 * i + 2] == tag && keys6[3 * i] == mh && keys6[3 * i + 1] == ml)) {
          i = (i + 1) & (cap6 - 1);
        }
        distinct += keys6[3 * i + 2] == 0 ? 1 : 0;
        keys6[3 * i] = mh;
        keys6[3 * i + 1] = ml;
        keys6[3 * i + 2] = tag;
        vals6[i] = v6Vals[k];
        present[len] = true;
      }
      int[] lengths6 = java.util.stream.IntStream.rangeClosed(0, 128).map(i -> 128 - i)
          .filter(l -> present[l]).toArray();
      return new PrefixTable(keys4, vals4, lengths4, keys6, vals6, lengths6, distinct);
    }
  }
}
