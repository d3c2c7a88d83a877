package dev.hearth.bench;

import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.LoadResult;
import java.nio.file.Path;

/**
 * Loads one list and reports load time and retained heap per entry (heap in use after full GCs,
 * before and after, with the list held). Run:
 * {@code java -cp bench/target/benchmarks.jar dev.hearth.bench.ListLoadFootprint FILE}.
 */
public final class ListLoadFootprint {
  private ListLoadFootprint() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    long before = usedAfterGc();
    long t0 = System.nanoTime();
    LoadResult r = ListLoader.load(file, Format.AUTO, 0.5);
    long loadMillis = (System.nanoTime() - t0) / 1_000_000;
    long after = usedAfterGc();
    System.out.printf("%s: %,d entries in %,d ms; retained %,d bytes = %.1f bytes/entry"
            + " (tables %,d bytes)%n", file, r.accepted(), loadMillis, after - before,
        (double) (after - before) / r.accepted(), r.list().tableBytes());
    System.out.println(r.list().match("example.invalid").isNone() ? "" : "?");
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }
}
