package dev.hearth.resolver.policy;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Applies the policy before the cache, so a list or policy change takes effect on the next query
 * and blocked names never reach the cache or an upstream. The lists and the policy snapshot form
 * one immutable {@link PolicyEngine}, swapped atomically: a reload never blocks a query and never
 * leaves half a change in place.
 *
 * <p>A block is answered as its rule says (RPZ may ask for NODATA, a drop or its own records),
 * else as the profile says (NXDOMAIN, NODATA, a null address or the block page address), with a
 * short TTL and an Extended DNS Error: 16 Censored for locked legal lists (naming only the list and
 * category), 17 Filtered for what the household or venue chose, 15 Blocked for the operator's own
 * lists, 4 Forged Answer when the block page address is returned. The text is
 * {@link PolicyDecision#describe()} plus its reason id. A host on which only some URLs are listed
 * is not blocked here (that would over-block a shared host); it resolves normally and is counted.
 */
public final class PolicyStage implements QueryStage {
  private static final ResponseTemplate NXDOMAIN = ResponseTemplate.empty(Rcode.NXDOMAIN);
  private static final ResponseTemplate NODATA = ResponseTemplate.empty(Rcode.NOERROR);
  static final int VERDICT_CACHE_SIZE = 100_000;

  private final AtomicReference<PolicyEngine> engine;
  private final AddressBindings bindings = new AddressBindings();
  private final PolicyOverrides overrides = new PolicyOverrides();
  private final UsageMeter usage = new UsageMeter();
  private final ActivityMeter activity = new ActivityMeter();
  private final java.time.Clock clock;
  private volatile SafeSearch safeSearch = SafeSearch.defaults();
  private final LongAdder blocked = new LongAdder();
  private final LongAdder urlLevel = new LongAdder();
  /** Blocks by category (see {@link #blockedByCategory()}): aggregate counts, no client data. */
  private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> blockedByCategory =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ConcurrentHashMap<String, LongAdder> blockedByRule =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final String OPERATOR = "(operator)";

  public PolicyStage(List<CompiledList> initialLists, PolicySnapshot initialPolicy) {
    this(initialLists, initialPolicy, java.time.Clock.systemUTC());
  }

  /** With the wall clock that schedules, pauses, grants and budgets are read against. */
  public PolicyStage(List<CompiledList> initialLists, PolicySnapshot initialPolicy,
      java.time.Clock clock) {
    this.clock = clock;
    engine = new AtomicReference<>(engine(initialLists, initialPolicy));
  }

  private PolicyEngine engine(List<CompiledList> lists, PolicySnapshot policy) {
    activity.update(policy.directory());
    return new PolicyEngine(lists, policy, VERDICT_CACHE_SIZE, overrides, usage);
  }

  /** Swaps in a new set of lists under the current policy. */
  public synchronized void replace(List<CompiledList> lists) {
    engine.set(engine(lists, engine.get().policy()));
  }

  /** Swaps in a new policy snapshot over the current lists. */
  public synchronized void replacePolicy(PolicySnapshot policy) {
    engine.set(engine(engine.get().operatorLists(), policy));
  }

  /** The SafeSearch table in force (names and their locked-down hosts). */
  public SafeSearch safeSearch() {
    return safeSearch;
  }

  /** Swaps in another SafeSearch table (an operator's own, or a test's). */
  public void replaceSafeSearch(SafeSearch table) {
    this.safeSearch = java.util.Objects.requireNonNull(table);
  }

  /** Pauses and grants ("pause internet now", "allow this for an hour"); apply at once. */
  public PolicyOverrides overrides() {
    return overrides;
  }

  public PolicyEngine engine() {
    return engine.get();
  }

  public List<CompiledList> lists() {
    return engine.get().operatorLists();
  }

  /** The client directory of the policy in force (for the identification stage). */
  public ClientDirectory directory() {
    return engine.get().policy().directory();
  }

  /** Run-time address bindings (dynamic IPs); changes apply to the next query. */
  public AddressBindings bindings() {
    return bindings;
  }

  /** Per-category counts of the households that opted in to an activity summary. */
  public ActivityMeter activity() {
    return activity;
  }

  /** Queries answered with a block so far. */
  public long blockedCount() {
    return blocked.sum();
  }

  /**
   * Blocked queries since start by the deciding list's category; "(operator)" for lists without
   * one, "(rule)" for profile rules such as "(bedtime)" or "(pause)".
   */
  public java.util.Map<String, Long> blockedByCategory() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    blockedByCategory.forEach((k, v) -> out.put(k, v.sum()));
    blockedByRule.forEach((k, v) -> out.put("(" + k + ")", v.sum()));
    return out;
  }

  /** Queries for hosts that have URL-level entries only (resolved, not blocked). */
  public long urlLevelCount() {
    return urlLevel.sum();
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    PolicyEngine e = engine.get();
    ClientIdentity who = ctx.identity;
    if (who == null) { // no identification stage in this pipeline: everyone is the default
      who = e.policy().directory().identify(null, dev.hearth.resolver.client.ClientOptions.NONE,
          ctx.client.getAddress(), null);
      ctx.identity = who;
    }
    PolicyDecision d = e.decide(who, ctx.query.name, clock.instant());
    ctx.decision = d;
    ActivityMeter.Slot slot = activity.slot(who); // null (and free) unless the household opted in
    if (slot != null) {
      slot.count(d);
    }
    if (d.ttlCap() >= 0) {
      ctx.ttlCap = d.ttlCap();
    }
    if (!d.block()) {
      if (d.verdict().isUrlLevel()) {
        urlLevel.increment();
      }
      return next.resolve(ctx);
    }
    blocked.increment();
    // Keyed without building a string: a list's category, or the rule's own name (bedtime,
    // pause...), which blockedByCategory() shows in parentheses.
    boolean byList = d.verdict() != null && d.verdict().list() != null;
    String key = byList ? (d.verdict().list().category() != null
        ? d.verdict().list().category() : OPERATOR) : d.rule() == null ? "rule" : d.rule();
    var counters = byList ? blockedByCategory : blockedByRule;
    LongAdder byCategory = counters.get(key);
    if (byCategory == null) {
      byCategory = counters.computeIfAbsent(key, k -> new LongAdder());
    }
    byCategory.increment();
    return CompletableFuture.completedFuture(answer(d, e.policy(), e.edeText(d), ctx));
  }

  /**
   * Whether the client asked for structured error texts by sending an (empty) EDE option, the
   * default signal (see {@link StructuredErrors}). Everyone else gets the plain sentence.
   */
  static boolean wantsStructured(byte[] options) {
    return StructuredErrors.DEFAULT.wanted(options);
  }

  static Answer answer(PolicyDecision d, PolicySnapshot policy, String text, QueryContext ctx) {
    Ede why = new Ede(d.edeCode(), text);
    if (policy.structuredErrors().wanted(ctx.query.ednsOptions)) {
      String full = d.structuredText(policy.operator(), true);
      String brief = d.structuredText(policy.operator(), false);
      why = new Ede(d.edeCode(), full.length() <= Ede.MAX_TEXT ? full : brief, brief);
    }
    int ttl = policy.blockTtl();
    switch (d.blockAction()) {
      case DROP:
        return Answer.drop();
      case NODATA:
        return new Answer(NODATA, AnswerSource.BLOCKED, why, ttl);
      case LOCAL_DATA:
        return new Answer(LocalData.answer(d.verdict().localData(), ctx.query.name,
            ctx.query.qtype, ttl), AnswerSource.BLOCKED, why, ttl);
      default:
        break;
    }
    switch (d.profile().blockAnswer()) {
      case NODATA:
        return new Answer(NODATA, AnswerSource.BLOCKED, why, ttl);
      case NULL_ADDRESS:
        return new Answer(LocalData.answer(LocalData.NULL_ADDRESS, ctx.query.name,
            ctx.query.qtype, ttl), AnswerSource.BLOCKED, why, ttl);
      case BLOCK_PAGE:
        if (policy.blockPageV4() != null || policy.blockPageV6() != null) {
          LocalData.Records recs = LocalData.addresses(policy.blockPageV4(),
              policy.blockPageV6());
          return new Answer(LocalData.answer(recs, ctx.query.name, ctx.query.qtype, ttl),
              AnswerSource.BLOCKED, new Ede(Ede.FORGED_ANSWER, why.text(), why.shorterText()),
              ttl);
        }
        return new Answer(NXDOMAIN, AnswerSource.BLOCKED, why, ttl);
      default:
        return new Answer(NXDOMAIN, AnswerSource.BLOCKED, why, ttl);
    }
  }
}
