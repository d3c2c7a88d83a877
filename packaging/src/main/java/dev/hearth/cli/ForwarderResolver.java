package dev.hearth.cli;

import dev.hearth.resolver.upstream.Forwarder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TSIG;

/**
 * A dnsjava {@link Resolver} that asks Hearth's own upstreams through the {@link Forwarder}, so
 * Hearth's lookups for itself (an appeal's site proof) travel like clients' queries: over DNS
 * over TLS or HTTPS when the upstreams are encrypted, never in clear text beside them.
 */
final class ForwarderResolver implements Resolver {
  private final Forwarder forwarder;
  private Duration timeout = Duration.ofSeconds(5);

  ForwarderResolver(Forwarder forwarder) {
    this.forwarder = forwarder;
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query) {
    Record q = query.getQuestion();
    if (q == null) {
      return CompletableFuture.failedFuture(new IOException("no question"));
    }
    byte[] name = q.getName().toWireCanonical();
    ByteBuffer question = ByteBuffer.allocate(name.length + 4);
    question.put(name).putShort((short) q.getType()).putShort((short) q.getDClass());
    return forwarder.resolve(question.array()).thenApply(reply -> {
      Message m = reply.message();
      m.getHeader().setID(query.getHeader().getID());
      return m;
    });
  }

  @Override
  public CompletionStage<Message> sendAsync(Message query, Executor executor) {
    return sendAsync(query);
  }

  @Override
  public Message send(Message query) throws IOException {
    try {
      return sendAsync(query).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(e.getCause() == null ? e : e.getCause());
    }
  }

  @Override
  public void setPort(int port) {}

  @Override
  public void setTCP(boolean flag) {}

  @Override
  public void setIgnoreTruncation(boolean flag) {}

  @Override
  public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {}

  @Override
  public void setTSIGKey(TSIG key) {}

  @Override
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public Duration getTimeout() {
    return timeout;
  }
}
