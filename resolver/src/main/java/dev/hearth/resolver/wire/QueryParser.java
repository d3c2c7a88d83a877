package dev.hearth.resolver.wire;

import io.netty.buffer.ByteBuf;

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

  public static WireQuery parse(ByteBuf buf) throws MalformedMessageException {
    int base = buf.readerIndex();
    int end = buf.writerIndex();
    if (end - base < 12) {
      throw new MalformedMessageException("shorter than a DNS header", false);
    }
    int id = buf.getUnsignedShort(base);
    int flags = buf.getUnsignedShort(base + 2);
    if ((flags & Flags.QR) != 0) {
      // FORMERR, but only to a "response" that is not itself an error: otherwise two servers
      // answering each other's FORMERR could be made to bounce a spoofed packet for ever.
      throw new MalformedMessageException("QR bit set: not a query", (flags & Flags.RCODE_MASK) == 0);
    }
    int opcode = (flags >> 11) & 0xf;
    if (opcode != 0) {
      throw new MalformedMessageException("opcode " + opcode + " not implemented", true, Rcode.NOTIMP);
    }
    int qd = buf.getUnsignedShort(base + 4);
    int an = buf.getUnsignedShort(base + 6);
    int ns = buf.getUnsignedShort(base + 8);
    int ar = buf.getUnsignedShort(base + 10);
    if (qd != 1) {
      throw new MalformedMessageException(qd == 0 ? "no question" : "several questions", true);
    }
    if (an != 0 || ns != 0) {
      throw new MalformedMessageException("query carries answer or authority records", true);
    }
    int p = base + 12;
    byte[] nameBuf = new byte[255];
    int nameLen = 0;
    while (true) {
      if (p >= end) {
        throw new MalformedMessageException("question name runs past the end", true);
      }
      int len = buf.getUnsignedByte(p++);
      if (len == 0) {
        nameBuf[nameLen++] = 0;
        break;
      }
      if ((len & 0xc0) != 0) {
        throw new MalformedMessageException("compressed or extended label in question", true);
      }
      if (nameLen + 1 + len + 1 > 255) {
        throw new MalformedMessageException("question name longer than 255 bytes", true);
      }
      if (p + len > end) {
        throw new MalformedMessageException("question label runs past the end", true);
      }
      nameBuf[nameLen++] = (byte) len;
      for (int i = 0; i < len; i++) {
        nameBuf[nameLen++] = Names.lower(buf.getByte(p++));
      }
    }
    if (p + 4 > end) {
      throw new MalformedMessageException("question type/class missing", true);
    }
    int qtype = buf.getUnsignedShort(p);
    int qclass = buf.getUnsignedShort(p + 2);
    p += 4;
    byte[] question = new byte[p - (base + 12)];
    buf.getBytes(base + 12, question);
    byte[] name = new byte[nameLen];
    System.arraycopy(nameBuf, 0, name, 0, nameLen);

    boolean edns = false;
    int version = 0;
    int udpSize = 512;
    boolean dnssecOk = false;
    byte[] options = NO_OPTIONS;
    for (int i = 0; i < ar; i++) {
      int owner = p;
      p = skipName(buf, p, end);
      if (p + 10 > end) {
        throw new MalformedMessageException("additional record truncated", true);
      }
      int type = buf.getUnsignedShort(p);
      int rdlen = buf.getUnsignedShort(p + 8);
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
        udpSize = Math.max(512, buf.getUnsignedShort(p + 2));
        version = buf.getUnsignedByte(p + 5);
        dnssecOk = (buf.getUnsignedShort(p + 6) & 0x8000) != 0;
        options = new byte[rdlen];
        buf.getBytes(p + 10, options);
        checkOptions(options);
      }
      p += 10 + rdlen;
    }
    return new WireQuery(id, flags, question, name, qtype, qclass, edns, version, udpSize,
        dnssecOk, options);
  }

  private static int skipName(ByteBuf buf, int p, int end) throws MalformedMessageException {
    int hops = 0;
    while (p < end) {
      int len = buf.getUnsignedByte(p);
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
