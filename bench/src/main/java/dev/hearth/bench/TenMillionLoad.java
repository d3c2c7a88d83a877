package dev.hearth.bench;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListStore;
import dev.hearth.blocklists.LoadResult;
import dev.hearth.blocklists.NameHasher;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Large-list load and restart costs, one JVM per list (run it with the -Xmx you want to prove):
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.hearth.bench.TenMillionLoad gen 10000000 FILE
 * java -Xmx2g -cp bench/target/benchmarks.jar dev.hearth.bench.TenMillionLoad load FILE [STORE]
 * </pre>
 *
 * <p>{@code gen} writes N distinct names (deterministic, seed 42) shaped like the harness's
 * {@code gen_data.py} list: 50 % {@code word-word12345.tld}, 30 % one subdomain deeper, 15 % deep
 * cloud-style names, 5 % long hex tracking names; distinctness comes from a per-line number in the
 * second-level label (so numbers run to 8 digits instead of 5: names are ~2 characters longer).
 *
 * <p>{@code load} parses FILE with {@link ListLoader} and reports the load time, heap retained
 * per name (heap in use after full GCs, before and after, with the list held, as
 * {@link ListLoadFootprint} does) and the peak heap of the load; then writes the compiled list with
 * {@link ListStore#write}, drops it, reads it back with {@link ListStore#read} (what a restart
 * does), and reports both times, the file size, the retained heap and peak heap of the read, and
 * checks that sample names still match. A failure (OutOfMemoryError included) exits non-zero.
 */
public final class TenMillionLoad {
  private static final String[] TLDS;
  private static final String[] WORDS = ("ads ad track tracker tracking metric metrics pixel"
      + " analytics stat stats beacon telemetry banner promo click adserv adserver cdn log logs"
      + " collect collector tag tags sync pub affil affiliate media video push notify popup pop"
      + " redirect counter hit hits audience segment insight data event events measure report"
      + " survey target retarget bid rtb dsp ssp exchange serve serving static img assets api edge"
      + " smart fast best free win casino bet crypto coin mining miner shop deal deals offer offers"
      + " sale lead leads trk clk imp view views").split(" ");
  private static final String[] SUBS = ("www ads ad api cdn img static m mobile t trk metrics"
      + " stats log events pixel sync s1 s2 eu us asia edge v1 v2 beacon collect tag px rum")
      .split(" ");
  private static final String[] REGIONS = ("us-east-1 us-west-2 eu-west-1 eu-central-1"
      + " ap-south-1 ap-northeast-1 sa-east-1").split(" ");

  static {
    List<String> t = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      t.add("com");
    }
    for (int i = 0; i < 12; i++) {
      t.add("net");
    }
    for (int i = 0; i < 6; i++) {
      t.add("org");
    }
    for (int i = 0; i < 5; i++) {
      t.add("io");
    }
    t.addAll(List.of("info", "biz", "co.uk", "de", "ru", "xyz", "top", "online", "site", "app",
        "fr", "nl", "pl", "com.br", "jp", "cn", "in"));
    TLDS = t.toArray(new String[0]);
  }

  private TenMillionLoad() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("gen")) {
      gen(Integer.parseInt(args[1]), Path.of(args[2]));
    } else if (args.length >= 2 && args[0].equals("load")) {
      load(Path.of(args[1]), args.length > 2 ? Path.of(args[2])
          : Files.createTempFile("hearth-list", ".hbl"));
    } else {
      System.err.println("usage: TenMillionLoad gen N FILE | load FILE [STORE_FILE]");
      System.exit(2);
    }
  }

  static String name(SplittableRandom rng, long n) {
    String tld = TLDS[rng.nextInt(TLDS.length)];
    String[] seps = {"", "-", ""};
    String sld = WORDS[rng.nextInt(WORDS.length)] + seps[rng.nextInt(3)]
        + WORDS[rng.nextInt(WORDS.length)] + n;
    double r = rng.nextDouble();
    if (r < 0.50) {
      return sld + "." + tld;
    }
    if (r < 0.80) {
      return SUBS[rng.nextInt(SUBS.length)] + "." + sld + "." + tld;
    }
    if (r < 0.95) {
      return SUBS[rng.nextInt(SUBS.length)] + rng.nextInt(100) + "."
          + REGIONS[rng.nextInt(REGIONS.length)] + "." + WORDS[rng.nextInt(WORDS.length)] + "."
          + sld + "." + tld;
    }
    StringBuilder sb = new StringBuilder();
    int labels = 2 + rng.nextInt(3);
    int[] bits = {64, 96, 128};
    for (int i = 0; i < labels; i++) {
      int b = bits[rng.nextInt(3)];
      StringBuilder hex = new StringBuilder();
      for (int k = 0; k < b / 4; k++) {
        hex.append(Character.forDigit(rng.nextInt(16), 16));
      }
      // Python's "%x" drops leading zeros.
      int z = 0;
      while (z < hex.length() - 1 && hex.charAt(z) == '0') {
        z++;
      }
      sb.append(hex, z, hex.length()).append('.');
    }
    sb.append(WORDS[rng.nextInt(WORDS.length)]).append('-').append(WORDS[rng.nextInt(
        WORDS.length)]).append('-').append(WORDS[rng.nextInt(WORDS.length)]).append('.')
        .append(sld).append('.').append(tld);
    String s = sb.toString();
    if (s.length() > 200) {
      s = s.substring(s.length() - 200);
      int k = 0;
      while (k < s.length() && (s.charAt(k) == '.' || s.charAt(k) == '-')) {
        k++;
      }
      s = s.substring(k);
    }
    return s;
  }

  static void gen(int n, Path file) throws IOException {
    long t0 = System.nanoTime();
    SplittableRandom rng = new SplittableRandom(42);
    long bytes = 0;
    int[] lengths = new int[256];
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      for (int i = 0; i < n; i++) {
        String s = name(rng, i);
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b);
        out.write('\n');
        bytes += b.length + 1;
        lengths[Math.min(b.length, 255)]++;
      }
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    int median = 0;
    for (int c = 0, i = 0; i < lengths.length; i++) {
      c += lengths[i];
      if (c >= n / 2) {
        median = i;
        break;
      }
    }
    System.out.printf("generated %s: %,d distinct names, %,d bytes, median length %d, in %,d ms%n",
        file, n, bytes, median, (System.nanoTime() - t0) / 1_000_000);
  }

  static void load(Path file, Path store) throws Exception {
    System.out.printf("jvm: %s %s, max heap %,d MB, gc %s, args %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.vm.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(g -> g.getName()).toList(),
        ManagementFactory.getRuntimeMXBean().getInputArguments());
    List<String> samples = sampleNames(file, 1000);
    long before = usedAfterGc();
    resetPeaks();
    long t0 = System.nanoTime();
    LoadResult r = ListLoader.load(file, Format.AUTO, 0.5);
    long loadMs = (System.nanoTime() - t0) / 1_000_000;
    long peakLoad = peakHeap();
    CompiledList list = r.list();
    long after = usedAfterGc();
    long retained = after - before;
    System.out.printf("load %s: OK, %,d entries (%,d invalid) in %,d ms; retained %,d bytes ="
            + " %.1f bytes/name (tables %,d bytes, %,d slots); peak heap during load %,d MB%n",
        file.getFileName(), r.accepted(), r.invalid(), loadMs, retained,
        (double) retained / r.accepted(), list.tableBytes(), list.tableBytes() / 14,
        peakLoad >> 20);
    check(list, samples, "loaded");

    resetPeaks();
    t0 = System.nanoTime();
    ListStore.write(list, store);
    long writeMs = (System.nanoTime() - t0) / 1_000_000;
    long peakWrite = peakHeap();
    long size = Files.size(store);
    System.out.printf("store write: OK, %,d bytes (%.1f bytes/name) in %,d ms; peak heap %,d MB%n",
        size, (double) size / r.accepted(), writeMs, peakWrite >> 20);
    int names = r.accepted();
    String version = list.info().version();
    list = null;
    r = null;
    long empty = usedAfterGc();
    // Read twice: the first read pays for class loading and a cold JIT, as a restart does; the
    // second is the steady-state cost. Both are reported.
    for (int round = 1; round <= 2; round++) {
      resetPeaks();
      t0 = System.nanoTime();
      CompiledList back = ListStore.read(store, NameHasher.PLAIN, null);
      long readMs = (System.nanoTime() - t0) / 1_000_000;
      long peakRead = peakHeap();
      long held = usedAfterGc() - empty;
      System.out.printf("store read #%d: OK, %,d names, version %s (same: %b) in %,d ms;"
              + " retained %,d bytes = %.1f bytes/name; peak heap %,d MB%n", round, back.size(),
          back.info().version(), back.info().version().equals(version), readMs, held,
          (double) held / names, peakRead >> 20);
      check(back, samples, "read back");
      back = null;
      usedAfterGc();
    }
    Files.deleteIfExists(store);
    System.out.println("RESULT OK");
  }

  private static void check(CompiledList list, List<String> samples, String what) {
    for (String s : samples) {
      if (!list.match("x1." + s).isBlock()) {
        throw new IllegalStateException(what + " list does not block x1." + s);
      }
      if (!list.match(s + ".n0-invalid").isNone()) {
        throw new IllegalStateException(what + " list blocks an unlisted name");
      }
    }
  }

  /** Every (lines / n)-th line of the file, for checks after loading. */
  private static List<String> sampleNames(Path file, int n) throws IOException {
    List<String> all = new ArrayList<>();
    long lines;
    try (var s = Files.lines(file)) {
      lines = s.count();
    }
    long step = Math.max(1, lines / n);
    try (BufferedReader br = Files.newBufferedReader(file)) {
      long i = 0;
      for (String l; (l = br.readLine()) != null; i++) {
        if (i % step == 0 && !l.isBlank()) {
          all.add(l.strip());
        }
      }
    }
    return all;
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  /** Sum of the heap pools' peaks: an upper bound of the true peak (pools peak at different times). */
  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
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
