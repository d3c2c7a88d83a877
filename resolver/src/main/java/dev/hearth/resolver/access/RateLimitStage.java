package dev.hearth.resolver.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.pipeline.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Per-client response rate limiting over UDP, so the resolver cannot be used to amplify traffic
 * towards a spoofed address. Each client address gets {@code perSecond} responses per second.
 * Over the limit, every second query gets a minimal truncated reply ("slip", as BIND and Knot
 * do: no larger than the query, so useless for amplification) and the rest are dropped; a real
 * client behind a busy address (a hotspot's NAT) retries over TCP, which is never limited here
 * because it cannot be spoofed. The table of clients is bounded, so floods cannot exhaust memory.
 */
public final class RateLimitStage implements QueryStage {
  private static final CompletableFuture<Answer> DROPPED =
      CompletableFuture.completedFuture(Answer.drop());
  private static final CompletableFuture<Answer> SLIP =
      CompletableFuture.completedFuture(Answer.slip());

  private final int perSecond;
  private final LongSupplier clockNanos;
  private final Cache<InetAddress, Window> windows;

  public RateLimitStage(int perSecond, LongSupplier clockNanos) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("rate limit must be positive");
    }
    this.perSecond = perSecond;
    this.clockNanos = clockNanos;
    this.windows = Caffeine.newBuilder()
        .maximumSize(200_000)
        .expireAfterAccess(Duration.ofSeconds(10))
        .build();
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext query, Next next) {
    if (query.transport != Transport.UDP) {
      return next.resolve(query);
    }
    Window w = windows.get(query.client.getAddress(), k -> new Window());
    int verdict = w.admit(clockNanos.getAsLong() / 1_000_000_000L, perSecond);
    if (verdict == Window.ADMIT) {
      return next.resolve(query);
    }
    return verdict == Window.SLIP ? SLIP : DROPPED;
  }

  /** A one-second counting window; coarse, cheap and enough to bound amplification. */
  static final class Window {
    static final int ADMIT = 0;
    static final int SLIP = 1;
    static final int DROP = 2;

    private long second = Long.MIN_VALUE;
    private int count;

    synchronized int admit(long now, int limit) {
      if (now != second) {
        second = now;
        count = 0;
      }
      int n = ++count;
      if (n <= limit) {
        return ADMIT;
      }
      return (n - limit) % 2 == 1 ? SLIP : DROP;
    }
  }
}
