package dev.hearth.resolver.upstream;

import dev.hearth.resolver.server.Transports;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * TCP to an upstream, used when a UDP reply came back truncated. One connection per query keeps
 * it simple and correct; truncation is rare enough (answers over 1232 bytes) that connection
 * reuse can wait for the encrypted upstreams, which need it anyway.
 */
final class TcpUpstreamClient {
  private final EventLoopGroup group;

  TcpUpstreamClient(EventLoopGroup group) {
    this.group = group;
  }

  CompletableFuture<byte[]> send(InetSocketAddress server, UpstreamQuery query, long timeoutMillis) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    int id = UpstreamQuery.randomId();
    Bootstrap b = new Bootstrap()
        .group(group)
        .channel(Transports.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutMillis))
        // We close first, so our side waits in TIME_WAIT; SO_REUSEADDR keeps that from
        // blocking a server that wants to bind the same port meanwhile.
        .option(ChannelOption.SO_REUSEADDR, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2));
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                if (msg.readableBytes() >= 12 && msg.getUnsignedShort(msg.readerIndex()) == id
                    && query.matches(msg)) {
                  result.complete(ByteBufUtil.getBytes(msg));
                  ctx.close();
                }
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                result.completeExceptionally(new IOException("connection closed by " + server));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                result.completeExceptionally(cause);
                ctx.close();
              }
            });
          }
        });
    ChannelFuture connect = b.connect(server);
    // One timer for connect and reply together, so TCP never overruns its budget.
    group.next().schedule(() -> {
      if (result.completeExceptionally(new TimeoutException("tcp timeout"))) {
        connect.channel().close();
      }
    }, timeoutMillis, TimeUnit.MILLISECONDS);
    connect.addListener(f -> {
      if (!f.isSuccess()) {
        result.completeExceptionally(f.cause());
        return;
      }
      Channel ch = connect.channel();
      ByteBuf q = query.encode(ch.alloc(), id);
      ByteBuf framed = ch.alloc().ioBuffer(2 + q.readableBytes());
      framed.writeShort(q.readableBytes());
      framed.writeBytes(q);
      q.release();
      ch.writeAndFlush(framed);
      if (result.isDone()) {
        ch.close();
      }
    });
    return result;
  }
}
