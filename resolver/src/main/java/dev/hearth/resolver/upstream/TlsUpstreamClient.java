package dev.hearth.resolver.upstream;

import dev.hearth.resolver.server.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;

/**
 * What DNS over TLS and DNS over HTTPS upstream clients share: a few persistent TLS connections
 * per upstream (certificate and host name verified, TLS 1.2+, sessions resumed through the JDK's
 * client session cache), many queries in flight on each, idle connections closed after a while
 * and reopened on demand. A query that was on a connection the server closed before answering
 * (typically an idle close racing with a new query) is sent once more on a fresh connection, so
 * the server's idle timeout never shows up as a client's SERVFAIL.
 */
abstract class TlsUpstreamClient implements AutoCloseable {
  /** Connections per upstream; a new one opens only when the others are busy. */
  static final int CONNECTIONS_PER_UPSTREAM = 3;
  /** Queries in flight on one connection before another is opened. */
  static final int BUSY = 64;
  private static final int CONNECT_TIMEOUT_MS = 5_000;

  final EventLoopGroup group;
  private final int idleSeconds;
  private final ConcurrentHashMap<UpstreamSpec, Pool> pools = new ConcurrentHashMap<>();
  final LongAdder connectionsOpened = new LongAdder();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile boolean closed;

  TlsUpstreamClient(EventLoopGroup group, int idleSeconds) {
    this.group = group;
    this.idleSeconds = idleSeconds;
  }

  /** ALPN protocols to offer, or none. */
  abstract String[] alpn();

  /** After the handshake, on the connection's event loop: set up the protocol's handlers. */
  abstract void onHandshake(Conn c, SslHandler ssl) throws UpstreamError;

  /** Sends {@code p} on {@code c}, which is ready; the subclass puts it in {@code c.inflight}. */
  abstract void write(Conn c, Pending p);

  /** The query gave up (timeout): let go of what it holds on its connection. */
  void abandon(Pending p) {
    Conn c = p.conn;
    if (c != null) {
      c.inflight.remove(p.key, p);
    }
  }

  /** The most queries that were in flight at once on one connection (pipelining at work). */
  int maxInFlight() {
    return maxInFlight.get();
  }

  CompletableFuture<byte[]> send(UpstreamSpec spec, UpstreamQuery query, long timeoutMillis) {
    CompletableFuture<byte[]> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new UpstreamError("shutting down"));
      return future;
    }
    Pool pool;
    try {
      pool = pools.computeIfAbsent(spec, Pool::new);
    } catch (UncheckedUpstreamError e) {
      future.completeExceptionally(e.getCause());
      return future;
    }
    Pending p = new Pending(pool, query, future);
    group.next().schedule(() -> {
      if (future.completeExceptionally(new StacklessTimeout())) {
        abandon(p);
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    pool.dispatch(p);
    return future;
  }

  /** Sends {@code p} again on another connection if it has not been retried yet, else fails it. */
  void retryOrFail(Pending p, UpstreamError why) {
    if (p.future.isDone()) {
      return;
    }
    if (!p.retried && !closed) {
      p.retried = true;
      p.pool.dispatch(p);
    } else {
      p.future.completeExceptionally(why);
    }
  }

  void noteInFlight(Conn c) {
    maxInFlight.accumulateAndGet(c.inflight.size(), Math::max);
  }

  @Override
  public void close() {
    closed = true;
    for (Pool pool : pools.values()) {
      for (int i = 0; i < pool.slots.length(); i++) {
        Conn c = pool.slots.get(i);
        if (c != null && c.channel != null) {
          c.channel.close();
        }
      }
    }
  }

  /** One query on its way: which pool, and (once written) which connection and key. */
  static final class Pending {
    final Pool pool;
    final UpstreamQuery query;
    final CompletableFuture<byte[]> future;
    volatile boolean retried;
    volatile Conn conn;
    volatile int key;
    volatile Channel stream;

    Pending(Pool pool, UpstreamQuery query, CompletableFuture<byte[]> future) {
      this.pool = pool;
      this.query = query;
      this.future = future;
    }
  }

  /** The connections to one upstream, and its TLS context (which holds its session cache). */
  final class Pool {
    final UpstreamSpec spec;
    final SslContext ssl;
    final AtomicReferenceArray<Conn> slots = new AtomicReferenceArray<>(CONNECTIONS_PER_UPSTREAM);

    Pool(UpstreamSpec spec) {
      this.spec = spec;
      try {
        SslContextBuilder b = SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols("TLSv1.3", "TLSv1.2")
            .endpointIdentificationAlgorithm("HTTPS");
        if (spec.caFile() != null) {
          b.trustManager(spec.caFile().toFile());
        }
        if (alpn().length > 0) {
          b.applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn()));
        }
        ssl = b.build();
      } catch (SSLException | IllegalArgumentException e) {
        throw new UncheckedUpstreamError(new UpstreamError("TLS set-up failed", e));
      }
    }

    void dispatch(Pending p) {
      if (p.future.isDone()) {
        return;
      }
      Conn c = pick();
      c.ready.whenComplete((ok, error) -> {
        if (error != null) {
          p.future.completeExceptionally(error);
        } else if (!p.future.isDone()) {
          write(c, p);
        }
      });
    }

    /** The least busy open connection, or a new one when all open ones are busy. */
    private Conn pick() {
      for (int attempt = 0; ; attempt++) {
        Conn best = null;
        int free = -1;
        for (int i = 0; i < slots.length(); i++) {
          Conn c = slots.get(i);
          if (c == null || c.closing) {
            free = free < 0 ? i : free;
          } else if (best == null || c.inflight.size() < best.inflight.size()) {
            best = c;
          }
        }
        if (best != null && (best.inflight.size() < BUSY || free < 0)) {
          return best;
        }
        if (free >= 0) {
          Conn old = slots.get(free);
          if (old == null || old.closing) {
            Conn fresh = new Conn(this, free);
            if (slots.compareAndSet(free, old, fresh)) {
              fresh.open();
              return fresh;
            }
          }
        }
        if (attempt > 8 && best != null) {
          return best;
        }
      }
    }
  }

  /** One TLS connection and the queries in flight on it, by key (DoT: the DNS ID we sent). */
  final class Conn {
    final Pool pool;
    final int slot;
    final CompletableFuture<Conn> ready = new CompletableFuture<>();
    final ConcurrentHashMap<Integer, Pending> inflight = new ConcurrentHashMap<>();
    volatile boolean closing;
    volatile Channel channel;

    Conn(Pool pool, int slot) {
      this.pool = pool;
      this.slot = slot;
    }

    UpstreamSpec spec() {
      return pool.spec;
    }

    /** Adds a protocol handler after TLS, before the last-resort error handler. */
    void add(io.netty.channel.ChannelHandler h) {
      channel.pipeline().addBefore("errors", null, h);
    }

    void open() {
      UpstreamSpec spec = pool.spec;
      Bootstrap b = new Bootstrap()
          .group(group)
          .channel(Transports.socketChannel())
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
          .option(ChannelOption.TCP_NODELAY, true)
          // Our closed connections linger in TIME_WAIT on their local port; with SO_REUSEADDR
          // they do not stop a server from binding that port meanwhile.
          .option(ChannelOption.SO_REUSEADDR, true)
          .handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
              ch.pipeline().addLast("ssl",
                  pool.ssl.newHandler(ch.alloc(), spec.verifyName(), spec.address().getPort()));
              ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleSeconds));
              ch.pipeline().addLast("idle-close", new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                  if (evt instanceof IdleStateEvent && inflight.isEmpty()) {
                    closing = true;
                    ctx.close();
                  } else {
                    ctx.fireUserEventTriggered(evt);
                  }
                }
              });
              ch.pipeline().addLast("errors", new ChannelInboundHandlerAdapter() {
                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                  // TLS or framing errors: the handshake future or the close reports them.
                  ctx.close();
                }
              });
            }
          });
      connectionsOpened.increment();
      ChannelFuture cf = b.connect(spec.address());
      channel = cf.channel();
      channel.closeFuture().addListener(x -> closed());
      cf.addListener(f -> {
        if (!f.isSuccess()) {
          fail(new UpstreamError("connection failed", f.cause()));
          return;
        }
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        ssl.handshakeFuture().addListener(h -> {
          if (!h.isSuccess()) {
            fail(UpstreamError.tls(h.cause()));
            return;
          }
          try {
            onHandshake(this, ssl);
            ready.complete(this);
          } catch (UpstreamError e) {
            fail(e);
          }
        });
      });
    }

    private void fail(UpstreamError e) {
      closing = true;
      ready.completeExceptionally(e);
      channel.close();
    }

    private void closed() {
      closing = true;
      pool.slots.compareAndSet(slot, this, null);
      // After the connect and handshake listeners, which know better why it closed.
      channel.eventLoop().execute(
          () -> ready.completeExceptionally(new UpstreamError("connection closed")));
      for (var e : inflight.entrySet()) {
        if (inflight.remove(e.getKey(), e.getValue())) {
          retryOrFail(e.getValue(), new UpstreamError("connection closed"));
        }
      }
    }
  }

  /** A timeout without a stack trace: they are routine. */
  static final class StacklessTimeout extends TimeoutException {
    StacklessTimeout() {
      super("timeout");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  /** Carries an {@link UpstreamError} out of {@code computeIfAbsent}. */
  static final class UncheckedUpstreamError extends RuntimeException {
    UncheckedUpstreamError(UpstreamError e) {
      super(e);
    }
  }
}
