package dev.hearth.resolver.server;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.observe.QueryMetrics;
import dev.hearth.resolver.observe.QueryObserver;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.Pipeline;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.MalformedMessageException;
import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseWriter;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listener (UDP, TCP, DoT, DoH) shares: parse, run the pipeline, stamp the response.
 * Malformed messages are answered with FORMERR/NOTIMP when they have a header and come from an
 * allowed client, dropped otherwise; either way only that packet is affected.
 */
public final class QueryHandler {
  /**
   * The profile token an encrypted listener found for a connection (DoT: the SNI's first
   * label); {@link TcpQueryHandler} puts it on each of the connection's queries.
   */
  public static final io.netty.util.AttributeKey<String> PROFILE_TOKEN =
      io.netty.util.AttributeKey.valueOf("hearth.profileToken");

  /**
   * Where a finished response goes; {@code sync} says it was produced inside the read call.
   * Called exactly once per request, with {@code null} when nothing is to be sent (dropped), so
   * a connection can keep count of what it still owes.
   */
  public interface Sink {
    void send(ByteBuf response, boolean sync);
  }

  private static final Logger log = LoggerFactory.getLogger(QueryHandler.class);
  /** A bug must still get the client an answer, never silence or a closed connection. */
  private static final Answer INTERNAL_ERROR =
      Answer.error(Rcode.SERVFAIL, new Ede(Ede.OTHER, "internal error"));

  private final Pipeline pipeline;
  private final ResponseWriter writer;
  private final ClientNetworks allowed;
  private final LongSupplier clockNanos;
  final LongAdder queries = new LongAdder();
  final LongAdder malformed = new LongAdder();
  private final QueryMetrics metrics = new QueryMetrics();
  private volatile QueryObserver observer;

  QueryHandler(Pipeline pipeline, ResponseWriter writer, ClientNetworks allowed,
      LongSupplier clockNanos) {
    this.pipeline = pipeline;
    this.writer = writer;
    this.allowed = allowed;
    this.clockNanos = clockNanos;
  }

  void handle(ByteBuf request, InetSocketAddress client, InetSocketAddress local,
      Transport transport,
      ByteBufAllocator alloc, Sink sink) {
    handle(request, client, local, transport, null, alloc, sink);
  }

  /**
   * Answers one query; {@code sink} gets the response (or null when nothing is to be sent)
   * exactly once, maybe on another thread.
   *
   * @param profileToken a profile token from encrypted DNS, or null
   */
  public void handle(ByteBuf request, InetSocketAddress client, InetSocketAddress local,
      Transport transport, String profileToken, ByteBufAllocator alloc, Sink sink) {
    queries.increment();
    WireQuery q;
    try {
      q = QueryParser.parse(request);
    } catch (MalformedMessageException e) {
      malformed.increment();
      boolean answer = e.answerable() && allowed.contains(client.getAddress());
      sink.send(answer ? ResponseWriter.headerOnly(alloc, request, e.rcode()) : null, true);
      return;
    }
    int limit = transport == Transport.UDP ? writer.udpLimit(q) : 65535;
    CompletableFuture<Answer> f;
    QueryContext ctx = null;
    try {
      ctx = new QueryContext(q, client, transport, clockNanos.getAsLong());
      ctx.local = local;
      ctx.profileToken = profileToken;
      f = pipeline.resolve(ctx);
    } catch (RuntimeException e) {
      log.warn("query for {} failed inside the pipeline", q.nameText(), e);
      f = CompletableFuture.completedFuture(INTERNAL_ERROR);
    }
    Answer now = f.isCompletedExceptionally() ? INTERNAL_ERROR : f.getNow(null);
    QueryContext done = ctx;
    if (now != null) {
      respond(now, q, done, limit, alloc, sink, true);
    } else {
      f.whenComplete((a, error) -> {
        if (error != null) {
          log.warn("query for {} failed inside the pipeline", q.nameText(), error);
        }
        respond(a != null ? a : INTERNAL_ERROR, q, done, limit, alloc, sink, false);
      });
    }
  }

  /** Answers by protocol, rcode and type, and latency: read by the metrics exporter. */
  public QueryMetrics metrics() {
    return metrics;
  }

  /** Sets who sees each answered query (query log, dnstap), or null for no one. */
  public void observe(QueryObserver observer) {
    this.observer = observer;
  }

  private void respond(Answer a, WireQuery q, QueryContext ctx, int limit,
      ByteBufAllocator alloc, Sink sink, boolean sync) {
    Transport transport = ctx == null ? Transport.UDP : ctx.transport;
    QueryObserver obs = observer;
    if (a.dropped()) {
      if (ctx != null) {
        metrics.record(transport, -1, AnswerSource.DROPPED, -1);
        if (obs != null) {
          notify(obs, ctx, a, null);
        }
      }
      sink.send(null, sync);
      return;
    }
    // A slip is forced into truncation (limit 0): header, question and OPT only.
    int max = a.source() == AnswerSource.SLIPPED ? 0 : limit;
    long now = clockNanos.getAsLong();
    ByteBuf out = writer.write(alloc, q, a.template(), a.ede(), a.fixedTtl(),
        ctx == null ? -1 : ctx.ttlCap, now, max);
    if (ctx != null) {
      metrics.record(transport, a.template().rcode(), a.source(), now - ctx.receivedNanos);
      if (obs != null) {
        notify(obs, ctx, a, out);
      }
    }
    sink.send(out, sync);
  }

  private static void notify(QueryObserver obs, QueryContext ctx, Answer a, ByteBuf out) {
    try {
      obs.answered(ctx, a, out);
    } catch (RuntimeException e) {
      log.warn("query observer failed: {}", e.toString());
    }
  }
}
