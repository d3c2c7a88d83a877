package dev.hearth.resolver.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.hearth.resolver.wire.ResponseTemplate;

/**
 * Responses by question, bounded by memory (a weigher counts the stored bytes) rather than by
 * entry count, so large answers cannot blow the budget. Entries live for their TTL plus, when
 * serve-stale is on, the stale window (RFC 8767); freshness is checked on read.
 */
public final class ResponseCache {
  private final Cache<CacheKey, CacheEntry> cache;

  public ResponseCache(long maxBytes, long staleSeconds) {
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((CacheKey k, CacheEntry e) -> k.weight() + e.template.wireLength() + 96)
        .expireAfter(new Expiry<CacheKey, CacheEntry>() {
          @Override
          public long expireAfterCreate(CacheKey key, CacheEntry value, long currentTime) {
            return (value.template.lifetime + staleSeconds) * 1_000_000_000L;
          }

          @Override
          public long expireAfterUpdate(CacheKey key, CacheEntry value, long currentTime,
              long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
          }

          @Override
          public long expireAfterRead(CacheKey key, CacheEntry value, long currentTime,
              long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  CacheEntry get(CacheKey key) {
    return cache.getIfPresent(key);
  }

  void put(CacheKey key, ResponseTemplate template) {
    cache.put(key, new CacheEntry(template));
  }

  /** Approximate number of entries, for metrics and logs. */
  public long size() {
    return cache.estimatedSize();
  }

  /** Runs pending evictions now, so {@link #size()} is exact (tests, diagnostics). */
  public void cleanUp() {
    cache.cleanUp();
  }

  public void clear() {
    cache.invalidateAll();
  }
}
