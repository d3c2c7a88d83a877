package dev.hearth.resolver.server;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Caps TCP connections in total and per client address, so one client (or a flood of them) cannot
 * take every connection slot or file descriptor. A connection over the cap is closed at accept.
 */
final class ConnectionLimits {
  private final int maxTotal;
  private final int maxPerClient;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
  final LongAdder rejected = new LongAdder();

  ConnectionLimits(int maxTotal, int maxPerClient) {
    this.maxTotal = maxTotal;
    this.maxPerClient = maxPerClient;
  }

  /** Admits the channel or closes it; an admitted channel gives its slot back when it closes. */
  boolean admit(Channel ch) {
    InetAddress client = ((InetSocketAddress) ch.remoteAddress()).getAddress();
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return reject(ch);
    }
    AtomicInteger mine = perClient.computeIfAbsent(client, k -> new AtomicInteger());
    if (mine.incrementAndGet() > maxPerClient) {
      mine.decrementAndGet();
      total.decrementAndGet();
      return reject(ch);
    }
    ch.closeFuture().addListener(f -> {
      total.decrementAndGet();
      perClient.computeIfPresent(client, (k, v) -> v.decrementAndGet() <= 0 ? null : v);
    });
    return true;
  }

  private boolean reject(Channel ch) {
    rejected.increment();
    ch.close();
    return false;
  }

  int open() {
    return total.get();
  }
}
