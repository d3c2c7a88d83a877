package dev.hearth.resolver.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports for servers a test starts on a fixed port. A DNS listener binds UDP and TCP on
 * the same number, so a port free for one protocol only is not enough: a UDP-only check once
 * lost to an outgoing TCP connection holding the same ephemeral port (CI, 2026-11-27).
 */
public final class Ports {
  private Ports() {}

  /** A loopback port free, at the moment, for both TCP and UDP. */
  public static int freeForUdpAndTcp() {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.setReuseAddress(false);
        tcp.bind(new InetSocketAddress(loopback, 0));
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port))) {
          return port;
        } catch (IOException inUseForUdp) {
          // try another
        }
      } catch (IOException e) {
        // try another
      }
    }
    throw new IllegalStateException("no port free for both UDP and TCP on loopback");
  }
}
