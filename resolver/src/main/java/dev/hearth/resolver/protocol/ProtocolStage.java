package dev.hearth.resolver.protocol;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.WireQuery;
import java.util.concurrent.CompletableFuture;

/**
 * Answers what a forwarding resolver must not forward: unknown EDNS versions (BADVERS, RFC 6891),
 * zone transfers (REFUSED), classes other than IN, meta types, and ANY (a minimal RFC 8482
 * answer, which also removes the classic amplification query).
 */
public final class ProtocolStage implements QueryStage {
  static final int AXFR = 252;
  static final int IXFR = 251;
  static final int MAILB = 253;
  static final int MAILA = 254;
  static final int ANY = 255;
  static final int OPT = 41;
  static final int CLASS_IN = 1;

  private static final CompletableFuture<Answer> BADVERS =
      CompletableFuture.completedFuture(Answer.error(Rcode.BADVERS, null));
  private static final CompletableFuture<Answer> TRANSFER_REFUSED = CompletableFuture.completedFuture(
      Answer.error(Rcode.REFUSED, new Ede(Ede.PROHIBITED, "zone transfers are not served")));
  private static final CompletableFuture<Answer> CLASS_REFUSED = CompletableFuture.completedFuture(
      Answer.error(Rcode.REFUSED, new Ede(Ede.NOT_SUPPORTED, "only class IN is served")));
  private static final CompletableFuture<Answer> OBSOLETE = CompletableFuture.completedFuture(
      Answer.error(Rcode.NOTIMP, new Ede(Ede.NOT_SUPPORTED, "obsolete query type")));
  private static final CompletableFuture<Answer> META = CompletableFuture.completedFuture(
      Answer.error(Rcode.FORMERR, new Ede(Ede.OTHER, "meta type in question")));
  private static final CompletableFuture<Answer> MINIMAL_ANY = CompletableFuture.completedFuture(
      new Answer(ResponseTemplate.rfc8482(3600), AnswerSource.LOCAL, null, 3600));

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    WireQuery q = ctx.query;
    if (q.edns && q.ednsVersion != 0) {
      return BADVERS;
    }
    if (q.qclass != CLASS_IN) {
      return CLASS_REFUSED;
    }
    switch (q.qtype) {
      case AXFR:
      case IXFR:
        return TRANSFER_REFUSED;
      case MAILA:
      case MAILB:
        return OBSOLETE;
      case OPT:
        return META;
      case ANY:
        return MINIMAL_ANY;
      default:
        return next.resolve(ctx);
    }
  }
}
