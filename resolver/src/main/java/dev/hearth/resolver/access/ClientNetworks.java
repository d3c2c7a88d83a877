package dev.hearth.resolver.access;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The client networks a listener serves. Hearth must never be an open resolver, so everything
 * not listed here is refused. Matching masks the address once per distinct prefix length and
 * probes a hash set, so the cost does not grow with the number of prefixes.
 */
public final class ClientNetworks {
  private final List<Prefix> prefixes;
  private final int[] v4Lengths;
  private final Set<Long> v4;
  private final int[] v6Lengths;
  private final Set<Prefix> v6;

  public ClientNetworks(List<Prefix> prefixes) {
    this.prefixes = List.copyOf(prefixes);
    Set<Integer> v4Lens = new HashSet<>();
    Set<Integer> v6Lens = new HashSet<>();
    v4 = new HashSet<>();
    v6 = new HashSet<>();
    for (Prefix p : prefixes) {
      if (p.isIpv4()) {
        v4Lens.add(p.length());
        v4.add(key(toInt(p.network()), p.length()));
      } else {
        v6Lens.add(p.length());
        v6.add(p);
      }
    }
    v4Lengths = v4Lens.stream().mapToInt(Integer::intValue).sorted().toArray();
    v6Lengths = v6Lens.stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /** Loopback, RFC 1918, link-local and ULA ranges: safe defaults for a fresh install. */
  public static ClientNetworks privateDefaults() {
    return parse(List.of("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"));
  }

  public static ClientNetworks parse(List<String> texts) {
    List<Prefix> list = new ArrayList<>();
    for (String t : texts) {
      list.add(Prefix.parse(t));
    }
    return new ClientNetworks(list);
  }

  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 4) {
      int ip = toInt(a);
      for (int len : v4Lengths) {
        int masked = len == 0 ? 0 : ip & (-1 << (32 - len));
        if (v4.contains(key(masked, len))) {
          return true;
        }
      }
      return false;
    }
    if (isV4Mapped(a)) {
      try {
        return contains(InetAddress.getByAddress(Arrays.copyOfRange(a, 12, 16)));
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    for (int len : v6Lengths) {
      if (v6.contains(new Prefix(a, len))) {
        return true;
      }
    }
    return false;
  }

  public List<Prefix> prefixes() {
    return prefixes;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static Long key(int masked, int len) {
    // Prefix length in the high bits so 10.0.0.0/8 and 10.0.0.0/16 differ.
    return ((long) len << 32) | (masked & 0xffffffffL);
  }

  private static int toInt(byte[] a) {
    return ((a[0] & 0xff) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff);
  }

  @Override
  public String toString() {
    return prefixes.toString();
  }
}
