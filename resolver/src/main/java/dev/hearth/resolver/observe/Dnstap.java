package dev.hearth.resolver.observe;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dnstap output (dnstap.info), the DNS ecosystem's standard for shipping queries to a collector:
 * each answered query becomes a CLIENT_QUERY and a CLIENT_RESPONSE message, sent as Frame
 * Streams data frames (bidirectional handshake, content type {@code protobuf:dnstap.Dnstap})
 * over a unix socket the collector listens on. The few protobuf fields are encoded here by hand.
 * The query path only copies the two messages into a bounded queue; a writer thread connects
 * (and reconnects every few seconds while the collector is away) and sends. When the queue is
 * full, messages are dropped and counted, never waited for.
 */
public final class Dnstap implements QueryObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dnstap.class);
  static final String CONTENT_TYPE = "protobuf:dnstap.Dnstap";
  private static final int CONTROL_ACCEPT = 0x01;
  private static final int CONTROL_START = 0x02;
  private static final int CONTROL_STOP = 0x03;
  private static final int CONTROL_READY = 0x04;
  private static final int CONTROL_FINISH = 0x05;
  private static final int FIELD_CONTENT_TYPE = 0x01;
  private static final int MAX_CONTROL = 512;

  /** dnstap.Message.Type. */
  static final int CLIENT_QUERY = 5;
  static final int CLIENT_RESPONSE = 6;

  private record Event(QueryContext ctx, byte[] response, long sec, int nsec, long tookNanos) {}

  private static final Event STOP = new Event(null, null, 0, 0, 0);

  private final Path socket;
  private final byte[] identity;
  private final byte[] version;
  private final Clock clock;
  private final BlockingQueue<Event> queue;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Thread writer;
  private volatile boolean stopping;

  /**
   * @param socket the collector's unix socket (e.g. fstrm_capture -u, or a dnstap-enabled
   *     collector); connected on the writer thread, so a collector that is not up yet is fine
   * @param identity the server identity sent in each message, or null
   * @param version the version string sent in each message, or null
   */
  public Dnstap(Path socket, String identity, String version, int queueCapacity, Clock clock) {
    this.socket = socket;
    this.identity = identity == null ? null : identity.getBytes(StandardCharsets.UTF_8);
    this.version = version == null ? null : version.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    writer = new Thread(this::run, "hearth-dnstap");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void answered(QueryContext ctx, Answer answer, ByteBuf response) {
    byte[] r = null;
    if (response != null) {
      r = new byte[response.readableBytes()];
      response.getBytes(response.readerIndex(), r);
    }
    java.time.Instant now = clock.instant();
    long took = Math.max(0, System.nanoTime() - ctx.receivedNanos);
    if (!queue.offer(new Event(ctx, r, now.getEpochSecond(), now.getNano(), took))) {
      dropped.increment();
    }
  }

  /** Messages dropped: the queue was full (collector slow or away). */
  public long dropped() {
    return dropped.sum();
  }

  /** dnstap messages written to the collector. */
  public long sent() {
    return sent.sum();
  }

  private void run() {
    while (!stopping) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(socket));
        handshake(ch);
        log.info("dnstap: connected to {}", socket);
        if (pump(ch)) {
          finish(ch);
          return;
        }
      } catch (IOException e) {
        if (!stopping) {
          log.warn("dnstap: {}: {}; retrying in 5 s (queries are dropped and counted meanwhile)",
              socket, e.getMessage() == null ? e.toString() : e.getMessage());
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!stopping && System.nanoTime() < until) {
          Event e = queue.poll(100, TimeUnit.MILLISECONDS);
          if (e == STOP) {
            return;
          }
          if (e != null) {
            dropped.increment();
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Sends queued messages until stopped; true when stopped cleanly. */
  private boolean pump(SocketChannel ch) throws IOException, InterruptedException {
    while (true) {
      Event e = queue.poll(1, TimeUnit.SECONDS);
      if (e == STOP) {
        return true;
      }
      if (e == null) {
        continue;
      }
      byte[] q = encode(CLIENT_QUERY, e, false);
      byte[] r = e.response() == null ? null : encode(CLIENT_RESPONSE, e, true);
      ByteBuffer out = ByteBuffer.allocate(8 + q.length + (r == null ? 0 : r.length));
      out.putInt(q.length).put(q);
      if (r != null) {
        out.putInt(r.length).put(r);
      }
      out.flip();
      while (out.hasRemaining()) {
        ch.write(out);
      }
      sent.add(r == null ? 1 : 2);
    }
  }

  private static void handshake(SocketChannel ch) throws IOException {
    writeControl(ch, CONTROL_READY, true);
    int type = readControl(ch);
    if (type != CONTROL_ACCEPT) {
      throw new IOException("collector answered control frame " + type + " instead of ACCEPT");
    }
    writeControl(ch, CONTROL_START, true);
  }

  private static void finish(SocketChannel ch) throws IOException {
    writeControl(ch, CONTROL_STOP, false);
    try {
      readControl(ch); // FINISH; the collector may also just close
    } catch (IOException e) {
      // closed without FINISH: nothing is lost, everything was written before STOP
    }
  }

  private static void writeControl(SocketChannel ch, int type, boolean contentType)
      throws IOException {
    byte[] ct = CONTENT_TYPE.getBytes(StandardCharsets.US_ASCII);
    int len = 4 + (contentType ? 8 + ct.length : 0);
    ByteBuffer b = ByteBuffer.allocate(8 + len);
    b.putInt(0).putInt(len).putInt(type);
    if (contentType) {
      b.putInt(FIELD_CONTENT_TYPE).putInt(ct.length).put(ct);
    }
    b.flip();
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Reads one control frame and returns its type (fields are not needed by a writer). */
  private static int readControl(SocketChannel ch) throws IOException {
    ByteBuffer head = read(ch, 8);
    if (head.getInt() != 0) {
      throw new IOException("expected a control frame");
    }
    int len = head.getInt();
    if (len < 4 || len > MAX_CONTROL) {
      throw new IOException("control frame of " + len + " bytes");
    }
    ByteBuffer body = read(ch, len);
    return body.getInt();
  }

  private static ByteBuffer read(SocketChannel ch, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      if (ch.read(b) < 0) {
        throw new IOException("collector closed the connection");
      }
    }
    return b.flip();
  }

  /** One dnstap.Dnstap message (type MESSAGE) around a dnstap.Message. */
  byte[] encode(int type, Event e, boolean response) {
    QueryContext ctx = e.ctx();
    ByteArrayOutputStream m = new ByteArrayOutputStream(128);
    varintField(m, 1, type);
    InetSocketAddress client = ctx.client;
    InetSocketAddress local = ctx.local;
    varintField(m, 2, client.getAddress() instanceof Inet4Address ? 1 : 2);
    varintField(m, 3, switch (ctx.transport) {
      case UDP -> 1;
      case TCP -> 2;
      case DOT -> 3;
      case DOH -> 4;
    });
    bytesField(m, 4, client.getAddress().getAddress());
    if (local != null && local.getAddress() != null
        && local.getAddress().getClass() == client.getAddress().getClass()) {
      bytesField(m, 5, local.getAddress().getAddress());
    }
    varintField(m, 6, client.getPort());
    if (local != null) {
      varintField(m, 7, local.getPort());
    }
    // The query time is the response time less the time the pipeline took.
    long qNanos = e.sec() * 1_000_000_000L + e.nsec() - e.tookNanos();
    varintField(m, 8, Math.floorDiv(qNanos, 1_000_000_000L));
    fixed32Field(m, 9, (int) Math.floorMod(qNanos, 1_000_000_000L));
    if (response) {
      varintField(m, 12, e.sec());
      fixed32Field(m, 13, e.nsec());
      bytesField(m, 14, e.response());
    } else {
      bytesField(m, 10, ctx.query.wire());
    }
    ByteArrayOutputStream d = new ByteArrayOutputStream(m.size() + 64);
    if (identity != null) {
      bytesField(d, 1, identity);
    }
    if (version != null) {
      bytesField(d, 2, version);
    }
    bytesField(d, 14, m.toByteArray());
    varintField(d, 15, 1); // Dnstap.Type.MESSAGE
    return d.toByteArray();
  }

  private static void varintField(ByteArrayOutputStream o, int field, long v) {
    varint(o, (long) field << 3);
    varint(o, v);
  }

  private static void fixed32Field(ByteArrayOutputStream o, int field, int v) {
    varint(o, ((long) field << 3) | 5);
    o.write(v);
    o.write(v >>> 8);
    o.write(v >>> 16);
    o.write(v >>> 24);
  }

  private static void bytesField(ByteArrayOutputStream o, int field, byte[] b) {
    varint(o, ((long) field << 3) | 2);
    varint(o, b.length);
    o.write(b, 0, b.length);
  }

  private static void varint(ByteArrayOutputStream o, long v) {
    while ((v & ~0x7FL) != 0) {
      o.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    o.write((int) v);
  }

  /** Sends what is queued, then STOP, and closes (waits up to 5 s). */
  @Override
  public void close() {
    while (!queue.offer(STOP)) {
      queue.poll();
      dropped.increment();
    }
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stopping = true;
    writer.interrupt();
  }
}
