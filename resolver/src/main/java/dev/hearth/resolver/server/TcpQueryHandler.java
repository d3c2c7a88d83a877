package dev.hearth.resolver.server;

import dev.hearth.resolver.pipeline.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection (RFC 7766): many queries, pipelined, each answered as soon as it completes
 * (so a slow upstream answer does not hold back cached ones). Reading pauses while a connection
 * has {@link #MAX_IN_FLIGHT} queries outstanding or its client is not reading its answers, so a
 * single connection can neither fan out without bound nor fill our memory. The connection is
 * closed when it has had no complete query and no outstanding answer for the idle timeout;
 * trickling bytes does not keep it open.
 */
public final class TcpQueryHandler extends SimpleChannelInboundHandler<ByteBuf> {
  static final int MAX_IN_FLIGHT = 64;

  private final QueryHandler handler;
  private final long idleNanos;
  private final Transport transport;
  // Touched only on the channel's event loop.
  private int inFlight;
  private long lastActivity = System.nanoTime();
  private ScheduledFuture<?> idleCheck;

  TcpQueryHandler(QueryHandler handler, long idleMillis) {
    this(handler, idleMillis, Transport.TCP);
  }

  /**
   * For DNS over TLS, which frames queries as TCP does; queries carry the connection's
   * {@link QueryHandler#PROFILE_TOKEN}.
   */
  public TcpQueryHandler(QueryHandler handler, long idleMillis, Transport transport) {
    this.handler = handler;
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(idleMillis);
    this.transport = transport;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    long period = Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos) / 4);
    idleCheck = ctx.executor().scheduleAtFixedRate(() -> {
      if (inFlight == 0 && System.nanoTime() - lastActivity >= idleNanos) {
        ctx.close();
      }
    }, period, period, TimeUnit.MILLISECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    lastActivity = System.nanoTime();
    inFlight++;
    updateReading(ctx);
    InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
    InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
    String token = transport == Transport.TCP ? null
        : ctx.channel().attr(QueryHandler.PROFILE_TOKEN).get();
    handler.handle(frame, client, local, transport, token, ctx.alloc(), (response, sync) -> {
      if (ctx.executor().inEventLoop()) {
        send(ctx, response, sync);
      } else {
        ctx.executor().execute(() -> send(ctx, response, false));
      }
    });
  }

  private void send(ChannelHandlerContext ctx, ByteBuf response, boolean sync) {
    if (response == null) {
      inFlight--;
      updateReading(ctx);
      return;
    }
    ByteBuf framed = ctx.alloc().ioBuffer(2 + response.readableBytes());
    framed.writeShort(response.readableBytes());
    framed.writeBytes(response);
    response.release();
    inFlight--;
    lastActivity = System.nanoTime();
    if (sync) {
      ctx.write(framed, ctx.voidPromise());
    } else {
      ctx.writeAndFlush(framed, ctx.voidPromise());
    }
    updateReading(ctx);
  }

  private void updateReading(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(inFlight < MAX_IN_FLIGHT && ctx.channel().isWritable());
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    updateReading(ctx);
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
