package dev.hearth.resolver.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class QueryParserTest {
  static byte[] wire(String name, int type, OPTRecord opt) {
    Message m = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, 1));
    if (opt != null) {
      m.addRecord(opt, Section.ADDITIONAL);
    }
    return m.toWire();
  }

  @Test
  void parsesQuestionAndEdns() throws Exception {
    byte[] w = wire("WwW.Example.COM.", Type.AAAA, new OPTRecord(4096, 0, 0, ExtendedFlags.DO,
        List.of(new GenericEDNSOption(65001, new byte[] {9, 8}))));
    WireQuery q = QueryParser.parse(w);
    assertEquals(Type.AAAA, q.qtype);
    assertEquals(1, q.qclass);
    assertEquals("www.example.com.", q.nameText(), "name is lower-cased for keys");
    assertTrue(new String(q.question(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("WwW"),
        "question keeps the client's case");
    assertTrue(q.edns);
    assertTrue(q.dnssecOk);
    assertEquals(4096, q.udpSize);
    assertArrayEquals(new byte[] {(byte) 0xfd, (byte) 0xe9, 0, 2, 9, 8}, q.ednsOptions);
  }

  @Test
  void smallAdvertisedBuffer_countsAs512() throws Exception {
    WireQuery q = QueryParser.parse(wire("a.example.", Type.A, new OPTRecord(100, 0, 0)));
    assertEquals(512, q.udpSize);
  }

  @Test
  void withoutEdns() throws Exception {
    WireQuery q = QueryParser.parse(wire("a.example.", Type.A, null));
    assertFalse(q.edns);
    assertFalse(q.dnssecOk);
  }

  @Test
  void rejectsWhatAResolverMustNotAnswer() {
    byte[] good = wire("a.example.", Type.A, new OPTRecord(1232, 0, 0));
    MalformedMessageException shortOne = assertThrows(MalformedMessageException.class,
        () -> QueryParser.parse(java.util.Arrays.copyOf(good, 11)));
    assertFalse(shortOne.answerable());

    byte[] twoOpts = wire("a.example.", Type.A, null);
    byte[] opt = {0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0};
    byte[] doubled = new byte[twoOpts.length + 22];
    System.arraycopy(twoOpts, 0, doubled, 0, twoOpts.length);
    System.arraycopy(opt, 0, doubled, twoOpts.length, 11);
    System.arraycopy(opt, 0, doubled, twoOpts.length + 11, 11);
    doubled[11] = 2;
    MalformedMessageException e = assertThrows(MalformedMessageException.class,
        () -> QueryParser.parse(doubled));
    assertTrue(e.answerable());
    assertEquals(Rcode.FORMERR, e.rcode());

    byte[] badOption = good.clone();
    badOption[badOption.length - 1] = 4; // rdlength 4 with no option bytes following
    assertThrows(MalformedMessageException.class, () -> QueryParser.parse(badOption));

    byte[] longLabel = good.clone();
    longLabel[12] = 64; // label length with the extended-label bits set
    assertThrows(MalformedMessageException.class, () -> QueryParser.parse(longLabel));
  }

  @Test
  void nameLongerThan255Bytes_isRejected() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      sb.append("a".repeat(60)).append('.');
    }
    byte[] q = new byte[12 + 5 * 61 + 1 + 4];
    q[5] = 1;
    int p = 12;
    for (int i = 0; i < 5; i++) {
      q[p++] = 60;
      for (int j = 0; j < 60; j++) {
        q[p++] = 'a';
      }
    }
    q[p++] = 0;
    q[p + 1] = 1;
    q[p + 3] = 1;
    MalformedMessageException e = assertThrows(MalformedMessageException.class,
        () -> QueryParser.parse(q));
    assertTrue(e.getMessage().contains("255"));
  }
}
