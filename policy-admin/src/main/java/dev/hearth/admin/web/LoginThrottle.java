package dev.hearth.admin.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing from one address across accounts (the per-account lockout in
 * {@code Accounts} covers guessing one account from many): after {@value #MAX_FAILURES} failed
 * logins within 10 minutes an address gets 429 until the window passes. Bounded in size.
 */
final class LoginThrottle {
  static final int MAX_FAILURES = 10;
  static final Duration WINDOW = Duration.ofMinutes(10);
  private static final int MAX_TRACKED = 100_000;

  private record Window(Instant start, int failures) {}

  private final Map<String, Window> byAddress = new ConcurrentHashMap<>();
  private final Clock clock;

  LoginThrottle(Clock clock) {
    this.clock = clock;
  }

  boolean blocked(String address) {
    Window w = byAddress.get(key(address));
    return w != null && w.failures >= MAX_FAILURES
        && w.start.plus(WINDOW).isAfter(clock.instant());
  }

  void failed(String address) {
    Instant now = clock.instant();
    if (byAddress.size() >= MAX_TRACKED) {
      byAddress.values().removeIf(w -> w.start.plus(WINDOW).isBefore(now));
      if (byAddress.size() >= MAX_TRACKED) {
        return; // full of live windows: the per-account lockout still holds
      }
    }
    byAddress.merge(key(address), new Window(now, 1), (old, one) ->
        old.start.plus(WINDOW).isBefore(now) ? one : new Window(old.start, old.failures + 1));
  }

  /**
   * A success does not clear the address's failures: one valid account must not buy unlimited
   * guesses at others.
   */
  void succeeded(String address) {
    // Deliberately nothing; the window ends by itself.
  }

  /** IPv6 clients are counted by /64, the block one subscriber usually has. */
  static String key(String address) {
    if (address == null || !address.contains(":")) {
      return String.valueOf(address);
    }
    try {
      byte[] a = java.net.InetAddress.getByName(address).getAddress();
      return a.length == 16 ? java.util.HexFormat.of().formatHex(a, 0, 8) + "::/64" : address;
    } catch (java.net.UnknownHostException e) {
      return address;
    }
  }
}
