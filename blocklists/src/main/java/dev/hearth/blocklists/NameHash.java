package dev.hearth.blocklists;

/**
 * 64-bit hash of wire-format name bytes (an xxHash64-style single-lane mix with the murmur3
 * finalizer). ASCII letters are folded to lower case while hashing, so a caller's forgotten
 * lower-casing cannot cause a silent miss. Never returns 0, which marks empty table slots.
 */
final class NameHash {
  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;
  private static final long SEED = 0x48656172746821L;

  private NameHash() {}

  /** Hash of {@code b[from, to)}. */
  static long hash(byte[] b, int from, int to) {
    long h = SEED + (long) (to - from) * P5;
    int i = from;
    while (i + 8 <= to) {
      long k = 0;
      for (int j = 0; j < 8; j++) {
        k |= (long) fold(b[i + j]) << (j * 8);
      }
      h = round(h, k);
      i += 8;
    }
    if (i < to) {
      long k = 0;
      for (int shift = 0; i < to; i++, shift += 8) {
        k |= (long) fold(b[i]) << shift;
      }
      h = round(h, k);
    }
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h == 0 ? P1 : h;
  }

  private static long round(long h, long k) {
    k *= P2;
    k = Long.rotateLeft(k, 31);
    k *= P1;
    h ^= k;
    return Long.rotateLeft(h, 27) * P1 + P4;
  }

  private static int fold(byte v) {
    int c = v & 0xff;
    return (c >= 'A' && c <= 'Z') ? c | 0x20 : c;
  }
}
