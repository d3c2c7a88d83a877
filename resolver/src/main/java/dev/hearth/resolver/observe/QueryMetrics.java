package dev.hearth.resolver.observe;

import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.wire.Rcode;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-query counters of the resolver: answers by protocol, rcode and response type, and a
 * latency histogram per protocol with fixed bounds. Every cell is a {@link LongAdder} made up
 * front, so recording a query neither allocates nor locks; an exporter (Micrometer/Prometheus in
 * the {@code packaging} module) reads the sums at scrape time. Deliberately free of any metrics
 * library, so the resolver stays testable on its own; and free of client or name labels, by
 * design (cardinality and privacy).
 */
public final class QueryMetrics {
  /** Response types, the {@code type} label; index order is the array layout. */
  public static final String[] TYPES = {
      "cached", "forwarded", "stale", "blocked", "local", "refused", "ratelimited", "dropped",
      "shed"};
  /** Response codes, the {@code rcode} label; "none" is a dropped query (nothing sent). */
  public static final String[] RCODES = {
      "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "OTHER", "none"};
  /** Protocols, the {@code protocol} label, in {@link Transport} order. */
  public static final String[] PROTOCOLS = {"udp", "tcp", "dot", "doh"};
  /**
   * Upper bounds of the latency buckets in seconds: the SLOs a resolver is judged by (a cache hit
   * under a millisecond, a forward under 50 ms, the 5 s a stub resolver waits), not a percentile
   * sketch per series.
   */
  public static final double[] LATENCY_BOUNDS_SECONDS = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  private static final long[] BOUNDS_NANOS = new long[LATENCY_BOUNDS_SECONDS.length];

  static {
    for (int i = 0; i < BOUNDS_NANOS.length; i++) {
      BOUNDS_NANOS[i] = Math.round(LATENCY_BOUNDS_SECONDS[i] * 1e9);
    }
  }

  private static final int T = PROTOCOLS.length;
  private static final int R = RCODES.length;
  private static final int K = TYPES.length;
  private static final int B = LATENCY_BOUNDS_SECONDS.length + 1; // + the +Inf bucket

  private final LongAdder[] answers = adders(T * R * K);
  /** Per protocol, one adder per bucket (not cumulative: the exporter sums them). */
  private final LongAdder[] latency = adders(T * B);
  private final LongAdder[] latencySumNanos = adders(T);

  private static LongAdder[] adders(int n) {
    LongAdder[] a = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  /**
   * Counts one finished query; {@code nanos} is the time from receipt to the response being
   * written, or negative when unknown (then only the counter moves).
   */
  public void record(Transport transport, int rcode, AnswerSource source, long nanos) {
    int t = transport.ordinal();
    int k = typeIndex(source, rcode);
    int r = source == AnswerSource.DROPPED ? R - 1 : rcodeIndex(rcode);
    answers[(t * R + r) * K + k].increment();
    if (nanos >= 0 && source != AnswerSource.DROPPED) {
      int b = 0;
      while (b < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[b]) {
        b++;
      }
      latency[t * B + b].increment();
      latencySumNanos[t].add(nanos);
    }
  }

  static int typeIndex(AnswerSource source, int rcode) {
    return switch (source) {
      case CACHE -> 0;
      case UPSTREAM -> 1;
      case STALE -> 2;
      case BLOCKED -> 3;
      case LOCAL -> rcode == Rcode.REFUSED ? 5 : 4;
      case SLIPPED -> 6;
      case DROPPED -> 7;
      case SHED -> 8;
    };
  }

  static int rcodeIndex(int rcode) {
    return rcode >= 0 && rcode <= Rcode.REFUSED ? rcode : R - 2;
  }

  /** Answers so far for one cell; indexes into {@link #PROTOCOLS}, {@link #RCODES}, {@link #TYPES}. */
  public long answers(int protocol, int rcode, int type) {
    return answers[(protocol * R + rcode) * K + type].sum();
  }

  /** Queries of one protocol answered within bucket {@code bucket} (not cumulative); the last is +Inf. */
  public long latencyBucket(int protocol, int bucket) {
    return latency[protocol * B + bucket].sum();
  }

  /** Sum of the recorded latencies of one protocol, in seconds. */
  public double latencySumSeconds(int protocol) {
    return latencySumNanos[protocol].sum() / 1e9;
  }
}
