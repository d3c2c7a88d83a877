package dev.hearth.resolver.encrypted;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.StartupException;
import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.server.ConnectionLimits;
import dev.hearth.resolver.server.QueryHandler;
import dev.hearth.resolver.server.TcpQueryHandler;
import dev.hearth.resolver.server.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the DNS-over-TLS and DNS-over-HTTPS listeners. Both feed the same {@link QueryHandler}
 * as UDP and TCP (so access control, policy, cache and counters are shared), with the
 * connection limits of TCP (per client, with a small pool for clients outside the allowed
 * networks so they can be told REFUSED) and their own idle timeout. The certificate is looked
 * at every {@link #RELOAD_MILLIS} ms and swapped in when it changes.
 */
public final class EncryptedListeners implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EncryptedListeners.class);
  static final long RELOAD_MILLIS = Long.getLong("hearth.tls.reloadMillis", 2000);
  /** A TLS handshake must complete within this long (or the idle timeout, if shorter). */
  static final long HANDSHAKE_MILLIS = 10_000;

  private final List<Channel> channels;
  private final List<InetSocketAddress> dot;
  private final List<InetSocketAddress> doh;
  private final TlsContexts tls;
  private final ConnectionLimits limits;
  private final ScheduledFuture<?> reload;

  private EncryptedListeners(List<Channel> channels, List<InetSocketAddress> dot,
      List<InetSocketAddress> doh, TlsContexts tls, ConnectionLimits limits,
      ScheduledFuture<?> reload) {
    this.channels = channels;
    this.dot = dot;
    this.doh = doh;
    this.tls = tls;
    this.limits = limits;
    this.reload = reload;
  }

  /**
   * Reads the certificate and sets up TLS (the slow part: the JDK's TLS stack loads and seeds
   * itself), before any listener binds, so that all of them start answering together.
   *
   * @return null when no encrypted listener is configured
   */
  public static TlsContexts prepare(EncryptedConfig config) throws StartupException {
    if (!config.enabled()) {
      return null;
    }
    try {
      TlsContexts tls = new TlsContexts(config.cert(), config.key());
      tls.dot().newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).closeOutbound();
      return tls;
    } catch (IOException e) {
      throw new StartupException("TLS certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Binds every configured listener with the contexts from {@link #prepare}; with none
   * configured, binds nothing.
   */
  public static EncryptedListeners bind(EncryptedConfig config, TlsContexts tls,
      ResolverConfig resolver, EventLoopGroup group, QueryHandler handler)
      throws StartupException, InterruptedException {
    if (!config.enabled()) {
      return new EncryptedListeners(List.of(), List.of(), List.of(), null, null, null);
    }
    ConnectionLimits limits = new ConnectionLimits(resolver.tcp().maxConnections(),
        config.maxConnectionsPerClient(), resolver.allowedClients(), resolver.dropRefused());
    long idle = config.idleTimeout().toMillis();
    long handshake = Math.min(idle, HANDSHAKE_MILLIS);
    String hostname = config.hostname();
    List<Channel> channels = new ArrayList<>();
    List<InetSocketAddress> dotBound = new ArrayList<>();
    List<InetSocketAddress> dohBound = new ArrayList<>();
    try {
      for (InetSocketAddress a : config.dot()) {
        Channel ch = bind(group, a, "DoT", new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (!limits.admit(ch)) {
              return;
            }
            ch.pipeline()
                .addLast(new SniHandler(host -> tls.dot(), 16_384, handshake))
                .addLast(new SniToken(hostname))
                .addLast(new LengthFieldBasedFrameDecoder(config.maxRequestSize(), 0, 2, 0, 2))
                .addLast(new TcpQueryHandler(handler, idle, Transport.DOT));
          }
        });
        channels.add(ch);
        dotBound.add((InetSocketAddress) ch.localAddress());
      }
      for (InetSocketAddress a : config.doh()) {
        Channel ch = bind(group, a, "DoH", new ChannelInitializer<>() {
          @Override
          protected void initChannel(Channel ch) {
            if (!limits.admit(ch)) {
              return;
            }
            ch.pipeline()
                .addLast(new SniHandler(host -> tls.doh(), 16_384, handshake))
                .addLast(new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                .addLast(new CloseOnIdle())
                .addLast(new Negotiation(handler, config));
          }
        });
        channels.add(ch);
        dohBound.add((InetSocketAddress) ch.localAddress());
      }
    } catch (StartupException e) {
      channels.forEach(Channel::close);
      throw e;
    }
    ScheduledFuture<?> reload = group.next().scheduleWithFixedDelay(tls::reloadIfChanged,
        RELOAD_MILLIS, RELOAD_MILLIS, TimeUnit.MILLISECONDS);
    log.info("encrypted DNS: DoT on {}, DoH on {} (certificate {}{})", dotBound, dohBound,
        tls.certificate().getSubjectX500Principal().getName(),
        hostname == null ? "; no encrypted.hostname: DoT tokens and DDR are off"
            : ", public name " + hostname);
    return new EncryptedListeners(channels, List.copyOf(dotBound), List.copyOf(dohBound), tls,
        limits, reload);
  }

  private static Channel bind(EventLoopGroup group, InetSocketAddress addr, String proto,
      ChannelInitializer<Channel> init) throws StartupException, InterruptedException {
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(Transports.serverSocketChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(init);
    ChannelFuture f = b.bind(addr);
    f.await();
    if (!f.isSuccess()) {
      Throwable c = f.cause();
      String why = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      if (addr.getPort() < 1024 && why.toLowerCase(Locale.ROOT).contains("permission")) {
        why += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
      }
      throw new StartupException("cannot listen on " + addr.getAddress().getHostAddress() + ":"
          + addr.getPort() + " (" + proto + "): " + why, c);
    }
    return f.channel();
  }

  /** DoT addresses actually bound (port 0 becomes the real port). */
  public List<InetSocketAddress> dotAddresses() {
    return dot;
  }

  /** DoH addresses actually bound. */
  public List<InetSocketAddress> dohAddresses() {
    return doh;
  }

  /** The certificates in service, or null without encrypted listeners. */
  public TlsContexts tls() {
    return tls;
  }

  /** Open DoT and DoH connections. */
  public int openConnections() {
    return limits == null ? 0 : limits.open();
  }

  @Override
  public void close() {
    if (reload != null) {
      reload.cancel(false);
    }
    for (Channel ch : channels) {
      ch.close().syncUninterruptibly();
    }
  }

  /**
   * The profile token of a DoT connection: the first label of the SNI name when the rest is the
   * configured public host name ({@code TOKEN.dns.example.net}).
   */
  static String tokenFromSni(String sni, String hostname) {
    if (sni == null || hostname == null) {
      return null;
    }
    String name = sni.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.length() <= hostname.length() + 1 || !name.endsWith("." + hostname)) {
      return null;
    }
    String label = sni.substring(0, name.length() - hostname.length() - 1);
    return label.contains(".") ? null : label;
  }

  /** Takes the DoT profile token from the SNI name, then leaves the pipeline. */
  private static final class SniToken extends ChannelInboundHandlerAdapter {
    private final String hostname;

    SniToken(String hostname) {
      this.hostname = hostname;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SniCompletionEvent sni && sni.isSuccess()) {
        String token = tokenFromSni(sni.hostname(), hostname);
        if (token != null) {
          ctx.channel().attr(QueryHandler.PROFILE_TOKEN).set(token);
        }
        ctx.pipeline().remove(this);
      }
      super.userEventTriggered(ctx, evt);
    }
  }

  private static final class CloseOnIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // A broken handshake or malformed HTTP/2 framing: this connection only.
      log.debug("DoH connection from {} closed: {}", ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    }
  }

  /** After the handshake: HTTP/2 when ALPN chose h2, HTTP/1.1 otherwise. */
  private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final QueryHandler handler;
    private final EncryptedConfig config;

    Negotiation(QueryHandler handler, EncryptedConfig config) {
      super(ApplicationProtocolNames.HTTP_1_1);
      this.handler = handler;
      this.config = config;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      ChannelPipeline p = ctx.pipeline();
      if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        p.addLast(Http2FrameCodecBuilder.forServer()
            .initialSettings(Http2Settings.defaultSettings()
                .maxConcurrentStreams(config.maxStreams())
                .maxHeaderListSize(16_384))
            .build());
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel ch) {
            ch.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new HttpObjectAggregator(config.maxRequestSize()))
                .addLast(new DohHandler(handler, config.maxRequestSize()));
          }
        }));
      } else {
        p.addLast(new HttpServerCodec(8192, 16_384, 8192));
        p.addLast(new HttpServerKeepAliveHandler());
        p.addLast(new HttpObjectAggregator(config.maxRequestSize()));
        p.addLast(new DohHandler(handler, config.maxRequestSize()));
      }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("TLS handshake from {} failed: {}", ctx.channel().remoteAddress(),
          cause.toString());
      ctx.close();
    }
  }
}
