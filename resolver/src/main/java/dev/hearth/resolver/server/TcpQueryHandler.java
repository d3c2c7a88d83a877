package dev.hearth.resolver.server;

import dev.hearth.resolver.pipeline.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;

/**
 * One TCP connection (RFC 7766): many queries, pipelined, each answered as soon as it completes
 * (so a slow upstream answer does not hold back cached ones), closed when idle.
 */
final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private final QueryHandler handler;

  TcpQueryHandler(QueryHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
    handler.handle(frame, client, Transport.TCP, ctx.alloc(), (response, sync) -> {
      ByteBuf framed = ctx.alloc().ioBuffer(2 + response.readableBytes());
      framed.writeShort(response.readableBytes());
      framed.writeBytes(response);
      response.release();
      if (sync) {
        ctx.write(framed, ctx.voidPromise());
      } else {
        ctx.channel().writeAndFlush(framed, ctx.voidPromise());
      }
    });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
