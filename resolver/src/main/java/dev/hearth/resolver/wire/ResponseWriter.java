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
    return write(alloc, q, t, ede, fixedTtl, -1, nowNanos, maxSize);
  }

  /**
   * As above, with every TTL capped at {@code ttlCap} seconds when it is non-negative (the policy
   * may decide differently then, e.g. when a schedule starts).
   */
  public ByteBuf write(ByteBufAllocator alloc, WireQuery q, ResponseTemplate t, Ede ede,
      int fixedTtl, int ttlCap, long nowNanos, int maxSize) {
    byte[] edeBytes = q.edns && ede != null ? ede.encode() : null;
    byte[] tw = t.wire;
    int bodyLen = tw.length - t.bodyOffset;
    int qlen = q.questionLength();
    if (edeBytes != null && 12 + qlen + bodyLen + 11 + edeBytes.length > maxSize) {
      edeBytes = ede.encodeShorter();
    }
    if (edeBytes != null && 12 + qlen + bodyLen + 11 + edeBytes.length > maxSize) {
      edeBytes = null; // the EDE is a courtesy: never let it push an answer into truncation
    }
    int optLen = q.edns ? 11 + (edeBytes == null ? 0 : edeBytes.length) : 0;
    int full = 12 + qlen + bodyLen + optLen;
    boolean truncated = full > maxSize;
    int size = truncated ? 12 + qlen + optLen : full;
    // Assembled in a heap array (plain stores, no per-call bounds checks), copied out once.
    byte[] b = new byte[size];
    int flags = Flags.QR | Flags.RA | (q.flags & (Flags.RD | Flags.CD)) | (t.rcode & Flags.RCODE_MASK);
    if (t.authenticData && (q.dnssecOk || q.authenticData())) {
      flags |= Flags.AD;
    }
    if (truncated) {
      flags |= Flags.TC;
    }
    put16(b, 0, q.id);
    put16(b, 2, flags);
    b[5] = 1;
    int extra = q.edns ? 1 : 0;
    if (truncated) {
      b[11] = (byte) extra;
    } else {
      System.arraycopy(tw, 6, b, 6, 4);
      put16(b, 10, (((tw[10] & 0xff) << 8) | (tw[11] & 0xff)) + extra);
    }
    System.arraycopy(q.message, 12, b, 12, qlen);
    int p = 12 + qlen;
    if (!truncated) {
      System.arraycopy(tw, t.bodyOffset, b, p, bodyLen);
      int shift = p - t.bodyOffset;
      long elapsed = (nowNanos - t.createdNanos) / 1_000_000_000L;
      int[] offs = t.ttlOffsets;
      for (int i = 0; i < offs.length; i++) {
        long ttl = fixedTtl >= 0 ? fixedTtl : Math.max(0, t.ttls[i] - elapsed);
        if (ttlCap >= 0 && ttl > ttlCap) {
          ttl = ttlCap;
        }
        put32(b, offs[i] + shift, (int) ttl);
      }
      p += bodyLen;
    }
    if (q.edns) {
      b[p] = 0;
      put16(b, p + 1, QueryParser.OPT);
      put16(b, p + 3, ednsUdpSize);
      b[p + 5] = (byte) (t.rcode >> 4);
      b[p + 6] = 0;
      put16(b, p + 7, q.dnssecOk ? 0x8000 : 0);
      if (edeBytes == null) {
        put16(b, p + 9, 0);
      } else {
        put16(b, p + 9, edeBytes.length);
        System.arraycopy(edeBytes, 0, b, p + 11, edeBytes.length);
      }
    }
    return alloc.ioBuffer(size).writeBytes(b);
  }

  private static void put16(byte[] b, int p, int v) {
    b[p] = (byte) (v >> 8);
    b[p + 1] = (byte) v;
  }

  private static void put32(byte[] b, int p, int v) {
    put16(b, p, v >>> 16);
    put16(b, p + 2, v);
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
