package dev.hearth.resolver.upstream;

import static dev.hearth.resolver.upstream.UpstreamRepliesTest.POLICY;
import static dev.hearth.resolver.upstream.UpstreamRepliesTest.WWW;
import static dev.hearth.resolver.upstream.UpstreamRepliesTest.query;
import static dev.hearth.resolver.upstream.UpstreamRepliesTest.render;
import static dev.hearth.resolver.upstream.UpstreamRepliesTest.reply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.WireQuery;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The authority and additional sections of a cached reply keep only what belongs to the question
 * (issue 9, spoofing): zone records of the zones above it and the addresses of the servers it
 * names. Anything else an upstream (or a forger who got a reply through) adds would be cached and
 * served with the answer.
 */
class BailiwickScrubTest {
  static final Name ZONE = Name.fromConstantString("example.");
  static final Name NS = Name.fromConstantString("ns1.example.");
  static final Name BANK = Name.fromConstantString("bank.test.");

  static ARecord a(Name n, String ip) throws Exception {
    return new ARecord(n, DClass.IN, 300, InetAddress.getByName(ip));
  }

  @Test
  void zoneRecordsAndGlue_stay_strangersGo() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    m.addRecord(a(WWW, "192.0.2.7"), Section.ANSWER);
    m.addRecord(new NSRecord(ZONE, DClass.IN, 300, NS), Section.AUTHORITY);
    m.addRecord(new NSRecord(BANK, DClass.IN, 300, NS), Section.AUTHORITY);
    m.addRecord(a(BANK, "6.6.6.6"), Section.AUTHORITY);
    m.addRecord(a(NS, "192.0.2.53"), Section.ADDITIONAL);
    m.addRecord(a(BANK, "6.6.6.6"), Section.ADDITIONAL);
    Message out = render(q, UpstreamReplies.toTemplate(m, q, false, POLICY, 0));
    assertEquals(1, out.getSection(Section.AUTHORITY).size());
    assertEquals(ZONE, out.getSection(Section.AUTHORITY).get(0).getName());
    assertEquals(1, out.getSection(Section.ADDITIONAL).stream()
        .filter(r -> r.getType() == Type.A).count());
    assertEquals(NS, out.getSection(Section.ADDITIONAL).stream()
        .filter(r -> r.getType() == Type.A).findFirst().orElseThrow().getName());
    assertFalse(out.toString().contains("6.6.6.6"), out.toString());
  }

  @Test
  void mailExchangerAddresses_stay() throws Exception {
    WireQuery q = query(ZONE, Type.MX, false);
    Message m = reply(q, ZONE, Type.MX);
    Name mx = Name.fromConstantString("mail.example.");
    m.addRecord(new MXRecord(ZONE, DClass.IN, 300, 10, mx), Section.ANSWER);
    m.addRecord(a(mx, "192.0.2.25"), Section.ADDITIONAL);
    m.addRecord(a(BANK, "6.6.6.6"), Section.ADDITIONAL);
    Message out = render(q, UpstreamReplies.toTemplate(m, q, false, POLICY, 0));
    assertEquals(1, out.getSection(Section.ADDITIONAL).stream()
        .filter(r -> r.getType() == Type.A).count());
  }

  @Test
  void aNegativeAnswerWithAStrangersSoa_isNotCached() throws Exception {
    WireQuery q = query(WWW, Type.A, false);
    Message m = reply(q, WWW, Type.A);
    m.getHeader().setRcode(Rcode.NXDOMAIN);
    Name other = Name.fromConstantString("test.");
    m.addRecord(new SOARecord(other, DClass.IN, 7200, other, other, 1, 3600, 600, 86400, 900),
        Section.AUTHORITY);
    ResponseTemplate t = UpstreamReplies.toTemplate(m, q, false, POLICY, 0);
    assertEquals(0, t.lifetime, "no SOA of its own zone: not cached");
    assertEquals(0, render(q, t).getSection(Section.AUTHORITY).size());
  }
}
