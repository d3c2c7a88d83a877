package dev.hearth.resolver.policy;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.MalformedMessageException;
import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.WireQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Enforced SafeSearch, after the policy and before the cache: for a profile with SafeSearch on,
 * a listed name ({@code www.google.com}) is answered with a CNAME to the engine's locked-down host
 * ({@code forcesafesearch.google.com}) followed by that host's records of the asked type, looked
 * up through the cache and upstreams like any other name. Every type is rewritten (HTTPS records
 * too, whose address hints would otherwise lead around the rewrite). Names of other profiles go
 * on unchanged, and the shared cache only ever holds the target's own answer.
 */
public final class SafeSearchStage implements QueryStage {
  /** TTL of the synthesized CNAME, at most (the target's own records keep theirs). */
  static final int CNAME_TTL = 300;

  private final Supplier<SafeSearch> table;

  public SafeSearchStage(Supplier<SafeSearch> table) {
    this.table = table;
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    PolicyDecision d = ctx.decision;
    if (d == null || d.block() || d.profile().safeSearch() == SafeSearch.Mode.OFF) {
      return next.resolve(ctx);
    }
    String target = table.get().target(
        dev.hearth.blocklists.DomainNames.fromWire(ctx.query.name, 0), d.profile().safeSearch());
    if (target == null) {
      return next.resolve(ctx);
    }
    WireQuery tq;
    try {
      tq = QueryParser.parse(query(target, ctx.query.qtype));
    } catch (MalformedMessageException e) {
      return next.resolve(ctx); // cannot happen for a normalised name; never fail the query
    }
    QueryContext tctx = new QueryContext(tq, ctx.client, ctx.transport, ctx.receivedNanos);
    tctx.identity = ctx.identity;
    tctx.decision = d;
    return next.resolve(tctx).thenApply(a -> withCname(a, target, ctx.receivedNanos));
  }

  private static byte[] query(String name, int qtype) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    b.writeBytes(dev.hearth.blocklists.DomainNames.toWire(name));
    b.write(qtype >> 8);
    b.write(qtype);
    b.write(0);
    b.write(DClass.IN);
    return b.toByteArray();
  }

  /** The asked name as a CNAME to {@code target}, then the target's answer records. */
  static Answer withCname(Answer a, String target, long nowNanos) {
    if (a.template() == null) {
      return a;
    }
    Message m;
    try {
      m = a.template().toMessage();
    } catch (IOException e) {
      return a;
    }
    long remaining = Math.max(0, a.template().remaining(nowNanos));
    int cnameTtl = (int) Math.min(CNAME_TTL, remaining);
    List<Record> answers = new ArrayList<>(m.getSection(Section.ANSWER));
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    w.writeBytes(new byte[12]);
    List<Integer> ttlOffsets = new ArrayList<>();
    List<Integer> ttls = new ArrayList<>();
    byte[] targetWire = Name.fromConstantString(target + ".").toWire();
    w.write(0xc0);
    w.write(12); // the asked name, as the client wrote it in the question
    w.write(Type.CNAME >> 8);
    w.write(Type.CNAME);
    w.write(0);
    w.write(DClass.IN);
    ttlOffsets.add(w.size());
    ttls.add(cnameTtl);
    w.writeBytes(new byte[4]);
    w.write(targetWire.length >> 8);
    w.write(targetWire.length);
    w.writeBytes(targetWire);
    for (Record r : answers) {
      int start = w.size();
      w.writeBytes(r.toWire(Section.ANSWER));
      ttlOffsets.add(start + r.getName().length() + 4);
      ttls.add((int) Math.min(r.getTTL(), Math.max(remaining, 0)));
    }
    byte[] wire = w.toByteArray();
    int count = 1 + answers.size();
    wire[6] = (byte) (count >> 8);
    wire[7] = (byte) count;
    return new Answer(new ResponseTemplate(wire, 12,
        ttlOffsets.stream().mapToInt(Integer::intValue).toArray(),
        ttls.stream().mapToInt(Integer::intValue).toArray(), m.getRcode(), false, cnameTtl,
        nowNanos), a.source(), a.ede(), a.fixedTtl());
  }
}
