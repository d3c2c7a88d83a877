package dev.hearth.resolver.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.resolver.wire.ResponseTemplate;

/**
 * Responses by question, bounded by memory (a weigher counts the stored bytes) rather than by
 * entry count, so large answers cannot blow the budget. Entries are kept for one fixed horizon
 * (the longest allowed TTL plus the stale window); whether an entry is fresh, usable as stale
 * (RFC 8767) or spent is decided on read from its own TTL.
 */
public final class ResponseCache {
  private final Cache<CacheKey, CacheEntry> cache;

  public ResponseCache(long maxBytes, long maxTtl, long staleSeconds) {
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((CacheKey k, CacheEntry e) -> k.weight() + e.template.wireLength() + 96)
        // One fixed horizon (longest TTL + stale window) instead of per-entry expiry: freshness
        // is checked on read anyway, and a fixed policy keeps reads cheaper. Entries past their
        // stale window are simply replaced on the next miss or evicted by size.
        .expireAfterWrite(java.time.Duration.ofSeconds(maxTtl + staleSeconds))
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
