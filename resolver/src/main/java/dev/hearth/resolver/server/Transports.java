package dev.hearth.resolver.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Picks the native epoll transport when it loads (Linux x86_64) and plain NIO otherwise, in one
 * place, so the rest of the code never asks. Set {@code -Dhearth.transport=nio} to force NIO.
 */
public final class Transports {
  private static final boolean EPOLL =
      !"nio".equals(System.getProperty("hearth.transport")) && Epoll.isAvailable();

  private Transports() {}

  public static boolean epoll() {
    return EPOLL;
  }

  public static String name() {
    return EPOLL ? "epoll" : "nio";
  }

  /** Why epoll is not in use, for the start-up log; empty when it is. */
  public static String fallbackReason() {
    if (EPOLL) {
      return "";
    }
    Throwable t = Epoll.unavailabilityCause();
    return t == null ? "disabled by hearth.transport" : String.valueOf(t.getMessage());
  }

  public static EventLoopGroup newGroup(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  public static Class<? extends DatagramChannel> datagramChannel() {
    return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  public static Class<? extends ServerSocketChannel> serverSocketChannel() {
    return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
