package dev.hearth.resolver.pipeline;

import dev.hearth.resolver.wire.WireQuery;
import java.net.InetSocketAddress;

/**
 * One query on its way through the pipeline: what was asked, by whom, over what. Later stages
 * (client identification, policy) add what they learn here, so every stage after them and the
 * final answer can tell the same story.
 */
public final class QueryContext {
  public final WireQuery query;
  public final InetSocketAddress client;
  public final Transport transport;
  public final long receivedNanos;

  public QueryContext(WireQuery query, InetSocketAddress client, Transport transport,
      long receivedNanos) {
    this.query = query;
    this.client = client;
    this.transport = transport;
    this.receivedNanos = receivedNanos;
  }
}
