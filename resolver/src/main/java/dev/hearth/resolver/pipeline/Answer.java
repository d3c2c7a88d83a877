package dev.hearth.resolver.pipeline;

import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.ResponseTemplate;

/**
 * The outcome of a query: the response to stamp, where it came from and why (EDE). Keeping the
 * reason on the answer is what lets logs, EDE text and (later) the block page agree.
 *
 * @param fixedTtl TTL to put on every record instead of counting down, or -1
 */
public record Answer(ResponseTemplate template, AnswerSource source, Ede ede, int fixedTtl) {

  private static final Answer DROP = new Answer(null, AnswerSource.DROPPED, null, -1);
  private static final Answer SLIP = new Answer(
      ResponseTemplate.empty(dev.hearth.resolver.wire.Rcode.NOERROR), AnswerSource.SLIPPED, null, -1);

  public static Answer of(ResponseTemplate template, AnswerSource source) {
    return new Answer(template, source, null, -1);
  }

  public static Answer error(int rcode, Ede ede) {
    return new Answer(ResponseTemplate.empty(rcode), AnswerSource.LOCAL, ede, -1);
  }

  /** Load shedding: REFUSED, saying why, so the client moves on to another server. */
  public static Answer shed(Ede ede) {
    return new Answer(ResponseTemplate.empty(dev.hearth.resolver.wire.Rcode.REFUSED),
        AnswerSource.SHED, ede, -1);
  }

  public static Answer drop() {
    return DROP;
  }

  /** A rate-limited client gets an empty reply with TC set, inviting a retry over TCP. */
  public static Answer slip() {
    return SLIP;
  }

  public boolean dropped() {
    return source == AnswerSource.DROPPED;
  }
}
