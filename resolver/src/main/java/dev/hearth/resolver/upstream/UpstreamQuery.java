package dev.hearth.resolver.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The question we send upstream and the checks a reply must pass before it is believed: it must
 * come from the address and port we asked, carry our random ID, and repeat our question. We build
 * a fresh query rather than relaying the client's, so client EDNS options never leak upstream.
 */
final class UpstreamQuery {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(SecureRandom::new);

  final byte[] question;
  final boolean dnssecOk;
  final boolean checkingDisabled;
  final int udpSize;

  UpstreamQuery(byte[] question, boolean dnssecOk, boolean checkingDisabled, int udpSize) {
    this.question = question;
    this.dnssecOk = dnssecOk;
    this.checkingDisabled = checkingDisabled;
    this.udpSize = udpSize;
  }

  static int randomId() {
    return RANDOM.get().nextInt(0x10000);
  }

  ByteBuf encode(ByteBufAllocator alloc, int id) {
    ByteBuf b = alloc.ioBuffer(12 + question.length + 11);
    b.writeShort(id);
    // RD, and AD so a validating upstream reports validation even without DO (RFC 6840 5.7).
    b.writeShort(0x0100 | 0x0020 | (checkingDisabled ? 0x0010 : 0));
    b.writeShort(1);
    b.writeShort(0);
    b.writeShort(0);
    b.writeShort(1);
    b.writeBytes(question);
    b.writeByte(0);
    b.writeShort(41);
    b.writeShort(udpSize);
    b.writeInt(dnssecOk ? 0x8000 : 0);
    b.writeShort(0);
    return b;
  }

  /** True when {@code reply} (readable bytes) is a response repeating our question. */
  boolean matches(ByteBuf reply) {
    int base = reply.readerIndex();
    if (reply.readableBytes() < 12 + question.length) {
      return false;
    }
    if ((reply.getUnsignedByte(base + 2) & 0x80) == 0 || reply.getUnsignedShort(base + 4) != 1) {
      return false;
    }
    for (int i = 0; i < question.length; i++) {
      byte a = reply.getByte(base + 12 + i);
      byte b = question[i];
      if (a != b && lower(a) != lower(b)) {
        return false;
      }
    }
    return true;
  }

  private static byte lower(byte c) {
    return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
  }

  /** Address equality that treats IPv4-mapped IPv6 and plain IPv4 as the same host. */
  static boolean sameEndpoint(InetSocketAddress a, InetSocketAddress b) {
    if (a.getPort() != b.getPort()) {
      return false;
    }
    return Arrays.equals(v4(a.getAddress()), v4(b.getAddress()));
  }

  private static byte[] v4(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        return Arrays.copyOfRange(b, 12, 16);
      }
    }
    return b;
  }
}
