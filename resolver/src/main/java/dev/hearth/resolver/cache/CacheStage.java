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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The cache in the query path. Fresh entries are answered at once; misses go down the chain,
 * with identical concurrent misses sharing one upstream query; popular entries are refreshed
 * shortly before they expire (prefetch); and when the chain fails, an expired entry still inside
 * the stale window is served with EDE 3 (RFC 8767) rather than an error.
 */
public final class CacheStage implements QueryStage {
  private final ResponseCache cache;
  private final ResolverConfig.Cache policy;
  private final LongSupplier clockNanos;
  private final ConcurrentHashMap<CacheKey, CompletableFuture<Answer>> inflight =
      new ConcurrentHashMap<>();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder staleServed = new LongAdder();
  private final LongAdder prefetches = new LongAdder();

  public CacheStage(ResolverConfig.Cache policy, LongSupplier clockNanos) {
    this.policy = policy;
    this.clockNanos = clockNanos;
    this.cache = new ResponseCache(policy.maxBytes(), policy.serveStale() ? policy.staleMaxAge() : 0);
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    CacheKey key = CacheKey.of(ctx.query);
    CacheEntry entry = cache.get(key);
    if (entry != null) {
      long remaining = entry.template.remaining(clockNanos.getAsLong());
      if (remaining > 0) {
        hits.increment();
        maybePrefetch(key, entry, remaining, ctx, next);
        return CompletableFuture.completedFuture(Answer.of(entry.template, AnswerSource.CACHE));
      }
    }
    misses.increment();
    return fetch(key, ctx, next, entry);
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
    if (++entry.hits < 2 || !entry.refreshing.compareAndSet(false, true)) {
      return;
    }
    prefetches.increment();
    fetch(key, ctx, next, entry);
  }

  private CompletableFuture<Answer> fetch(CacheKey key, QueryContext ctx, Next next,
      CacheEntry staleCandidate) {
    CompletableFuture<Answer> promise = new CompletableFuture<>();
    CompletableFuture<Answer> running = inflight.putIfAbsent(key, promise);
    if (running != null) {
      return running;
    }
    next.resolve(ctx).whenComplete((answer, error) -> {
      inflight.remove(key, promise);
      if (error == null && answer.source() == AnswerSource.UPSTREAM
          && answer.template().lifetime > 0) {
        cache.put(key, answer.template());
      }
      promise.complete(failed(answer, error) ? staleOr(answer, staleCandidate) : answer);
    });
    return promise;
  }

  private static boolean failed(Answer answer, Throwable error) {
    return error != null || answer == null || answer.template().rcode() == Rcode.SERVFAIL;
  }

  private Answer staleOr(Answer failure, CacheEntry stale) {
    if (policy.serveStale() && stale != null
        && -stale.template.remaining(clockNanos.getAsLong()) <= policy.staleMaxAge()) {
      staleServed.increment();
      String why = failure != null && failure.ede() != null ? failure.ede().text() : "upstream failed";
      return new Answer(stale.template, AnswerSource.STALE,
          new Ede(Ede.STALE_ANSWER, "stale answer: " + why), policy.staleAnswerTtl());
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

  public long staleServed() {
    return staleServed.sum();
  }

  public long prefetches() {
    return prefetches.sum();
  }
}
