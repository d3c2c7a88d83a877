package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Property tests: {@link CompiledList#match} and {@link CompiledList#decide} against a reference
 * written here with plain sets of strings, walking the query's suffixes as strings.
 *
 * <p>Random lists are drawn from a small alphabet of labels so that parents, children, siblings
 * and shared suffixes are frequent. Each try has its own seed, printed in every failure message
 * together with a shrunk (greedily minimised) list. Rerun one try with
 * {@code -Dhearth.seed=SEED}; {@code -Dhearth.tries=N} changes the number of tries.
 *
 * <p>Not jqwik: jqwik 1.10 does run on this JUnit Platform 6 build, but its maintainer asks that
 * it not be used by AI coding agents (its "Anti-AI Usage Clause"), and its engine prints a line
 * into the test output addressed to such agents; a seeded {@link Random} does the job here.
 */
class CompiledListPropertiesTest {
  private static final String[] LABELS = {"a", "b", "c", "ab", "x-y", "1"};
  private static final int TRIES = Integer.getInteger("hearth.tries", 1000);
  private static final Long ONLY_SEED = Long.getLong("hearth.seed");
  private static final NameHasher KEYED = NameHasher.keyed(new byte[32]);

  // ---------------------------------------------------------------------------------------------
  // Generated lists

  /** One line of a generated list: a name rule, or (rule == null) a URL below {@code host}. */
  record Entry(Rule rule, String host, String key) {
    static Entry of(Rule r) {
      return new Entry(r, null, null);
    }

    static Entry url(String host, String key, int line) {
      return new Entry(Rule.block(host).atLine(line), host, key);
    }

    boolean isUrl() {
      return key != null;
    }

    String name() {
      return rule.name();
    }

    int line() {
      return rule.line();
    }

    @Override
    public String toString() {
      if (isUrl()) {
        return "url " + key + " @" + line();
      }
      String s = (rule.allow() ? "allow " : "block ") + rule.scope() + " " + rule.name();
      if (!rule.allow() && rule.action() != BlockAction.NXDOMAIN) {
        s += " " + rule.action() + (rule.data() == null ? "" : "(" + rule.data() + ")");
      }
      return s + " @" + line();
    }
  }

  private static String randomName(Random rnd, int minLabels, int maxLabels) {
    int n = minLabels + rnd.nextInt(maxLabels - minLabels + 1);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append('.');
      }
      sb.append(LABELS[rnd.nextInt(LABELS.length)]);
    }
    return sb.toString();
  }

  private static List<String> labels(String name) {
    return name.isEmpty() ? List.of() : List.of(name.split("\\.", -1));
  }

  /** A name related to {@code base}: itself, a parent, a child or a sibling. */
  private static String relative(Random rnd, String base, int maxLabels) {
    List<String> l = labels(base);
    switch (rnd.nextInt(4)) {
      case 0:
        return base;
      case 1:
        return l.size() > 1 ? String.join(".", l.subList(1 + rnd.nextInt(l.size() - 1), l.size()))
            : base;
      case 2:
        return l.size() < maxLabels ? LABELS[rnd.nextInt(LABELS.length)] + "." + base : base;
      default:
        List<String> s = new ArrayList<>(l);
        s.set(0, LABELS[rnd.nextInt(LABELS.length)]);
        return String.join(".", s);
    }
  }

  /** Names that several lists of one try draw from, so that lists overlap. */
  private static List<String> namePool(Random rnd) {
    List<String> pool = new ArrayList<>();
    int n = 2 + rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      pool.add(pool.isEmpty() || rnd.nextInt(3) == 0 ? randomName(rnd, 1, 5)
          : relative(rnd, pool.get(rnd.nextInt(pool.size())), 5));
    }
    return pool;
  }

  private static List<Entry> randomEntries(Random rnd, List<String> pool, double urlShare) {
    List<Entry> out = new ArrayList<>();
    List<String> used = new ArrayList<>(pool);
    int n = rnd.nextInt(13);
    for (int i = 0; i < n; i++) {
      int line = i + 1;
      String name = rnd.nextInt(4) == 0 ? randomName(rnd, 1, 5)
          : relative(rnd, used.get(rnd.nextInt(used.size())), 5);
      used.add(name);
      if (rnd.nextDouble() < urlShare) {
        List<Entry> urls = out.stream().filter(Entry::isUrl).toList();
        if (!urls.isEmpty() && rnd.nextInt(4) == 0) {
          // The same URL listed twice (a duplicate line).
          Entry again = urls.get(rnd.nextInt(urls.size()));
          out.add(Entry.url(again.host(), again.key(), line));
        } else {
          out.add(Entry.url(name, name + "/p" + i, line));
        }
        continue;
      }
      Rule.Scope scope = Rule.Scope.values()[rnd.nextInt(3)];
      boolean allow = rnd.nextInt(10) < 3;
      BlockAction how = BlockAction.NXDOMAIN;
      String data = null;
      if (!allow && rnd.nextBoolean()) {
        how = BlockAction.values()[rnd.nextInt(BlockAction.values().length)];
        if (how == BlockAction.LOCAL_DATA) {
          data = "A 192.0.2." + rnd.nextInt(256);
        }
      }
      out.add(Entry.of(new Rule(name, scope, allow, how, data, line)));
    }
    return out;
  }

  /** Queries: listed names, their subdomains, parents and siblings, unrelated names. */
  private static List<String> randomQueries(Random rnd, List<Entry> entries, int n) {
    List<String> listed = new ArrayList<>();
    for (Entry e : entries) {
      listed.add(e.name());
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = rnd.nextInt(10);
      if (listed.isEmpty() || k >= 8) {
        out.add(randomName(rnd, 1, 6));
      } else if (k < 3) {
        out.add(listed.get(rnd.nextInt(listed.size())));
      } else {
        out.add(relative(rnd, listed.get(rnd.nextInt(listed.size())), 7));
      }
    }
    if (rnd.nextInt(20) == 0) {
      out.add(""); // the root
    }
    return out;
  }

  /** Wire form of {@code name} with ASCII letters in random case. */
  private static byte[] wireMixedCase(Random rnd, String name) {
    byte[] w = name.isEmpty() ? new byte[] {0} : DomainNames.toWire(name);
    for (int i = 0; i < w.length; i++) {
      if (w[i] >= 'a' && w[i] <= 'z' && rnd.nextInt(3) == 0) {
        w[i] -= 32;
      }
    }
    return w;
  }

  private static CompiledList compile(ListInfo info, NameHasher hasher, List<Entry> entries) {
    CompiledList.Builder b = CompiledList.builder(info, hasher);
    for (Entry e : entries) {
      if (e.isUrl()) {
        b.addUrl(e.host(), e.key(), e.line());
      } else {
        b.add(e.rule());
      }
    }
    return b.build();
  }

  // ---------------------------------------------------------------------------------------------
  // Reference

  /** What a reference lookup found. */
  record Ref(Verdict.Action action, String matched, BlockAction how, List<String> data,
      int urlCount, int line, boolean duplicateUrls) {
    static final Ref NONE = new Ref(Verdict.Action.NONE, null, BlockAction.NXDOMAIN, List.of(), 0,
        0, false);

    Ref(Verdict.Action action, String matched, BlockAction how, List<String> data, int urlCount,
        int line) {
      this(action, matched, how, data, urlCount, line, false);
    }

    @Override
    public String toString() {
      if (action == Verdict.Action.NONE) {
        return "NONE";
      }
      return action + "(" + matched + (action == Verdict.Action.BLOCK ? " " + how + data : "")
          + (action == Verdict.Action.URLS ? " urls=" + urlCount : "") + " line " + line + ")";
    }
  }

  /** The list as sets of strings, as the documentation describes it. */
  static final class Model {
    final Set<String> names = new LinkedHashSet<>();
    /** Per name and role ("allowSelf", "blockBelow", "url", ...): the first rule's line. */
    final Map<String, Integer> firstLine = new LinkedHashMap<>();
    final Set<String> allowSelf = new LinkedHashSet<>();
    final Set<String> allowBelow = new LinkedHashSet<>();
    final Map<String, BlockAction> blockSelf = new LinkedHashMap<>(); // first rule's action
    final Map<String, BlockAction> blockBelow = new LinkedHashMap<>();
    final Map<String, List<String>> dataSelf = new LinkedHashMap<>();
    final Map<String, List<String>> dataBelow = new LinkedHashMap<>();
    final Map<String, Set<String>> urls = new LinkedHashMap<>();
    final Map<String, Integer> urlLines = new LinkedHashMap<>();
    final Set<String> allUrls = new LinkedHashSet<>();

    Model(List<Entry> entries) {
      for (Entry e : entries) {
        String n = e.name();
        names.add(n);
        if (e.isUrl()) {
          firstLine.putIfAbsent(n + " url", e.line());
          urls.computeIfAbsent(n, k -> new LinkedHashSet<>()).add(e.key());
          urlLines.merge(n, 1, Integer::sum);
          allUrls.add(e.key());
          continue;
        }
        Rule r = e.rule();
        boolean self = r.scope() != Rule.Scope.BELOW;
        boolean below = r.scope() != Rule.Scope.EXACT;
        String kind = r.allow() ? "allow" : "block";
        if (self) {
          firstLine.putIfAbsent(n + " " + kind + "Self", e.line());
        }
        if (below) {
          firstLine.putIfAbsent(n + " " + kind + "Below", e.line());
        }
        if (r.allow()) {
          if (self) {
            allowSelf.add(n);
          }
          if (below) {
            allowBelow.add(n);
          }
          continue;
        }
        if (self) {
          blockSelf.putIfAbsent(n, r.action());
          if (r.action() == BlockAction.LOCAL_DATA) {
            dataSelf.computeIfAbsent(n, k -> new ArrayList<>()).add(r.data());
          }
        }
        if (below) {
          blockBelow.putIfAbsent(n, r.action());
          if (r.action() == BlockAction.LOCAL_DATA) {
            dataBelow.computeIfAbsent(n, k -> new ArrayList<>()).add(r.data());
          }
        }
      }
    }

    /**
     * Walks the suffixes from the most specific: a covering allow wins at once; else the most
     * specific covering block; else URL-level when the query itself has URLs; else NONE.
     */
    Ref match(String query) {
      List<String> l = labels(query.toLowerCase(Locale.ROOT));
      String block = null;
      boolean blockIsSelf = false;
      for (int i = 0; i < l.size(); i++) {
        String s = String.join(".", l.subList(i, l.size()));
        boolean self = i == 0;
        if (self ? allowSelf.contains(s) : allowBelow.contains(s)) {
          return new Ref(Verdict.Action.ALLOW, s, BlockAction.NXDOMAIN, List.of(), 0,
              firstLine.get(s + (self ? " allowSelf" : " allowBelow")));
        }
        if (block == null && (self ? blockSelf.containsKey(s) : blockBelow.containsKey(s))) {
          block = s;
          blockIsSelf = self;
        }
      }
      if (block != null) {
        BlockAction how = (blockIsSelf ? blockSelf : blockBelow).get(block);
        List<String> data = how != BlockAction.LOCAL_DATA ? List.of()
            : (blockIsSelf ? dataSelf : dataBelow).getOrDefault(block, List.of());
        return new Ref(Verdict.Action.BLOCK, block, how, data, 0, firstLine.get(block + (blockIsSelf ? " blockSelf" : " blockBelow")));
      }
      String q = String.join(".", l);
      if (urls.containsKey(q)) {
        return new Ref(Verdict.Action.URLS, q, BlockAction.NXDOMAIN, List.of(),
            urls.get(q).size(), firstLine.get(q + " url"), urlLines.get(q) > urls.get(q).size());
      }
      return Ref.NONE;
    }
  }

  /** Null when {@code v} is what {@code r} says, else how they differ. */
  private static String diff(Ref r, Verdict v) {
    List<String> d = new ArrayList<>();
    if (r.action() != v.action()) {
      d.add("action");
    } else if (r.action() != Verdict.Action.NONE) {
      if (!r.matched().equalsIgnoreCase(String.valueOf(v.matchedName()))) {
        d.add("matchedName");
      }
      if (r.line() != v.line()) {
        d.add("line");
      }
      if (r.action() == Verdict.Action.BLOCK
          && (r.how() != v.blockAction() || !r.data().equals(v.localData()))) {
        d.add("blockAction/localData");
      }
      if (r.action() == Verdict.Action.URLS && r.urlCount() != v.urlCount()) {
        d.add("urlCount");
      }
    }
    return d.isEmpty() ? null : String.join(", ", d);
  }

  private static String show(Verdict v) {
    if (v.isNone()) {
      return "NONE";
    }
    return v.action() + "(" + v.matchedName()
        + (v.isBlock() ? " " + v.blockAction() + v.localData() : "")
        + (v.isUrlLevel() ? " urls=" + v.urlCount() : "") + " line " + v.line() + " list "
        + v.listName() + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // Harness

  /** Seeds of the tries: fixed for CI, or the one given with -Dhearth.seed. */
  private static long[] seeds(long base) {
    if (ONLY_SEED != null) {
      return new long[] {ONLY_SEED};
    }
    long[] s = new long[TRIES];
    Random r = new Random(base);
    for (int i = 0; i < s.length; i++) {
      s[i] = r.nextLong();
    }
    return s;
  }

  /**
   * Removes entries one at a time while {@code stillFails} holds, so that a failure is reported
   * with the smallest list that still shows it.
   */
  private static List<Entry> shrink(List<Entry> entries, Function<List<Entry>, Boolean> fails) {
    List<Entry> cur = new ArrayList<>(entries);
    boolean progress = true;
    while (progress) {
      progress = false;
      for (int i = 0; i < cur.size(); i++) {
        List<Entry> fewer = new ArrayList<>(cur);
        fewer.remove(i);
        if (fails.apply(fewer)) {
          cur = fewer;
          progress = true;
          break;
        }
      }
    }
    return cur;
  }

  private static String singleListFailure(List<Entry> entries, String query, NameHasher hasher) {
    CompiledList l = compile(ListInfo.named("l"), hasher, entries);
    Ref r = new Model(entries).match(query);
    Verdict v = l.match(query.isEmpty() ? new byte[] {0} : DomainNames.toWire(query));
    String d = diff(r, v);
    return d == null ? null : d + ": expected " + r + ", got " + show(v);
  }

  // ---------------------------------------------------------------------------------------------
  // Properties

  @Test
  void matchAgreesWithTheReference() {
    int checked = 0;
    int[] byAction = new int[Verdict.Action.values().length];
    for (long seed : seeds(0x4865617274680001L)) {
      Random rnd = new Random(seed);
      List<Entry> entries = randomEntries(rnd, namePool(rnd), rnd.nextInt(3) == 0 ? 0.3 : 0.0);
      CompiledList list = compile(ListInfo.named("l"), NameHasher.PLAIN, entries);
      Model model = new Model(entries);
      for (String q : randomQueries(rnd, entries, 25)) {
        byte[] wire = wireMixedCase(rnd, q);
        Verdict v = list.match(wire);
        Ref r = model.match(q);
        checked++;
        byAction[v.action().ordinal()]++;
        if (diff(r, v) != null) {
          List<Entry> min = shrink(entries, e -> singleListFailure(e, q, NameHasher.PLAIN) != null);
          fail("seed=" + seed + " query=" + DomainNames.fromWire(wire, 0) + ": " + diff(r, v)
              + ": expected " + r + ", got " + show(v) + "\n  list: " + entries
              + "\n  shrunk: " + min + " -> " + singleListFailure(min, q, NameHasher.PLAIN));
        }
        // The String form normalizes: same answer for the name written with a trailing dot.
        if (!q.isEmpty() && !isIpLike(q)) {
          Verdict s = list.match(DomainNames.fromWire(wire, 0) + ".");
          assertEquals(v.action(), s.action(), "seed=" + seed + " query=" + q + " (string form)");
          assertEquals(v.line(), s.line(), "seed=" + seed + " query=" + q + " (string form)");
        }
      }
    }
    assertCoverage(checked, byAction);
  }

  /** The generator must reach every kind of verdict, or the property says little. */
  private static void assertCoverage(int checked, int[] byAction) {
    if (ONLY_SEED != null) {
      return;
    }
    for (Verdict.Action a : Verdict.Action.values()) {
      assertTrue(byAction[a.ordinal()] > checked / 100,
          a + " verdicts: only " + byAction[a.ordinal()] + " of " + checked);
    }
  }

  private static boolean isIpLike(String q) {
    return DomainNames.isIpv4Literal(q) || q.matches("[0-9.]+");
  }

  @Test
  void countsAgreeWithTheReference() {
    for (long seed : seeds(0x4865617274680002L)) {
      Random rnd = new Random(seed);
      List<Entry> entries = randomEntries(rnd, namePool(rnd), rnd.nextInt(3) == 0 ? 0.3 : 0.0);
      CompiledList list = compile(ListInfo.named("l"), NameHasher.PLAIN, entries);
      Model m = new Model(entries);
      String where = "seed=" + seed + " list: " + entries;
      int block = 0;
      int exact = 0;
      int allow = 0;
      for (String n : m.names) {
        if (m.blockBelow.containsKey(n)) {
          block++;
        } else if (m.blockSelf.containsKey(n)) {
          exact++;
        }
        if (m.allowSelf.contains(n) || m.allowBelow.contains(n)) {
          allow++;
        }
      }
      assertEquals(m.names.size(), list.counts().names(), "names, " + where);
      assertEquals(block, list.blockCount(), "blockCount, " + where);
      assertEquals(exact, list.exactCount(), "exactCount, " + where);
      assertEquals(allow, list.allowCount(), "allowCount, " + where);
      assertEquals(m.allUrls.size(), list.counts().urls(), "urls, " + where);
      assertEquals(m.names.size() + m.allUrls.size(), list.size(), "size, " + where);
    }
  }

  /** A keyed (HMAC) list answers exactly like a plain one; locked, it only hides the details. */
  @Test
  void keyedHasherGivesTheSameVerdictsAsPlain() {
    ListInfo lockedInfo = new ListInfo("legal", "csam", true, false, "", List.of());
    for (long seed : seeds(0x4865617274680003L)) {
      Random rnd = new Random(seed);
      List<Entry> entries = randomEntries(rnd, namePool(rnd), rnd.nextInt(3) == 0 ? 0.3 : 0.0);
      CompiledList plain = compile(ListInfo.named("l"), NameHasher.PLAIN, entries);
      CompiledList keyed = compile(ListInfo.named("l"), KEYED, entries);
      CompiledList locked = compile(lockedInfo, KEYED, entries);
      assertEquals(plain.counts(), keyed.counts(), "seed=" + seed);
      for (String q : randomQueries(rnd, entries, 20)) {
        byte[] wire = wireMixedCase(rnd, q);
        Verdict p = plain.match(wire);
        Verdict k = keyed.match(wire);
        Verdict l = locked.match(wire);
        String where = "seed=" + seed + " query=" + DomainNames.fromWire(wire, 0) + " list: "
            + entries;
        assertEquals(show(p), show(k), where);
        assertEquals(p.action(), l.action(), where);
        assertEquals(p.blockAction(), l.blockAction(), where);
        assertEquals(p.localData(), l.localData(), where);
        assertEquals(p.urlCount(), l.urlCount(), where);
        if (!l.isNone()) {
          assertTrue(l.locked(), where);
          assertNull(l.matchedName(), "a locked verdict never names the entry; " + where);
          assertEquals(0, l.line(), where);
          assertNull(l.ruleLocation(), where);
          assertEquals("legal", l.listName(), where);
        }
      }
    }
  }

  // --- decide -----------------------------------------------------------------------------------

  /** One generated list of a decide() try. */
  record Gen(ListInfo info, List<Entry> entries) {
    @Override
    public String toString() {
      return info.id() + (info.locked() ? "[locked]" : "")
          + (info.legalOverride() ? "[override]" : "") + entries;
    }
  }

  private static List<Gen> randomLists(Random rnd) {
    List<String> pool = namePool(rnd);
    int n = 2 + rnd.nextInt(2);
    List<Gen> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(10);
      boolean locked = kind < 3;
      boolean override = kind >= 3 && kind < 5;
      ListInfo info = new ListInfo("l" + i, rnd.nextBoolean() ? "cat" + i : null, locked, override,
          "", List.of());
      out.add(new Gen(info, randomEntries(rnd, pool, locked ? 0.4 : rnd.nextInt(4) == 0 ? 0.3 : 0)));
    }
    return out;
  }

  /**
   * The rule of decide's Javadoc: "A block by a locked (legal) list wins over everything except an
   * allow on a legal-override list. Then an allow on any list wins, except over a locked list's
   * URL-level match (only a legal override passes that). Then the first list that blocks decides.
   * Then a URL-level match, locked lists first."
   *
   * @return index of the deciding list and its reference verdict, or null for NONE
   */
  private static Map.Entry<Integer, Ref> documentedDecide(List<Gen> lists, String query) {
    List<Ref> v = new ArrayList<>();
    for (Gen g : lists) {
      v.add(new Model(g.entries()).match(query));
    }
    Integer lockedBlock = first(lists, v, i -> lists.get(i).info().locked()
        && v.get(i).action() == Verdict.Action.BLOCK);
    if (lockedBlock != null) {
      Integer override = first(lists, v, i -> lists.get(i).info().legalOverride()
          && v.get(i).action() == Verdict.Action.ALLOW);
      int i = override != null ? override : lockedBlock;
      return Map.entry(i, v.get(i));
    }
    Integer lockedUrls = first(lists, v, i -> lists.get(i).info().locked()
        && v.get(i).action() == Verdict.Action.URLS);
    Integer allow = first(lists, v, i -> v.get(i).action() == Verdict.Action.ALLOW);
    if (allow != null) {
      if (lockedUrls != null) {
        Integer override = first(lists, v, i -> lists.get(i).info().legalOverride()
            && v.get(i).action() == Verdict.Action.ALLOW);
        int i = override != null ? override : lockedUrls;
        return Map.entry(i, v.get(i));
      }
      return Map.entry(allow, v.get(allow));
    }
    Integer block = first(lists, v, i -> v.get(i).action() == Verdict.Action.BLOCK);
    if (block != null) {
      return Map.entry(block, v.get(block));
    }
    Integer urls = first(lists, v, i -> lists.get(i).info().locked()
        && v.get(i).action() == Verdict.Action.URLS);
    if (urls == null) {
      urls = first(lists, v, i -> v.get(i).action() == Verdict.Action.URLS);
    }
    return urls == null ? null : Map.entry(urls, v.get(urls));
  }

  private static Integer first(List<Gen> lists, List<Ref> v, Function<Integer, Boolean> p) {
    for (int i = 0; i < lists.size(); i++) {
      if (p.apply(i)) {
        return i;
      }
    }
    return null;
  }

  private static List<CompiledList> compileAll(List<Gen> gens) {
    List<CompiledList> out = new ArrayList<>();
    for (Gen g : gens) {
      out.add(compile(g.info(), g.info().locked() ? KEYED : NameHasher.PLAIN, g.entries()));
    }
    return out;
  }

  /** Null when decide() follows the documented rule for {@code query}, else how it does not. */
  private static String decideFailure(List<Gen> gens, String query, byte[] wire) {
    Map.Entry<Integer, Ref> want = documentedDecide(gens, query);
    Verdict got = CompiledList.decide(compileAll(gens), wire);
    if (want == null) {
      return got.isNone() ? null : "expected NONE, got " + show(got);
    }
    Gen g = gens.get(want.getKey());
    Ref r = want.getValue();
    boolean same = got.action() == r.action() && g.info().id().equals(got.listName())
        && (g.info().locked() ? got.matchedName() == null
            : r.matched().equalsIgnoreCase(String.valueOf(got.matchedName())));
    return same ? null : "expected " + r + " from " + g.info().id() + ", got " + show(got);
  }

  @Test
  void decideFollowsItsDocumentedRule() {
    int checked = 0;
    int[] byAction = new int[Verdict.Action.values().length];
    int lockedDecided = 0;
    int overrides = 0;
    for (long seed : seeds(0x4865617274680004L)) {
      Random rnd = new Random(seed);
      List<Gen> gens = randomLists(rnd);
      List<CompiledList> lists = compileAll(gens);
      List<Entry> all = new ArrayList<>();
      gens.forEach(g -> all.addAll(g.entries()));
      for (String q : randomQueries(rnd, all, 25)) {
        byte[] wire = wireMixedCase(rnd, q);
        Verdict got = CompiledList.decide(lists, wire);
        checked++;
        byAction[got.action().ordinal()]++;
        lockedDecided += got.locked() ? 1 : 0;
        overrides += got.list() != null && got.list().legalOverride() ? 1 : 0;
        String f = decideFailure(gens, q, wire);
        if (f != null) {
          fail("seed=" + seed + " query=" + DomainNames.fromWire(wire, 0) + ": " + f
              + "\n  lists: " + gens + "\n  shrunk: " + shrinkLists(gens, q, wire));
        }
      }
    }
    if (ONLY_SEED == null) {
      assertCoverage(checked, byAction);
      assertTrue(lockedDecided > checked / 50, "locked lists decided " + lockedDecided);
      assertTrue(overrides > checked / 100, "legal overrides decided " + overrides);
    }
  }

  private static List<Gen> shrinkLists(List<Gen> gens, String q, byte[] wire) {
    List<Gen> cur = new ArrayList<>(gens);
    for (int i = 0; i < cur.size(); i++) {
      final int at = i;
      List<Gen> base = cur;
      List<Entry> min = shrink(base.get(at).entries(), e -> {
        List<Gen> t = new ArrayList<>(base);
        t.set(at, new Gen(base.get(at).info(), e));
        return decideFailure(t, q, wire) != null;
      });
      cur = new ArrayList<>(cur);
      cur.set(at, new Gen(cur.get(at).info(), min));
    }
    return cur;
  }

  // ---------------------------------------------------------------------------------------------
  // Minimal reproducers of disagreements found by the properties above

  /**
   * {@link Verdict#matchedName()} is documented as "the listed name that matched", and listed
   * names are lower case; but it is the query's own spelling of that suffix (the properties above
   * compare it ignoring case). Block pages, EDE texts and logs then show the client's mixed case.
   */
  @Test
  void matchedName_isTheListedNameWhateverTheCaseOfTheQuery() {
    CompiledList l = CompiledList.build("ads", List.of(Rule.block("example.com")));
    Verdict v = l.match(new byte[] {3, 'W', 'W', 'W', 7, 'E', 'x', 'A', 'm', 'P', 'l', 'E', 3,
        'C', 'O', 'M', 0});
    assertTrue(v.isBlock());
    assertEquals("example.com", v.matchedName(), v.describe());
  }

  /**
   * {@link Verdict#urlCount()} is documented as "how many listed URLs are on this host", and
   * {@link CompiledList.Counts#urls()} counts each URL once; but the per-host count counts
   * {@code addUrl} calls, so a URL listed twice (a duplicate line) is counted twice.
   */
  @Test
  void urlCount_countsEachListedUrlOnce() {
    CompiledList l = CompiledList.builder("urls")
        .addUrl("a.b", "a.b/p", 1).addUrl("a.b", "a.b/p", 2).build();
    assertEquals(1, l.counts().urls());
    Verdict v = l.match("a.b");
    assertTrue(v.isUrlLevel());
    assertEquals(1, v.urlCount(), v.describe());
  }

  /**
   * decide()'s Javadoc ranks a URL-level match last ("...then the first list that blocks decides;
   * then a URL-level match (locked lists first)"), but the code treats a locked list's URL-level
   * verdict like a locked block: it beats another list's allow and another list's block.
   */
  @Test
  void decide_lockedUrlLevelMatchDoesNotOverrideAnotherListsAllowOrBlock() {
    CompiledList legal = CompiledList.builder(
        new ListInfo("legal", "csam", true, false, "", List.of()), KEYED)
        .addUrl("a.b", "a.b/p", 1).build();
    CompiledList ads = CompiledList.builder(
        new ListInfo("ads", "ads", false, false, "", List.of()), NameHasher.PLAIN)
        .add(Rule.block("a.b").atLine(1)).build();
    CompiledList allowed = CompiledList.builder(
        new ListInfo("mine", null, false, false, "", List.of()), NameHasher.PLAIN)
        .add(Rule.allow("a.b").atLine(1)).build();
    byte[] q = DomainNames.toWire("a.b");
    assertTrue(legal.match(q).isUrlLevel());

    Verdict blocked = CompiledList.decide(List.of(legal, ads), q);
    assertEquals(Verdict.Action.BLOCK, blocked.action(), "then the first list that blocks decides");
    assertEquals("ads", blocked.listName());

    Verdict allow = CompiledList.decide(List.of(legal, allowed), q);
    assertEquals(Verdict.Action.URLS, allow.action(),
        "an ordinary exception does not pass a legal list's URL-level entries");
    assertEquals("legal", allow.listName());
  }
}
