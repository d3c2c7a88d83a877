package dev.hearth.resolver.cache;

import dev.hearth.resolver.wire.ResponseTemplate;
import java.util.concurrent.atomic.AtomicBoolean;

/** A cached response plus the little bookkeeping prefetch needs (popularity, refresh in flight). */
final class CacheEntry {
  final ResponseTemplate template;
  final AtomicBoolean refreshing = new AtomicBoolean();
  volatile int hits;
  /** When fetching a fresh copy last failed (nanos), or 0; drives the RFC 8767 recheck timer. */
  volatile long failedAtNanos;

  CacheEntry(ResponseTemplate template) {
    this.template = template;
  }
}
