package dev.hearth.bench;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListSet;
import dev.hearth.blocklists.ListStore;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Rule;
import dev.hearth.blocklists.Verdict;
import dev.hearth.resolver.policy.VerdictCache;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Blocklist lookups against the harness's 1,000,000-domain list, compiled with {@link ListLoader}
 * once per fork:
 *
 * <ul>
 *   <li>{@code match*}: one list, uncached {@link CompiledList#match(byte[])} of 4-label names
 *       {@code a.b.<2-label name>}, the 2-label name listed or not (an unlisted name probes all
 *       four suffixes, a listed one stops at the third and allocates its verdict);
 *   <li>{@code decide80*}: {@link CompiledList#decide} (every list probed for every suffix) over
 *       the same million names split into 80 category lists of Zipf-like sizes (the largest ~200k
 *       names, the smallest ~2.5k), the way UT1's categories are uneven; {@code listSet80*} the
 *       same through {@link ListSet#decide} (one shared index), which the resolver uses;
 *   <li>{@code community*}: {@link ListSet#decide} over the whole list plus four small lists
 *       (the usual set-up: one big community list next to the built-in and operator lists), the
 *       path of a name the verdict cache does not hold;
 *   <li>{@code cachedHot}: {@link VerdictCache#decide} (the resolver's path, 100,000 entries as in
 *       {@code BlocklistStage}, a {@link ListSet} behind it) over the 80 lists, on a hot set of
 *       10,000 names (20 % listed) that are all in the cache;
 *   <li>{@code cachedHotFromPacket}: the same, but each name is first copied into an array of its
 *       own out of one buffer read in order, as the resolver's parser copies it out of the
 *       received packet: the name is then in the CPU cache, as it is in the resolver, and only the
 *       cache's own memory reads stay random ({@code cachedHot} also pays a random read of the
 *       name itself);
 *   <li>{@code cachedChurn}: {@link VerdictCache} (100,000 entries) in front of the whole list and
 *       four small ones, cycling through 131,072 distinct names (half listed), more than it
 *       holds: most lookups miss both tiers, as in the harness's {@code blocked} workload
 *       (100,000 distinct listed names);
 *   <li>{@code cachedHotArrayPrototype}: the same hot set in front of a set-associative array
 *       cache prototyped here (not Hearth code), to size what a cheaper verdict cache would save;
 *   <li>{@code keyed*}: the million names compiled with {@link NameHasher#keyed} (HMAC-SHA-256, a
 *       locked legal list) and looked up with {@code match};
 *   <li>{@code nameKey}: one hash of a whole 4-label name ({@link CompiledList#nameKey}, what
 *       the verdict cache pays before its lookup for a name longer than it holds inline);
 *   <li>{@code baseline}: only picks the next name: the floor of the harness (and, in SampleTime
 *       mode, of the timer).
 * </ul>
 *
 * <p>Each benchmark cycles through a pre-built array of {@value #NAMES} distinct wire names, so
 * the tables are probed at random places as real traffic would (DRAM misses included), and
 * returns the verdict so nothing is eliminated. The list file comes from {@code -p list=FILE},
 * else the system property {@code hearth.blocklist}, else the environment variable
 * {@code HEARTH_BLOCKLIST}, else {@code /tmp/hearth-bench/data/blocklist.txt}. Both modes
 * (AverageTime, and SampleTime for the median p0.50) run by default, one short fork each; about
 * 5-6 min in all:
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ListLookupBenchmark
 * java -jar bench/target/benchmarks.jar 'ListLookupBenchmark.match.*' -bm sample -p span=256
 * bench/list-lookup.sh     # one benchmark at a time, each after waiting for a quiet machine
 * </pre>
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ListLookupBenchmark {
  static final int NAMES = 1 << 16;
  static final int HOT = 10_000;
  static final int CATEGORIES = 80;
  static final String DEFAULT_LIST = "/tmp/hearth-bench/data/blocklist.txt";

  /** The list file and the names drawn from it; shared by all the states below. */
  @State(Scope.Benchmark)
  public static class Source {
    @Param({""})
    public String list;

    Path file;
    /** Every line of the list, in file order. */
    List<String> all;
    /** 4-label names whose last two labels are a listed 2-label entry. */
    byte[][] listed;
    /** 4-label names whose last two labels are not listed (nor is any suffix). */
    byte[][] unlisted;

    @Setup(Level.Trial)
    public void setup() throws IOException {
      file = Path.of(resolveListPath(list));
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException("blocklist " + file + " not found. Generate the harness"
            + " data with: python3 /work/shared/bench/gen/gen_data.py all --out"
            + " /tmp/hearth-bench/data   (or pass -p list=FILE / -Dhearth.blocklist=FILE /"
            + " HEARTH_BLOCKLIST=FILE pointing at an existing 1M-domain blocklist.txt)");
      }
      all = new ArrayList<>(1_000_000);
      try (BufferedReader r = Files.newBufferedReader(file)) {
        for (String l; (l = r.readLine()) != null; ) {
          l = l.strip();
          if (!l.isEmpty() && !l.startsWith("#")) {
            all.add(l);
          }
        }
      }
      List<String> twoLabel = new ArrayList<>();
      for (String s : all) {
        if (s.indexOf('.') == s.lastIndexOf('.') && s.indexOf('.') > 0) {
          twoLabel.add(s);
        }
      }
      if (twoLabel.size() < NAMES) {
        throw new IllegalStateException(file + " has only " + twoLabel.size()
            + " 2-label names; expected the harness's 1M-domain list");
      }
      SplittableRandom rnd = new SplittableRandom(42);
      java.util.Set<String> listedSet = new java.util.HashSet<>(all);
      listed = new byte[NAMES][];
      unlisted = new byte[NAMES][];
      for (int i = 0; i < NAMES; i++) {
        String base = twoLabel.get(rnd.nextInt(twoLabel.size()));
        listed[i] = wire(sub(rnd) + "." + sub(rnd) + "." + base);
        // Same shape and length class, but "n0" never starts a generated second-level label.
        String other = "n0" + base;
        if (listedSet.contains(other)) {
          throw new IllegalStateException("unexpectedly listed: " + other);
        }
        unlisted[i] = wire(sub(rnd) + "." + sub(rnd) + "." + other);
      }
    }

    private static String sub(SplittableRandom rnd) {
      String[] subs = {"www", "a", "b", "cdn", "api", "img", "static", "m", "edge", "s1", "eu",
          "us", "px", "v2", "ads", "t"};
      return subs[rnd.nextInt(subs.length)];
    }

    /** {@code list}, or the property, environment variable or default named in the class doc. */
    static String resolveListPath(String param) {
      if (param != null && !param.isEmpty()) {
        return param;
      }
      String p = System.getProperty("hearth.blocklist");
      if (p != null && !p.isEmpty()) {
        return p;
      }
      p = System.getenv("HEARTH_BLOCKLIST");
      return p != null && !p.isEmpty() ? p : DEFAULT_LIST;
    }
  }

  /**
   * The whole list as one plain-hashed {@link CompiledList}: as compiled, its table on the heap
   * ({@code -p table=heap}), or saved and read back, its table mapped from the file as a server
   * serves a saved list ({@code -p table=mapped}).
   */
  @State(Scope.Benchmark)
  public static class OneList {
    @Param({"heap", "mapped"})
    public String table;
    CompiledList list;

    @Setup(Level.Trial)
    public void setup(Source src) throws Exception {
      long t0 = System.nanoTime();
      list = ListLoader.load(src.file, Format.AUTO, 0.5).list();
      System.out.printf("%n[setup] loaded %s: %,d names in %,d ms%n", src.file, list.size(),
          (System.nanoTime() - t0) / 1_000_000);
      if (table.equals("mapped")) {
        Path saved = Files.createTempFile("hearth-bench-list", ".hbl");
        ListStore.write(list, saved);
        list = ListStore.read(saved, NameHasher.PLAIN, null);
        Files.delete(saved); // the mapping keeps the file's pages
        if (!list.isMapped()) {
          throw new IllegalStateException("the list read back is not mapped");
        }
      }
      checkVerdicts(src, List.of(list));
    }
  }

  /** The list split into {@value #CATEGORIES} category lists of uneven (Zipf-like) sizes. */
  @State(Scope.Benchmark)
  public static class Categories {
    List<CompiledList> lists;

    @Setup(Level.Trial)
    public void setup(Source src) throws Exception {
      long t0 = System.nanoTime();
      lists = split(src.all, CATEGORIES);
      long sizes = lists.stream().mapToLong(CompiledList::size).sum();
      System.out.printf("%n[setup] %d category lists, %,d names (largest %,d, smallest %,d) in"
              + " %,d ms%n", lists.size(), sizes, lists.get(0).size(),
          lists.get(lists.size() - 1).size(), (System.nanoTime() - t0) / 1_000_000);
      checkVerdicts(src, lists);
    }

    static List<CompiledList> split(List<String> names, int n) throws Exception {
      double[] cum = new double[n];
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += 1.0 / (i + 1);
        cum[i] = total;
      }
      ByteArrayOutputStream[] parts = new ByteArrayOutputStream[n];
      for (int i = 0; i < n; i++) {
        parts[i] = new ByteArrayOutputStream(1 << 20);
      }
      SplittableRandom rnd = new SplittableRandom(7);
      for (String s : names) {
        double x = rnd.nextDouble() * total;
        int c = 0;
        while (cum[c] < x) {
          c++;
        }
        parts[c].write(s.getBytes(StandardCharsets.US_ASCII));
        parts[c].write('\n');
      }
      List<CompiledList> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String cat = String.format("cat%02d", i);
        ListInfo info = new ListInfo("ut1/" + cat, cat, false, false, "", List.of());
        out.add(ListLoader.load(info, NameHasher.PLAIN, Format.DOMAINS, cat,
            new ByteArrayInputStream(parts[i].toByteArray()), 0.5).list());
        parts[i] = null;
      }
      return List.copyOf(out);
    }
  }

  /** The 80 lists behind one {@link ListSet}. */
  @State(Scope.Benchmark)
  public static class CategorySet {
    ListSet set;

    @Setup(Level.Trial)
    public void setup(Source src, Categories cats) {
      long t0 = System.nanoTime();
      set = ListSet.of(cats.lists);
      System.out.printf("%n[setup] ListSet over %d lists: index %,d bytes, built in %,d ms%n",
          cats.lists.size(), set.indexBytes(), (System.nanoTime() - t0) / 1_000_000);
      for (int i = 0; i < NAMES; i++) {
        if (!set.decide(src.listed[i]).isBlock() || !set.decide(src.unlisted[i]).isNone()) {
          throw new IllegalStateException("unexpected ListSet verdict for name " + i);
        }
      }
    }
  }

  /** The whole list and four small lists behind one {@link ListSet}. */
  @State(Scope.Benchmark)
  public static class CommunitySet {
    ListSet set;

    @Setup(Level.Trial)
    public void setup(Source src, OneList one) {
      List<CompiledList> lists = new ArrayList<>();
      lists.add(one.list);
      for (int i = 0; i < 4; i++) {
        lists.add(CompiledList.build("small" + i, List.of(
            Rule.block("blocked" + i + ".example"),
            Rule.allow("allowed" + i + ".example"))));
      }
      set = ListSet.of(lists);
      System.out.printf("%n[setup] ListSet over the list and 4 small ones: index %,d bytes%n",
          set.indexBytes());
      for (int i = 0; i < NAMES; i++) {
        if (!set.decide(src.listed[i]).isBlock() || !set.decide(src.unlisted[i]).isNone()) {
          throw new IllegalStateException("unexpected ListSet verdict for name " + i);
        }
      }
    }
  }

  /** {@link VerdictCache} over the 80 lists, warmed with the hot set. */
  @State(Scope.Benchmark)
  public static class Cached {
    VerdictCache cache;
    byte[][] hot;

    @Setup(Level.Trial)
    public void setup(Source src, Categories cats) {
      cache = new VerdictCache(cats.lists, 100_000);
      hot = new byte[NAMES][];
      byte[][] distinct = new byte[HOT][];
      for (int i = 0; i < HOT; i++) {
        distinct[i] = i % 5 == 0 ? src.listed[i] : src.unlisted[i];
      }
      SplittableRandom rnd = new SplittableRandom(3);
      for (int i = 0; i < NAMES; i++) {
        hot[i] = distinct[rnd.nextInt(HOT)];
      }
      for (int pass = 0; pass < 3; pass++) {
        for (byte[] w : distinct) {
          cache.decide(w);
        }
      }
      // Every hot name must now be a hit: the same Verdict instance comes back.
      for (byte[] w : distinct) {
        if (cache.decide(w) != cache.decide(w)) {
          throw new IllegalStateException("hot set not cached");
        }
      }
    }
  }

  /** A verdict cache over {@link CommunitySet}'s lists, and more names than it holds. */
  @State(Scope.Thread)
  public static class Churn {
    VerdictCache cache;
    byte[][] names;
    int i;

    @Setup(Level.Trial)
    public void setup(Source src, CommunitySet set) {
      cache = new VerdictCache(set.set.lists(), 100_000);
      names = new byte[2 * NAMES][];
      for (int k = 0; k < NAMES; k++) {
        names[2 * k] = src.listed[k];
        names[2 * k + 1] = src.unlisted[k];
      }
    }

    byte[] next() {
      return names[i++ & (names.length - 1)];
    }
  }

  /** The hot sequence of {@link Cached}, packed one name after the other into one buffer. */
  @State(Scope.Benchmark)
  public static class Packets {
    byte[] packed;
    int[] offsets;

    @Setup(Level.Trial)
    public void setup(Cached h) {
      offsets = new int[NAMES + 1];
      ByteArrayOutputStream out = new ByteArrayOutputStream(NAMES * 32);
      for (int i = 0; i < NAMES; i++) {
        offsets[i] = out.size();
        out.write(h.hot[i], 0, h.hot[i].length);
      }
      offsets[NAMES] = out.size();
      packed = out.toByteArray();
    }
  }

  /**
   * Not Hearth code: a prototype of a cheaper verdict cache for comparison with
   * {@link VerdictCache} (Caffeine). 4-way set-associative array: a name's 64-bit key picks a set of
   * four slots; a new verdict takes a free slot or replaces one chosen by the key; no eviction
   * bookkeeping, no boxing, no locks (an entry is one immutable object, so a racing reader sees a
   * whole entry or the previous one).
   */
  static final class SetAssociativeVerdictCache {
    private record Entry(long key, Verdict verdict) {}

    private final ListSet lists;
    private final Entry[] slots;
    private final int mask;
    int misses;

    SetAssociativeVerdictCache(ListSet lists, int size) {
      this.lists = lists;
      this.slots = new Entry[Math.max(4, Integer.highestOneBit(size - 1) << 1)];
      this.mask = slots.length - 1;
    }

    Verdict decide(byte[] wireName) {
      long key = CompiledList.nameKey(wireName);
      int base = (int) (key ^ (key >>> 32)) & mask & ~3;
      Entry[] s = slots;
      for (int j = 0; j < 4; j++) {
        Entry e = s[base + j];
        if (e != null && e.key == key) {
          return e.verdict;
        }
      }
      misses++;
      Verdict v = lists.decide(wireName);
      int victim = base + (int) (key >>> 62);
      for (int j = 0; j < 4; j++) {
        if (s[base + j] == null) {
          victim = base + j;
          break;
        }
      }
      s[victim] = new Entry(key, v);
      return v;
    }
  }

  /** The same hot set in front of {@link SetAssociativeVerdictCache} (131,072 slots). */
  @State(Scope.Benchmark)
  public static class ArrayCached {
    SetAssociativeVerdictCache cache;

    @Setup(Level.Trial)
    public void setup(Cached hot, CategorySet cats) {
      cache = new SetAssociativeVerdictCache(cats.set, 100_000);
      for (int pass = 0; pass < 2; pass++) {
        for (byte[] w : hot.hot) {
          cache.decide(w);
        }
      }
      cache.misses = 0;
      for (byte[] w : hot.hot) {
        cache.decide(w);
      }
      System.out.printf("%n[setup] array cache: %d misses in a pass over the hot set%n",
          cache.misses);
    }
  }

  /** The list compiled with a keyed (HMAC-SHA-256) hasher, as a locked legal list is. */
  @State(Scope.Benchmark)
  public static class KeyedList {
    CompiledList list;

    @Setup(Level.Trial)
    public void setup(Source src) throws Exception {
      byte[] key = new byte[32];
      new SplittableRandom(1).nextBytes(key);
      ListInfo info = new ListInfo("legal", "legal", true, false, "", List.of());
      long t0 = System.nanoTime();
      list = ListLoader.load(info, NameHasher.keyed(key), Format.DOMAINS, src.file, 0.5).list();
      System.out.printf("%n[setup] keyed list: %,d names in %,d ms%n", list.size(),
          (System.nanoTime() - t0) / 1_000_000);
      checkVerdicts(src, List.of(list));
    }
  }

  /**
   * Per-thread position in the name arrays. {@code span} (a power of two, at most {@value #NAMES})
   * is how many distinct names are cycled through: the default probes the tables at random places
   * (cache and TLB misses included, as with real traffic); {@code -p span=256} keeps the touched
   * table lines in the CPU cache, which isolates the hashing cost.
   */
  @State(Scope.Thread)
  public static class Cursor {
    @Param({"65536"})
    public int span;
    int mask;
    int i;

    @Setup(Level.Trial)
    public void setup() {
      if (Integer.bitCount(span) != 1 || span > NAMES) {
        throw new IllegalArgumentException("span must be a power of two <= " + NAMES);
      }
      mask = span - 1;
    }

    int next() {
      return i++ & mask;
    }
  }

  static void checkVerdicts(Source src, List<CompiledList> lists) {
    for (int i = 0; i < 1000; i++) {
      if (!CompiledList.decide(lists, src.listed[i]).isBlock()
          || !CompiledList.decide(lists, src.unlisted[i]).isNone()) {
        throw new IllegalStateException("unexpected verdict for name " + i);
      }
    }
  }

  static byte[] wire(String name) {
    byte[] out = new byte[name.length() + 2];
    int p = 0;
    for (String label : name.split("\\.")) {
      out[p++] = (byte) label.length();
      for (int i = 0; i < label.length(); i++) {
        out[p++] = (byte) label.charAt(i);
      }
    }
    out[p] = 0;
    return out;
  }

  @Benchmark
  public byte[] baseline(Source src, Cursor c) {
    return src.unlisted[c.next()];
  }

  @Benchmark
  public long nameKey(Source src, Cursor c) {
    return CompiledList.nameKey(src.unlisted[c.next()]);
  }

  @Benchmark
  public Verdict matchListed(Source src, OneList l, Cursor c) {
    return l.list.match(src.listed[c.next()]);
  }

  @Benchmark
  public Verdict matchUnlisted(Source src, OneList l, Cursor c) {
    return l.list.match(src.unlisted[c.next()]);
  }

  @Benchmark
  public Verdict decide80Listed(Source src, Categories l, Cursor c) {
    return CompiledList.decide(l.lists, src.listed[c.next()]);
  }

  @Benchmark
  public Verdict decide80Unlisted(Source src, Categories l, Cursor c) {
    return CompiledList.decide(l.lists, src.unlisted[c.next()]);
  }

  @Benchmark
  public Verdict listSet80Listed(Source src, CategorySet l, Cursor c) {
    return l.set.decide(src.listed[c.next()]);
  }

  @Benchmark
  public Verdict listSet80Unlisted(Source src, CategorySet l, Cursor c) {
    return l.set.decide(src.unlisted[c.next()]);
  }

  @Benchmark
  public Verdict communityListed(Source src, CommunitySet l, Cursor c) {
    return l.set.decide(src.listed[c.next()]);
  }

  @Benchmark
  public Verdict communityUnlisted(Source src, CommunitySet l, Cursor c) {
    return l.set.decide(src.unlisted[c.next()]);
  }

  @Benchmark
  public Verdict cachedHot(Cached h, Cursor c) {
    return h.cache.decide(h.hot[c.next()]);
  }

  @Benchmark
  public Verdict cachedChurn(Churn ch) {
    return ch.cache.decide(ch.next());
  }

  @Benchmark
  public Verdict cachedHotFromPacket(Cached h, Packets p, Cursor c) {
    int i = c.next();
    return h.cache.decide(java.util.Arrays.copyOfRange(p.packed, p.offsets[i], p.offsets[i + 1]));
  }

  @Benchmark
  public Verdict cachedHotArrayPrototype(Cached h, ArrayCached d, Cursor c) {
    return d.cache.decide(h.hot[c.next()]);
  }

  @Benchmark
  public Verdict keyedListed(Source src, KeyedList l, Cursor c) {
    return l.list.match(src.listed[c.next()]);
  }

  @Benchmark
  public Verdict keyedUnlisted(Source src, KeyedList l, Cursor c) {
    return l.list.match(src.unlisted[c.next()]);
  }
}
