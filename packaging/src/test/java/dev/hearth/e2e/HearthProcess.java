package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The built {@code hearth.jar} running as {@code java -jar hearth.jar serve ...} on a free port
 * (one number for UDP and TCP), with a private data dir and its stdout+stderr captured to a file.
 */
final class HearthProcess implements AutoCloseable {
  /** How startup is detected. */
  enum Ready {
    /** Any reply to a UDP probe query (NOERROR, SERVFAIL, REFUSED... all mean "serving"). */
    QUERY,
    /** A TCP connect succeeds; for configurations that deliberately never answer us. */
    TCP_CONNECT
  }

  private static final long START_TIMEOUT_SECONDS = 20;
  private static final long STOP_TIMEOUT_SECONDS = 10;

  private final Path dir;
  private final Path log;
  private final int port;
  private final List<String> command;
  private Process process;

  private HearthProcess(Path dir, int port, List<String> command) {
    this.dir = dir;
    this.log = dir.resolve("hearth.log");
    this.port = port;
    this.command = command;
  }

  /** Starts Hearth forwarding to the given upstreams ("127.0.0.1:PORT"), plus extra CLI args. */
  static HearthProcess start(List<String> upstreams, List<String> extraArgs) throws IOException {
    return start(upstreams, extraArgs, Ready.QUERY);
  }

  static HearthProcess start(List<String> upstreams, List<String> extraArgs, Ready ready)
      throws IOException {
    return start(upstreams, extraArgs, ready, null);
  }

  /**
   * As {@link #start(List, List, Ready)} with the data directory somewhere else (e.g. on a small
   * file system of its own); null for the usual one under the process's temporary directory.
   */
  static HearthProcess start(List<String> upstreams, List<String> extraArgs, Ready ready,
      Path elsewhere) throws IOException {
    return start(List.of(), upstreams, extraArgs, ready, elsewhere);
  }

  /** As {@link #start(List, List, Ready, Path)} with JVM options added to the usual ones. */
  static HearthProcess start(List<String> jvmOptions, List<String> upstreams,
      List<String> extraArgs, Ready ready, Path elsewhere) throws IOException {
    Path jar = E2e.hearthJar();
    Path dir = Files.createTempDirectory("hearth-e2e-");
    Path dataDir = elsewhere != null ? Files.createDirectories(elsewhere)
        : Files.createDirectories(dir.resolve("data"));
    // A port found free can be taken by another socket's ephemeral port before this JVM binds
    // it (a known flake of the suite): a start refused for that alone is retried on another.
    for (int attempt = 1; ; attempt++) {
      int port = E2e.freePort();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx256m");
      cmd.add("-XX:+UseSerialGC");
      cmd.addAll(jvmOptions);
      cmd.add("-jar");
      cmd.add(jar.toAbsolutePath().toString());
      cmd.add("serve");
      cmd.add("--dns");
      cmd.add("127.0.0.1:" + port);
      for (String u : upstreams) {
        cmd.add("--upstream");
        cmd.add(u);
      }
      cmd.add("--data-dir");
      cmd.add(dataDir.toString());
      if (!extraArgs.contains("--http")) {
        // Tests that do not use the admin API keep port 8080 free and skip its start-up work.
        cmd.add("--http");
        cmd.add("off");
      }
      cmd.addAll(extraArgs);
      HearthProcess h = new HearthProcess(dir, port, List.copyOf(cmd));
      if (h.launch(ready, attempt < 3)) {
        return h;
      }
    }
  }

  /**
   * Starts the process and waits until it is ready; false (only when {@code mayRetry}) when it
   * exited because its DNS port had been taken in the meantime.
   */
  private boolean launch(Ready ready, boolean mayRetry) throws IOException {
    process = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    int id = 0x7000;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String out = Files.readString(log);
        if (mayRetry && out.contains("cannot listen on 127.0.0.1:" + port + " (")
            && out.contains("Address already in use")) {
          return false;
        }
        fail("Hearth exited with status " + process.exitValue() + " during startup\n" + describe());
      }
      try {
        if (ready == Ready.QUERY) {
          // Connected UDP socket: before the listener is bound the ICMP error returns at once.
          Optional<byte[]> r = Wire.udpExchange(port,
              Wire.query(++id, "hearth-probe.e2e.test.", Wire.TYPE_A), 4_000);
          if (r.isPresent() && r.get().length >= 12 && Wire.id(r.get()) == id && Wire.qr(r.get())) {
            return true;
          }
        } else {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(E2e.LOOPBACK, port), 500);
            return true;
          }
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      E2e.sleep(100);
    }
    String why = describe();
    close();
    return fail("Hearth did not answer a probe on 127.0.0.1:" + port + " within " + START_TIMEOUT_SECONDS
        + " s (ready check " + ready + ")\n" + why);
  }

  int port() {
    return port;
  }

  /** The data directory this instance was started with (kept across {@link #restart}). */
  Path dataDir() {
    int i = command.indexOf("--data-dir");
    return Path.of(command.get(i + 1));
  }

  /** SIGKILL, as a power cut or the OOM killer would: no shutdown hook runs. */
  void kill9() throws InterruptedException {
    Process p = process;
    if (p != null) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Starts again after {@link #kill9}, same command line and data directory. */
  void relaunch() throws IOException {
    launch(Ready.QUERY, false);
  }

  /** Stops the process and starts it again with the same command line and data directory. */
  void restart() throws IOException {
    stop();
    launch(Ready.QUERY, false);
  }

  /** Output and exit status of a {@code java -jar hearth.jar ARGS...} tool run. */
  record CliResult(int exit, String output) {}

  /** Runs a Hearth command (e.g. {@code lists test NAME}) to completion, within 60 s. */
  static CliResult cli(String... args) throws IOException, InterruptedException {
    return cliWithInput(null, args);
  }

  /** {@link #cli} with {@code input} on standard input (e.g. a password for --password-stdin). */
  static CliResult cliWithInput(String input, String... args)
      throws IOException, InterruptedException {
    return cliWithJvm(List.of(), E2e.hearthJar(), input, args);
  }

  /** {@link #cliWithInput} with JVM options added and the given jar. */
  static CliResult cliWithJvm(List<String> jvmOptions, Path jar, String input, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmOptions);
    cmd.add("-jar");
    cmd.add(jar.toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (input == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    Process p = pb.start();
    if (input != null) {
      try (var in = p.getOutputStream()) {
        in.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("hearth " + String.join(" ", args) + " did not finish within 60 s");
    }
    return new CliResult(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  String log() {
    return E2e.readQuietly(log);
  }

  /** Command line and captured log, for assertion messages. */
  String describe() {
    return "--- hearth command ---\n" + String.join(" ", command) + "\n--- hearth log (" + log + ") ---\n"
        + E2e.tail(log(), 20_000);
  }

  /**
   * SIGTERM, then requires the JVM to exit within 10 s. Fails the test (after a SIGKILL cleanup)
   * when it does not.
   */
  void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    List<ProcessHandle> descendants = p.descendants().toList();
    p.destroy();
    boolean exited;
    try {
      exited = p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exited = false;
    }
    if (!exited) {
      String why = describe();
      p.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
      fail("Hearth did not exit within " + STOP_TIMEOUT_SECONDS + " s of SIGTERM\n" + why);
    }
  }

  /** Stops (without failing on a slow exit: the test already has its verdict) and cleans up. */
  @Override
  public void close() {
    if (process != null) {
      Process p = process;
      process = null;
      p.destroy();
      try {
        if (!p.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    keepLogIfAsked();
    E2e.deleteTree(dir);
  }

  /** -Dhearth.e2e.keepLogs=DIR copies every Hearth log there before the temp dir is removed. */
  private void keepLogIfAsked() {
    String keep = System.getProperty("hearth.e2e.keepLogs");
    if (keep == null || !Files.exists(log)) {
      return;
    }
    try {
      Path target = Files.createDirectories(Path.of(keep)).resolve("hearth-" + port + ".log");
      Files.copy(log, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ignored) {
      // diagnostics only
    }
  }
}
