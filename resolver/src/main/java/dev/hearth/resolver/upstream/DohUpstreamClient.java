package dev.hearth.resolver.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DNS over HTTPS (RFC 8484) to upstreams: POST of {@code application/dns-message} with DNS ID 0
 * on a few persistent connections. HTTP/2 (ALPN "h2") carries one stream per query; a server
 * that does not offer h2 (it picks "http/1.1" or no ALPN at all) is used over HTTP/1.1 with
 * keep-alive, one request at a time per connection (no pipelining: many servers mishandle it),
 * so the pool's other connections carry the overflow. The reply must be status 200 with a DNS
 * message that repeats our question; anything else fails that upstream with a reason naming it.
 */
final class DohUpstreamClient extends TlsUpstreamClient {
  private static final String DNS_MESSAGE = "application/dns-message";
  private final AtomicInteger keys = new AtomicInteger();

  DohUpstreamClient(EventLoopGroup group, int idleSeconds) {
    super(group, idleSeconds);
  }

  @Override
  String[] alpn() {
    return new String[] {ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1};
  }

  @Override
  void onHandshake(Conn c, SslHandler ssl) throws UpstreamError {
    String protocol = ssl.applicationProtocol();
    if (protocol != null && !ApplicationProtocolNames.HTTP_2.equals(protocol)
        && !ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      throw new UpstreamError("server chose " + protocol + " instead of HTTP");
    }
    if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      c.add(new HttpClientCodec(4096, 8192, 8192));
      c.add(new HttpObjectAggregator(65535));
      c.add(new Http11(c));
      return;
    }
    c.add(Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
        .build());
    c.add(new Http2MultiplexHandler(new RefusePushed()));
    c.add(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2GoAwayFrame) {
          c.closing = true; // no new streams here; the open ones finish, then idle closes it
        }
        ReferenceCountUtil.release(msg);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    });
  }

  @Override
  void abandon(Pending p) {
    super.abandon(p);
    if (p.stream != null) {
      p.stream.close(); // resets the stream: the server can stop working on it
    }
  }

  @Override
  void write(Conn c, Pending p) {
    int key = keys.incrementAndGet();
    p.conn = c;
    p.key = key;
    c.inflight.put(key, p);
    noteInFlight(c);
    Http11 http11 = c.channel.pipeline().get(Http11.class);
    if (http11 != null) {
      c.channel.eventLoop().execute(() -> http11.enqueue(p));
      return;
    }
    new Http2StreamChannelBootstrap(c.channel).handler(new StreamHandler(c, p, key)).open()
        .addListener((Future<Http2StreamChannel> f) -> {
          if (!f.isSuccess()) {
            if (c.inflight.remove(key, p)) {
              c.closing = true;
              retryOrFail(p, new UpstreamError("HTTP/2 stream refused", f.cause()));
            }
            return;
          }
          Http2StreamChannel s = f.getNow();
          p.stream = s;
          if (p.future.isDone()) {
            s.close();
            return;
          }
          ByteBuf body = p.query.encode(s.alloc(), 0);
          UpstreamSpec spec = c.spec();
          Http2Headers h = new DefaultHttp2Headers()
              .method("POST").scheme("https").authority(authority(spec)).path(spec.path());
          h.set(HttpHeaderNames.CONTENT_TYPE, DNS_MESSAGE);
          h.set(HttpHeaderNames.ACCEPT, DNS_MESSAGE);
          h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
          s.write(new DefaultHttp2HeadersFrame(h, false));
          s.writeAndFlush(new DefaultHttp2DataFrame(body, true)).addListener(w -> {
            if (!w.isSuccess() && c.inflight.remove(key, p)) {
              retryOrFail(p, new UpstreamError("connection closed", w.cause()));
            }
          });
        });
  }

  static String authority(UpstreamSpec spec) {
    int port = spec.address().getPort();
    String name = spec.verifyName();
    return (name.contains(":") ? "[" + name + "]" : name) + (port == 443 ? "" : ":" + port);
  }

  /**
   * One HTTP/1.1 connection: queries wait in line and go out one at a time, each after the
   * previous reply (touched only on the connection's event loop). A query that timed out while
   * waiting is skipped; one that timed out on the wire still has its reply read and dropped, so
   * replies stay matched to requests.
   */
  private final class Http11 extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Conn c;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private Pending current;
    private ChannelHandlerContext ctx;

    Http11(Conn c) {
      this.c = c;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void enqueue(Pending p) {
      waiting.add(p);
      next();
    }

    private void next() {
      while (current == null && !waiting.isEmpty() && ctx.channel().isActive()) {
        Pending p = waiting.poll();
        if (p.future.isDone() || !c.inflight.containsKey(p.key)) {
          continue;
        }
        current = p;
        ByteBuf body = p.query.encode(ctx.alloc(), 0);
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
            c.spec().path(), body);
        r.headers().set(HttpHeaderNames.HOST, authority(c.spec()))
            .set(HttpHeaderNames.CONTENT_TYPE, DNS_MESSAGE)
            .set(HttpHeaderNames.ACCEPT, DNS_MESSAGE)
            .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        int key = p.key;
        ctx.writeAndFlush(r).addListener(w -> {
          if (!w.isSuccess() && c.inflight.remove(key, p)) {
            retryOrFail(p, new UpstreamError("connection closed", w.cause()));
          }
        });
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
      Pending p = current;
      current = null;
      if (p != null && c.inflight.remove(p.key, p)) {
        ByteBuf body = r.content();
        String type = r.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (r.status().code() != 200) {
          p.future.completeExceptionally(new UpstreamError("HTTP status " + r.status().code()));
        } else if (type == null
            || !type.toLowerCase(java.util.Locale.ROOT).startsWith(DNS_MESSAGE)) {
          p.future.completeExceptionally(new UpstreamError("unexpected content type"));
        } else if (body.readableBytes() < 12) {
          p.future.completeExceptionally(new UpstreamError("malformed reply"));
        } else if (!p.query.matches(body)) {
          p.future.completeExceptionally(new UpstreamError("mismatched reply"));
        } else {
          p.future.complete(ByteBufUtil.getBytes(body));
        }
      }
      if (!HttpUtil.isKeepAlive(r)) {
        c.closing = true; // the queries still waiting are retried when it closes
        ctx.close();
        return;
      }
      next();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Reads one reply stream: status, content type, then the body up to 64 KiB. */
  private final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final Conn c;
    private final Pending p;
    private final int key;
    private ByteBuf body;
    private boolean headersSeen;

    StreamHandler(Conn c, Pending p, int key) {
      this.c = c;
      this.p = p;
      this.key = key;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame h) {
          if (!headersSeen) {
            headersSeen = true;
            CharSequence status = h.headers().status();
            if (status == null || !"200".contentEquals(status)) {
              finish(ctx, new UpstreamError("HTTP status " + status));
              return;
            }
            CharSequence type = h.headers().get(HttpHeaderNames.CONTENT_TYPE);
            if (type == null || !type.toString().toLowerCase(java.util.Locale.ROOT)
                .startsWith(DNS_MESSAGE)) {
              finish(ctx, new UpstreamError("unexpected content type"));
              return;
            }
          }
          if (h.isEndStream()) {
            done(ctx);
          }
        } else if (msg instanceof Http2DataFrame d) {
          if (body == null) {
            body = Unpooled.buffer(Math.max(64, d.content().readableBytes()));
          }
          if (body.readableBytes() + d.content().readableBytes() > 65535) {
            finish(ctx, new UpstreamError("reply too large"));
            return;
          }
          body.writeBytes(d.content());
          if (d.isEndStream()) {
            done(ctx);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void done(ChannelHandlerContext ctx) {
      if (body == null || body.readableBytes() < 12) {
        finish(ctx, new UpstreamError("malformed reply"));
      } else if (!p.query.matches(body)) {
        finish(ctx, new UpstreamError("mismatched reply"));
      } else if (c.inflight.remove(key, p)) {
        p.future.complete(ByteBufUtil.getBytes(body));
        ctx.close();
      }
    }

    private void finish(ChannelHandlerContext ctx, UpstreamError e) {
      if (c.inflight.remove(key, p)) {
        p.future.completeExceptionally(e);
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (body != null) {
        body.release();
        body = null;
      }
      if (c.inflight.remove(key, p)) {
        retryOrFail(p, new UpstreamError("HTTP/2 stream reset"));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Server push is disabled in our settings; a pushed stream anyway is closed at once. */
  @ChannelHandler.Sharable
  private static final class RefusePushed extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ctx.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }
}
