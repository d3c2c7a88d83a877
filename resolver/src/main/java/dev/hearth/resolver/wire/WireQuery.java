package dev.hearth.resolver.wire;

/**
 * A client query parsed just far enough to answer it: header, the single question and the OPT
 * record. Parsing stops there on purpose, so cache hits never build full message objects.
 *
 * <p>The question section is kept exactly as the client sent it (name case preserved, so it can
 * be echoed back), as bytes 12 to {@code questionEnd} of the received message; {@code name} is
 * the same name in lower case, uncompressed wire form, used for cache keys and policy.
 */
public final class WireQuery {
  public final int id;
  public final int flags;
  final byte[] message;
  final int questionEnd;
  public final byte[] name;
  public final int qtype;
  public final int qclass;
  public final boolean edns;
  public final int ednsVersion;
  public final int udpSize;
  public final boolean dnssecOk;
  /** The raw EDNS options (RFC 6891 option list), empty when none; later stages read them. */
  public final byte[] ednsOptions;

  WireQuery(int id, int flags, byte[] message, int questionEnd, byte[] name, int qtype, int qclass,
      boolean edns, int ednsVersion, int udpSize, boolean dnssecOk, byte[] ednsOptions) {
    this.id = id;
    this.flags = flags;
    this.message = message;
    this.questionEnd = questionEnd;
    this.name = name;
    this.qtype = qtype;
    this.qclass = qclass;
    this.edns = edns;
    this.ednsVersion = ednsVersion;
    this.udpSize = udpSize;
    this.dnssecOk = dnssecOk;
    this.ednsOptions = ednsOptions;
  }

  /** The whole query message as received (shared, not a copy: read it, never change it). */
  public byte[] wire() {
    return message;
  }

  /** The question section as sent (a copy). */
  public byte[] question() {
    return java.util.Arrays.copyOfRange(message, 12, questionEnd);
  }

  public int questionLength() {
    return questionEnd - 12;
  }

  public int opcode() {
    return (flags >> 11) & 0xf;
  }

  public boolean recursionDesired() {
    return (flags & Flags.RD) != 0;
  }

  public boolean checkingDisabled() {
    return (flags & Flags.CD) != 0;
  }

  public boolean authenticData() {
    return (flags & Flags.AD) != 0;
  }

  /** The name in presentation form, e.g. {@code www.example.com.}; for logs and errors only. */
  public String nameText() {
    return Names.toText(name, 0);
  }
}
