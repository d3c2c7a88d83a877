package dev.hearth.resolver.pipeline;

/** Where an answer came from; drives metrics, logs and the Extended DNS Error. */
public enum AnswerSource {
  /** Served from the cache while fresh. */
  CACHE,
  /** Fetched from an upstream for this query. */
  UPSTREAM,
  /** Served from the cache after expiry because every upstream failed (RFC 8767). */
  STALE,
  /** Refused by policy: the name is on a blocklist. */
  BLOCKED,
  /** Made up locally: refusals, protocol errors, RFC 8482 answers. */
  LOCAL,
  /** Rate limited: an empty truncated reply, so a real client retries over TCP. */
  SLIPPED,
  /** Nothing is sent (refused client configured to be dropped, rate limited). */
  DROPPED,
  /**
   * Shed: REFUSED because too many questions already wait for upstreams (overload), so the
   * client's stub tries its next server instead of waiting.
   */
  SHED
}
