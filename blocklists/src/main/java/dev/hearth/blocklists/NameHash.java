package dev.hearth.blocklists;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * 64-bit hashes for the query path (xxHash64-style rounds, murmur3 finalizer), never 0 (0 marks
 * empty table slots). ASCII letters are folded to lower case while hashing, eight bytes at a
 * time, so a caller's forgotten lower-casing cannot cause a silent miss.
 *
 * <p>Names are hashed label by label from the right: the hash of {@code www.example.com} chains
 * the label {@code www} onto the state of {@code example.com}. So all the suffixes of a query name
 * (which a lookup needs) cost one pass over its bytes, not one pass per suffix.
 */
final class NameHash {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;
  private static final long SEED = 0x48656172746821L;
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private NameHash() {}

  /** Hash of the plain bytes {@code b[from, to)} (URL keys). */
  static long bytes(byte[] b, int from, int to) {
    return finish(chunk(SEED + (long) (to - from) * P5, b, from, to));
  }

  /**
   * Hash of the uncompressed wire-format name starting at {@code from} and ending just past its
   * terminating zero at {@code end}.
   */
  static long name(byte[] b, int from, int end) {
    return finish(chain(b, from, end - 1));
  }

  /**
   * The state of the labels from {@code p} to the name's terminating zero at {@code zero}: the
   * labels after this one first, then this one. Recursion (one frame per label, at most 127)
   * instead of an array of label offsets, so hashing a name while a list compiles allocates
   * nothing.
   */
  private static long chain(byte[] b, int p, int zero) {
    if (p >= zero) {
      return SEED;
    }
    int next = Math.min(p + (b[p] & 0xff) + 1, zero);
    return chunk(chain(b, next, zero), b, p, next);
  }

  /**
   * Hashes of every suffix at once: {@code out[k]} is {@link #name} of the suffix starting at
   * {@code offsets[k]} ({@code k < n}); {@code end} is just past the name's terminating zero.
   */
  static void suffixes(byte[] b, int[] offsets, int n, int end, long[] out) {
    long state = SEED;
    int labelEnd = end - 1;
    for (int k = n - 1; k >= 0; k--) {
      state = chunk(state, b, offsets[k], labelEnd);
      out[k] = finish(state);
      labelEnd = offsets[k];
    }
  }

  /** Mixes {@code b[from, to)} (case-folded) into {@code h}. */
  private static long chunk(long h, byte[] b, int from, int to) {
    int i = from;
    while (i + 8 <= to) {
      h = round(h, lower((long) LONGS.get(b, i)));
      i += 8;
    }
    int rest = to - i;
    if (rest > 0) {
      long k;
      if (i + 8 <= b.length) {
        k = (long) LONGS.get(b, i) & (-1L >>> (64 - 8 * rest));
      } else {
        k = 0;
        for (int shift = 0; i < to; i++, shift += 8) {
          k |= (long) (b[i] & 0xff) << shift;
        }
      }
      h = round(h, lower(k) ^ ((long) rest << 60));
    }
    return h;
  }

  /** ASCII upper case to lower case in all eight bytes at once; other bytes unchanged. */
  static long lower(long x) {
    long heptets = x & 0x7f7f7f7f7f7f7f7fL;
    long aboveZ = heptets + 0x2525252525252525L;
    long atLeastA = heptets + 0x3f3f3f3f3f3f3f3fL;
    long upper = ~x & (atLeastA ^ aboveZ) & 0x8080808080808080L;
    return x | (upper >>> 2);
  }

  private static long round(long h, long k) {
    k *= P2;
    k = Long.rotateLeft(k, 31);
    k *= P1;
    h ^= k;
    return Long.rotateLeft(h, 27) * P1 + P4;
  }

  private static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h == 0 ? P1 : h;
  }
}
