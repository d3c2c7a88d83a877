package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An NSD authoritative server for {@code e2e.test.} on 127.0.0.1, run as a child process
 * ({@code nsd -d}) as the current user with a private config, zone and state files in a temp dir.
 * It is the real, independent upstream Hearth forwards to.
 */
final class Nsd implements AutoCloseable {
  private static final String ZONE_RESOURCE = "/e2e/e2e.test.zone";

  private final Path nsdBinary;
  private final Path dir;
  private final Path config;
  private final Path log;
  private final int port;
  private Process process;
  private List<ProcessHandle> children = List.of();

  private Nsd(Path nsdBinary, Path dir, int port) {
    this.nsdBinary = nsdBinary;
    this.dir = dir;
    this.port = port;
    this.config = dir.resolve("nsd.conf");
    this.log = dir.resolve("nsd.log");
  }

  /** Writes the config and zone, validates them with nsd-checkconf and starts NSD. */
  static Nsd startNew() throws IOException {
    Path nsd = E2e.requireTool("nsd", "/usr/sbin/nsd");
    Path dir = Files.createTempDirectory("hearth-e2e-nsd-");
    Nsd n = new Nsd(nsd, dir, E2e.freePort());
    try {
      n.writeFiles();
      n.checkConf();
      n.start();
      return n;
    } catch (RuntimeException | Error | IOException e) {
      n.close();
      throw e;
    }
  }

  int port() {
    return port;
  }

  /** "127.0.0.1:PORT", the form Hearth's --upstream takes. */
  String address() {
    return "127.0.0.1:" + port;
  }

  private void writeFiles() throws IOException {
    try (InputStream in = Nsd.class.getResourceAsStream(ZONE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + ZONE_RESOURCE + " missing");
      }
      Files.write(dir.resolve("e2e.test.zone"), in.readAllBytes());
    }
    String conf = """
        server:
          ip-address: 127.0.0.1
          port: %d
          do-ip4: yes
          do-ip6: no
          username: ""
          chroot: ""
          server-count: 1
          verbosity: 1
          hide-version: yes
          pidfile: ""
          database: ""
          zonesdir: "%s"
          xfrdfile: "%s"
          zonelistfile: "%s"
          xfrd-reload-timeout: 1
          zonefiles-check: no
          zonefiles-write: 0
        remote-control:
          control-enable: no
        zone:
          name: "%s"
          zonefile: "%s"
        """.formatted(port, dir, dir.resolve("xfrd.state"), dir.resolve("zone.list"), E2e.ZONE,
        dir.resolve("e2e.test.zone"));
    Files.writeString(config, conf, StandardCharsets.UTF_8);
  }

  private void checkConf() throws IOException {
    Path checkconf = E2e.requireTool("nsd-checkconf", "/usr/sbin/nsd-checkconf");
    Process p = new ProcessBuilder(checkconf.toString(), config.toString())
        .redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("nsd-checkconf hung on " + config);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    if (p.exitValue() != 0) {
      fail("nsd-checkconf rejected " + config + " (exit " + p.exitValue() + "):\n" + out
          + "\n--- config ---\n" + E2e.readQuietly(config));
    }
  }

  /**
   * Adds records (zone-file lines relative to the zone's origin) and restarts NSD on the same
   * port with them, as an operator publishing a record would.
   */
  synchronized void addRecords(String... lines) throws IOException {
    stop();
    Files.writeString(dir.resolve("e2e.test.zone"), String.join("\n", lines) + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    start();
  }

  /** Starts NSD (again) on the same port and waits until it answers for the zone. */
  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      return;
    }
    // Append, so a restart keeps the earlier log for failure messages.
    process = new ProcessBuilder(nsdBinary.toString(), "-d", "-c", config.toString())
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    awaitAnswering();
    // NSD forks xfrd and server children; remember them so stop() can reap any straggler.
    children = process.descendants().toList();
  }

  private void awaitAnswering() throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    int id = 0x4e00;
    String last = "no reply";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("nsd exited with status " + process.exitValue() + " before answering\n--- nsd log ---\n"
            + E2e.readQuietly(log) + "\n--- config ---\n" + E2e.readQuietly(config));
      }
      Optional<byte[]> reply = Wire.udpExchange(port, Wire.query(++id, E2e.ZONE, Wire.TYPE_SOA), 300);
      if (reply.isPresent()) {
        byte[] r = reply.get();
        // NOERROR with an answer means the zone is loaded, not just the socket bound.
        if (r.length >= 12 && Wire.id(r) == id && Wire.rcode(r) == 0 && Wire.ancount(r) > 0) {
          return;
        }
        last = "rcode " + (r.length >= 12 ? Wire.rcode(r) : -1);
      } else {
        E2e.sleep(100);
      }
    }
    String logText = E2e.readQuietly(log);
    stop();
    fail("nsd did not answer SOA " + E2e.ZONE + " on " + address() + " within 15 s (" + last
        + ")\n--- nsd log ---\n" + logText);
  }

  /** Kills NSD (SIGTERM, then SIGKILL) and waits for it, so the port stops answering. */
  synchronized void stop() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> all = new java.util.ArrayList<>(children);
    all.addAll(process.descendants().toList());
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle h : all) {
      if (h.isAlive()) {
        h.destroy();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : all) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        E2e.sleep(50);
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
    process = null;
    children = List.of();
    awaitSilent();
  }

  /** After stop, make sure nothing answers any more (a child could outlive the parent). */
  private void awaitSilent() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      try {
        if (Wire.udpExchange(port, Wire.query(0x4eff, E2e.ZONE, Wire.TYPE_SOA), 200).isEmpty()) {
          return;
        }
      } catch (IOException e) {
        return;
      }
      E2e.sleep(100);
    }
    fail("nsd still answers on " + address() + " after stop()\n" + E2e.readQuietly(log));
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  String log() {
    return E2e.readQuietly(log);
  }

  @Override
  public void close() {
    stop();
    E2e.deleteTree(dir);
  }
}
