package dev.hearth.resolver.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL 15 cluster from the Debian package, for tests of the fleet's shared
 * admin store: {@code initdb} into a temporary directory, {@code pg_ctl start} on a free loopback
 * port with its unix socket in that directory, password authentication for the user
 * {@code hearth}, one database {@code hearth}. initdb refuses to run as root, so as root the
 * cluster belongs to the {@code postgres} system user (which the package creates).
 */
public final class TestPostgres implements AutoCloseable {
  /** Where the Debian package puts the server binaries. */
  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  public static final String USER = "hearth";
  public static final String DATABASE = "hearth";

  private final Path dir;
  private final int port;
  private final String password;
  private final boolean asPostgres;
  private boolean running;

  private TestPostgres(Path dir, int port, String password, boolean asPostgres) {
    this.dir = dir;
    this.port = port;
    this.password = password;
    this.asPostgres = asPostgres;
  }

  /** Whether the PostgreSQL server binaries are installed here. */
  public static boolean available() {
    return Files.isExecutable(BIN.resolve("initdb")) && Files.isExecutable(BIN.resolve("pg_ctl"));
  }

  /** Creates and starts a cluster with database {@link #DATABASE}; takes a few seconds. */
  public static TestPostgres start() throws IOException, InterruptedException {
    if (!available()) {
      throw new IllegalStateException("PostgreSQL 15 is not installed (" + BIN + "): install the"
          + " Debian package postgresql");
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "hearth-pg-");
    String password = "pw-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    Files.writeString(dir.resolve("pwfile"), password + "\n");
    if (root) {
      exec(new ProcessBuilder(List.of("chown", "-R", "postgres:postgres", dir.toString())),
          dir, 30);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    TestPostgres pg = new TestPostgres(dir, port, password, root);
    try {
      pg.pg(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
          "-U", USER, "--pwfile=" + dir.resolve("pwfile"), "--auth=scram-sha-256",
          "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"), 60);
      pg.startServer();
      pg.pg(List.of(BIN.resolve("createdb").toString(), "-h", "127.0.0.1", "-p",
          String.valueOf(port), "-U", USER, DATABASE), 30);
      return pg;
    } catch (IOException | InterruptedException | RuntimeException e) {
      String log = pg.serverLog();
      pg.close();
      throw new IOException(e.getMessage() + "\n--- server log ---\n" + log, e);
    }
  }

  /** {@code postgresql://127.0.0.1:PORT/hearth}, as Hearth's {@code store.url} takes it. */
  public String url() {
    return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  public String password() {
    return password;
  }

  /** Runs SQL as the database owner with {@code psql}; fails on the first error. */
  public void sql(String statements) throws IOException, InterruptedException {
    pg(List.of(BIN.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
        "-U", USER, "-d", DATABASE, "-v", "ON_ERROR_STOP=1", "-q", "-c", statements), 30);
  }

  /** Empties the database (every table, sequence and schema row), for the next test. */
  public void reset() throws IOException, InterruptedException {
    sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  }

  /** Starts the server again after {@link #stop}, on the same port with the same data. */
  public void restart() throws IOException, InterruptedException {
    startServer();
  }

  private void startServer() throws IOException, InterruptedException {
    pg(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
        "-l", dir.resolve("server.log").toString(), "-w", "-t", "30", "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
            + " -c synchronous_commit=off -c full_page_writes=off", "start"), 60);
    running = true;
  }

  /** Stops the server (fast shutdown), keeping the cluster so {@link #restart} can bring it back. */
  public void stop() throws IOException, InterruptedException {
    if (running) {
      running = false;
      pg(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
          "-m", "fast", "-w", "-t", "30", "stop"), 60);
    }
  }

  /** The server's own log, for assertion messages. */
  public String serverLog() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return "(no server log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (IOException | InterruptedException | RuntimeException e) {
      // Best effort: try harder, the test's own outcome is what matters.
      try {
        pg(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
            "-m", "immediate", "stop"), 30);
      } catch (IOException | InterruptedException | RuntimeException ignored) {
        // nothing more to do
      }
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }

  private void pg(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--", "env", "PGPASSWORD=" + password));
    }
    cmd.addAll(command);
    run(cmd, !asPostgres, timeoutSeconds);
  }

  private void run(List<String> cmd, boolean withPassword, int timeoutSeconds)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (withPassword) {
      pb.environment().put("PGPASSWORD", password);
    }
    exec(pb, dir, timeoutSeconds);
  }

  private static void exec(ProcessBuilder pb, Path dir, int timeoutSeconds)
      throws IOException, InterruptedException {
    pb.environment().putAll(Map.of("LC_ALL", "C.UTF-8"));
    // A file, not a pipe: the server pg_ctl starts would hold a pipe open for its lifetime.
    Path out = Files.createTempFile("hearth-pg-cmd-", ".out");
    try {
      pb.redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", pb.command()) + " did not finish within "
            + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", pb.command()) + " failed (exit " + p.exitValue()
            + "): " + Files.readString(out, StandardCharsets.UTF_8));
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
