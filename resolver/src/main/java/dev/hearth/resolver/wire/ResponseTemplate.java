package dev.hearth.resolver.wire;

/**
 * A response kept as wire bytes, ready to be stamped for any client asking the same question:
 * the writer copies it, sets ID, flags and the client's own question, and counts TTLs down.
 * This is what makes a cache hit cheap: no message objects, one copy and a few patches.
 *
 * <p>Layout of {@code wire}: a 12-byte header (ID zero, counts valid), the question, then the
 * records from {@code bodyOffset}. No OPT record: the writer adds one per client. Compression
 * pointers in the body may point into the question, which the writer puts back at the same
 * offset with the same length.
 */
public final class ResponseTemplate {
  final byte[] wire;
  final int bodyOffset;
  final int[] ttlOffsets;
  final int[] ttls;
  final int rcode;
  final boolean authenticData;
  /** How long the response is fresh, in seconds from {@link #createdNanos}. */
  public final int lifetime;
  public final long createdNanos;

  public ResponseTemplate(byte[] wire, int bodyOffset, int[] ttlOffsets, int[] ttls, int rcode,
      boolean authenticData, int lifetime, long createdNanos) {
    this.wire = wire;
    this.bodyOffset = bodyOffset;
    this.ttlOffsets = ttlOffsets;
    this.ttls = ttls;
    this.rcode = rcode;
    this.authenticData = authenticData;
    this.lifetime = lifetime;
    this.createdNanos = createdNanos;
  }

  private static final byte[] EMPTY_HEADER = new byte[12];
  private static final int[] NONE = new int[0];

  /** A response with no records (errors, refusals), answered with the client's question. */
  public static ResponseTemplate empty(int rcode) {
    return new ResponseTemplate(EMPTY_HEADER, 12, NONE, NONE, rcode, false, 0, 0);
  }

  /**
   * RFC 8482 minimal answer to ANY: one HINFO "RFC8482" "" record owned by the question name
   * (a pointer to offset 12), so it works for any question. Serve it with a fixed TTL: it is
   * built once and never expires.
   */
  public static ResponseTemplate rfc8482(int ttl) {
    byte[] w = new byte[12 + 2 + 10 + 9];
    w[7] = 1; // ANCOUNT
    int p = 12;
    w[p++] = (byte) 0xc0;
    w[p++] = 12;
    w[p++] = 0;
    w[p++] = 13; // HINFO
    w[p++] = 0;
    w[p++] = 1; // IN
    int ttlOffset = p;
    p += 4;
    w[p++] = 0;
    w[p++] = 9;
    w[p++] = 7;
    for (char c : "RFC8482".toCharArray()) {
      w[p++] = (byte) c;
    }
    w[p] = 0;
    return new ResponseTemplate(w, 12, new int[] {ttlOffset}, new int[] {ttl}, Rcode.NOERROR,
        false, ttl, System.nanoTime());
  }

  public int rcode() {
    return rcode;
  }

  /** Seconds left before expiry at {@code nowNanos}; negative once stale. */
  /** The response as a dnsjava message (for the rare paths that rewrite an answer). */
  public org.xbill.DNS.Message toMessage() throws java.io.IOException {
    return new org.xbill.DNS.Message(wire);
  }

  public long remaining(long nowNanos) {
    return lifetime - (nowNanos - createdNanos) / 1_000_000_000L;
  }

  public int wireLength() {
    return wire.length;
  }
}
