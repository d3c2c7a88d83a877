package dev.hearth.resolver.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code unbound} (run as a child process, {@code unbound -d}, as the current user) that
 * forwards everything to a given authoritative server and serves it over plain DNS, DNS over TLS
 * and DNS over HTTPS on loopback: the encrypted upstream the tests forward to.
 */
public final class Unbound implements AutoCloseable {
  private final Path dir;
  private final int plainPort;
  private final int dotPort;
  private final int dohPort;
  private Process process;

  private Unbound(Path dir, int plainPort, int dotPort, int dohPort) {
    this.dir = dir;
    this.plainPort = plainPort;
    this.dotPort = dotPort;
    this.dohPort = dohPort;
  }

  /** The unbound binary, or null when it is not installed. */
  public static Path binary() {
    for (String p : List.of("/usr/sbin/unbound", "/usr/local/sbin/unbound")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  /**
   * Starts unbound forwarding to {@code authority}, with the given server key and certificate.
   * {@code idleMillis} is its {@code tcp-idle-timeout}: how soon it closes idle connections.
   */
  public static Unbound start(Path dir, InetSocketAddress authority, Path key, Path cert,
      long idleMillis) throws IOException {
    Path bin = binary();
    if (bin == null) {
      throw new IOException("unbound is not installed (apt-get install unbound)");
    }
    Unbound u = new Unbound(dir, freePort(), freePort(), freePort());
    Path conf = dir.resolve("unbound-" + u.dotPort + ".conf");
    String text = String.join("\n",
        "server:",
        "  verbosity: 1",
        "  num-threads: 1",
        "  interface: 127.0.0.1@" + u.plainPort,
        "  interface: 127.0.0.1@" + u.dotPort,
        "  interface: 127.0.0.1@" + u.dohPort,
        "  port: " + u.plainPort,
        "  tls-port: " + u.dotPort,
        "  https-port: " + u.dohPort,
        "  tls-service-key: \"" + key + "\"",
        "  tls-service-pem: \"" + cert + "\"",
        "  http-endpoint: \"/dns-query\"",
        "  tcp-idle-timeout: " + idleMillis,
        "  edns-tcp-keepalive: no",
        "  access-control: 127.0.0.0/8 allow",
        "  do-ip6: no",
        "  do-not-query-localhost: no",
        "  module-config: \"iterator\"",
        // test., invalid. and friends are local zones by default (RFC 6761); the tests use them.
        "  local-zone: \"test.\" nodefault",
        "  local-zone: \"invalid.\" nodefault",
        "  username: \"\"",
        "  chroot: \"\"",
        "  directory: \"" + dir + "\"",
        "  pidfile: \"\"",
        "  use-syslog: no",
        "  logfile: \"\"",
        "  so-reuseport: no",
        "  extended-statistics: yes",
        "forward-zone:",
        "  name: \".\"",
        "  forward-addr: " + authority.getAddress().getHostAddress() + "@" + authority.getPort(),
        "");
    Files.writeString(conf, text, StandardCharsets.UTF_8);
    Path log = dir.resolve("unbound-" + u.dotPort + ".log");
    u.process = new ProcessBuilder(bin.toString(), "-d", "-c", conf.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < until) {
      if (!u.process.isAlive()) {
        throw new IOException("unbound exited: " + Files.readString(log));
      }
      if (listening(u.dotPort) && listening(u.dohPort)) {
        return u;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    u.close();
    throw new IOException("unbound did not start listening: " + Files.readString(log));
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A loopback port nothing listens on (at the moment). */
  public static int freePortForTests() throws IOException {
    return freePort();
  }

  static int freePort() {
    return Ports.freeForUdpAndTcp();
  }

  public int plainPort() {
    return plainPort;
  }

  public int dotPort() {
    return dotPort;
  }

  public int dohPort() {
    return dohPort;
  }

  /**
   * Established TCP connections to {@code port} on this machine right now, as {@code ss} sees
   * them from the connecting side: an independent count of the connections a client holds.
   */
  public static int establishedTo(int port) throws IOException {
    Process p = new ProcessBuilder("ss", "-Htn", "state", "established", "dport", "=", ":" + port)
        .redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("ss timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    List<String> lines = new ArrayList<>();
    for (String l : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (!l.isBlank()) {
        lines.add(l);
      }
    }
    return lines.size();
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
