package dev.hearth.resolver.encrypted;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of DNS-over-HTTPS request handling: the bytes of an HTTP/1.1
 * exchange go over a real socket into the same handler chain the DoH listener runs after TLS
 * ({@code HttpServerCodec}, keep-alive, aggregation limited to the request size, {@link
 * DohHandler}), whose queries reach a running resolver with a real upstream. TLS itself is the
 * JDK's and not fuzzed here. The property: every response is {@code 200} with a DNS message, or a
 * 1xx/4xx (whose body is only the status line); never a 5xx. Committed inputs:
 * {@code DohRequestFuzzTestInputs/}.
 */
class DohRequestFuzzTest {
  private static SilentCloseable loopbackOnly;
  private static final int MAX_REQUEST = EncryptedConfig.DEFAULT_MAX_REQUEST_SIZE;
  private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

  private static TestAuthServer upstream;
  private static DnsServer server;
  private static EventLoopGroup group;
  private static Channel listener;

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestAuthServer();
    server = DnsServer.start(ResolverConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", 0)),
            List.of(new UpstreamSpec(upstream.address(), false)))
        .withThreads(1).withRateLimitPerClient(0)
        .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(600)));
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                .addLast(new HttpServerCodec(8192, 16_384, 8192))
                .addLast(new HttpServerKeepAliveHandler())
                .addLast(new HttpObjectAggregator(MAX_REQUEST))
                .addLast(new DohHandler(server.listeners().handler(), MAX_REQUEST));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @AfterAll
  static void stop() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @FuzzTest
  void http1Request(byte[] data) throws Exception {
    allowLoopback();
    byte[] reply;
    try (Socket s = new Socket()) {
      s.connect(listener.localAddress(), 2000);
      s.setSoTimeout(3000);
      try {
        s.getOutputStream().write(data);
        s.shutdownOutput();
      } catch (IOException closedEarly) {
        return;
      }
      reply = readAll(s.getInputStream());
    }
    // Bodies are binary DNS messages; the status lines are ASCII at the start of a response.
    String text = new String(reply, StandardCharsets.ISO_8859_1);
    Matcher m = STATUS.matcher(text);
    while (m.find()) {
      int status = Integer.parseInt(m.group(1));
      assertTrue(status < 500, "no server error for any request: " + status + "\n" + text);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException stopped) {
      // a connection kept open, or reset after the last response: what came is checked
    }
    return out.toByteArray();
  }

  /**
   * The target talks to its own servers on loopback; Jazzer's SSRF detector stays on for any
   * other address. Set on the first input: Jazzer's agent is not there before.
   */
  private static void allowLoopback() {
    if (loopbackOnly == null) {
      loopbackOnly = BugDetectors.allowNetworkConnections(
          (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
    }
  }
}
