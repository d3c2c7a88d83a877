package dev.hearth.resolver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.Prefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PrefixTableTest {

  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  static byte[] bytes(String literal) throws Exception {
    return ip(literal).getAddress();
  }

  /** ::ffff:a.b.c.d as 16 raw bytes (InetAddress would turn it into an Inet4Address). */
  static byte[] mapped(byte[] v4) {
    byte[] a = new byte[16];
    a[10] = (byte) 0xff;
    a[11] = (byte) 0xff;
    System.arraycopy(v4, 0, a, 12, 4);
    return a;
  }

  static PrefixTable table(Object... prefixAndValue) {
    PrefixTable.Builder b = new PrefixTable.Builder();
    for (int i = 0; i < prefixAndValue.length; i += 2) {
      b.add(Prefix.parse((String) prefixAndValue[i]), (Integer) prefixAndValue[i + 1]);
    }
    return b.build();
  }

  // ---------------------------------------------------------------- examples

  @Test
  void nestedIpv4Prefixes_longestWins() throws Exception {
    PrefixTable t = table(
        "0.0.0.0/0", 0,
        "10.0.0.0/8", 1,
        "10.1.0.0/16", 2,
        "10.1.2.0/24", 3,
        "10.1.2.3/32", 4,
        "10.1.2.128/25", 5);
    assertEquals(6, t.size());
    assertEquals(4, t.lookup(ip("10.1.2.3")), "host /32 beats everything");
    assertEquals(3, t.lookup(ip("10.1.2.4")));
    assertEquals(3, t.lookup(ip("10.1.2.127")));
    assertEquals(5, t.lookup(ip("10.1.2.128")));
    assertEquals(5, t.lookup(ip("10.1.2.255")));
    assertEquals(2, t.lookup(ip("10.1.3.3")));
    assertEquals(2, t.lookup(ip("10.1.255.255")));
    assertEquals(1, t.lookup(ip("10.2.2.3")));
    assertEquals(1, t.lookup(ip("10.0.0.0")));
    assertEquals(0, t.lookup(ip("11.1.2.3")), "default route catches the rest");
    assertEquals(0, t.lookup(ip("255.255.255.255")));
    assertEquals(0, t.lookup(ip("0.0.0.0")));
    assertEquals(-1, t.lookup(ip("2001:db8::1")), "an IPv4 default route is not an IPv6 one");
  }

  @Test
  void nestedIpv6Prefixes_longestWins_includingLengthsBeyond64() throws Exception {
    PrefixTable t = table(
        "::/0", 10,
        "2001:db8::/32", 11,
        "2001:db8:1::/48", 12,
        "2001:db8:1:200::/56", 13,
        "2001:db8:1:2::/64", 14,
        "2001:db8:1:2:8000::/65", 15,
        "2001:db8:1:2:8000::/100", 16,
        "2001:db8:1:2::1/128", 17,
        "2001:db8:1:2:ffff:ffff:ffff:ffff/128", 18);
    assertEquals(9, t.size());
    assertEquals(17, t.lookup(ip("2001:db8:1:2::1")));
    assertEquals(14, t.lookup(ip("2001:db8:1:2::2")));
    assertEquals(14, t.lookup(ip("2001:db8:1:2:7fff:ffff:ffff:ffff")));
    assertEquals(16, t.lookup(ip("2001:db8:1:2:8000::abc")));
    assertEquals(16, t.lookup(ip("2001:db8:1:2:8000:0:fff:ffff")));
    assertEquals(15, t.lookup(ip("2001:db8:1:2:8000:0:1000:0")));
    assertEquals(15, t.lookup(ip("2001:db8:1:2:ffff::")));
    assertEquals(18, t.lookup(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    assertEquals(13, t.lookup(ip("2001:db8:1:2ff::1")));
    assertEquals(12, t.lookup(ip("2001:db8:1:3::1")));
    assertEquals(12, t.lookup(ip("2001:db8:1:300::1")));
    assertEquals(11, t.lookup(ip("2001:db8:ffff::1")));
    assertEquals(10, t.lookup(ip("2001:db9::1")));
    assertEquals(10, t.lookup(ip("::")));
    assertEquals(10, t.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    assertEquals(-1, t.lookup(ip("10.1.2.3")), "an IPv6 default route is not an IPv4 one");
  }

  @Test
  void hostPrefixesOnly_exactMatchOrMiss() throws Exception {
    PrefixTable t = table("192.0.2.1/32", 1, "192.0.2.2/32", 2, "2001:db8::1/128", 3);
    assertEquals(1, t.lookup(ip("192.0.2.1")));
    assertEquals(2, t.lookup(ip("192.0.2.2")));
    assertEquals(-1, t.lookup(ip("192.0.2.3")));
    assertEquals(-1, t.lookup(ip("192.0.2.0")));
    assertEquals(3, t.lookup(ip("2001:db8::1")));
    assertEquals(-1, t.lookup(ip("2001:db8::")));
    assertEquals(-1, t.lookup(ip("2001:db8::1:0:0:1")));
  }

  @Test
  void rawLookupsAgreeWithInetAddressLookups() throws Exception {
    PrefixTable t = table("10.0.0.0/8", 1, "2001:db8::/32", 2);
    assertEquals(1, t.lookupV4(PrefixTable.v4(bytes("10.9.8.7"), 0)));
    assertEquals(1, t.lookup(bytes("10.9.8.7")));
    byte[] v6 = bytes("2001:db8:5::1");
    assertEquals(2, t.lookupV6(PrefixTable.v6Half(v6, 0), PrefixTable.v6Half(v6, 8)));
    assertEquals(2, t.lookup(v6));
    assertEquals(-1, t.lookupV4(PrefixTable.v4(bytes("11.0.0.1"), 0)));
    assertEquals(-1, t.lookup(new byte[5]), "neither 4 nor 16 bytes");
    assertEquals(-1, t.lookup(new byte[0]));
  }

  @Test
  void builderAddV4AndAddV6_maskHostBits() {
    PrefixTable t = new PrefixTable.Builder()
        .addV4(0x0A010203, 24, 7) // 10.1.2.3/24 == 10.1.2.0/24
        .addV6(0x20010db800010002L, 0x123456789abcdef0L, 64, 8) // host bits dropped
        .addV6(0x20010db800010002L, 0x8000000000000001L, 65, 9)
        .build();
    assertEquals(3, t.size());
    assertEquals(7, t.lookupV4(0x0A0102FF));
    assertEquals(-1, t.lookupV4(0x0A010303));
    assertEquals(8, t.lookupV6(0x20010db800010002L, 0L));
    assertEquals(8, t.lookupV6(0x20010db800010002L, 0x7fffffffffffffffL));
    assertEquals(9, t.lookupV6(0x20010db800010002L, 0x8000000000000000L));
    assertEquals(9, t.lookupV6(0x20010db800010002L, 0xffffffffffffffffL));
    assertEquals(-1, t.lookupV6(0x20010db800010003L, 0L));
  }

  @Test
  void builderRejectsBadLengths() {
    PrefixTable.Builder b = new PrefixTable.Builder();
    assertThrows(IllegalArgumentException.class, () -> b.addV4(0, 33, 1));
    assertThrows(IllegalArgumentException.class, () -> b.addV4(0, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> b.addV6(0, 0, 129, 1));
    assertThrows(IllegalArgumentException.class, () -> b.addV6(0, 0, -1, 1));
    assertEquals(0, b.build().size(), "rejected prefixes are not added");
  }

  @Test
  void ipv4MappedIpv6Addresses_areLookedUpAsIpv4() throws Exception {
    PrefixTable t = table("10.0.0.0/8", 1, "10.1.2.3/32", 2, "::/0", 3, "2001:db8::/32", 4);
    assertEquals(2, t.lookup(mapped(bytes("10.1.2.3"))));
    assertEquals(1, t.lookup(mapped(bytes("10.1.2.4"))));
    assertEquals(-1, t.lookup(mapped(bytes("11.1.2.3"))),
        "a mapped address outside every IPv4 prefix misses; ::/0 does not apply to it");
    // InetAddress turns the literal into an Inet4Address; it must give the same answer.
    assertEquals(2, t.lookup(ip("::ffff:10.1.2.3")));
    // Not mapped: ::10.1.2.3 (IPv4-compatible) and 0:0:0:0:1:ffff:... stay IPv6.
    byte[] compat = new byte[16];
    System.arraycopy(bytes("10.1.2.3"), 0, compat, 12, 4);
    assertEquals(3, t.lookup(compat));
    byte[] almost = mapped(bytes("10.1.2.3"));
    almost[9] = 1;
    assertEquals(3, t.lookup(almost));
  }

  @Test
  void duplicatePrefix_keepsLastValue_andCountsOnce() throws Exception {
    PrefixTable t = table(
        "10.0.0.0/8", 1,
        "10.0.0.0/8", 2,
        "10.255.0.0/8", 3, // same prefix written with host bits
        "2001:db8::/32", 4,
        "2001:db8:ffff::/32", 5,
        "10.0.0.0/16", 6);
    assertEquals(3, t.size());
    assertEquals(3, t.lookup(ip("10.200.0.1")));
    assertEquals(6, t.lookup(ip("10.0.200.1")));
    assertEquals(5, t.lookup(ip("2001:db8:1::1")));
  }

  @Test
  void duplicateAmongMany_keepsLastValue() {
    // Enough entries to force several builder growths and probe chains.
    PrefixTable.Builder b = new PrefixTable.Builder();
    for (int i = 0; i < 5000; i++) {
      b.addV4(i << 8, 24, i);
      b.addV6(0x20010db800000000L | i, 0, 64, i);
    }
    for (int i = 0; i < 5000; i += 7) {
      b.addV4(i << 8 | 0x55, 24, -100 - i); // same /24 again
      b.addV6(0x20010db800000000L | i, 0x1234, 64, -100 - i);
    }
    PrefixTable t = b.build();
    assertEquals(10000, t.size());
    for (int i = 0; i < 5000; i++) {
      int want = i % 7 == 0 ? -100 - i : i;
      assertEquals(want, t.lookupV4(i << 8 | 0x99), "v4 #" + i);
      assertEquals(want, t.lookupV6(0x20010db800000000L | i, 42), "v6 #" + i);
    }
  }

  @Test
  void miss_returnsMinusOne() throws Exception {
    PrefixTable t = table("10.0.0.0/8", 1, "2001:db8::/32", 2);
    assertEquals(-1, t.lookup(ip("192.168.0.1")));
    assertEquals(-1, t.lookup(ip("9.255.255.255")));
    assertEquals(-1, t.lookup(ip("11.0.0.0")));
    assertEquals(-1, t.lookup(ip("2001:db9::")));
    assertEquals(-1, t.lookup(ip("2001:db7:ffff::")));
  }

  @Test
  void emptyTable() throws Exception {
    for (PrefixTable t : List.of(PrefixTable.EMPTY, new PrefixTable.Builder().build())) {
      assertEquals(0, t.size());
      assertEquals(-1, t.lookup(ip("10.1.2.3")));
      assertEquals(-1, t.lookup(ip("0.0.0.0")));
      assertEquals(-1, t.lookup(ip("2001:db8::1")));
      assertEquals(-1, t.lookup(mapped(bytes("10.1.2.3"))));
      assertEquals(-1, t.lookupV4(0));
      assertEquals(-1, t.lookupV6(0, 0));
    }
  }

  @Test
  void onlyOneFamily_otherFamilyMisses() throws Exception {
    PrefixTable v4only = table("0.0.0.0/0", 1);
    assertEquals(1, v4only.lookup(ip("1.2.3.4")));
    assertEquals(-1, v4only.lookup(ip("::1")));
    PrefixTable v6only = table("::/0", 2);
    assertEquals(2, v6only.lookup(ip("::1")));
    assertEquals(-1, v6only.lookup(ip("1.2.3.4")));
  }

  // ------------------------------------------------------ randomized property

  /** The obviously right answer: scan every prefix, keep the longest containing one (last wins). */
  static final class Reference {
    final List<byte[]> nets = new ArrayList<>();
    final List<Integer> lengths = new ArrayList<>();
    final List<Integer> values = new ArrayList<>();

    void add(byte[] network, int length, int value) {
      nets.add(network);
      lengths.add(length);
      values.add(value);
    }

    int lookup(byte[] a) {
      if (a.length == 16 && PrefixTable.isV4Mapped(a)) {
        a = java.util.Arrays.copyOfRange(a, 12, 16);
      }
      int best = -1;
      int bestLen = -1;
      for (int i = 0; i < nets.size(); i++) {
        byte[] n = nets.get(i);
        int len = lengths.get(i);
        if (n.length == a.length && len >= bestLen && contains(n, len, a)) {
          best = values.get(i);
          bestLen = len;
        }
      }
      return best;
    }

    static boolean contains(byte[] net, int len, byte[] a) {
      int full = len >>> 3;
      for (int i = 0; i < full; i++) {
        if (net[i] != a[i]) {
          return false;
        }
      }
      int rest = len & 7;
      if (rest == 0) {
        return true;
      }
      int m = (0xff << (8 - rest)) & 0xff;
      return (net[full] & m) == (a[full] & m);
    }
  }

  static byte[] clustered(Random r, byte[][] bases, int size) {
    byte[] base = bases[r.nextInt(bases.length)];
    byte[] a = base.clone();
    // Vary only the last few bytes so addresses cluster and prefixes nest.
    int vary = size == 4 ? 2 : 1 + r.nextInt(9);
    for (int i = size - vary; i < size; i++) {
      if (r.nextInt(3) > 0) {
        a[i] = (byte) r.nextInt(256);
      }
    }
    return a;
  }

  static byte[] randomBytes(Random r, int n) {
    byte[] a = new byte[n];
    r.nextBytes(a);
    return a;
  }

  @Test
  void randomizedAgainstLinearScanReference() {
    long seed = System.nanoTime();
    runRandomized(seed);
    runRandomized(20240601L); // a fixed seed too, so a regression is reproducible without logs
  }

  private static void runRandomized(long seed) {
    Random r = new Random(seed);
    byte[][] v4Bases = new byte[6][];
    byte[][] v6Bases = new byte[6][];
    for (int i = 0; i < v4Bases.length; i++) {
      v4Bases[i] = randomBytes(r, 4);
      v6Bases[i] = randomBytes(r, 16);
    }
    v6Bases[0] = new byte[16]; // near :: and mapped space
    Reference ref = new Reference();
    PrefixTable.Builder b = new PrefixTable.Builder();
    int n = 3000;
    List<byte[]> added = new ArrayList<>();
    for (int v = 0; v < n; v++) {
      boolean v4 = r.nextBoolean();
      byte[] addr;
      if (!added.isEmpty() && r.nextInt(5) == 0) {
        // Re-use an earlier network (same family) to create exact duplicates and nesting.
        byte[] prev = added.get(r.nextInt(added.size()));
        v4 = prev.length == 4;
        addr = prev.clone();
      } else {
        addr = clustered(r, v4 ? v4Bases : v6Bases, v4 ? 4 : 16);
      }
      int max = v4 ? 32 : 128;
      int len = r.nextInt(10) == 0 ? r.nextInt(max + 1) // any length, including /0
          : max - r.nextInt(v4 ? 12 : 72); // mostly long prefixes, which nest in the clusters
      Prefix p = new Prefix(addr, len);
      b.add(p, v);
      ref.add(p.network(), len, v);
      added.add(addr);
    }
    PrefixTable t = b.build();
    int mismatches = 0;
    int hits = 0;
    StringBuilder first = new StringBuilder();
    for (int q = 0; q < 20000; q++) {
      byte[] probe;
      int kind = r.nextInt(10);
      if (kind < 5) {
        boolean v4 = r.nextBoolean();
        probe = clustered(r, v4 ? v4Bases : v6Bases, v4 ? 4 : 16);
      } else if (kind < 8) {
        probe = added.get(r.nextInt(added.size())).clone();
        if (r.nextBoolean()) {
          probe[probe.length - 1] ^= (byte) (1 << r.nextInt(8));
        }
      } else {
        probe = randomBytes(r, r.nextBoolean() ? 4 : 16);
      }
      if (probe.length == 4 && r.nextInt(4) == 0) {
        probe = mapped(probe);
      }
      int want = ref.lookup(probe);
      int got = t.lookup(probe);
      hits += want >= 0 ? 1 : 0;
      if (want != got) {
        if (mismatches++ == 0) {
          first.append(java.util.HexFormat.of().formatHex(probe)).append(": want ").append(want)
              .append(" got ").append(got);
        }
      }
    }
    assertEquals(0, mismatches, "seed " + seed + ": " + mismatches + " mismatches, first " + first);
    assertTrue(hits > 2000, "seed " + seed + ": only " + hits + " probes hit a prefix");
    // Every added network itself resolves to a prefix at least as long as its own.
    for (int i = 0; i < ref.nets.size(); i++) {
      byte[] net = ref.nets.get(i);
      assertEquals(ref.lookup(net), t.lookup(net), "seed " + seed + ", network #" + i);
    }
  }

  // ---------------------------------------------------------------- ISP-sized

  /** Inverse of an odd number modulo 2^64 (Newton's iteration); also its inverse mod 2^k. */
  static long inverse(long odd) {
    long x = odd;
    for (int i = 0; i < 6; i++) {
      x *= 2 - odd * x;
    }
    return x;
  }

  @Test
  void millionIpv4AndHundredThousandIpv6Prefixes_sampledLookupsAreRight() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    String why = "seed " + seed;
    // Distinct prefixes from bijections: i -> i * C mod 2^k; membership is checked by inverting.
    final int n32 = 600_000;
    final int n24 = 400_000;
    final int n64 = 50_000;
    final int n56 = 50_000;
    final long c32 = 0x9E3779B1L | 1;
    final long c24 = 0x5BD1E995L | 1;
    final long c28 = 0x2545F491L | 1;
    final long c20 = 0x68E31DA5L | 1;
    final long inv32 = inverse(c32);
    final long inv24 = inverse(c24);
    final long inv28 = inverse(c28);
    final long inv20 = inverse(c20);
    final long v6Base = 0x20010db800000000L;
    PrefixTable.Builder b = new PrefixTable.Builder();
    for (int i = 0; i < n32; i++) {
      b.addV4((int) (i * c32), 32, i);
    }
    for (int j = 0; j < n24; j++) {
      b.addV4((int) ((j * c24) & 0xffffff) << 8, 24, n32 + j);
    }
    // /64s: 2001:db8:0xxx:xxxx::/64 (28 varying bits); /56s: the same space, 20 varying bits,
    // so about 5 % of the /64s lie inside a /56.
    for (int i = 0; i < n64; i++) {
      b.addV6(v6Base | ((i * c28) & 0xfffffffL), 0, 64, 2_000_000 + i);
    }
    for (int j = 0; j < n56; j++) {
      b.addV6(v6Base | ((j * c20) & 0xfffffL) << 8, 0, 56, 3_000_000 + j);
    }
    PrefixTable t = b.build();
    assertEquals(n32 + n24 + n64 + n56, t.size(), why);

    java.util.function.IntUnaryOperator expectV4 = a -> {
      long i = ((a & 0xffffffffL) * inv32) & 0xffffffffL;
      if (i < n32) {
        return (int) i;
      }
      long j = (((a >>> 8) & 0xffffffL) * inv24) & 0xffffffL;
      return j < n24 ? n32 + (int) j : -1;
    };
    java.util.function.LongUnaryOperator expectV6 = hi -> {
      if ((hi & 0xfffffffff0000000L) != v6Base) {
        return -1;
      }
      long i = ((hi & 0xfffffffL) * inv28) & 0xfffffffL;
      if (i < n64) {
        return 2_000_000 + i;
      }
      long j = (((hi >>> 8) & 0xfffffL) * inv20) & 0xfffffL;
      return j < n56 ? 3_000_000 + j : -1;
    };

    int nested32 = 0;
    for (int s = 0; s < 20_000; s++) {
      int i = r.nextInt(n32);
      int a = (int) (i * c32);
      assertEquals(i, t.lookupV4(a), why + ": /32 #" + i);
      long covering24 = (((a >>> 8) & 0xffffffL) * inv24) & 0xffffffL;
      if (covering24 < n24) {
        nested32++; // a /32 inside a listed /24: its neighbours fall back to the /24
        assertEquals(expectV4.applyAsInt(a ^ 1), t.lookupV4(a ^ 1), why + ": beside /32 #" + i);
      }
      int j = r.nextInt(n24);
      int inside = (int) ((j * c24) & 0xffffff) << 8 | r.nextInt(256);
      int want = expectV4.applyAsInt(inside);
      assertTrue(want == n32 + j || want < n32, why); // the /24 or a /32 inside it
      assertEquals(want, t.lookupV4(inside), why + ": in /24 #" + j);
      int any = r.nextInt();
      assertEquals(expectV4.applyAsInt(any), t.lookupV4(any), why + ": random " + any);
      byte[] m = mapped(new byte[] {(byte) (inside >>> 24), (byte) (inside >>> 16),
          (byte) (inside >>> 8), (byte) inside});
      assertEquals(want, t.lookup(m), why + ": mapped " + Integer.toHexString(inside));
    }
    for (int s = 0; s < 20_000; s++) {
      int i = r.nextInt(n64);
      long hi = v6Base | ((i * c28) & 0xfffffffL);
      assertEquals(2_000_000 + i, t.lookupV6(hi, r.nextLong()), why + ": /64 #" + i);
      int j = r.nextInt(n56);
      long hi56 = v6Base | ((j * c20) & 0xfffffL) << 8 | r.nextInt(256);
      long want = expectV6.applyAsLong(hi56);
      assertTrue(want == 3_000_000 + j || (want >= 2_000_000 && want < 3_000_000), why);
      assertEquals(want, t.lookupV6(hi56, r.nextLong()), why + ": in /56 #" + j);
      long near = v6Base | (r.nextLong() & 0xfffffffL);
      assertEquals(expectV6.applyAsLong(near), t.lookupV6(near, r.nextLong()), why);
      long far = r.nextLong();
      assertEquals(expectV6.applyAsLong(far), t.lookupV6(far, r.nextLong()), why);
    }
    // The layout must actually exercise nesting; otherwise the test proves less than it claims.
    int nestedV6 = 0;
    for (int i = 0; i < n64; i++) {
      long hi = v6Base | ((i * c28) & 0xfffffffL);
      long j = (((hi >>> 8) & 0xfffffL) * inv20) & 0xfffffL;
      if (j < n56) {
        nestedV6++;
        assertEquals(2_000_000 + i, t.lookupV6(hi, 0), why + ": nested /64 #" + i);
        long sibling = hi ^ 0x80; // same /56, another /64: the /64 if listed, else the /56
        assertEquals(expectV6.applyAsLong(sibling), t.lookupV6(sibling, 0), why);
      }
    }
    assertTrue(nestedV6 > 100, "nested /64s: " + nestedV6);
    assertTrue(nested32 > 0, "nested /32s in sample: " + nested32);
  }
}
