package dev.hearth.resolver.encrypted;

import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.server.QueryHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One DoH connection (HTTP/1.1) or stream (HTTP/2): {@code GET /dns-query?dns=BASE64URL} and
 * {@code POST /dns-query} with an {@code application/dns-message} body (RFC 8484), optionally
 * with a profile token as one more path segment. The answer carries {@code Cache-Control:
 * max-age} from its smallest TTL (§5.1). Responses leave in request order (HTTP/1.1 pipelining)
 * even when a later query is answered first from the cache.
 *
 * <p>An unknown token is served exactly like no token (the network default): the status, headers
 * and timing tell nothing about which tokens exist. Bad requests get a plain 4xx with no body
 * worth reading, and never affect other requests.
 */
final class DohHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String DNS_MESSAGE = "application/dns-message";
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final QueryHandler handler;
  private final int maxRequestSize;
  /** Responses not yet written, in request order (touched only on the event loop). */
  private final ArrayDeque<Slot> pending = new ArrayDeque<>();

  private static final class Slot {
    FullHttpResponse response;
    boolean close;
  }

  DohHandler(QueryHandler handler, int maxRequestSize) {
    this.handler = handler;
    this.maxRequestSize = maxRequestSize;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    Slot slot = new Slot();
    slot.close = !HttpUtil.isKeepAlive(req);
    pending.add(slot);
    if (req.decoderResult().isFailure()) {
      slot.close = true;
      finish(ctx, slot, status(HttpResponseStatus.BAD_REQUEST));
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.rawPath();
    String token = null;
    if (path.startsWith(EncryptedConfig.DOH_PATH + "/")) {
      String rest = path.substring(EncryptedConfig.DOH_PATH.length() + 1);
      if (rest.endsWith("/")) {
        rest = rest.substring(0, rest.length() - 1);
      }
      if (!TOKEN.matcher(rest).matches()) {
        finish(ctx, slot, status(HttpResponseStatus.NOT_FOUND));
        return;
      }
      token = rest;
    } else if (!path.equals(EncryptedConfig.DOH_PATH)) {
      finish(ctx, slot, status(HttpResponseStatus.NOT_FOUND));
      return;
    }
    ByteBuf query;
    if (req.method().equals(HttpMethod.GET)) {
      List<String> dns = uri.parameters().get("dns");
      if (dns == null || dns.size() != 1) {
        finish(ctx, slot, status(HttpResponseStatus.BAD_REQUEST));
        return;
      }
      String b64 = dns.get(0);
      if (b64.length() > (maxRequestSize * 4 + 2) / 3 + 2) {
        finish(ctx, slot, status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));
        return;
      }
      try {
        // base64url without padding (RFC 8484 §4.1); padding is tolerated.
        query = Unpooled.wrappedBuffer(Base64.getUrlDecoder().decode(b64));
      } catch (IllegalArgumentException e) {
        finish(ctx, slot, status(HttpResponseStatus.BAD_REQUEST));
        return;
      }
    } else if (req.method().equals(HttpMethod.POST)) {
      String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (type == null || !type.split(";", 2)[0].trim().equalsIgnoreCase(DNS_MESSAGE)) {
        finish(ctx, slot, status(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE));
        return;
      }
      query = req.content().retain();
    } else {
      FullHttpResponse r = status(HttpResponseStatus.METHOD_NOT_ALLOWED);
      r.headers().set(HttpHeaderNames.ALLOW, "GET, POST");
      finish(ctx, slot, r);
      return;
    }
    if (query.readableBytes() > maxRequestSize) {
      query.release();
      finish(ctx, slot, status(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE));
      return;
    }
    if (query.readableBytes() < 12) {
      query.release();
      finish(ctx, slot, status(HttpResponseStatus.BAD_REQUEST));
      return;
    }
    Channel conn = ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel
        ? ctx.channel().parent() : ctx.channel();
    InetSocketAddress client = (InetSocketAddress) conn.remoteAddress();
    InetSocketAddress local = (InetSocketAddress) conn.localAddress();
    try {
      handler.handle(query, client, local, Transport.DOH, token, ctx.alloc(), (response, sync) -> {
        FullHttpResponse r = response == null ? status(HttpResponseStatus.BAD_REQUEST)
            : answer(response);
        if (ctx.executor().inEventLoop()) {
          finish(ctx, slot, r);
        } else {
          ctx.executor().execute(() -> finish(ctx, slot, r));
        }
      });
    } finally {
      query.release();
    }
  }

  private static FullHttpResponse answer(ByteBuf dns) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        dns);
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, DNS_MESSAGE)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, dns.readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, "max-age=" + minTtl(dns));
    return r;
  }

  private static FullHttpResponse status(HttpResponseStatus status) {
    byte[] text = (status.code() + " " + status.reasonPhrase() + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(text));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return r;
  }

  private void finish(ChannelHandlerContext ctx, Slot slot, FullHttpResponse response) {
    if (!ctx.channel().isActive()) {
      response.release();
      return;
    }
    slot.response = response;
    while (!pending.isEmpty() && pending.peek().response != null) {
      Slot s = pending.poll();
      if (s.close) {
        s.response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(s.response).addListener(ChannelFutureListener.CLOSE);
        pending.forEach(p -> {
          if (p.response != null) {
            p.response.release();
          }
        });
        pending.clear();
        return;
      }
      ctx.write(s.response, ctx.voidPromise());
    }
    ctx.flush();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (Slot s : pending) {
      if (s.response != null) {
        s.response.release();
      }
    }
    pending.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /**
   * The smallest TTL of the response's records (OPT excluded), 0 when it has none: how long an
   * HTTP cache may keep it (RFC 8484 §5.1).
   */
  static long minTtl(ByteBuf dns) {
    try {
      int base = dns.readerIndex();
      int p = base + 12;
      int qd = dns.getUnsignedShort(base + 4);
      int records = dns.getUnsignedShort(base + 6) + dns.getUnsignedShort(base + 8)
          + dns.getUnsignedShort(base + 10);
      for (int i = 0; i < qd; i++) {
        p = skipName(dns, p) + 4;
      }
      long min = Long.MAX_VALUE;
      for (int i = 0; i < records; i++) {
        p = skipName(dns, p);
        int type = dns.getUnsignedShort(p);
        if (type != 41) {
          min = Math.min(min, dns.getUnsignedInt(p + 4));
        }
        p += 10 + dns.getUnsignedShort(p + 8);
      }
      return min == Long.MAX_VALUE ? 0 : min;
    } catch (IndexOutOfBoundsException e) {
      return 0;
    }
  }

  private static int skipName(ByteBuf b, int p) {
    while (true) {
      int len = b.getUnsignedByte(p);
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2;
      }
      p += len + 1;
    }
  }
}
