package dev.hearth.resolver.pipeline;

import java.util.concurrent.CompletableFuture;

/**
 * One step of the query path with one job (access control, protocol rules, cache, upstream...).
 * A stage either answers the query itself or passes it on with {@code next.resolve(query)};
 * it may also look at or replace what the rest of the chain answered. Stages run on the event
 * loop and must never block: anything slow completes the future later.
 */
public interface QueryStage {
  CompletableFuture<Answer> resolve(QueryContext query, Next next);

  /** The rest of the pipeline after a stage. */
  interface Next {
    CompletableFuture<Answer> resolve(QueryContext query);
  }
}
