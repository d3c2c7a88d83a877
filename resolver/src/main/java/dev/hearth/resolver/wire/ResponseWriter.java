package dev.hearth.resolver.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Stamps a {@link ResponseTemplate} into the response for one client: the client's ID, RD and CD
 * bits and question (with its letter case), TTLs counted down, an OPT record when the client used
 * EDNS (with the Extended DNS Error, if any), and truncation (TC, no records) when the result
 * would not fit the client's UDP size.
 */
public final class ResponseWriter {
  private final int ednsUdpSize;

  public ResponseWriter(int ednsUdpSize) {
    this.ednsUdpSize = ednsUdpSize;
  }

  /** Largest response to send this client over UDP (RFC 6891 section 6.2.5). */
  public int udpLimit(WireQuery q) {
    return q.edns ? Math.min(q.udpSize, ednsUdpSize) : 512;
  }

  /**
   * Writes the response.
   *
   * @param fixedTtl when non-negative, every TTL is set to it (stale answers, RFC 8767)
   * @param maxSize  the largest message allowed (UDP limit, or 65535 over TCP)
   */
  public ByteBuf write(ByteBufAllocator alloc, WireQuery q, ResponseTemplate t, Ede ede,
      int fixedTtl, long nowNanos, int maxSize) {
    byte[] edeBytes = q.edns && ede != null ? ede.encode() : null;
    int optLen = q.edns ? 11 + (edeBytes == null ? 0 : edeBytes.length) : 0;
    int bodyLen = t.wire.length - t.bodyOffset;
    int full = 12 + q.question.length + bodyLen + optLen;
    boolean truncated = full > maxSize;
    ByteBuf out = alloc.ioBuffer(truncated ? 12 + q.question.length + optLen : full);
    int flags = Flags.QR | Flags.RA | (q.flags & (Flags.RD | Flags.CD)) | (t.rcode & Flags.RCODE_MASK);
    if (t.authenticData && (q.dnssecOk || q.authenticData())) {
      flags |= Flags.AD;
    }
    if (truncated) {
      flags |= Flags.TC;
    }
    out.writeShort(q.id);
    out.writeShort(flags);
    out.writeShort(1);
    if (truncated) {
      out.writeShort(0);
      out.writeShort(0);
      out.writeShort(q.edns ? 1 : 0);
    } else {
      out.writeBytes(t.wire, 6, 4);
      int ar = ((t.wire[10] & 0xff) << 8) | (t.wire[11] & 0xff);
      out.writeShort(ar + (q.edns ? 1 : 0));
    }
    out.writeBytes(q.question);
    if (!truncated) {
      int bodyStart = out.writerIndex();
      out.writeBytes(t.wire, t.bodyOffset, bodyLen);
      int shift = bodyStart - t.bodyOffset;
      long elapsed = (nowNanos - t.createdNanos) / 1_000_000_000L;
      int[] offs = t.ttlOffsets;
      for (int i = 0; i < offs.length; i++) {
        long ttl = fixedTtl >= 0 ? fixedTtl : Math.max(0, t.ttls[i] - elapsed);
        out.setInt(offs[i] + shift, (int) ttl);
      }
    }
    if (q.edns) {
      out.writeByte(0);
      out.writeShort(QueryParser.OPT);
      out.writeShort(ednsUdpSize);
      out.writeByte(t.rcode >> 4);
      out.writeByte(0);
      out.writeShort(q.dnssecOk ? 0x8000 : 0);
      if (edeBytes == null) {
        out.writeShort(0);
      } else {
        out.writeShort(edeBytes.length);
        out.writeBytes(edeBytes);
      }
    }
    return out;
  }

  /**
   * A header-only reply for a message whose question could not be read (FORMERR, NOTIMP): the
   * request's ID and opcode, QR set, no sections.
   */
  public static ByteBuf headerOnly(ByteBufAllocator alloc, ByteBuf request, int rcode) {
    int base = request.readerIndex();
    int id = request.getUnsignedShort(base);
    int reqFlags = request.getUnsignedShort(base + 2);
    ByteBuf out = alloc.ioBuffer(12);
    out.writeShort(id);
    out.writeShort(Flags.QR | (reqFlags & (Flags.OPCODE_MASK | Flags.RD)) | Flags.RA | (rcode & 0xf));
    out.writeZero(8);
    return out;
  }
}
