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
  /**
   * A profile token from encrypted DNS (the DoH path's last segment, the DoT SNI's first label),
   * set by those listeners before the pipeline runs; null for plain DNS.
   */
  public volatile String profileToken;
  /** The listener address the query arrived on (for listener default profiles), or null. */
  public volatile InetSocketAddress local;
  /** Who is asking, set by the client identification stage; null before it runs. */
  public volatile dev.hearth.resolver.client.ClientIdentity identity;
  /**
   * The most seconds a client may cache the answer (the policy's decision may change then, e.g.
   * when bedtime starts), or -1 for no cap; applied to every TTL of the response.
   */
  public volatile int ttlCap = -1;
  /** The policy's decision, set by the policy stage (null before it runs). */
  public volatile dev.hearth.resolver.policy.PolicyDecision decision;

  public QueryContext(WireQuery query, InetSocketAddress client, Transport transport,
      long receivedNanos) {
    this.query = query;
    this.client = client;
    this.transport = transport;
    this.receivedNanos = receivedNanos;
  }
}
