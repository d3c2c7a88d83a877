package dev.hearth.resolver.cache;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The cache in the query path. Fresh entries are answered at once; misses go down the chain,
 * with identical concurrent misses sharing one upstream query; popular entries are refreshed
 * shortly before they expire (prefetch); and when the chain fails, an expired entry still inside
 * the stale window is served with EDE 3 (RFC 8767) rather than an error.
 */
public final class CacheStage implements QueryStage {
  /** RFC 8767 suggests 1.8 s: answer stale rather than let stub resolvers time out. */
  static final long STALE_CLIENT_TIMEOUT_MILLIS = 1_800;
  /** After a failed refresh, serve stale without retrying for this long (RFC 8767: 30 s). */
  static final long FAILURE_RECHECK_NANOS = 30_000_000_000L;
  /** Safety net: no fetch may hold its name in the in-flight table longer than this. */
  static final long INFLIGHT_LIMIT_MILLIS = 10_000;

  private final ResponseCache cache;
  private final ResolverConfig.Cache policy;
  private final LongSupplier clockNanos;
  private final ConcurrentHashMap<CacheKey, CompletableFuture<Answer>> inflight =
      new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder prefetches = new LongAdder();
  private final LongAdder shed = new LongAdder();
  /** Distinct questions allowed to wait for upstreams at once; past it new ones are shed. */
  private final int maxInFlight;

  public CacheStage(ResolverConfig.Cache policy, LongSupplier clockNanos) {
    this(policy, clockNanos, ResolverConfig.DEFAULT_MAX_IN_FLIGHT);
  }

  public CacheStage(ResolverConfig.Cache policy, LongSupplier clockNanos, int maxInFlight) {
    this.policy = policy;
    this.clockNanos = clockNanos;
    this.maxInFlight = maxInFlight;
    this.cache = new ResponseCache(policy.maxBytes(), Math.max(policy.maxTtl(), policy.negativeMaxTtl()),
        policy.serveStale() ? policy.staleMaxAge() : 0);
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    CacheKey key = CacheKey.of(ctx.query);
    CacheEntry entry = cache.get(key);
    if (entry == null) {
      misses.increment();
      return fetch(key, ctx, next, null);
    }
    long now = clockNanos.getAsLong();
    long remaining = entry.template.remaining(now);
    if (remaining > 0) {
      hits.increment();
      maybePrefetch(key, entry, remaining, ctx, next);
      return CompletableFuture.completedFuture(Answer.of(entry.template, AnswerSource.CACHE));
    }
    misses.increment();
    if (usableStale(entry, now) && entry.failedAtNanos != 0
        && now - entry.failedAtNanos < FAILURE_RECHECK_NANOS) {
      // Upstreams failed for this name moments ago: answer stale at once instead of making
      // every client wait out another full resolution timeout (RFC 8767 section 4).
      staleServed.increment();
      return CompletableFuture.completedFuture(stale(entry, "upstreams failing"));
    }
    CompletableFuture<Answer> shared = fetch(key, ctx, next, entry);
    if (!usableStale(entry, now) || shared.isDone()) {
      return shared;
    }
    // Stale-answer client timeout: the client gets the stale answer if the refresh is slow; the
    // refresh carries on and updates the cache for the next client.
    Answer fallback = stale(entry, "upstream slow");
    return shared.copy().completeOnTimeout(fallback, STALE_CLIENT_TIMEOUT_MILLIS,
        TimeUnit.MILLISECONDS).thenApply(a -> {
          if (a == fallback) {
            staleServed.increment();
          }
          return a;
        });
  }

  private void maybePrefetch(CacheKey key, CacheEntry entry, long remaining, QueryContext ctx,
      Next next) {
    if (!policy.prefetch()) {
      return;
    }
    int lifetime = entry.template.lifetime;
    if (lifetime < 10 || remaining > Math.max(1, lifetime / 10)) {
      return;
    }
    if (++entry.hits < 2 || inflight.size() >= maxInFlight
        || !entry.refreshing.compareAndSet(false, true)) {
      return; // under overload, prefetching is the first thing to go
    }
    prefetches.increment();
    fetch(key, ctx, next, entry);
  }

  private CompletableFuture<Answer> fetch(CacheKey key, QueryContext ctx, Next next,
      CacheEntry staleCandidate) {
    CompletableFuture<Answer> running = inflight.get(key);
    if (running != null) {
      return running; // joining a fetch already under way costs no upstream query
    }
    if (inflight.size() >= maxInFlight) {
      // Overload: a flood of distinct misses, or upstreams so slow that questions pile up. The
      // waiting table (and memory) stays bounded; a stale answer beats none.
      shed.increment();
      if (usableStale(staleCandidate, clockNanos.getAsLong())) {
        staleServed.increment();
        return CompletableFuture.completedFuture(stale(staleCandidate, "resolver busy"));
      }
      return CompletableFuture.completedFuture(Answer.shed(new Ede(Ede.OTHER,
          "resolver busy: " + maxInFlight + " questions already wait for upstreams")));
    }
    CompletableFuture<Answer> promise = new CompletableFuture<>();
    running = inflight.putIfAbsent(key, promise);
    if (running != null) {
      return running;
    }
    CompletableFuture<Answer> downstream;
    try {
      downstream = next.resolve(ctx);
    } catch (RuntimeException e) {
      downstream = CompletableFuture.failedFuture(e);
    }
    // Whatever happens below, the shared promise completes and leaves the in-flight table, so a
    // name can never get stuck behind a fetch that will not finish.
    downstream.orTimeout(INFLIGHT_LIMIT_MILLIS, TimeUnit.MILLISECONDS)
        .whenComplete((answer, error) -> {
          inflight.remove(key, promise);
          try {
            if (error == null && answer.source() == AnswerSource.UPSTREAM
                && answer.template().lifetime > 0) {
              cache.put(key, answer.template());
            }
            if (failed(answer, error)) {
              if (staleCandidate != null) {
                staleCandidate.failedAtNanos = clockNanos.getAsLong();
              }
              promise.complete(staleOr(answer, staleCandidate));
            } else {
              promise.complete(answer);
            }
          } catch (RuntimeException e) {
            promise.complete(Answer.error(Rcode.SERVFAIL, new Ede(Ede.OTHER, "internal error")));
          }
        });
    return promise;
  }

  private static boolean failed(Answer answer, Throwable error) {
    return error != null || answer == null || answer.template().rcode() == Rcode.SERVFAIL;
  }

  private boolean usableStale(CacheEntry entry, long now) {
    return policy.serveStale() && entry != null
        && -entry.template.remaining(now) <= policy.staleMaxAge();
  }

  private Answer stale(CacheEntry entry, String why) {
    int code = entry.template.rcode() == Rcode.NXDOMAIN ? Ede.STALE_NXDOMAIN : Ede.STALE_ANSWER;
    return new Answer(entry.template, AnswerSource.STALE, new Ede(code, "stale answer: " + why),
        policy.staleAnswerTtl());
  }

  private Answer staleOr(Answer failure, CacheEntry candidate) {
    if (usableStale(candidate, clockNanos.getAsLong())) {
      staleServed.increment();
      return stale(candidate, "upstreams failed");
    }
    return failure != null ? failure
        : Answer.error(Rcode.SERVFAIL, new Ede(Ede.OTHER, "internal error"));
  }

  public ResponseCache cache() {
    return cache;
  }

  public long hits() {
    return hits.sum();
  }

  public long misses() {
    return misses.sum();
  }

  /** Questions shed (REFUSED or stale) because the in-flight table was full. */
  public long shed() {
    return shed.sum();
  }

  /** Distinct questions waiting for upstreams now. */
  public int inFlight() {
    return inflight.size();
  }

  public long staleServed() {
    return staleServed.sum();
  }

  public long prefetches() {
    return prefetches.sum();
  }
}
