package dev.hearth.resolver.server;

import dev.hearth.resolver.access.ClientNetworks;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caps TCP connections in total and per client, so one client (or a flood of them) cannot take
 * every connection slot or file descriptor. A client is an IPv4 address or an IPv6 /64 (one
 * subscriber usually holds a whole /64). Clients outside the allowed networks share a small pool
 * of their own (enough to be told REFUSED), or are closed at once when refusals are silent.
 */
public final class ConnectionLimits {
  static final int OUTSIDER_POOL = 16;

  private final int maxTotal;
  private final int maxPerClient;
  private final ClientNetworks allowed;
  private final boolean dropOutsiders;
  private final AtomicInteger total = new AtomicInteger();
  private final AtomicInteger outsiders = new AtomicInteger();
  private final ConcurrentHashMap<ClientKey, Integer> perClient = new ConcurrentHashMap<>();
  final LongAdder rejected = new LongAdder();

  public ConnectionLimits(int maxTotal, int maxPerClient, ClientNetworks allowed, boolean dropOutsiders) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
    this.allowed = allowed;
    this.dropOutsiders = dropOutsiders;
  }

  /** Admits the channel or closes it; an admitted channel gives its slot back when it closes. */
  public boolean admit(Channel ch) {
    InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
    if (!allowed.contains(address)) {
      if (dropOutsiders || outsiders.incrementAndGet() > OUTSIDER_POOL) {
        if (!dropOutsiders) {
          outsiders.decrementAndGet();
        }
        return reject(ch);
      }
      ch.closeFuture().addListener(f -> outsiders.decrementAndGet());
      return true;
    }
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return reject(ch);
    }
    ClientKey client = ClientKey.of(address);
    boolean[] admitted = new boolean[1];
    perClient.compute(client, (k, n) -> {
      int current = n == null ? 0 : n;
      admitted[0] = current < maxPerClient;
      return admitted[0] ? current + 1 : (current == 0 ? null : current);
    });
    if (!admitted[0]) {
      total.decrementAndGet();
      return reject(ch);
    }
    ch.closeFuture().addListener(f -> {
      total.decrementAndGet();
      perClient.compute(client, (k, n) -> n == null || n <= 1 ? null : n - 1);
    });
    return true;
  }

  private boolean reject(Channel ch) {
    rejected.increment();
    ch.close();
    return false;
  }

  public int open() {
    return total.get() + outsiders.get();
  }

  /** An IPv4 address, or the /64 of an IPv6 address. */
  private record ClientKey(byte[] bytes) {
    static ClientKey of(InetAddress a) {
      byte[] b = a.getAddress();
      return new ClientKey(b.length == 16 ? Arrays.copyOf(b, 8) : b);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ClientKey k && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }
}
