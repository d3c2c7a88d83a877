package dev.hearth.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses {@code HOST:PORT} text (IPv6 as {@code [::1]:5335}) into a socket address. Only IP
 * literals are accepted: a DNS resolver cannot depend on name resolution to find its own
 * listeners or upstreams, and {@link InetAddress#getByName} would silently start a lookup for
 * anything that is not a literal (including typos such as {@code 300.1.1.1}).
 */
final class HostPort {
  private HostPort() {}

  /** A listen address: the port is required and may be 0 (the system picks a free port). */
  static InetSocketAddress parseListen(String text) {
    return parse(text, -1, 0, "HOST:PORT with an IP address, e.g. 127.0.0.1:5335 or [::1]:5335");
  }

  /** A server to talk to: the port defaults to {@code defaultPort} and must not be 0. */
  static InetSocketAddress parseServer(String text, int defaultPort) {
    return parse(text, defaultPort, 1, "HOST[:PORT] with an IP address, e.g. 192.0.2.1:53 or [2001:db8::1]:53");
  }

  private static InetSocketAddress parse(String text, int defaultPort, int minPort, String expected) {
    String t = text.trim();
    String host;
    String port;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw bad(expected, text, "missing ']'");
      }
      host = t.substring(1, close);
      String rest = t.substring(close + 1);
      if (rest.isEmpty()) {
        port = null;
      } else if (rest.startsWith(":")) {
        port = rest.substring(1);
      } else {
        throw bad(expected, text, null);
      }
      if (!host.contains(":")) {
        throw bad(expected, text, "brackets are only for IPv6 addresses");
      }
    } else {
      int first = t.indexOf(':');
      int last = t.lastIndexOf(':');
      if (first < 0) {
        host = t;
        port = null;
      } else if (first == last) {
        host = t.substring(0, first);
        port = t.substring(first + 1);
      } else if (defaultPort > 0) {
        host = t; // a bare IPv6 address, default port
        port = null;
      } else {
        throw bad(expected, text, "write IPv6 addresses in brackets, e.g. [::1]:5335");
      }
    }
    int p;
    if (port == null) {
      if (defaultPort < 0) {
        throw bad(expected, text, "the port is missing");
      }
      p = defaultPort;
    } else {
      if (!port.matches("[0-9]{1,5}")) {
        throw bad(expected, text, "bad port");
      }
      p = Integer.parseInt(port);
      if (p < minPort || p > 65_535) {
        throw bad(expected, text, "port must be between " + minPort + " and 65535");
      }
    }
    InetAddress address;
    try {
      address = ipLiteral(host);
    } catch (IllegalArgumentException e) {
      throw bad(expected, text, e.getMessage());
    }
    return new InetSocketAddress(address, p);
  }

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal without ever touching DNS. Zone ids
   * ({@code fe80::1%eth0}) are rejected: they only make sense on one host's interfaces.
   *
   * @throws IllegalArgumentException with a short reason when the text is not an IP literal
   */
  static InetAddress ipLiteral(String host) {
    if (host.isEmpty()) {
      throw new IllegalArgumentException("the address is missing");
    }
    if (host.contains("%")) {
      throw new IllegalArgumentException("IPv6 zone ids are not supported");
    }
    if (host.contains(":")) {
      if (!host.matches("[0-9A-Fa-f:.]+")) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
      }
      try {
        // Contains ':', so the JDK parses it as an IPv6 literal and never queries DNS.
        return InetAddress.getByName(host);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
      }
    }
    if (!host.matches("[0-9.]+")) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address (host names are not accepted)");
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("'" + host + "' is not an IPv4 address");
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.startsWith("0"))) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv4 address");
      }
      int v = Integer.parseInt(part);
      if (v > 255) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv4 address");
      }
      bytes[i] = (byte) v;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The inverse of parsing: {@code 127.0.0.1:53} or {@code [::1]:53}. */
  static String format(InetSocketAddress address) {
    String host = format(address.getAddress());
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** IPv4 dotted quad, or IPv6 in the short form of RFC 5952 ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
  static String format(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length == 4) {
      return address.getHostAddress();
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  private static IllegalArgumentException bad(String expected, String text, String reason) {
    return new IllegalArgumentException("expected " + expected + ", got \"" + text + "\""
        + (reason == null ? "" : " (" + reason + ")"));
  }
}
