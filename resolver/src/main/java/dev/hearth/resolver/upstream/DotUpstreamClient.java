package dev.hearth.resolver.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslHandler;

/**
 * DNS over TLS (RFC 7858) to upstreams: two-byte length-prefixed messages on persistent TLS
 * connections, pipelined, with replies matched by ID (RFC 7766 section 6.2.1.1: they may come
 * back in any order). Each query gets a fresh random ID unique on its connection, so the
 * client's IDs never reach the upstream and two clients' queries cannot collide.
 */
final class DotUpstreamClient extends TlsUpstreamClient {
  DotUpstreamClient(EventLoopGroup group, int idleSeconds) {
    super(group, idleSeconds);
  }

  @Override
  String[] alpn() {
    return new String[0];
  }

  @Override
  void onHandshake(Conn c, SslHandler ssl) {
    c.add(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2));
    c.add(new SimpleChannelInboundHandler<ByteBuf>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
        if (msg.readableBytes() < 12) {
          return;
        }
        int id = msg.getUnsignedShort(msg.readerIndex());
        Pending p = c.inflight.get(id);
        if (p == null || !c.inflight.remove(id, p)) {
          return; // late: that query timed out already
        }
        if (p.query.matches(msg)) {
          p.future.complete(ByteBufUtil.getBytes(msg));
        } else {
          p.future.completeExceptionally(new UpstreamError("mismatched reply"));
        }
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Decoding or TLS errors: the connection is unusable; its queries are retried elsewhere.
        ctx.close();
      }
    });
  }

  @Override
  void write(Conn c, Pending p) {
    int id;
    do {
      id = UpstreamQuery.randomId();
    } while (c.inflight.putIfAbsent(id, p) != null);
    p.conn = c;
    p.key = id;
    noteInFlight(c);
    int key = id;
    ByteBuf q = p.query.encode(c.channel.alloc(), id);
    ByteBuf framed = c.channel.alloc().ioBuffer(2 + q.readableBytes());
    framed.writeShort(q.readableBytes());
    framed.writeBytes(q);
    q.release();
    c.channel.writeAndFlush(framed).addListener(f -> {
      if (!f.isSuccess() && c.inflight.remove(key, p)) {
        retryOrFail(p, new UpstreamError("connection closed", f.cause()));
      }
    });
  }
}
