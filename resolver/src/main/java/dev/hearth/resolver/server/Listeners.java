package dev.hearth.resolver.server;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.StartupException;
import dev.hearth.resolver.pipeline.Pipeline;
import dev.hearth.resolver.wire.ResponseWriter;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Binds the UDP and TCP listeners for every configured address, on the same port for both.
 * With epoll, each event-loop thread gets its own UDP socket on the port (SO_REUSEPORT), so the
 * kernel spreads queries over the threads without a shared queue.
 */
public final class Listeners implements AutoCloseable {
  private static final int RECVMMSG = Integer.getInteger("hearth.recvmmsg", 4096);
  private final List<Channel> channels;
  private final List<InetSocketAddress> addresses;
  private final QueryHandler handler;
  private final ConnectionLimits limits;

  private Listeners(List<Channel> channels, List<InetSocketAddress> addresses, QueryHandler handler,
      ConnectionLimits limits) {
    this.channels = channels;
    this.addresses = addresses;
    this.handler = handler;
    this.limits = limits;
  }

  public static Listeners bind(ResolverConfig config, EventLoopGroup group, int threads,
      Pipeline pipeline, LongSupplier clock) throws StartupException, InterruptedException {
    QueryHandler handler = new QueryHandler(pipeline, new ResponseWriter(config.ednsUdpSize()),
        config.allowedClients(), clock);
    UdpQueryHandler udpHandler = new UdpQueryHandler(handler);
    ConnectionLimits limits = new ConnectionLimits(config.tcp().maxConnections(),
        config.tcp().maxConnectionsPerClient(), config.allowedClients(), config.dropRefused());
    long idleMillis = config.tcp().idleTimeout().toMillis();
    List<Channel> channels = new ArrayList<>();
    Set<InetSocketAddress> bound = new LinkedHashSet<>();
    try {
      for (InetSocketAddress wanted : config.dnsListen()) {
        // Port 0 lets the kernel pick a free UDP port, but that port may be taken for TCP by
        // someone else; then try another pair (tests and ephemeral setups hit this).
        for (int attempt = 1; ; attempt++) {
          int before = channels.size();
          InetSocketAddress actual = bindUdp(wanted, group, threads, udpHandler, channels);
          try {
            bindTcp(actual, group, handler, limits, idleMillis, channels);
            bound.add(actual);
            break;
          } catch (StartupException e) {
            if (wanted.getPort() != 0 || attempt == 10) {
              throw e;
            }
            List<Channel> mine = channels.subList(before, channels.size());
            mine.forEach(Channel::close);
            mine.clear();
          }
        }
      }
    } catch (StartupException e) {
      channels.forEach(Channel::close);
      throw e;
    }
    return new Listeners(channels, List.copyOf(bound), handler, limits);
  }

  private static InetSocketAddress bindUdp(InetSocketAddress wanted, EventLoopGroup group,
      int threads, UdpQueryHandler handler, List<Channel> channels)
      throws StartupException, InterruptedException {
    int sockets = Transports.epoll() ? threads : 1;
    if (sockets > 1 && wanted.getPort() != 0) {
      refuseIfTaken(wanted);
    }
    InetSocketAddress addr = wanted;
    for (int i = 0; i < sockets; i++) {
      Bootstrap b = new Bootstrap()
          .group(group)
          .channel(Transports.datagramChannel())
          .option(ChannelOption.SO_RCVBUF, 4 << 20)
          .option(ChannelOption.SO_SNDBUF, 4 << 20)
          .handler(handler);
      if (Transports.epoll()) {
        if (sockets > 1) {
          b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        if (RECVMMSG > 0) {
          // recvmmsg: up to 16 queries per system call, each in its own slice of one buffer.
          b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, RECVMMSG);
          b.option(ChannelOption.RCVBUF_ALLOCATOR, new io.netty.channel.FixedRecvByteBufAllocator(RECVMMSG * 16));
        }
      }
      Channel ch = bindOrExplain(b.bind(addr), addr, "UDP");
      channels.add(ch);
      addr = (InetSocketAddress) ch.localAddress();
    }
    return addr;
  }

  private static void bindTcp(InetSocketAddress addr, EventLoopGroup group, QueryHandler handler,
      ConnectionLimits limits, long idleMillis, List<Channel> channels)
      throws StartupException, InterruptedException {
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(Transports.serverSocketChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (!limits.admit(ch)) {
              return;
            }
            ch.pipeline()
                .addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2))
                .addLast(new TcpQueryHandler(handler, idleMillis));
          }
        });
    channels.add(bindOrExplain(b.bind(addr), addr, "TCP"));
  }

  /**
   * SO_REUSEPORT would let a second Hearth (or anything else of the same user) share the port and
   * silently take half the queries; a plain bind first turns that into "address in use".
   */
  private static void refuseIfTaken(InetSocketAddress addr) throws StartupException {
    try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
      probe.setReuseAddress(false);
      probe.bind(addr);
    } catch (java.io.IOException e) {
      throw new StartupException("cannot listen on " + addr.getAddress().getHostAddress() + ":"
          + addr.getPort() + " (UDP): " + e.getMessage(), e);
    }
  }

  private static Channel bindOrExplain(io.netty.channel.ChannelFuture f, InetSocketAddress addr,
      String proto) throws StartupException, InterruptedException {
    f.await();
    if (!f.isSuccess()) {
      Throwable c = f.cause();
      String why = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      if (addr.getPort() < 1024 && why.toLowerCase().contains("permission")) {
        why += " (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
      }
      throw new StartupException("cannot listen on " + addr.getAddress().getHostAddress() + ":"
          + addr.getPort() + " (" + proto + "): " + why, c);
    }
    return f.channel();
  }

  /** The query handler the plain listeners use, for the encrypted ones to share. */
  public QueryHandler handler() {
    return handler;
  }

  public List<InetSocketAddress> addresses() {
    return addresses;
  }

  public long queries() {
    return handler.queries.sum();
  }

  public long malformed() {
    return handler.malformed.sum();
  }

  public int openTcpConnections() {
    return limits.open();
  }

  @Override
  public void close() {
    for (Channel ch : channels) {
      ch.close().syncUninterruptibly();
    }
  }
}
