package dev.hearth.resolver.policy;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.Verdict;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Ede;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Blocks names on the configured lists before the cache, so a list change takes effect on the
 * next query. The lists are an immutable snapshot swapped atomically: a reload never blocks a
 * query and never leaves half a set of lists in place.
 *
 * <p>A blocked name is answered as its rule says (NXDOMAIN by default; RPZ rules may ask for
 * NODATA, a drop, or their own records) with an Extended DNS Error naming the list, its category
 * and version and the rule's line, so the client, the logs and later the block page tell the same
 * story. Locked legal lists get EDE 16 (Censored) and name only the list and category; other lists
 * EDE 15 (Blocked). A host on which only some URLs are listed is not blocked here (that would
 * over-block a shared host); it resolves normally and is counted.
 *
 * <p>This is the first, operator-wide policy; per-profile policy (issue 4) replaces the single
 * snapshot with one per profile.
 */
public final class BlocklistStage implements QueryStage {
  private static final ResponseTemplate NXDOMAIN = ResponseTemplate.empty(Rcode.NXDOMAIN);
  private static final ResponseTemplate NODATA = ResponseTemplate.empty(Rcode.NOERROR);
  /** TTL of local-data answers: short, so a corrected list or an upheld appeal shows quickly. */
  static final int LOCAL_DATA_TTL = 60;
  static final int VERDICT_CACHE_SIZE = 100_000;

  private final AtomicReference<VerdictCache> lists;
  private final LongAdder blocked = new LongAdder();
  private final LongAdder urlLevel = new LongAdder();

  public BlocklistStage(List<CompiledList> initial) {
    lists = new AtomicReference<>(new VerdictCache(initial, VERDICT_CACHE_SIZE));
  }

  /** Swaps in a new set of lists; queries in flight finish under the set they started with. */
  public void replace(List<CompiledList> next) {
    lists.set(new VerdictCache(next, VERDICT_CACHE_SIZE));
  }

  public List<CompiledList> lists() {
    return lists.get().lists();
  }

  /** Queries answered with a block so far. */
  public long blockedCount() {
    return blocked.sum();
  }

  /** Queries for hosts that have URL-level entries only (resolved, not blocked). */
  public long urlLevelCount() {
    return urlLevel.sum();
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    Verdict v = lists.get().decide(ctx.query.name);
    if (!v.isBlock()) {
      if (v.isUrlLevel()) {
        urlLevel.increment();
      }
      return next.resolve(ctx);
    }
    blocked.increment();
    Ede why = new Ede(v.locked() ? Ede.CENSORED : Ede.BLOCKED, v.describe());
    switch (v.blockAction()) {
      case DROP:
        return CompletableFuture.completedFuture(Answer.drop());
      case NODATA:
        return CompletableFuture.completedFuture(
            new Answer(NODATA, AnswerSource.BLOCKED, why, -1));
      case LOCAL_DATA:
        return CompletableFuture.completedFuture(new Answer(
            LocalData.answer(v.localData(), ctx.query.name, ctx.query.qtype, LOCAL_DATA_TTL),
            AnswerSource.BLOCKED, why, LOCAL_DATA_TTL));
      default:
        return CompletableFuture.completedFuture(
            new Answer(NXDOMAIN, AnswerSource.BLOCKED, why, -1));
    }
  }
}
