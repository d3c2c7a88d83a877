package dev.hearth.resolver.server;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.Pipeline;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.wire.MalformedMessageException;
import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.ResponseWriter;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What UDP and TCP listeners share: parse, run the pipeline, stamp the response. Malformed
 * messages are answered with FORMERR/NOTIMP when they have a header and come from an allowed
 * client, dropped otherwise; either way only that packet is affected.
 */
final class QueryHandler {
  /** Where a finished response goes; {@code sync} says it was produced inside the read call. */
  interface Sink {
    void send(ByteBuf response, boolean sync);
  }

  private final Pipeline pipeline;
  private final ResponseWriter writer;
  private final ClientNetworks allowed;
  private final LongSupplier clockNanos;
  final LongAdder queries = new LongAdder();
  final LongAdder malformed = new LongAdder();

  QueryHandler(Pipeline pipeline, ResponseWriter writer, ClientNetworks allowed,
      LongSupplier clockNanos) {
    this.pipeline = pipeline;
    this.writer = writer;
    this.allowed = allowed;
    this.clockNanos = clockNanos;
  }

  void handle(ByteBuf request, InetSocketAddress client, Transport transport,
      ByteBufAllocator alloc, Sink sink) {
    queries.increment();
    WireQuery q;
    try {
      q = QueryParser.parse(request);
    } catch (MalformedMessageException e) {
      malformed.increment();
      if (e.answerable() && allowed.contains(client.getAddress())) {
        sink.send(ResponseWriter.headerOnly(alloc, request, e.rcode()), true);
      }
      return;
    }
    int limit = transport == Transport.UDP ? writer.udpLimit(q) : 65535;
    CompletableFuture<Answer> f =
        pipeline.resolve(new QueryContext(q, client, transport, clockNanos.getAsLong()));
    Answer now = f.getNow(null);
    if (now != null) {
      respond(now, q, limit, alloc, sink, true);
    } else {
      f.whenComplete((a, error) -> {
        if (a != null) {
          respond(a, q, limit, alloc, sink, false);
        }
      });
    }
  }

  private void respond(Answer a, WireQuery q, int limit, ByteBufAllocator alloc, Sink sink,
      boolean sync) {
    if (a.dropped()) {
      return;
    }
    sink.send(writer.write(alloc, q, a.template(), a.ede(), a.fixedTtl(), clockNanos.getAsLong(),
        limit), sync);
  }
}
