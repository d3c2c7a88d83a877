package dev.hearth.resolver.client;

import dev.hearth.resolver.access.Prefix;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Subscriber-to-address bindings that change at run time (dynamic IPs handed out by RADIUS or
 * DHCP): {@link #bind} and {@link #unbind} take effect on the next query, with no snapshot
 * rebuild. A binding is the most current fact about an address, so it wins over the static
 * prefixes of the policy snapshot. Thread-safe; lookups allocate one small key per probed length
 * (bindings usually have one or two lengths, e.g. /32 and /56).
 */
public final class AddressBindings {
  private record Key(long hi, long lo, int familyAndLength) {}

  private final Map<Key, String> bound = new ConcurrentHashMap<>();
  /** How many bindings have each length: IPv4 0..32 at 0..32, IPv6 0..128 at 33..161. */
  private final AtomicIntegerArray lengths = new AtomicIntegerArray(33 + 129);
  /**
   * Bindings in all, kept like {@link #lengths}. Not the map's own size: ConcurrentHashMap counts
   * after each change, so a racing bind and unbind can make it read 0 while others exist.
   */
  private final java.util.concurrent.atomic.AtomicInteger total =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Binds {@code prefix} (often a single address) to a subscriber; returns the previous one. */
  public String bind(Prefix prefix, String subscriberId) {
    java.util.Objects.requireNonNull(subscriberId, "subscriberId");
    Key k = key(prefix.network(), prefix.length());
    int slot = slot(prefix.isIpv4(), prefix.length());
    String[] old = new String[1];
    // Counted inside compute (atomic per prefix), before the binding becomes visible: a length's
    // count never drops below the bindings of that length a lookup could find.
    bound.compute(k, (key, previous) -> {
      if (previous == null) {
        total.incrementAndGet();
        lengths.incrementAndGet(slot);
      }
      old[0] = previous;
      return subscriberId;
    });
    return old[0];
  }

  /** Removes a binding; returns the subscriber it was bound to, or null. */
  public String unbind(Prefix prefix) {
    int slot = slot(prefix.isIpv4(), prefix.length());
    String[] old = new String[1];
    bound.computeIfPresent(key(prefix.network(), prefix.length()), (key, previous) -> {
      lengths.decrementAndGet(slot);
      total.decrementAndGet();
      old[0] = previous;
      return null;
    });
    return old[0];
  }

  public int size() {
    return bound.size();
  }

  /** The subscriber bound to the longest binding holding {@code address}, or null. */
  public String lookup(InetAddress address) {
    return lookup(address, 128);
  }

  /**
   * As {@link #lookup(InetAddress)}, considering only bindings of at most {@code maxLength} bits
   * (for a Client Subnet: a binding narrower than the subnet does not hold all of it).
   */
  public String lookup(InetAddress address, int maxLength) {
    if (total.get() == 0) {
      return null;
    }
    byte[] a = address.getAddress();
    if (a.length == 16 && PrefixTable.isV4Mapped(a)) {
      a = java.util.Arrays.copyOfRange(a, 12, 16);
    }
    boolean v4 = a.length == 4;
    for (int len = Math.min(maxLength, v4 ? 32 : 128); len >= 0; len--) {
      if (lengths.get(slot(v4, len)) > 0) {
        String s = bound.get(key(a, len));
        if (s != null) {
          return s;
        }
      }
    }
    return null;
  }

  private static int slot(boolean v4, int len) {
    return v4 ? len : 33 + len;
  }

  private static Key key(byte[] a, int len) {
    if (a.length == 4) {
      int v = PrefixTable.v4(a, 0);
      long masked = len == 0 ? 0 : (v & 0xffffffffL) & (0xffffffffL << (32 - len));
      return new Key(0, masked, len);
    }
    long hi = PrefixTable.v6Half(a, 0);
    long lo = PrefixTable.v6Half(a, 8);
    long mh = len >= 64 ? hi : len == 0 ? 0 : hi & (-1L << (64 - len));
    long ml = len <= 64 ? 0 : len == 128 ? lo : lo & (-1L << (128 - len));
    return new Key(mh, ml, 0x100 | len);
  }
}
