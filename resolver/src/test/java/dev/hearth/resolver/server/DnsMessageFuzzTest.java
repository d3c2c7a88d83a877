package dev.hearth.resolver.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearth.resolver.DnsServer;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.pipeline.Transport;
import dev.hearth.resolver.testing.TestAuthServer;
import dev.hearth.resolver.upstream.UpstreamSpec;
import dev.hearth.resolver.wire.MalformedMessageException;
import dev.hearth.resolver.wire.QueryParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

/**
 * Coverage-guided fuzzing (Jazzer) of DNS message handling in a running resolver with a real
 * authoritative upstream: parsing (header, question, compression pointers, EDNS and its
 * options), the whole pipeline, and response encoding, once per UDP datagram and once as a TCP
 * byte stream (RFC 7766 framing, pipelining, truncated frames) over a real socket. The
 * properties: the handler answers every datagram exactly once (or drops it), an answer is a
 * well-formed DNS response with the query's ID that fits the UDP limit, malformed queries get
 * the parser's FORMERR/NOTIMP, and no input reaches the "internal error" SERVFAIL that a bug
 * inside the pipeline would produce. Committed inputs: {@code DnsMessageFuzzTestInputs/}.
 */
class DnsMessageFuzzTest {
  private static SilentCloseable loopbackOnly;
  private static TestAuthServer upstream;
  private static DnsServer server;
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

  @BeforeAll
  static void start() throws Exception {
    upstream = new TestAuthServer();
    ResolverConfig config = ResolverConfig.defaults(
            List.of(new InetSocketAddress("127.0.0.1", 0)),
            List.of(new UpstreamSpec(upstream.address(), false)))
        .withThreads(2)
        .withRateLimitPerClient(0)
        .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(600))
        .withTcp(new ResolverConfig.Tcp(Duration.ofSeconds(2), 1000, 1000));
    server = DnsServer.start(config);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** One datagram from an allowed client, straight into the listeners' shared handler. */
  @FuzzTest
  void udpDatagram(byte[] data) throws Exception {
    allowLoopback();
    QueryHandler handler = server.listeners().handler();
    CompletableFuture<byte[]> out = new CompletableFuture<>();
    ByteBuf request = Unpooled.wrappedBuffer(data);
    int[] calls = new int[1];
    handler.handle(request, CLIENT, server.boundAddresses().get(0), Transport.UDP,
        ByteBufAllocator.DEFAULT, (response, sync) -> {
          synchronized (calls) {
            calls[0]++;
          }
          if (response == null) {
            out.complete(null);
          } else {
            out.complete(ByteBufUtil.getBytes(response));
            response.release();
          }
        });
    byte[] response;
    try {
      response = out.get(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      fail("no answer and no drop within 5 s");
      return;
    }
    synchronized (calls) {
      assertEquals(1, calls[0], "the sink is called exactly once");
    }
    MalformedMessageException malformed = null;
    try {
      QueryParser.parse(data);
    } catch (MalformedMessageException e) {
      malformed = e;
    }
    if (response == null) {
      assertTrue(malformed == null || !malformed.answerable() || data.length < 12,
          "an answerable malformed query from an allowed client gets an error, not silence");
      return;
    }
    assertTrue(response.length <= 1232, "fits the UDP limit: " + response.length);
    Message m = checkResponse(data, response);
    if (malformed != null) {
      assertEquals(malformed.rcode(), m.getRcode(), "malformed: " + malformed.getMessage());
    }
  }

  /** The bytes as one TCP stream: frames, pipelined queries, a truncated last frame. */
  @FuzzTest
  void tcpStream(byte[] data) throws Exception {
    allowLoopback();
    try (Socket s = new Socket()) {
      s.connect(server.boundAddresses().get(0), 2000);
      s.setSoTimeout(3000);
      try {
        s.getOutputStream().write(data);
        s.shutdownOutput();
      } catch (IOException closedEarly) {
        return; // the server may close a connection whose frame is impossible
      }
      DataInputStream in = new DataInputStream(s.getInputStream());
      while (true) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException done) {
          return;
        } catch (IOException reset) {
          return;
        }
        byte[] frame = new byte[length];
        try {
          in.readFully(frame);
        } catch (EOFException e) {
          fail("the server sent a truncated frame");
        } catch (IOException reset) {
          return;
        }
        Message m = new Message(frame);
        assertTrue(m.getHeader().getFlag(Flags.QR), "a response");
        assertNotInternalError(m);
      }
    }
  }

  private static Message checkResponse(byte[] query, byte[] response) throws IOException {
    Message m;
    try {
      m = new Message(response);
    } catch (IOException e) {
      throw new AssertionError("the response does not parse: " + ByteBufUtil.hexDump(response), e);
    }
    assertTrue(m.getHeader().getFlag(Flags.QR), "a response");
    assertEquals(((query[0] & 0xff) << 8) | (query[1] & 0xff), m.getHeader().getID(),
        "the query's ID");
    assertNotInternalError(m);
    return m;
  }

  private static void assertNotInternalError(Message m) {
    OPTRecord opt = m.getOPT();
    if (opt == null) {
      return;
    }
    for (EDNSOption o : opt.getOptions()) {
      if (o instanceof ExtendedErrorCodeOption e) {
        assertNotEquals("internal error", e.getText(), "a bug inside the pipeline");
      }
    }
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
