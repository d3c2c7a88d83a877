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

/**
 * Blocks names on the configured lists before the cache, so a list change takes effect on the
 * next query. The lists are an immutable snapshot swapped atomically: a reload never blocks a
 * query and never leaves half a set of lists in place. A blocked name gets NXDOMAIN with EDE 15
 * (Blocked) naming the list and the listed name, so the client, the logs and later the block
 * page tell the same story. An allow rule on any list wins over a block.
 *
 * <p>This is the first, operator-wide policy; per-profile policy (issue 4) replaces the single
 * snapshot with one per profile.
 */
public final class BlocklistStage implements QueryStage {
  private static final ResponseTemplate NXDOMAIN = ResponseTemplate.empty(Rcode.NXDOMAIN);

  private final AtomicReference<List<CompiledList>> lists = new AtomicReference<>(List.of());

  public BlocklistStage(List<CompiledList> initial) {
    replace(initial);
  }

  /** Swaps in a new set of lists; queries in flight finish under the set they started with. */
  public void replace(List<CompiledList> next) {
    lists.set(List.copyOf(next));
  }

  public List<CompiledList> lists() {
    return lists.get();
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    Verdict block = CompiledList.decide(lists.get(), ctx.query.name);
    if (!block.isBlock()) {
      return next.resolve(ctx);
    }
    Ede why = new Ede(Ede.BLOCKED,
        "blocked: " + block.matchedName() + " is on list " + block.listName());
    return CompletableFuture.completedFuture(new Answer(NXDOMAIN, AnswerSource.BLOCKED, why, -1));
  }
}
