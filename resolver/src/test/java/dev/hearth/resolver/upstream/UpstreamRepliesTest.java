package dev.hearth.resolver.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.wire.QueryParser;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.ResponseWriter;
import dev.hearth.resolver.wire.WireQuery;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class UpstreamRepliesTest {
  static final ResolverConfig.Cache POLICY = ResolverConfig.Cache.defaults();
  static final Name WWW = Name.fromConstantString("www.example.");

  static WireQuery query(Name name, int type, boolean dnssecOk) throws Exception {
    Message q = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    q.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0,
        dnssecOk ? org.xbill.DNS.ExtendedFlags.DO : 0), Section.ADDITIONAL);
    return QueryParser.parse(Unpooled.wrappedBuffer(q.toWire()));
  }

  static Message reply(WireQuery q, Name name, int type) {
    Message m = Message.newQuery(Record.newRecord(name, type, DClass.IN));
    m.getHeader().setFlag(Flags.QR);
    return m;
  }

  static Message render(WireQuery q, ResponseTemplate t) throws Exception {
    ByteBuf out = new ResponseWriter(1232).write(UnpooledByteBufAllocator.DEFAULT, q, t, null, -1,
        t.createdNanos, 65535);
    return new Message(ByteBufUtil.getBytes(out));
  }

  @Test
  void answerRecordsOutsideTheCnameChain_areDropped() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    Name target = Name.fromConstantString("cdn.example.");
    m.addRecord(new CNAMERecord(WWW, DClass.IN, 300, target), Section.ANSWER);
    m.addRecord(new ARecord(target, DClass.IN, 300, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
    m.addRecord(new ARecord(Name.fromConstantString("bank.example."), DClass.IN, 300,
        InetAddress.getByName("203.0.113.66")), Section.ANSWER);
    Message out = render(q, UpstreamReplies.toTemplate(m, q, false, POLICY, 0));
    assertEquals(2, out.getSection(Section.ANSWER).size());
    assertFalse(out.toString().contains("bank.example"));
  }

  @Test
  void adBit_passesOnlyFromValidatingUpstreams_andOnlyToDnssecAwareClients() throws Exception {
    WireQuery q = query(WWW, Type.A, true);
    Message m = reply(q, WWW, Type.A);
    m.getHeader().setFlag(Flags.AD);
    m.addRecord(new ARecord(WWW, DClass.IN, 300, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
    assertTrue(render(q, UpstreamReplies.toTemplate(m, q, true, POLICY, 0))
        .getHeader().getFlag(Flags.AD));
    assertFalse(render(q, UpstreamReplies.toTemplate(m, q, false, POLICY, 0))
        .getHeader().getFlag(Flags.AD));
    WireQuery plain = query(WWW, Type.A, false);
    assertFalse(render(plain, UpstreamReplies.toTemplate(m, plain, true, POLICY, 0))
        .getHeader().getFlag(Flags.AD));
  }

  @Test
  void negativeLifetime_isTheSoaMinimumCappedByPolicy() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    m.getHeader().setRcode(Rcode.NXDOMAIN);
    Name zone = Name.fromConstantString("example.");
    m.addRecord(new SOARecord(zone, DClass.IN, 7200, zone, zone, 1, 3600, 600, 86400, 900),
        Section.AUTHORITY);
    ResponseTemplate t = UpstreamReplies.toTemplate(m, q, false, POLICY, 0);
    assertEquals(900, t.lifetime);
    assertEquals(900, render(q, t).getSection(Section.AUTHORITY).get(0).getTTL());
    ResolverConfig.Cache tight = new ResolverConfig.Cache(1 << 20, 0, 86400, 60, true, true, 1, 1);
    assertEquals(60, UpstreamReplies.toTemplate(m, q, false, tight, 0).lifetime);
  }

  @Test
  void negativeWithoutSoa_andServfail_areNotCached() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message nx = reply(q, WWW, Type.A);
    nx.getHeader().setRcode(Rcode.NXDOMAIN);
    assertEquals(0, UpstreamReplies.toTemplate(nx, q, false, POLICY, 0).lifetime);
    Message sf = reply(q, WWW, Type.A);
    sf.getHeader().setRcode(Rcode.SERVFAIL);
    assertEquals(0, UpstreamReplies.toTemplate(sf, q, false, POLICY, 0).lifetime);
  }

  @Test
  void minimumTtlClamp_appliesToPositiveAnswers() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    m.addRecord(new ARecord(WWW, DClass.IN, 5, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
    ResolverConfig.Cache floor = new ResolverConfig.Cache(1 << 20, 30, 86400, 3600, true, true, 1, 1);
    ResponseTemplate t = UpstreamReplies.toTemplate(m, q, false, floor, 0);
    assertEquals(30, t.lifetime);
    assertEquals(30, render(q, t).getSection(Section.ANSWER).get(0).getTTL());
  }

  @Test
  void cnameChainInAnyOrder_isKeptWhole() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    Name mid = Name.fromConstantString("mid.example.");
    Name end = Name.fromConstantString("end.example.");
    m.addRecord(new ARecord(end, DClass.IN, 300, InetAddress.getByName("192.0.2.9")), Section.ANSWER);
    m.addRecord(new CNAMERecord(mid, DClass.IN, 300, end), Section.ANSWER);
    m.addRecord(new CNAMERecord(WWW, DClass.IN, 300, mid), Section.ANSWER);
    ResponseTemplate t = UpstreamReplies.toTemplate(m, q, false, POLICY, 0);
    assertEquals(3, render(q, t).getSection(Section.ANSWER).size());
    assertEquals(300, t.lifetime, "a positive answer, not NODATA");
  }
}
