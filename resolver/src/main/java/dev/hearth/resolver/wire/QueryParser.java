package dev.hearth.resolver.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * Parses client queries straight from the receive buffer. It accepts exactly what a resolver
 * should answer (one question, no compression in it, at most one OPT record) and rejects the rest
 * with the reason, so the listener can send FORMERR or NOTIMP, or drop what has no header.
 * Because question names may not contain pointers here, a compression loop cannot occur.
 */
public final class QueryParser {
  public static final int OPT = 41;
  private static final byte[] NO_OPTIONS = new byte[0];

  private QueryParser() {}

  /** Parses the readable bytes of {@code buf}, copying them once (queries are tiny). */
  public static WireQuery parse(ByteBuf buf) throws MalformedMessageException {
    int len = buf.readableBytes();
    if (len < 12) {
      throw new MalformedMessageException("shorter than a DNS header", false);
    }
    byte[] bytes = new byte[len];
    buf.getBytes(buf.readerIndex(), bytes);
    return parse(bytes);
  }

  public static WireQuery parse(byte[] m) throws MalformedMessageException {
    int end = m.length;
    if (end < 12) {
      throw new MalformedMessageException("shorter than a DNS header", false);
    }
    int id = u16(m, 0);
    int flags = u16(m, 2);
    if ((flags & Flags.QR) != 0) {
      // FORMERR, but only to a "response" that is not itself an error: otherwise two servers
      // answering each other's FORMERR could be made to bounce a spoofed packet for ever.
      throw new MalformedMessageException("QR bit set: not a query", (flags & Flags.RCODE_MASK) == 0);
    }
    int opcode = (flags >> 11) & 0xf;
    if (opcode != 0) {
      throw new MalformedMessageException("opcode " + opcode + " not implemented", true, Rcode.NOTIMP);
    }
    int qd = u16(m, 4);
    int an = u16(m, 6);
    int ns = u16(m, 8);
    int ar = u16(m, 10);
    if (qd != 1) {
      throw new MalformedMessageException(qd == 0 ? "no question" : "several questions", true);
    }
    if (an != 0 || ns != 0) {
      throw new MalformedMessageException("query carries answer or authority records", true);
    }
    int p = 12;
    int nameLen = 1;
    while (true) {
      if (p >= end) {
        throw new MalformedMessageException("question name runs past the end", true);
      }
      int len = m[p] & 0xff;
      if (len == 0) {
        p++;
        break;
      }
      if ((len & 0xc0) != 0) {
        throw new MalformedMessageException("compressed or extended label in question", true);
      }
      nameLen += 1 + len;
      if (nameLen > 255) {
        throw new MalformedMessageException("question name longer than 255 bytes", true);
      }
      if (p + 1 + len > end) {
        throw new MalformedMessageException("question label runs past the end", true);
      }
      p += 1 + len;
    }
    byte[] name = new byte[nameLen];
    for (int i = 0; i < nameLen; i++) {
      name[i] = Names.lower(m[12 + i]);
    }
    if (p + 4 > end) {
      throw new MalformedMessageException("question type/class missing", true);
    }
    int qtype = u16(m, p);
    int qclass = u16(m, p + 2);
    p += 4;
    int questionEnd = p;

    boolean edns = false;
    int version = 0;
    int udpSize = 512;
    boolean dnssecOk = false;
    byte[] options = NO_OPTIONS;
    for (int i = 0; i < ar; i++) {
      int owner = p;
      p = skipName(m, p, end);
      if (p + 10 > end) {
        throw new MalformedMessageException("additional record truncated", true);
      }
      int type = u16(m, p);
      int rdlen = u16(m, p + 8);
      if (p + 10 + rdlen > end) {
        throw new MalformedMessageException("additional record data runs past the end", true);
      }
      if (type == OPT) {
        if (edns) {
          throw new MalformedMessageException("more than one OPT record", true);
        }
        if (p != owner + 1) {
          throw new MalformedMessageException("OPT record owner is not the root", true);
        }
        edns = true;
        udpSize = Math.max(512, u16(m, p + 2));
        version = m[p + 5] & 0xff;
        dnssecOk = (u16(m, p + 6) & 0x8000) != 0;
        options = rdlen == 0 ? NO_OPTIONS : Arrays.copyOfRange(m, p + 10, p + 10 + rdlen);
        checkOptions(options);
      }
      p += 10 + rdlen;
    }
    return new WireQuery(id, flags, m, questionEnd, name, qtype, qclass, edns, version, udpSize,
        dnssecOk, options);
  }

  private static int u16(byte[] m, int p) {
    return ((m[p] & 0xff) << 8) | (m[p + 1] & 0xff);
  }

  private static int skipName(byte[] m, int p, int end) throws MalformedMessageException {
    int hops = 0;
    while (p < end) {
      int len = m[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2; // a pointer ends the name; we never follow it
      }
      if ((len & 0xc0) != 0 || ++hops > 128) {
        throw new MalformedMessageException("bad label in additional record", true);
      }
      p += 1 + len;
    }
    throw new MalformedMessageException("record name runs past the end", true);
  }

  private static void checkOptions(byte[] o) throws MalformedMessageException {
    int p = 0;
    while (p < o.length) {
      if (p + 4 > o.length) {
        throw new MalformedMessageException("truncated EDNS option", true);
      }
      int len = ((o[p + 2] & 0xff) << 8) | (o[p + 3] & 0xff);
      p += 4 + len;
      if (p > o.length) {
        throw new MalformedMessageException("EDNS option runs past the OPT record", true);
      }
    }
  }
}
