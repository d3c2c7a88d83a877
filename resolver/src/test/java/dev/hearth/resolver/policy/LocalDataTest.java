package dev.hearth.resolver.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.ResponseWriter;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Local-data answers are compiled once per record list; the responses must stay byte for byte
 * what parsing the record texts on every query gave ({@link ReferenceLocalData}).
 */
class LocalDataTest {
  private static final ResponseWriter WRITER = new ResponseWriter(1232);

  /** Record texts as RPZ rules carry them, including some dnsjava cannot encode. */
  static final String[] POOL = {
    "A 192.0.2.1", "A 192.0.2.2", "AAAA 2001:db8::1", "AAAA ::", "A 0.0.0.0",
    "CNAME garden.example.", "CNAME Walled.Garden.Example.", "CNAME *.garden.example.",
    "CNAME *.", "CNAME *..", "CNAME *..x.", "CNAME *.relative", "CNAME *.Up.Case.", "TXT \"blocked by   policy\" \"see ; docs\"", "MX 10 mail.example.",
    "SRV 0 5 443 svc.example.", "HINFO \"a\" \"b\"", "A 300.1.2.3", "AAAA 2001:db8::g",
    "BOGUS 1 2", "A", "NOSPACE", "CNAME *." + "x".repeat(63) + "." + "y".repeat(63) + ".",
  };

  static final int[] QTYPES = {Type.A, Type.AAAA, Type.CNAME, Type.TXT, Type.MX, Type.SRV,
      Type.HINFO, Type.NS, Type.PTR, Type.HTTPS};

  private static WireQuery query(String name, int qtype) throws Exception {
    Message m = Message.newQuery(Record.newRecord(Name.fromString(name), qtype, DClass.IN));
    return QueryParser.parse(m.toWire());
  }

  /** The response a client would get, with full TTLs. */
  private static byte[] render(WireQuery q, ResponseTemplate t) {
    ByteBuf b = WRITER.write(UnpooledByteBufAllocator.DEFAULT, q, t, null, -1, t.createdNanos,
        65535);
    try {
      return ByteBufUtil.getBytes(b);
    } finally {
      b.release();
    }
  }

  private static void assertSameAnswer(List<String> records, WireQuery q) throws Exception {
    ResponseTemplate want = ReferenceLocalData.answer(records, q.name, q.qtype, 300);
    ResponseTemplate got = LocalData.answer(records, q.name, q.qtype, 300);
    String what = records + " for " + q.nameText() + "/" + Type.string(q.qtype);
    assertArrayEquals(render(q, want), render(q, got), what);
    assertEquals(want.rcode(), got.rcode(), what);
    assertEquals(want.lifetime, got.lifetime, what);
    if (got.lifetime > 0) {
      // Parsed back by dnsjava: a well-formed answer owned by the asked name.
      Message m = new Message(render(q, got));
      for (Record r : m.getSection(Section.ANSWER)) {
        assertEquals(Name.fromString(q.nameText()), r.getName(), what); // in the client's case
        assertEquals(300, r.getTTL(), what);
      }
    }
  }

  @Test
  void answersAreUnchangedForRandomRecordSets() throws Exception {
    Random rnd = new Random(20261201L);
    String[] names = {"bad.example.", "WWW.Bad.Example.", "a.b.c.d.e.example.",
        "x".repeat(63) + "." + "y".repeat(63) + "." + "z".repeat(60) + ".example.",
        "under_score.example.", "xn--bcher-kva.example."};
    for (int round = 0; round < 400; round++) {
      List<String> recs = new ArrayList<>();
      int n = 1 + rnd.nextInt(5);
      for (int i = 0; i < n; i++) {
        recs.add(POOL[rnd.nextInt(POOL.length)]);
      }
      List<String> rule = List.copyOf(recs);
      for (int qtype : QTYPES) {
        assertSameAnswer(rule, query(names[rnd.nextInt(names.length)], qtype));
      }
    }
  }

  @Test
  void eachPoolRecordAloneIsUnchanged() throws Exception {
    for (String r : POOL) {
      for (int qtype : QTYPES) {
        assertSameAnswer(List.of(r), query("www.bad.example.", qtype));
        assertSameAnswer(List.of(r), query("Mixed.CASE.bad.example.", qtype));
      }
    }
  }

  @Test
  void blockAnswersWithoutRecordTextAreUnchanged() throws Exception {
    InetAddress v4 = InetAddress.getByName("192.0.2.80");
    InetAddress v6 = InetAddress.getByName("2001:db8::80");
    for (int qtype : QTYPES) {
      WireQuery q = query("blocked.example.", qtype);
      assertArrayEquals(
          render(q, ReferenceLocalData.answer(List.of("A 0.0.0.0", "AAAA ::"), q.name, qtype, 60)),
          render(q, LocalData.answer(LocalData.NULL_ADDRESS, q.name, qtype, 60)));
      assertArrayEquals(
          render(q, ReferenceLocalData.answer(List.of("A 192.0.2.80", "AAAA 2001:db8:0:0:0:0:0:80"),
              q.name, qtype, 60)),
          render(q, LocalData.answer(LocalData.addresses(v4, v6), q.name, qtype, 60)));
      assertArrayEquals(
          render(q, ReferenceLocalData.answer(List.of("AAAA 2001:db8::80"), q.name, qtype, 60)),
          render(q, LocalData.answer(LocalData.addresses(null, v6), q.name, qtype, 60)));
    }
  }

  @Test
  void aCachedRuleStillGetsFreshTtls() throws Exception {
    List<String> rule = List.copyOf(List.of("A 192.0.2.1"));
    WireQuery q = query("bad.example.", Type.A);
    ResponseTemplate first = LocalData.answer(rule, q.name, q.qtype, 300);
    Thread.sleep(5);
    ResponseTemplate second = LocalData.answer(rule, q.name, q.qtype, 300);
    assertTrue(second.createdNanos > first.createdNanos, "stamped when answered, not compiled");
    assertArrayEquals(render(q, first), render(q, second));
    assertEquals(0, LocalData.compile(List.of()).types.length);
  }
}
