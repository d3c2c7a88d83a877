package dev.hearth.resolver.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** An EDE never pushes an answer into truncation: the shorter text is tried, then none. */
class ResponseWriterEdeTest {
  static ExtendedErrorCodeOption ede(Message m) {
    OPTRecord opt = m.getOPT();
    for (EDNSOption o : opt.getOptions()) {
      if (o instanceof ExtendedErrorCodeOption e) {
        return e;
      }
    }
    return null;
  }

  Message write(Ede ede, int maxSize) throws Exception {
    Message q = Message.newQuery(Record.newRecord(Name.fromConstantString("blocked.example."),
        Type.A, DClass.IN));
    q.addRecord(new OPTRecord(1232, 0, 0), Section.ADDITIONAL);
    WireQuery wq = QueryParser.parse(Unpooled.wrappedBuffer(q.toWire()));
    var out = new ResponseWriter(1232).write(UnpooledByteBufAllocator.DEFAULT, wq,
        ResponseTemplate.empty(Rcode.NXDOMAIN), ede, 60, System.nanoTime(), maxSize);
    return new Message(ByteBufUtil.getBytes(out));
  }

  @Test
  void fullTextWhenItFits_shorterWhenNot_noneWhenNeitherFits() throws Exception {
    String full = "{\"j\":\"" + "x".repeat(300) + "\",\"l\":\"en\"}";
    String brief = "{\"l\":\"en\"}";
    Ede e = new Ede(Ede.FILTERED, full, brief);
    assertEquals(full, ede(write(e, 1232)).getText());
    // Header 12 + question 21 + OPT 11 + EDE 6 + text: the full text needs ~360 bytes.
    assertEquals(brief, ede(write(e, 120)).getText());
    Message none = write(e, 55);
    assertNotNull(none.getOPT());
    assertNull(ede(none));
    assertEquals(org.xbill.DNS.Rcode.NXDOMAIN, none.getRcode(), "the answer itself is kept");
  }
}
