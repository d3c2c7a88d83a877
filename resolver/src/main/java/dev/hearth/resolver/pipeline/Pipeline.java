package dev.hearth.resolver.pipeline;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The query path: stages chained in order, the way Netty chains handlers. The links are built
 * once, so passing a query along allocates nothing. The last stage must answer every query
 * (the upstream stage does); falling off the end is a programming error answered with SERVFAIL.
 */
public final class Pipeline {
  private final List<QueryStage> stages;
  private final QueryStage.Next head;

  public Pipeline(List<QueryStage> stages) {
    this.stages = List.copyOf(stages);
    QueryStage.Next next = q -> CompletableFuture.completedFuture(
        Answer.error(dev.hearth.resolver.wire.Rcode.SERVFAIL,
            new dev.hearth.resolver.wire.Ede(dev.hearth.resolver.wire.Ede.OTHER, "no stage answered")));
    for (int i = this.stages.size() - 1; i >= 0; i--) {
      QueryStage stage = this.stages.get(i);
      QueryStage.Next rest = next;
      next = q -> stage.resolve(q, rest);
    }
    head = next;
  }

  public CompletableFuture<Answer> resolve(QueryContext query) {
    return head.resolve(query);
  }

  public List<QueryStage> stages() {
    return stages;
  }

  /** Finds a stage by type, e.g. the cache for metrics. */
  public <T extends QueryStage> T stage(Class<T> type) {
    for (QueryStage s : stages) {
      if (type.isInstance(s)) {
        return type.cast(s);
      }
    }
    throw new IllegalArgumentException("no " + type.getSimpleName() + " in the pipeline");
  }
}
