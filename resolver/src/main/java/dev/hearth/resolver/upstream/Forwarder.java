package dev.hearth.resolver.upstream;

import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * Forwards a question to the upstreams, best first by measured health, within a total deadline.
 * Plain upstreams get UDP first, and a truncated reply is retried over TCP to the same server;
 * encrypted ones (DNS over TLS, DNS over HTTPS) get the query on a persistent connection. Timeouts,
 * SERVFAIL and transport failures (a certificate that does not verify, an HTTP error) move on to
 * the next server. Servers that keep failing are marked down and probed in the background
 * until they answer again, so a dead upstream costs nothing while a live one exists.
 */
public final class Forwarder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final int MAX_ATTEMPTS = 6;
  private static final long PROBE_INTERVAL_MS = 2_000;
  /** Encrypted connections with nothing in flight for this long are closed (as unbound does). */
  private static final int IDLE_SECONDS = 30;

  private final List<Upstream> upstreams;
  private final UdpUpstreamClient udp;
  private final TcpUpstreamClient tcp;
  private final DotUpstreamClient dot;
  private final DohUpstreamClient doh;
  private final long perTryMillis;
  private final long totalMillis;
  private final int udpSize;
  private final LongSupplier clockNanos;
  private final ScheduledFuture<?> prober;

  /** A reply that passed every check, with the server that sent it. */
  public record Reply(Message message, Upstream from) {}

  public Forwarder(List<UpstreamSpec> specs, EventLoopGroup group, long perTryMillis,
      long totalMillis, int udpSize, LongSupplier clockNanos) throws InterruptedException {
    this.upstreams = specs.stream().map(Upstream::new).toList();
    this.udp = new UdpUpstreamClient(group, 16);
    this.tcp = new TcpUpstreamClient(group);
    this.dot = new DotUpstreamClient(group, IDLE_SECONDS);
    this.doh = new DohUpstreamClient(group, IDLE_SECONDS);
    this.perTryMillis = perTryMillis;
    this.totalMillis = totalMillis;
    this.udpSize = udpSize;
    this.clockNanos = clockNanos;
    this.prober = group.next().scheduleWithFixedDelay(this::probeDown, PROBE_INTERVAL_MS,
        PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS);
  }

  public List<Upstream> upstreams() {
    return upstreams;
  }

  public long rejectedReplies() {
    return udp.rejectedReplies.sum();
  }

  /** How many distinct source sockets (ports) have been used for upstream queries. */
  public long sourcePortsUsed() {
    return udp.portsUsed.sum();
  }

  /** TLS connections opened to DNS-over-TLS and DNS-over-HTTPS upstreams since start. */
  public long encryptedConnectionsOpened() {
    return dot.connectionsOpened.sum() + doh.connectionsOpened.sum();
  }

  /** The most queries seen in flight at once on one encrypted connection. */
  public int maxInFlightPerConnection() {
    return Math.max(dot.maxInFlight(), doh.maxInFlight());
  }

  /** One try at one upstream over its transport, without TCP fallback. */
  private CompletableFuture<byte[]> send(Upstream u, UpstreamQuery uq, long timeoutMillis) {
    return switch (u.spec().transport()) {
      case PLAIN -> udp.send(u.spec().address(), uq, timeoutMillis);
      case TLS -> dot.send(u.spec(), uq, timeoutMillis);
      case HTTPS -> doh.send(u.spec(), uq, timeoutMillis);
    };
  }

  public CompletableFuture<Reply> forward(WireQuery q) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    if (upstreams.isEmpty()) {
      result.completeExceptionally(
          new UpstreamFailure("no upstream servers configured", Ede.NO_REACHABLE_AUTHORITY));
      return result;
    }
    return forward(new UpstreamQuery(q.question(), q.dnssecOk, q.checkingDisabled(), udpSize),
        result);
  }

  /**
   * Asks the upstreams one question for Hearth itself (not for a client, so past the policy),
   * over the same transports: {@code question} is the wire form of QNAME, QTYPE and QCLASS.
   */
  public CompletableFuture<Reply> resolve(byte[] question) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    if (upstreams.isEmpty()) {
      result.completeExceptionally(
          new UpstreamFailure("no upstream servers configured", Ede.NO_REACHABLE_AUTHORITY));
      return result;
    }
    return forward(new UpstreamQuery(question.clone(), false, false, udpSize), result);
  }

  private CompletableFuture<Reply> forward(UpstreamQuery uq, CompletableFuture<Reply> result) {
    List<Upstream> order = new ArrayList<>(upstreams);
    order.sort(Comparator.comparingDouble(Upstream::score));
    long deadline = clockNanos.getAsLong() + totalMillis * 1_000_000L;
    attempt(uq, order, 0, deadline, new Reasons(), result);
    return result;
  }

  private void attempt(UpstreamQuery uq, List<Upstream> order, int n, long deadline,
      Reasons why, CompletableFuture<Reply> result) {
    long now = clockNanos.getAsLong();
    long left = (deadline - now) / 1_000_000L;
    if (left <= 0 || n >= MAX_ATTEMPTS) {
      log.debug("resolution failed: {}", why.detail);
      result.completeExceptionally(new UpstreamFailure(
          "no upstream answered (" + why.summary + ")", Ede.NO_REACHABLE_AUTHORITY));
      return;
    }
    Upstream u = order.get(n % order.size());
    // An encrypted try may include a TCP and TLS handshake: it gets the full per-try budget.
    long timeout = Math.min(left, u.spec().encrypted() ? perTryMillis
        : u.timeoutMillis(Math.min(400, perTryMillis), perTryMillis));
    send(u, uq, timeout)
        .thenCompose(bytes -> {
          if (u.spec().encrypted() || !isTruncated(bytes)) {
            return CompletableFuture.completedFuture(bytes);
          }
          long remaining = (deadline - clockNanos.getAsLong()) / 1_000_000L;
          return tcp.send(u.spec().address(), uq, Math.max(1, Math.min(remaining, perTryMillis * 2)));
        })
        .whenComplete((bytes, error) -> {
          try {
            onReply(uq, order, n, deadline, why, result, u, now, bytes, error);
          } catch (RuntimeException e) {
            // A bug or a reply dnsjava chokes on must still finish the resolution.
            log.debug("unexpected failure handling a reply from {}", u.spec(), e);
            u.recordTimeout();
            why.add(u, "unusable reply");
            attempt(uq, order, n + 1, deadline, why, result);
          }
        });
  }

  private void onReply(UpstreamQuery uq, List<Upstream> order, int n, long deadline, Reasons why,
      CompletableFuture<Reply> result, Upstream u, long start, byte[] bytes, Throwable error) {
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null
          ? error.getCause() : error;
      u.recordTimeout();
      why.add(u, cause instanceof TimeoutException ? "timeout"
          : cause instanceof UpstreamError e ? e.reason() : "network error");
      if (cause instanceof UpstreamError e && e.getCause() != null) {
        log.debug("upstream {}: {}", u.spec(), e.getMessage());
      }
      attempt(uq, order, n + 1, deadline, why, result);
      return;
    }
    Message m;
    try {
      m = new Message(bytes);
    } catch (IOException e) {
      u.recordTimeout();
      why.add(u, "malformed reply");
      attempt(uq, order, n + 1, deadline, why, result);
      return;
    }
    int rcode = m.getRcode();
    // Only these are answers about the name; anything else (SERVFAIL, REFUSED, FORMERR, NOTIMP,
    // extended codes) says the server could not help, so another one is asked.
    boolean answered = rcode == org.xbill.DNS.Rcode.NOERROR
        || rcode == org.xbill.DNS.Rcode.NXDOMAIN || rcode == org.xbill.DNS.Rcode.YXDOMAIN;
    u.recordAnswer(clockNanos.getAsLong() - start, !answered);
    if (answered) {
      result.complete(new Reply(m, u));
      return;
    }
    why.add(u, org.xbill.DNS.Rcode.string(rcode));
    // Each server gets one chance to fail with an error code; timeouts may cycle back.
    attempt(uq, order, n + 1 < order.size() ? n + 1 : MAX_ATTEMPTS, deadline, why, result);
  }

  /**
   * Why a resolution failed: a short summary for the client's EDE text (no server addresses:
   * those are the operator's business) and the detail for the operator's debug log.
   */
  static final class Reasons {
    final StringBuilder summary = new StringBuilder();
    final StringBuilder detail = new StringBuilder();

    void add(Upstream u, String what) {
      if (summary.indexOf(what) < 0) {
        summary.append(summary.length() == 0 ? "" : ", ").append(what);
      }
      detail.append(detail.length() == 0 ? "" : "; ").append(u.spec().url()).append(' ')
          .append(what);
    }
  }

  private static boolean isTruncated(byte[] reply) {
    return reply.length >= 4 && (reply[2] & 0x02) != 0;
  }

  /** Checks every upstream once without waiting, and logs the ones that do not answer. */
  public void checkReachability() {
    for (Upstream u : upstreams) {
      UpstreamQuery probe = new UpstreamQuery(rootNsQuestion(), false, false, udpSize);
      send(u, probe, 2_000).whenComplete((bytes, error) -> {
        if (error != null) {
          Throwable cause = error instanceof CompletionException && error.getCause() != null
              ? error.getCause() : error;
          log.warn("upstream {} does not answer yet ({}); queries get SERVFAIL until an upstream"
              + " does", u.spec(), cause instanceof UpstreamError e ? e.getMessage() : "timeout");
        }
      });
    }
  }

  private void probeDown() {
    for (Upstream u : upstreams) {
      if (u.healthy()) {
        continue;
      }
      UpstreamQuery probe = new UpstreamQuery(rootNsQuestion(), false, false, udpSize);
      long start = clockNanos.getAsLong();
      send(u, probe, 1_000).whenComplete((bytes, error) -> {
        if (error == null) {
          u.markAlive(clockNanos.getAsLong() - start);
        }
      });
    }
  }

  /** ". IN NS": any server answers it somehow, which is all a liveness probe needs. */
  private static byte[] rootNsQuestion() {
    return new byte[] {0, 0, 2, 0, 1};
  }

  @Override
  public void close() {
    prober.cancel(false);
    udp.close();
    dot.close();
    doh.close();
  }
}
