package dev.hearth.resolver.client;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Works out who is asking ({@link ClientDirectory#identify}: token, MAC, CPE id, trusted Client
 * Subnet, source address, default; those the query's listener allows) and records it on the
 * query for the policy stage. It never answers and never refuses: an unidentified client gets the
 * listener's or the overall default profile.
 */
public final class ClientIdentificationStage implements QueryStage {
  private final Supplier<ClientDirectory> directory;
  private final AddressBindings bindings;

  public ClientIdentificationStage(Supplier<ClientDirectory> directory, AddressBindings bindings) {
    this.directory = directory;
    this.bindings = bindings;
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    ClientDirectory dir = directory.get();
    String token = ctx.transport == dev.hearth.resolver.pipeline.Transport.DOT
        ? dir.tokenFromHostLabel(ctx.profileToken) : ctx.profileToken;
    ctx.identity = dir.identify(token,
        ClientOptions.parse(ctx.query.ednsOptions), ctx.client.getAddress(), bindings,
        ctx.local);
    return next.resolve(ctx);
  }
}
