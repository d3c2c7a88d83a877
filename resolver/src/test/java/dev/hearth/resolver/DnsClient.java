package dev.hearth.resolver;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** A plain socket client for tests: sends exactly the bytes given, returns what came back. */
final class DnsClient {
  private final InetSocketAddress server;

  DnsClient(InetSocketAddress server) {
    this.server = server;
  }

  static Message query(String name, int type) {
    return query(name, type, true);
  }

  static Message query(String name, int type, boolean edns) {
    Message m = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, 1));
    if (edns) {
      m.addRecord(new OPTRecord(1232, 0, 0, 0), Section.ADDITIONAL);
    }
    return m;
  }

  static Message queryDo(String name, int type) {
    Message m = Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, 1));
    m.addRecord(new OPTRecord(1232, 0, 0, org.xbill.DNS.ExtendedFlags.DO), Section.ADDITIONAL);
    return m;
  }

  Message udp(Message q) throws IOException {
    byte[] r = udpRaw(q.toWire(), 3000);
    if (r == null) {
      throw new SocketTimeoutException("no answer");
    }
    return new Message(r);
  }

  /** Returns null on timeout. */
  byte[] udpRaw(byte[] packet, int timeoutMillis) throws IOException {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(timeoutMillis);
      s.send(new DatagramPacket(packet, packet.length, server));
      byte[] buf = new byte[65535];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      byte[] out = new byte[p.getLength()];
      System.arraycopy(buf, 0, out, 0, out.length);
      return out;
    }
  }

  Message tcp(Message q) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(server, 3000);
      s.setSoTimeout(5000);
      DataOutputStream out = new DataOutputStream(s.getOutputStream());
      byte[] w = q.toWire();
      out.writeShort(w.length);
      out.write(w);
      out.flush();
      DataInputStream in = new DataInputStream(s.getInputStream());
      byte[] r = new byte[in.readUnsignedShort()];
      in.readFully(r);
      return new Message(r);
    }
  }

  static boolean truncated(Message m) {
    return m.getHeader().getFlag(Flags.TC);
  }

  static String types(Message m) {
    StringBuilder sb = new StringBuilder();
    for (Record r : m.getSection(Section.ANSWER)) {
      sb.append(Type.string(r.getType())).append(' ');
    }
    return sb.toString().trim();
  }
}
