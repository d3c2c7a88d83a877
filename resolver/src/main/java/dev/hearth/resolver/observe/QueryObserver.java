package dev.hearth.resolver.observe;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import io.netty.buffer.ByteBuf;

/**
 * Something that sees each answered query after the fact: the optional query log and dnstap.
 * Called on the I/O thread that answers, so an observer must only hand the facts to its own
 * bounded queue and return (drop and count when full, never block a query).
 */
public interface QueryObserver {
  /**
   * One finished query.
   *
   * @param ctx the query and what the pipeline learnt about it (client identity, decision)
   * @param answer what was answered
   * @param response the response about to be sent (read it, do not keep or release it), or null
   *     when nothing is sent
   */
  void answered(QueryContext ctx, Answer answer, ByteBuf response);

  /** Both observers, in order; null stands for none. */
  static QueryObserver both(QueryObserver a, QueryObserver b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return (ctx, answer, response) -> {
      a.answered(ctx, answer, response);
      b.answered(ctx, answer, response);
    };
  }
}
