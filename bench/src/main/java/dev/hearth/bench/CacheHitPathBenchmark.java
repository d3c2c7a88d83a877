package dev.hearth.bench;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.cache.CacheKey;
import dev.hearth.resolver.upstream.UpstreamReplies;
import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.ResponseWriter;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The in-process cost of a cache hit: parse the client query, build the key, look it up, stamp
 * the stored wire response. Compared with the same answer built through dnsjava message objects,
 * which is what the wire-level path avoids.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CacheHitPathBenchmark {
  private ByteBuf query;
  private byte[] queryBytes;
  private final ConcurrentHashMap<CacheKey, ResponseTemplate> cache = new ConcurrentHashMap<>();
  private final ResponseWriter writer = new ResponseWriter(1232);
  private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  private Message upstreamReply;

  @Setup
  public void setup() throws Exception {
    Name name = Name.fromConstantString("www.example.com.");
    Message q = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
    queryBytes = q.toWire();
    query = Unpooled.wrappedBuffer(queryBytes);
    Message reply = Message.newQuery(Record.newRecord(name, Type.A, DClass.IN));
    reply.getHeader().setFlag(Flags.QR);
    reply.addRecord(new ARecord(name, DClass.IN, 300, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
    reply.addRecord(new ARecord(name, DClass.IN, 300, InetAddress.getByName("192.0.2.2")), Section.ANSWER);
    upstreamReply = reply;
    WireQuery wq = QueryParser.parse(query);
    cache.put(CacheKey.of(wq), UpstreamReplies.toTemplate(reply, wq, false,
        ResolverConfig.Cache.defaults(), System.nanoTime()));
  }

  @Benchmark
  public int wireLevelHit() throws Exception {
    query.readerIndex(0);
    WireQuery q = QueryParser.parse(query);
    ResponseTemplate t = cache.get(CacheKey.of(q));
    ByteBuf out = writer.write(alloc, q, t, null, -1, System.nanoTime(), writer.udpLimit(q));
    int n = out.readableBytes();
    out.release();
    return n;
  }

  @Benchmark
  public int dnsjavaMessageHit() throws Exception {
    Message q = new Message(queryBytes);
    Message r = upstreamReply.clone();
    r.getHeader().setID(q.getHeader().getID());
    return r.toWire(1232).length;
  }
}
