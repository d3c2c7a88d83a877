package dev.hearth.resolver.upstream;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;

/**
 * The last stage: asks the upstreams. Always answers, so the chain never runs dry: a failure
 * becomes SERVFAIL with an Extended DNS Error that names what went wrong at which server.
 */
public final class UpstreamStage implements QueryStage {
  private final Forwarder forwarder;
  private final ResolverConfig.Cache policy;
  private final LongSupplier clockNanos;

  public UpstreamStage(Forwarder forwarder, ResolverConfig.Cache policy, LongSupplier clockNanos) {
    this.forwarder = forwarder;
    this.policy = policy;
    this.clockNanos = clockNanos;
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    return forwarder.forward(ctx.query).handle((reply, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error;
        if (cause instanceof UpstreamFailure f) {
          return Answer.error(Rcode.SERVFAIL, new Ede(f.edeCode(), f.getMessage()));
        }
        return Answer.error(Rcode.SERVFAIL, new Ede(Ede.OTHER, "internal error"));
      }
      try {
        return Answer.of(UpstreamReplies.toTemplate(reply.message(), ctx.query,
            reply.from().spec().validating(), policy, clockNanos.getAsLong()), AnswerSource.UPSTREAM);
      } catch (RuntimeException e) {
        return Answer.error(Rcode.SERVFAIL, new Ede(Ede.OTHER, "unusable upstream reply"));
      }
    });
  }

  public Forwarder forwarder() {
    return forwarder;
  }
}
