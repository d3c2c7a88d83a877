package dev.hearth.bench;

import dev.hearth.resolver.client.PrefixTable;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Client identification by source address at ISP size (issue 4: "1,000,000 prefixes must load in
 * seconds and match in well under a microsecond"): 1,000,000 subscriber prefixes, a third each
 * IPv4 /32, IPv4 /24 and IPv6 /56, plus a few short venue networks that longer prefixes must win
 * over. {@code build} is the load (one table from scratch, as each policy snapshot does); the
 * lookups cycle over 65,536 addresses that hit (most specific prefix) or miss.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PrefixTableBenchmark
 * </pre>
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PrefixTableBenchmark {
  static final int PREFIXES = 1_000_000;
  static final int PROBES = 1 << 16;

  @State(Scope.Benchmark)
  public static class Table {
    PrefixTable table;
    byte[][] hits = new byte[PROBES][];
    byte[][] misses = new byte[PROBES][];
    int[] v4 = new int[PREFIXES];
    int[] len = new int[PREFIXES];
    long[] hi = new long[PREFIXES];
    int i;

    @Setup(Level.Trial)
    public void setup() {
      SplittableRandom r = new SplittableRandom(42);
      for (int k = 0; k < PREFIXES; k++) {
        // Distinct by construction (k is unique), so the table holds all 1,000,000.
        switch (k % 3) {
          case 0 -> { v4[k] = 0x0A000000 + k; len[k] = 32; }
          case 1 -> { v4[k] = 0x20000000 + (k << 8); len[k] = 24; }
          default -> { hi[k] = 0x20010DB800000000L | ((long) k << 8); len[k] = 56; }
        }
      }
      long t0 = System.nanoTime();
      table = buildTable(this);
      System.out.printf("%n[setup] %,d prefixes loaded in %,d ms%n", table.size(),
          (System.nanoTime() - t0) / 1_000_000);
      for (int p = 0; p < PROBES; p++) {
        int k = r.nextInt(PREFIXES);
        hits[p] = k % 3 == 2 ? v6(hi[k] | (r.nextLong() & 0xFF), r.nextLong())
            : v4bytes(len[k] == 32 ? v4[k] : v4[k] | (r.nextInt() & 0xFF));
        misses[p] = p % 2 == 0 ? v4bytes(0xC0000200 | (r.nextInt() & 0xFF))
            : v6(0x20010DB900000000L | (r.nextLong() & 0xFFFFFFFFL), r.nextLong());
      }
    }
  }

  static PrefixTable buildTable(Table t) {
    PrefixTable.Builder b = new PrefixTable.Builder();
    b.addV4(0x0A000000, 8, -1); // a venue network under the /32s: they must win
    b.addV6(0x20010DB800000000L, 0, 32, -1);
    for (int k = 0; k < PREFIXES; k++) {
      if (t.len[k] == 56) {
        b.addV6(t.hi[k], 0, 56, k);
      } else {
        b.addV4(t.v4[k], t.len[k], k);
      }
    }
    return b.build();
  }

  static byte[] v4bytes(int a) {
    return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
  }

  static byte[] v6(long hi, long lo) {
    byte[] out = new byte[16];
    for (int k = 0; k < 8; k++) {
      out[k] = (byte) (hi >>> (56 - 8 * k));
      out[8 + k] = (byte) (lo >>> (56 - 8 * k));
    }
    return out;
  }

  @Benchmark
  public int lookupHit(Table t) {
    return t.table.lookup(t.hits[t.i++ & (PROBES - 1)]);
  }

  @Benchmark
  public int lookupMiss(Table t) {
    return t.table.lookup(t.misses[t.i++ & (PROBES - 1)]);
  }

  /** Building the whole table: the per-snapshot load cost. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public PrefixTable build(Table t) {
    return buildTable(t);
  }
}
