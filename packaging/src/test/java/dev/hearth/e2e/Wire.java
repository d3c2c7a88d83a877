package dev.hearth.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hand-built DNS packets for the cases dig cannot produce (garbage, loops, pipelining), and a
 * minimal independent parser for the replies. Deliberately does not use the resolver's code or
 * libraries, so a bug there cannot hide itself.
 */
final class Wire {
  static final int TYPE_A = 1;
  static final int TYPE_NS = 2;
  static final int TYPE_CNAME = 5;
  static final int TYPE_SOA = 6;
  static final int TYPE_TXT = 16;
  static final int TYPE_AAAA = 28;
  static final int TYPE_OPT = 41;
  static final int TYPE_AXFR = 252;

  static final int OPCODE_QUERY = 0;
  static final int OPCODE_NOTIFY = 4;

  private Wire() {}

  /** A query: RD set, one question, optional EDNS(0) OPT with 1232-byte UDP size. */
  static byte[] query(int id, String name, int type, int opcode, boolean edns) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, id);
    int flags = (opcode & 0xf) << 11;
    if (opcode == OPCODE_QUERY) {
      flags |= 0x0100; // RD
    }
    u16(out, flags);
    u16(out, 1); // QDCOUNT
    u16(out, 0);
    u16(out, 0);
    u16(out, edns ? 1 : 0);
    writeName(out, name);
    u16(out, type);
    u16(out, 1); // IN
    if (edns) {
      out.write(0); // root
      u16(out, TYPE_OPT);
      u16(out, 1232);
      u16(out, 0); // ext rcode + version
      u16(out, 0); // flags
      u16(out, 0); // rdlen
    }
    return out.toByteArray();
  }

  static byte[] query(int id, String name, int type) {
    return query(id, name, type, OPCODE_QUERY, true);
  }

  static void writeName(ByteArrayOutputStream out, String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (!n.isEmpty()) {
      for (String label : n.split("\\.")) {
        byte[] b = label.getBytes(StandardCharsets.US_ASCII);
        out.write(b.length);
        out.write(b, 0, b.length);
      }
    }
    out.write(0);
  }

  static void u16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xff);
    out.write(v & 0xff);
  }

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  static long u32(byte[] b, int off) {
    return ((long) u16(b, off) << 16) | u16(b, off + 2);
  }

  /**
   * Sends one datagram to 127.0.0.1:port and waits up to {@code timeoutMillis} for a reply.
   * Empty when nothing arrives (or the port is closed).
   */
  static Optional<byte[]> udpExchange(int port, byte[] packet, int timeoutMillis) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(E2e.LOOPBACK, 0))) {
      s.connect(new InetSocketAddress(E2e.LOOPBACK, port));
      s.setSoTimeout(timeoutMillis);
      s.send(new DatagramPacket(packet, packet.length));
      byte[] buf = new byte[65535];
      DatagramPacket reply = new DatagramPacket(buf, buf.length);
      try {
        s.receive(reply);
      } catch (SocketTimeoutException | PortUnreachableException e) {
        return Optional.empty();
      }
      byte[] out = new byte[reply.getLength()];
      System.arraycopy(buf, 0, out, 0, out.length);
      return Optional.of(out);
    }
  }

  /** Two-byte length prefix (RFC 1035 section 4.2.2). */
  static byte[] frame(byte[] msg) {
    byte[] out = new byte[msg.length + 2];
    out[0] = (byte) (msg.length >> 8);
    out[1] = (byte) msg.length;
    System.arraycopy(msg, 0, out, 2, msg.length);
    return out;
  }

  /** Reads one length-prefixed message; empty at a clean end of stream. */
  static Optional<byte[]> readFramed(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int hi = d.read();
    if (hi < 0) {
      return Optional.empty();
    }
    int len = (hi << 8) | d.readUnsignedByte();
    byte[] msg = new byte[len];
    d.readFully(msg);
    return Optional.of(msg);
  }

  static int id(byte[] msg) {
    return u16(msg, 0);
  }

  static boolean qr(byte[] msg) {
    return (msg[2] & 0x80) != 0;
  }

  static int opcode(byte[] msg) {
    return (msg[2] >> 3) & 0xf;
  }

  static boolean tc(byte[] msg) {
    return (msg[2] & 0x02) != 0;
  }

  /** The 4-bit header RCODE (extended bits from OPT not included). */
  static int rcode(byte[] msg) {
    return msg[3] & 0xf;
  }

  static int ancount(byte[] msg) {
    return u16(msg, 6);
  }

  /** One parsed resource record; rdata is raw, A/AAAA also rendered as text. */
  record Rr(String name, int type, long ttl, byte[] rdata) {
    String address() {
      try {
        return java.net.InetAddress.getByAddress(rdata).getHostAddress();
      } catch (java.net.UnknownHostException e) {
        return "<" + rdata.length + " bytes>";
      }
    }
  }

  /** Parses the answer section. Throws IllegalArgumentException on a malformed message. */
  static List<Rr> answers(byte[] msg) {
    if (msg.length < 12) {
      throw new IllegalArgumentException("message shorter than a header: " + msg.length);
    }
    int qd = u16(msg, 4);
    int an = u16(msg, 6);
    int[] pos = {12};
    for (int i = 0; i < qd; i++) {
      readName(msg, pos);
      pos[0] += 4;
    }
    List<Rr> out = new ArrayList<>();
    for (int i = 0; i < an; i++) {
      String name = readName(msg, pos);
      int p = pos[0];
      int type = u16(msg, p);
      long ttl = u32(msg, p + 4);
      int rdlen = u16(msg, p + 8);
      byte[] rdata = new byte[rdlen];
      System.arraycopy(msg, p + 10, rdata, 0, rdlen);
      pos[0] = p + 10 + rdlen;
      out.add(new Rr(name, type, ttl, rdata));
    }
    return out;
  }

  static String readName(byte[] msg, int[] pos) {
    StringBuilder sb = new StringBuilder();
    int p = pos[0];
    boolean jumped = false;
    int jumps = 0;
    while (true) {
      int len = msg[p] & 0xff;
      if ((len & 0xc0) == 0xc0) {
        if (++jumps > 64) {
          throw new IllegalArgumentException("compression loop");
        }
        if (!jumped) {
          pos[0] = p + 2;
        }
        jumped = true;
        p = ((len & 0x3f) << 8) | (msg[p + 1] & 0xff);
        continue;
      }
      if (len == 0) {
        if (!jumped) {
          pos[0] = p + 1;
        }
        break;
      }
      sb.append(new String(msg, p + 1, len, StandardCharsets.US_ASCII)).append('.');
      p += 1 + len;
    }
    return sb.length() == 0 ? "." : sb.toString().toLowerCase(java.util.Locale.ROOT);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }
}
