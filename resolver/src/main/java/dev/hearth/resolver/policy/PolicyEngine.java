package dev.hearth.resolver.policy;

import dev.hearth.blocklists.BlockAction;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.Matches;
import dev.hearth.blocklists.Rule;
import dev.hearth.blocklists.Verdict;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.wire.Ede;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides a query under one policy snapshot and one set of block lists. Immutable (a list update
 * or a policy change builds a new engine off the query path), apart from the run-time
 * {@link PolicyOverrides} and {@link UsageMeter} it is given, which outlive engines.
 *
 * <p>Everything that can match a name is one list in one {@link VerdictCache}: the operator's
 * lists, the protected allowlist, the bypass names, and every profile's own allow, block and
 * bedtime-allow names. A query costs one cached lookup of the name, shared by all profiles; each
 * profile then decides over its own subset of the matches with bit masks. So nothing a profile
 * chose can leak into another profile's answer, and the cache holds facts about names, not
 * decisions. Time-dependent rules (schedules, pauses, grants, budgets) are evaluated at each query
 * and cap the answer's TTL at the next moment the decision could change, so a device cache never
 * carries a block past the end of bedtime, nor an answer into it.
 *
 * <p>Blocks a subscriber's profile chose carry EDE 17 Filtered: the client asked for them. The
 * same blocks under a venue's or the operator's default profile, and the operator's own lists,
 * carry EDE 15 Blocked; legal lists EDE 16 Censored.
 *
 * <p>The order of precedence, first match wins:
 *
 * <ol>
 *   <li>a block by a locked legal list (only a legal-override list passes it);
 *   <li>the protected allowlist (helplines, emergency services): resolves;
 *   <li>a pause of this household's profile: blocked;
 *   <li>an open block-all schedule (bedtime), except its own allowed names: blocked;
 *   <li>the profile's own exceptions, then temporary grants of a name: resolve;
 *   <li>the profile's own blocks;
 *   <li>bypass names, if the profile blocks bypasses: NXDOMAIN;
 *   <li>the operator's uncategorised lists, the categories the profile blocks and those an open
 *       schedule adds (less granted categories), combined by the lists' own rule
 *       ({@link CompiledList#decide});
 *   <li>a category whose daily budget is spent: blocked (else the minute counts as used);
 *   <li>otherwise the name resolves.
 * </ol>
 */
public final class PolicyEngine {
  static final String PROTECTED_LIST = "policy:protected";
  static final String BYPASS_LIST = "policy:bypass";
  static final String APPEALS_LIST = "policy:appeals";

  private final PolicySnapshot policy;
  private final VerdictCache cache;
  private final List<CompiledList> operatorLists;
  /** Category of each list in the cache's set (null for uncategorised or policy lists). */
  private final String[] listCategory;
  private final long[] lockedMask;
  private final long[] protectedMask;
  private final long[] bypassMask;
  private final long[] appealsMask;
  private final Map<String, long[]> categoryMasks = new HashMap<>();
  private final Map<String, ProfileMasks> masks;
  private final PolicyOverrides overrides;
  private final UsageMeter usage;
  /**
   * Which schedules of a profile are open in a zone, valid until the next edge: computed once per
   * window change instead of per query (time-zone arithmetic costs more than the rest of a
   * decision).
   */
  private final java.util.concurrent.ConcurrentHashMap<TimeKey, TimeState> timeStates =
      new java.util.concurrent.ConcurrentHashMap<>();

  private record TimeKey(Profile profile, ZoneId zone) {}

  /**
   * EDE texts of recent blocks: the same listed name blocked for the same profile and rule gets
   * the same sentence, so it is built once, not per query (verdicts are shared through the name
   * cache, so identity is the key). Bounded: cleared when full.
   */
  private final java.util.concurrent.ConcurrentHashMap<TextKey, String> texts =
      new java.util.concurrent.ConcurrentHashMap<>();
  static final int TEXT_CACHE_SIZE = 10_000;

  private record TextKey(Verdict verdict, String rule, Profile profile, String detail) {
    @Override
    public boolean equals(Object o) {
      return o instanceof TextKey k && k.verdict == verdict && k.rule.equals(rule)
          && k.profile == profile && k.detail.equals(detail);
    }

    @Override
    public int hashCode() {
      return (System.identityHashCode(verdict) * 31 + rule.hashCode()) * 31
          + System.identityHashCode(profile) + detail.hashCode();
    }
  }

  /** {@link PolicyDecision#edeText()}, built once per verdict, rule and profile. */
  public String edeText(PolicyDecision d) {
    TextKey key = new TextKey(d.verdict(), d.rule(), d.profile(), d.detail());
    String t = texts.get(key);
    if (t == null) {
      t = d.edeText();
      if (texts.size() >= TEXT_CACHE_SIZE) {
        texts.clear();
      }
      texts.put(key, t);
    }
    return t;
  }

  /**
   * @param open which of the profile's schedules are open
   * @param nextChange epoch second of the next schedule edge or, with budgets, local midnight
   *     (Long.MAX_VALUE if none); the state is valid until then
   * @param from epoch second it was computed for (valid from then on)
   */
  private record TimeState(boolean[] open, long nextChange, long from) {
    boolean validAt(long epochSecond) {
      return epochSecond >= from && epochSecond < nextChange;
    }
  }

  /** A profile's lists; {@code scheduleAllow[i]} is schedule i's allowlist (null if none). */
  private record ProfileMasks(long[] allow, long[] block, long[] lists, long[][] scheduleAllow) {}

  public PolicyEngine(List<CompiledList> operatorLists, PolicySnapshot policy, int cacheSize) {
    this(operatorLists, policy, cacheSize, new PolicyOverrides(), new UsageMeter());
  }

  public PolicyEngine(List<CompiledList> operatorLists, PolicySnapshot policy, int cacheSize,
      PolicyOverrides overrides, UsageMeter usage) {
    this.policy = policy;
    this.overrides = overrides;
    this.usage = usage;
    this.operatorLists = List.copyOf(operatorLists);
    List<CompiledList> all = new ArrayList<>(operatorLists);
    int protectedAt = all.size();
    all.add(Profile.names(PROTECTED_LIST, policy.protectedNames(), true));
    int bypassAt = all.size();
    all.add(Profile.names(BYPASS_LIST, policy.bypassNames(), false));
    int appealsAt = all.size();
    List<Rule> appealRules = new ArrayList<>();
    for (int i = 0; i < policy.appealOverrides().size(); i++) {
      AppealOverride o = policy.appealOverrides().get(i);
      appealRules.add(new Rule(o.name(), true, !o.subdomains()).atLine(i + 1));
    }
    all.add(CompiledList.build(APPEALS_LIST, appealRules));
    Map<String, int[]> own = new HashMap<>();
    for (Profile p : policy.profiles().values()) {
      int[] at = new int[2 + p.schedules().size()];
      java.util.Arrays.fill(at, -1);
      if (!p.allowNames().isEmpty() || !p.blockNames().isEmpty()) {
        at[0] = all.size();
        all.add(p.allowList());
        at[1] = all.size();
        all.add(p.blockList());
      }
      for (int i = 0; i < p.schedules().size(); i++) {
        Schedule s = p.schedules().get(i);
        if (s.blockAll() && !s.allowNames().isEmpty()) {
          at[2 + i] = all.size();
          all.add(Profile.names("profile:" + p.id() + ":schedule:" + s.name() + ":allow",
              s.allowNames(), true));
        }
      }
      own.put(p.id(), at);
    }
    int words = (all.size() + 63) >>> 6;
    this.listCategory = new String[all.size()];
    this.lockedMask = new long[words];
    this.protectedMask = new long[words];
    this.bypassMask = new long[words];
    this.appealsMask = new long[words];
    set(appealsMask, appealsAt);
    set(protectedMask, protectedAt);
    set(bypassMask, bypassAt);
    for (int i = 0; i < operatorLists.size(); i++) {
      ListInfo info = operatorLists.get(i).info();
      if (info.locked() || info.legalOverride()) {
        set(lockedMask, i);
      } else if (info.category() != null) {
        listCategory[i] = info.category();
        set(categoryMasks.computeIfAbsent(info.category(), c -> new long[words]), i);
      }
    }
    this.masks = new HashMap<>();
    for (Profile p : policy.profiles().values()) {
      int[] at = own.get(p.id());
      long[] allow = new long[words];
      long[] block = new long[words];
      if (at[0] >= 0) {
        set(allow, at[0]);
        set(block, at[1]);
      }
      long[][] scheduleAllow = new long[p.schedules().size()][];
      for (int i = 0; i < scheduleAllow.length; i++) {
        if (at[2 + i] >= 0) {
          scheduleAllow[i] = new long[words];
          set(scheduleAllow[i], at[2 + i]);
        }
      }
      masks.put(p.id(), new ProfileMasks(allow, block, listsMask(p, words), scheduleAllow));
    }
    this.cache = new VerdictCache(all, cacheSize);
  }

  private static void set(long[] mask, int i) {
    mask[i >>> 6] |= 1L << i;
  }

  public PolicySnapshot policy() {
    return policy;
  }

  /** The operator's lists (without the policy's own), as given. */
  public List<CompiledList> operatorLists() {
    return operatorLists;
  }

  /** Pauses and grants in force (shared by every engine of one resolver). */
  public PolicyOverrides overrides() {
    return overrides;
  }

  public UsageMeter usage() {
    return usage;
  }

  /** The profile that applies to {@code client} (the default one if its id is unknown). */
  public Profile profileFor(ClientIdentity client) {
    Profile p = policy.profiles().get(client.profileId());
    return p != null ? p : policy.defaultProfile();
  }

  /** The time zone of {@code client}'s schedules and budgets. */
  public ZoneId zoneFor(ClientIdentity client) {
    Subscriber s = client.subscriberId() == null ? null
        : policy.directory().subscriber(client.subscriberId());
    return s != null ? s.zone() : policy.zone();
  }

  /** Decides a query now, for an uncompressed, lower-case wire-format name. */
  public PolicyDecision decide(ClientIdentity client, byte[] wireName) {
    return decide(client, wireName, Instant.now(), null, true);
  }

  /** Decides a query at {@code now} (budget use is recorded when the name resolves). */
  public PolicyDecision decide(ClientIdentity client, byte[] wireName, Instant now) {
    return decide(client, wireName, now, null, true);
  }

  /**
   * Explains the decision for a client and a name as the resolver would make it at {@code now}:
   * identifies the client ({@link dev.hearth.resolver.client.ClientDirectory#identify}) and
   * records every step. Explaining records no budget use.
   *
   * @param token a profile token, or null
   * @param options the EDNS client options the query would carry (MAC, CPE id, Client Subnet)
   * @param name a domain name (normalised here)
   */
  public PolicyDecision explain(java.net.InetAddress client, ClientOptions options, String token,
      String name, Instant now) {
    return explain(client, options, token, name, now, null);
  }

  /**
   * As {@link #explain(java.net.InetAddress, ClientOptions, String, String, Instant)}, for a query
   * arriving on {@code listener} (null: every identification rule on): its default profile and
   * the rules it switches off apply, and the trace names every rule skipped because of it.
   */
  public PolicyDecision explain(java.net.InetAddress client, ClientOptions options, String token,
      String name, Instant now, java.net.InetSocketAddress listener) {
    var directory = policy.directory();
    ClientIdentity who = directory.identify(token, options, client, null, listener);
    List<String> trace = new ArrayList<>();
    int rules = directory.listenerRules(listener);
    if (rules != dev.hearth.resolver.client.ClientDirectory.ALL_RULES) {
      StringBuilder on = new StringBuilder();
      for (ClientIdentity.Source r : dev.hearth.resolver.client.ClientDirectory.rules(rules)) {
        on.append(on.length() == 0 ? "" : ", ")
            .append(r.name().toLowerCase(java.util.Locale.ROOT));
      }
      List<String> skipped = directory.skippedRules(token, options, client, listener);
      trace.add("identification on listener " + listener.getAddress().getHostAddress() + ":"
          + listener.getPort() + ": rules " + (on.length() == 0 ? "none" : on) + "; skipped: "
          + (skipped.isEmpty() ? "none" : String.join(", ", skipped) + " (off on this listener)"));
    }
    return decide(who, dev.hearth.blocklists.DomainNames.toWire(
        dev.hearth.blocklists.DomainNames.normalize(name)), now, trace, false);
  }

  /** As {@link #decide(ClientIdentity, byte[], Instant)}, recording every step considered. */
  public PolicyDecision explain(ClientIdentity client, byte[] wireName, Instant now) {
    return decide(client, profileFor(client), wireName, now, new ArrayList<>(), false, false);
  }

  /**
   * The decision for {@code name} under {@code profile} as anyone may learn it (the public
   * "check a domain" page): for an unidentified client of that profile at {@code now}, with the
   * locked legal lists left out entirely, so the answer is the same whether a name is on one or
   * not and the page is no oracle for them. The profile may be one of the policy's or a preset
   * that no profile uses yet (then only its categories and bypass choice count). Records no
   * budget use; no trace.
   */
  public PolicyDecision decidePublicly(Profile profile, String name, Instant now) {
    ClientIdentity who = new ClientIdentity(null, null, profile.id(),
        ClientIdentity.Source.DEFAULT, "public check");
    return decide(who, profile, dev.hearth.blocklists.DomainNames.toWire(
        dev.hearth.blocklists.DomainNames.normalize(name)), now, null, false, true);
  }

  private PolicyDecision decide(ClientIdentity client, byte[] wireName, Instant now,
      List<String> trace, boolean recordUse) {
    return decide(client, profileFor(client), wireName, now, trace, recordUse, false);
  }

  private PolicyDecision decide(ClientIdentity client, Profile profile, byte[] wireName,
      Instant now, List<String> trace, boolean recordUse, boolean withoutLocked) {
    ProfileMasks pm = policy.profiles().get(profile.id()) == profile ? masks.get(profile.id())
        : adHocMasks(profile);
    Matches m = cache.matches(wireName);
    if (trace != null) {
      trace.add("client: " + client.describe());
      trace.add("lists with an entry for this name: " + describeMatches(m));
    }
    String sub = client.subscriberId();
    boolean overridden = !overrides.isEmpty();
    Instant pausedUntil = overridden ? overrides.pausedUntil(sub, profile.id(), now) : null;
    Map<String, Instant> grants = overridden ? overrides.grants(sub, profile.id()) : Map.of();
    boolean timed = profile.timeDependent() || pausedUntil != null || !grants.isEmpty();
    Decider d = new Decider(client, profile, trace, now, timed, pausedUntil, grants);
    d.matches = m;
    boolean unlisted = m.isEmpty() || withoutLocked && onlyLocked(m);
    if (unlisted && pausedUntil == null && !profile.timeDependent()) {
      return d.pass("not-listed", Verdict.NONE);
    }
    Verdict v = withoutLocked ? Verdict.NONE : m.decide(lockedMask);
    if (note(trace, "1. locked legal lists", v) && v.isBlock()) {
      return d.block("locked-list", v, Ede.CENSORED, "");
    }
    v = m.decide(protectedMask);
    if (note(trace, "2. protected allowlist", v) && v.isAllow()) {
      return d.pass("protected", v);
    }
    // EDE 17 (Filtered) means the client asked for this filtering: a household's or a device's
    // profile. A venue's or the operator's default profile is the operator's policy: 15.
    int chosenCode = sub != null ? Ede.FILTERED : Ede.BLOCKED;
    if (trace != null) {
      trace.add("3. pause: " + (pausedUntil == null ? "none" : "until " + pausedUntil));
    }
    if (pausedUntil != null) {
      return d.block("pause", Verdict.NONE, chosenCode, "until " + pausedUntil);
    }
    ZoneId zone = zoneFor(client);
    List<String> extraCategories = null;
    TimeState ts = profile.timeDependent() ? timeState(profile, zone, now) : null;
    d.timeState = ts;
    for (int i = 0; i < profile.schedules().size(); i++) {
      Schedule s = profile.schedules().get(i);
      boolean open = ts.open[i];
      if (trace != null) {
        trace.add("4. schedule " + s.name() + " (" + s.from() + "-" + s.to() + " "
            + zone.getId() + "): " + (open ? "open" : "closed"));
      }
      if (!open) {
        continue;
      }
      if (s.blockAll()) {
        Verdict ok = pm.scheduleAllow[i] == null ? Verdict.NONE : m.decide(pm.scheduleAllow[i]);
        if (!ok.isAllow()) {
          return d.block("schedule", Verdict.NONE, chosenCode, s.name());
        }
        note(trace, "4. allowed during " + s.name(), ok);
      } else {
        extraCategories = extraCategories == null ? new ArrayList<>() : extraCategories;
        extraCategories.addAll(s.categories());
      }
    }
    v = m.decide(pm.allow);
    if (note(trace, "5. profile exceptions", v) && v.isAllow()) {
      return d.pass("profile-allow", v);
    }
    if (!grants.isEmpty()) {
      String granted = grantedName(grants, wireName, now);
      if (trace != null) {
        trace.add("5. grants: " + (granted == null ? "none for this name" : granted));
      }
      if (granted != null) {
        return d.pass("grant", Verdict.NONE);
      }
    }
    v = m.decide(pm.block);
    if (note(trace, "6. profile blocks", v) && v.isBlock()) {
      return d.block("profile-block", v, chosenCode, "");
    }
    if (profile.blockBypass()) {
      v = m.decide(bypassMask);
      if (note(trace, "7. bypass prevention", v) && v.isBlock()) {
        return d.block("bypass", Verdict.NONE, chosenCode, "");
      }
    } else if (trace != null) {
      trace.add("7. bypass prevention: off in this profile");
    }
    v = m.decide(appealsMask);
    if (note(trace, "8. upheld appeals", v) && v.isAllow()) {
      AppealOverride o = policy.appealOverrides().get(v.line() - 1);
      if (o.category() == null) {
        return d.pass("appeal", v, o.ticket());
      }
      boolean blocks = profile.blocksCategory(o.category())
          || extraCategories != null && extraCategories.contains(o.category());
      Instant granted = grants.get("category:" + o.category());
      if (blocks && (granted == null || !granted.isAfter(now))) {
        return d.block("appeal-category", v, chosenCode, o.category() + " (appeal "
            + o.ticket() + ")");
      }
      return d.pass("appeal", v, o.ticket());
    }
    long[] lists = pm.lists;
    if (withoutLocked) {
      lists = lists.clone();
      andNot(lists, lockedMask);
    }
    if (extraCategories != null || !grants.isEmpty()) {
      lists = lists.clone();
      if (extraCategories != null) {
        for (String c : extraCategories) {
          or(lists, categoryMasks.get(c));
        }
      }
      for (Map.Entry<String, Instant> g : grants.entrySet()) {
        if (g.getKey().startsWith("category:") && g.getValue().isAfter(now)) {
          andNot(lists, categoryMasks.get(g.getKey().substring("category:".length())));
        }
      }
    }
    v = m.decide(lists);
    if (note(trace, "9. operator lists and chosen categories", v) && v.isBlock()) {
      boolean category = v.list().category() != null && !v.locked() && !profile.everyCategory();
      boolean bySchedule = category && extraCategories != null
          && extraCategories.contains(v.list().category())
          && !profile.blocksCategory(v.list().category());
      return d.block(category ? "category" : "baseline-list", v,
          category ? chosenCode : Ede.BLOCKED, bySchedule ? "during a schedule" : "");
    }
    if (!profile.budgetMinutes().isEmpty()) {
      for (int i = 0; i < m.size(); i++) {
        String c = listCategory[m.listIndex(i)];
        Integer budget = c == null ? null : profile.budgetMinutes().get(c);
        if (budget == null || !m.verdict(i).isBlock()) {
          continue;
        }
        Instant grantedUntil = grants.get("category:" + c);
        if (grantedUntil != null && grantedUntil.isAfter(now)) {
          continue;
        }
        int used = usage.used(sub, profile.id(), c, now, zone);
        if (trace != null) {
          trace.add("10. budget " + c + ": " + used + " of " + budget + " minutes used today");
        }
        // A minute already counted is paid for: more queries in it use nothing new.
        if (used >= budget && !usage.counted(sub, profile.id(), c, now, zone)) {
          return d.block("budget", m.verdict(i), chosenCode, c + " (" + budget + " min a day)");
        }
        if (recordUse) {
          usage.record(sub, profile.id(), c, now, zone);
        }
        d.budgeted = true;
      }
    }
    return d.pass(v.isAllow() ? "list-exception" : "not-blocked", v);
  }

  private TimeState timeState(Profile profile, ZoneId zone, Instant now) {
    long t = now.getEpochSecond();
    TimeKey key = new TimeKey(profile, zone);
    TimeState ts = timeStates.get(key);
    if (ts != null && ts.validAt(t)) {
      return ts;
    }
    ZonedDateTime local = now.atZone(zone);
    boolean[] open = new boolean[profile.schedules().size()];
    long next = Long.MAX_VALUE;
    for (int i = 0; i < open.length; i++) {
      Schedule s = profile.schedules().get(i);
      open[i] = s.activeAt(local.toLocalDateTime());
      ZonedDateTime edge = s.nextEdgeAfter(local);
      if (edge != null) {
        next = Math.min(next, edge.toEpochSecond());
      }
    }
    if (!profile.budgetMinutes().isEmpty()) {
      next = Math.min(next, local.toLocalDate().plusDays(1).atStartOfDay(zone).toEpochSecond());
    }
    ts = new TimeState(open, next, t);
    timeStates.put(key, ts);
    return ts;
  }

  /** The granted name covering {@code wireName}, or null. */
  private static String grantedName(Map<String, Instant> grants, byte[] wireName, Instant now) {
    String name = dev.hearth.blocklists.DomainNames.fromWire(wireName, 0);
    for (String n = name; n != null; n = parent(n)) {
      Instant until = grants.get(n);
      if (until != null && until.isAfter(now)) {
        return n + " until " + until;
      }
    }
    return null;
  }

  private static String parent(String name) {
    int dot = name.indexOf('.');
    return dot < 0 ? null : name.substring(dot + 1);
  }

  /** Masks for a profile the policy does not hold (a preset): its categories only. */
  private ProfileMasks adHocMasks(Profile p) {
    int words = lockedMask.length;
    return new ProfileMasks(new long[words], new long[words], listsMask(p, words),
        new long[p.schedules().size()][]);
  }

  /**
   * The operator lists that apply to {@code p}: legal lists, uncategorised operator lists and
   * the categories it blocks.
   */
  private long[] listsMask(Profile p, int words) {
    long[] lists = new long[words];
    for (int i = 0; i < operatorLists.size(); i++) {
      ListInfo info = operatorLists.get(i).info();
      if (info.locked() || info.legalOverride() || info.category() == null
          || p.blocksCategory(info.category())) {
        set(lists, i);
      }
    }
    return lists;
  }

  private boolean onlyLocked(Matches m) {
    for (int i = 0; i < m.size(); i++) {
      int l = m.listIndex(i);
      if ((lockedMask[l >>> 6] & (1L << l)) == 0) {
        return false;
      }
    }
    return true;
  }

  private static void or(long[] into, long[] mask) {
    if (mask != null) {
      for (int i = 0; i < into.length; i++) {
        into[i] |= mask[i];
      }
    }
  }

  private static void andNot(long[] into, long[] mask) {
    if (mask != null) {
      for (int i = 0; i < into.length; i++) {
        into[i] &= ~mask[i];
      }
    }
  }

  private static boolean note(List<String> trace, String step, Verdict v) {
    if (trace != null) {
      trace.add(step + ": " + (v.isNone() ? "no match" : v.describe()));
    }
    return !v.isNone();
  }

  private String describeMatches(Matches m) {
    if (m.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < m.size(); i++) {
      sb.append(i == 0 ? "" : "; ").append(m.verdict(i).describe());
    }
    return sb.toString();
  }

  /** Builds the decision, with the TTL cap for time-dependent profiles. */
  private final class Decider {
    final ClientIdentity client;
    final Profile profile;
    final List<String> trace;
    final Instant now;
    final boolean timed;
    final Instant pausedUntil;
    final Map<String, Instant> grants;
    boolean budgeted;
    /** Every list's entry for the name (for the category of a decision). */
    Matches matches;
    /** The profile's schedule state, once computed (null before, or without time rules). */
    TimeState timeState;

    Decider(ClientIdentity client, Profile profile, List<String> trace, Instant now,
        boolean timed, Instant pausedUntil, Map<String, Instant> grants) {
      this.client = client;
      this.profile = profile;
      this.trace = trace;
      this.now = now;
      this.timed = timed;
      this.pausedUntil = pausedUntil;
      this.grants = grants;
    }

    PolicyDecision pass(String rule, Verdict v) {
      return pass(rule, v, "");
    }

    PolicyDecision pass(String rule, Verdict v, String detail) {
      int cap = ttlCap();
      if (trace != null) {
        trace.add("=> resolves (" + rule + (detail.isEmpty() ? "" : " " + detail) + ")"
            + capText(cap));
      }
      return new PolicyDecision(false, rule, client, profile, v, 0, BlockAction.NXDOMAIN,
          trace == null ? List.of() : List.copyOf(trace), cap, detail, category(v, false));
    }

    PolicyDecision block(String rule, Verdict v, int ede, String detail) {
      int cap = ttlCap();
      if (trace != null) {
        trace.add("=> blocked (" + rule + (detail.isEmpty() ? "" : " " + detail) + ", EDE "
            + ede + ")" + capText(cap));
      }
      BlockAction how = v.isNone() ? BlockAction.NXDOMAIN : v.blockAction();
      return new PolicyDecision(true, rule, client, profile, v, ede, how,
          trace == null ? List.of() : List.copyOf(trace), cap, detail, category(v, true));
    }

    /**
     * The category of the deciding list, else the first category list blocking the name (so an
     * allowed game still counts as games); null for none. Locked lists have no category here.
     */
    private String category(Verdict v, boolean block) {
      if (v != null && v.list() != null && !v.locked() && !v.list().legalOverride()
          && v.list().category() != null) {
        return v.list().category();
      }
      Matches m = matches;
      if (m == null || block) {
        return null;
      }
      for (int i = 0; i < m.size(); i++) {
        String c = listCategory[m.listIndex(i)];
        if (c != null && m.verdict(i).isBlock()) {
          return c;
        }
      }
      return null;
    }

    private String capText(int cap) {
      return cap < 0 ? "" : "; clients may cache it for at most " + cap + " s";
    }

    /** Seconds until the decision could change, or -1 when it cannot by time alone. */
    int ttlCap() {
      if (!timed) {
        return -1;
      }
      long next = Long.MAX_VALUE;
      if (profile.timeDependent()) {
        TimeState ts = timeState != null ? timeState
            : timeState(profile, zoneFor(client), now);
        next = ts.nextChange;
      }
      if (pausedUntil != null) {
        next = Math.min(next, pausedUntil.getEpochSecond());
      }
      for (Instant until : grants.values()) {
        if (until.isAfter(now)) {
          next = Math.min(next, until.getEpochSecond());
        }
      }
      long seconds = next == Long.MAX_VALUE ? -1 : Math.max(0, next - now.getEpochSecond());
      if (budgeted) {
        seconds = seconds < 0 ? 60 : Math.min(seconds, 60); // use is counted per minute
      }
      return (int) Math.min(seconds, Integer.MAX_VALUE);
    }
  }
}
