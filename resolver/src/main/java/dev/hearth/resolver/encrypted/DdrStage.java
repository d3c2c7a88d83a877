package dev.hearth.resolver.encrypted;

import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.AnswerSource;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.pipeline.QueryStage;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Discovery of Designated Resolvers (RFC 9462): answers {@code _dns.resolver.arpa} SVCB queries
 * with Hearth's own DoT and DoH endpoints, so a device that finds Hearth as its plain resolver
 * upgrades to Hearth's encrypted service (and its filtering) rather than to a third party.
 * Without encrypted listeners or a public host name the name has no SVCB data (NODATA); it is
 * never forwarded, since only the resolver itself can answer for itself.
 */
public final class DdrStage implements QueryStage {
  static final int SVCB = 64;
  static final int TTL = 300;
  private static final byte[] NAME = wireName("_dns.resolver.arpa");
  private static final CompletableFuture<Answer> NODATA =
      CompletableFuture.completedFuture(new Answer(ResponseTemplate.empty(Rcode.NOERROR),
          AnswerSource.LOCAL, null, -1));

  private volatile CompletableFuture<Answer> answer = NODATA;

  /**
   * Publishes the endpoints once the listeners are bound (their ports are known only then).
   * Each endpoint's address becomes an ipv4hint/ipv6hint unless it is a wildcard.
   */
  public void publish(String hostname, List<InetSocketAddress> dot, List<InetSocketAddress> doh) {
    if (hostname == null || (dot.isEmpty() && doh.isEmpty())) {
      answer = NODATA;
      return;
    }
    List<byte[]> rdatas = new ArrayList<>();
    int priority = 1;
    if (!dot.isEmpty()) {
      rdatas.add(rdata(priority++, hostname, List.of("dot"), dot.get(0).getPort(), dot, null));
    }
    if (!doh.isEmpty()) {
      rdatas.add(rdata(priority, hostname, List.of("h2", "http/1.1"), doh.get(0).getPort(), doh,
          EncryptedConfig.DOH_PATH + "{?dns}"));
    }
    answer = CompletableFuture.completedFuture(new Answer(template(rdatas), AnswerSource.LOCAL,
        null, TTL));
  }

  @Override
  public CompletableFuture<Answer> resolve(QueryContext ctx, Next next) {
    if (!sameName(ctx.query.name)) {
      return next.resolve(ctx);
    }
    return ctx.query.qtype == SVCB ? answer : NODATA;
  }

  private static boolean sameName(byte[] name) {
    if (name.length != NAME.length) {
      return false;
    }
    for (int i = 0; i < NAME.length; i++) {
      int c = name[i];
      if (c >= 'A' && c <= 'Z') {
        c |= 0x20;
      }
      if (c != NAME[i]) {
        return false;
      }
    }
    return true;
  }

  /** SVCB RDATA (RFC 9460 §2.2): priority, target, then parameters in key order. */
  static byte[] rdata(int priority, String target, List<String> alpn, int port,
      List<InetSocketAddress> addresses, String dohpath) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(priority >> 8);
    out.write(priority);
    out.writeBytes(wireName(target));
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    for (String id : alpn) {
      byte[] b = id.getBytes(StandardCharsets.US_ASCII);
      a.write(b.length);
      a.writeBytes(b);
    }
    param(out, 1, a.toByteArray()); // alpn
    param(out, 3, new byte[] {(byte) (port >> 8), (byte) port}); // port
    ByteArrayOutputStream v4 = new ByteArrayOutputStream();
    ByteArrayOutputStream v6 = new ByteArrayOutputStream();
    for (InetSocketAddress s : addresses) {
      InetAddress ip = s.getAddress();
      if (ip == null || ip.isAnyLocalAddress()) {
        continue;
      }
      (ip instanceof Inet4Address ? v4 : ip instanceof Inet6Address ? v6 : null)
          .writeBytes(ip.getAddress());
    }
    if (v4.size() > 0) {
      param(out, 4, v4.toByteArray()); // ipv4hint
    }
    if (v6.size() > 0) {
      param(out, 6, v6.toByteArray()); // ipv6hint
    }
    if (dohpath != null) {
      param(out, 7, dohpath.getBytes(StandardCharsets.UTF_8)); // dohpath (RFC 9461)
    }
    return out.toByteArray();
  }

  private static void param(ByteArrayOutputStream out, int key, byte[] value) {
    out.write(key >> 8);
    out.write(key);
    out.write(value.length >> 8);
    out.write(value.length);
    out.writeBytes(value);
  }

  /** Records owned by the question name (a pointer to offset 12), as LocalData builds them. */
  private static ResponseTemplate template(List<byte[]> rdatas) {
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    w.writeBytes(new byte[12]);
    int[] ttlOffsets = new int[rdatas.size()];
    int[] ttls = new int[rdatas.size()];
    for (int i = 0; i < rdatas.size(); i++) {
      byte[] rd = rdatas.get(i);
      w.write(0xc0);
      w.write(12);
      w.write(SVCB >> 8);
      w.write(SVCB);
      w.write(0);
      w.write(1); // IN
      ttlOffsets[i] = w.size();
      ttls[i] = TTL;
      w.writeBytes(new byte[4]);
      w.write(rd.length >> 8);
      w.write(rd.length);
      w.writeBytes(rd);
    }
    byte[] wire = w.toByteArray();
    wire[7] = (byte) rdatas.size();
    return new ResponseTemplate(wire, 12, ttlOffsets, ttls, Rcode.NOERROR, false, TTL,
        System.nanoTime());
  }

  static byte[] wireName(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String label : name.toLowerCase(java.util.Locale.ROOT).split("\\.")) {
      if (label.isEmpty()) {
        continue;
      }
      byte[] b = label.getBytes(StandardCharsets.US_ASCII);
      out.write(b.length);
      out.writeBytes(b);
    }
    out.write(0);
    return out.toByteArray();
  }
}
