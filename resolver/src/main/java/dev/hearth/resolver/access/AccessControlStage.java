package dev.hearth.resolver.access;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import java.util.concurrent.CompletableFuture;

/**
 * First stage: only configured client networks are served, so Hearth is never an open resolver.
 * Others get REFUSED with EDE 18 (Prohibited), or nothing at all when the operator prefers
 * silence (which also denies attackers a reflection source).
 */
public final class AccessControlStage implements QueryStage {
  private static final CompletableFuture<Answer> REFUSED = CompletableFuture.completedFuture(
      Answer.error(Rcode.REFUSED, new Ede(Ede.PROHIBITED, "client network not allowed")));
  private static final CompletableFuture<Answer> DROPPED =
      CompletableFuture.completedFuture(Answer.drop());

  private final ClientNetworks allowed;
  private final boolean drop;

  public AccessControlStage(ClientNetworks allowed, boolean drop) {
    this.allowed = allowed;
    this.drop = drop;
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext query, Next next) {
    if (allowed.contains(query.client.getAddress())) {
      return next.resolve(query);
    }
    return drop ? DROPPED : REFUSED;
  }
}
