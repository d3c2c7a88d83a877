package dev.hearth.resolver.upstream;

import dev.hearth.resolver.server.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends queries to upstreams over UDP from a pool of sockets on kernel-chosen random ports, each
 * replaced after a few hundred queries, with a random ID per query. A reply is accepted only if it comes from the queried address and port,
 * carries a pending ID on that socket and repeats the question; anything else is ignored (and
 * counted), which is what makes blind spoofing need to guess port and ID together.
 */
final class UdpUpstreamClient implements AutoCloseable {
  private static final TimeoutException TIMEOUT = new TimeoutException("timeout") {
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  };

  /** Queries a socket carries before it is replaced by one on a new random port. */
  static final int QUERIES_PER_PORT = 200;
  /** How long a retired socket keeps listening for replies to the queries it sent. */
  private static final long RETIRE_AFTER_MS = 10_000;

  private final EventLoopGroup group;
  private final AtomicReferenceArray<Socket> sockets;
  final LongAdder rejectedReplies = new LongAdder();
  final LongAdder portsUsed = new LongAdder();
  private volatile boolean closed;

  UdpUpstreamClient(EventLoopGroup group, int socketCount) throws InterruptedException {
    this.group = group;
    sockets = new AtomicReferenceArray<>(socketCount);
    for (int i = 0; i < socketCount; i++) {
      Socket s = new Socket();
      s.channel = bootstrap(s).bind(new InetSocketAddress(0)).sync().channel();
      portsUsed.increment();
      sockets.set(i, s);
    }
  }

  private Bootstrap bootstrap(Socket s) {
    return new Bootstrap()
        .group(group)
        .channel(Transports.datagramChannel())
        // Room for the largest reply we invite (EDNS size is at most 4096); Netty's default
        // 2048 would silently cut bigger replies.
        .option(io.netty.channel.ChannelOption.RCVBUF_ALLOCATOR,
            new io.netty.channel.FixedRecvByteBufAllocator(8192))
        .handler(new ReplyHandler(s));
  }

  /**
   * Replaces slot {@code i} with a socket on a fresh kernel-chosen port, so the set of ports an
   * off-path attacker would have to hit keeps moving (as Unbound picks a port per query). The old
   * socket stays open long enough to receive the replies it is still waiting for.
   */
  private void rotate(int i, Socket old) {
    Socket fresh = new Socket();
    bootstrap(fresh).bind(new InetSocketAddress(0)).addListener(f -> {
      if (!f.isSuccess() || closed) {
        old.rotating.set(false);
        return;
      }
      fresh.channel = ((io.netty.channel.ChannelFuture) f).channel();
      portsUsed.increment();
      if (sockets.compareAndSet(i, old, fresh)) {
        old.channel.eventLoop().schedule(() -> old.channel.close(), RETIRE_AFTER_MS,
            TimeUnit.MILLISECONDS);
      } else {
        fresh.channel.close();
      }
    });
  }

  /** Sends {@code query} to {@code server}; the future fails with a TimeoutException after the timeout. */
  CompletableFuture<byte[]> send(InetSocketAddress server, UpstreamQuery query, long timeoutMillis) {
    int slot = ThreadLocalRandom.current().nextInt(sockets.length());
    Socket s = sockets.get(slot);
    if (s.sent.incrementAndGet() >= QUERIES_PER_PORT && s.rotating.compareAndSet(false, true)) {
      rotate(slot, s);
    }
    Pending p = new Pending(server, query);
    int id;
    do {
      id = UpstreamQuery.randomId();
    } while (s.pending.putIfAbsent(id, p) != null);
    int finalId = id;
    Channel ch = s.channel;
    ch.writeAndFlush(new DatagramPacket(query.encode(ch.alloc(), id), server)).addListener(f -> {
      if (!f.isSuccess() && s.pending.remove(finalId, p)) {
        p.future.completeExceptionally(f.cause());
      }
    });
    ch.eventLoop().schedule(() -> {
      if (s.pending.remove(finalId, p)) {
        p.future.completeExceptionally(TIMEOUT);
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    return p.future;
  }

  @Override
  public void close() {
    closed = true;
    for (int i = 0; i < sockets.length(); i++) {
      Socket s = sockets.get(i);
      if (s != null && s.channel != null) {
        s.channel.close();
      }
    }
  }

  private static final class Socket {
    final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicBoolean rotating = new java.util.concurrent.atomic.AtomicBoolean();
    volatile Channel channel;
  }

  private record Pending(InetSocketAddress server, UpstreamQuery query, CompletableFuture<byte[]> future) {
    Pending(InetSocketAddress server, UpstreamQuery query) {
      this(server, query, new CompletableFuture<>());
    }
  }

  private final class ReplyHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Socket socket;

    ReplyHandler(Socket socket) {
      this.socket = socket;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      ByteBuf content = packet.content();
      if (content.readableBytes() < 12) {
        rejectedReplies.increment();
        return;
      }
      int id = content.getUnsignedShort(content.readerIndex());
      Pending p = socket.pending.get(id);
      if (p == null || !UpstreamQuery.sameEndpoint(p.server, packet.sender())
          || !p.query.matches(content)) {
        rejectedReplies.increment();
        return;
      }
      if (socket.pending.remove(id, p)) {
        p.future.complete(ByteBufUtil.getBytes(content));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // ICMP errors and the like: the pending query times out on its own.
    }
  }
}
