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
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends queries to upstreams over UDP from a pool of sockets on kernel-chosen random ports, with
 * a random ID per query. A reply is accepted only if it comes from the queried address and port,
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

  private final Socket[] sockets;
  final LongAdder rejectedReplies = new LongAdder();

  UdpUpstreamClient(EventLoopGroup group, int socketCount) throws InterruptedException {
    sockets = new Socket[socketCount];
    for (int i = 0; i < socketCount; i++) {
      Socket s = new Socket();
      Bootstrap b = new Bootstrap()
          .group(group)
          .channel(Transports.datagramChannel())
          .handler(new ReplyHandler(s));
      s.channel = b.bind(new InetSocketAddress(0)).sync().channel();
      sockets[i] = s;
    }
  }

  /** Sends {@code query} to {@code server}; the future fails with a TimeoutException after the timeout. */
  CompletableFuture<byte[]> send(InetSocketAddress server, UpstreamQuery query, long timeoutMillis) {
    Socket s = sockets[ThreadLocalRandom.current().nextInt(sockets.length)];
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
    for (Socket s : sockets) {
      if (s != null && s.channel != null) {
        s.channel.close();
      }
    }
  }

  private static final class Socket {
    final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    Channel channel;
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
