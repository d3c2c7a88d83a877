package dev.hearth.resolver.upstream;

/**
 * One upstream server and what we have learnt about it: smoothed round-trip time, timeouts,
 * SERVFAIL rate. After {@link #FAILURES_TO_DOWN} failures in a row it is considered down and is
 * only used when nothing better is left, until a background probe sees it answer again.
 */
public final class Upstream {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Upstream.class);
  static final int FAILURES_TO_DOWN = 3;

  private final UpstreamSpec spec;
  private double srttMillis = 100;
  private double servfailRate;
  private int consecutiveFailures;
  private boolean down;
  private long queries;
  private long timeouts;
  private long servfails;

  public Upstream(UpstreamSpec spec) {
    this.spec = spec;
  }

  public UpstreamSpec spec() {
    return spec;
  }

  synchronized void recordAnswer(long rttNanos, boolean servfail) {
    queries++;
    double rtt = rttNanos / 1e6;
    srttMillis = srttMillis * 0.7 + rtt * 0.3;
    servfailRate = servfailRate * 0.9 + (servfail ? 0.1 : 0);
    if (servfail) {
      servfails++;
    } else {
      consecutiveFailures = 0;
      up();
    }
  }

  synchronized void recordTimeout() {
    queries++;
    timeouts++;
    srttMillis = Math.min(srttMillis * 2 + 10, 5_000);
    if (++consecutiveFailures >= FAILURES_TO_DOWN && !down) {
      down = true;
      // The operator's side of an upstream fault: one line per change, not one per query.
      log.warn("upstream {} marked down after {} timeouts in a row; other upstreams (or stale"
          + " answers) serve while it is probed every 2 s", spec, consecutiveFailures);
    }
  }

  private void up() {
    if (down) {
      down = false;
      log.info("upstream {} answers again", spec);
    }
  }

  /** A probe got an answer: the server is reachable again. */
  synchronized void markAlive(long rttNanos) {
    up();
    consecutiveFailures = 0;
    srttMillis = rttNanos / 1e6;
  }

  public synchronized boolean isDown() {
    return down;
  }

  /** No failure since the last answer: nothing to probe. */
  public synchronized boolean healthy() {
    return !down && consecutiveFailures == 0;
  }

  /** Lower is better: expected latency, penalised by how often it answers SERVFAIL. */
  synchronized double score() {
    return (down ? 1e9 : 0) + srttMillis * (1 + 4 * servfailRate);
  }

  /** Per-try timeout: a few round trips, within the given bounds. */
  synchronized long timeoutMillis(long floor, long ceiling) {
    return Math.max(floor, Math.min(ceiling, (long) (srttMillis * 4) + 50));
  }

  /** A consistent reading of this upstream's health, for dashboards. */
  public synchronized Status status() {
    return new Status(spec.toString(), !down, srttMillis, queries, timeouts, servfails);
  }

  /** See {@link #status()}. */
  public record Status(String name, boolean up, double srttMillis, long queries, long timeouts,
      long servfails) {}

  public synchronized String describe() {
    return String.format("%s %s srtt=%.1fms queries=%d timeouts=%d servfails=%d", spec,
        down ? "DOWN" : "up", srttMillis, queries, timeouts, servfails);
  }
}
