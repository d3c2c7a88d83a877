package dev.hearth.resolver.cache;

import dev.hearth.resolver.wire.ResponseTemplate;
import java.util.concurrent.atomic.AtomicBoolean;

/** A cached response plus the little bookkeeping prefetch needs (popularity, refresh in flight). */
final class CacheEntry {
  final ResponseTemplate template;
  final AtomicBoolean refreshing = new AtomicBoolean();
  volatile int hits;

  CacheEntry(ResponseTemplate template) {
    this.template = template;
  }
}
