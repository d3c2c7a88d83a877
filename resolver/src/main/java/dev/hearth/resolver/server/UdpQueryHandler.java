package dev.hearth.resolver.server;

import dev.hearth.resolver.pipeline.Transport;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;

/**
 * UDP listener handler. Answers produced while reading (cache hits) are written without a flush
 * and flushed once per read batch; answers that complete later are flushed at once.
 */
@ChannelHandler.Sharable
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {
  private final QueryHandler handler;

  UdpQueryHandler(QueryHandler handler) {
    this.handler = handler;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    handler.handle(packet.content(), packet.sender(), packet.recipient(), Transport.UDP,
        ctx.alloc(),
        (response, sync) -> {
          if (response == null) {
            return;
          }
          DatagramPacket out = new DatagramPacket(response, packet.sender());
          if (sync) {
            ctx.write(out, ctx.voidPromise());
          } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
          }
        });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A send error for one client (e.g. ICMP unreachable) must not close the listener.
  }
}
