package dev.hearth.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hearth selftest}: starts a throwaway Hearth on loopback (its own data directory, a
 * one-name block list, a stand-in upstream) and checks the path every query takes: a listed name
 * is blocked, another is forwarded and answered over UDP, then answered from the cache over TCP,
 * and the web console answers. It runs the real `serve` code, so it also shows that this JVM can
 * run this build. The Debian package runs it after every install and JVM upgrade to train the
 * class-data archive that starts the service about a quarter sooner.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
    versionProvider = Hearth.Version.class,
    description = "Start a throwaway Hearth on loopback (temporary data directory, a one-name"
        + " block list, a stand-in upstream) and check that it blocks, forwards, caches and"
        + " serves its console. Exit status 0 when every check passes, 1 otherwise.")
final class SelftestCommand implements Callable<Integer> {
  static final String BLOCKED = "blocked.hearth-selftest.example";
  static final String FORWARDED = "www.hearth-selftest.example";
  static final String UPSTREAM_ADDRESS = "192.0.2.1";

  @Spec CommandSpec spec;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
      converter = ServeCommand.PositiveConverter.class,
      description = "How long the throwaway server may take to start (default 60).")
  int timeoutSeconds;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Check a server of the shape this configuration gives: when it turns the web"
          + " interface off (http.listen: off, no block-page listener), the throwaway server runs"
          + " without it too. Trained this way, the class-data archive holds only what that"
          + " service loads (~12 MB less resident memory for a DNS-only resolver).")
  Path shapeOf;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("hearth selftest: Hearth %s on Java %s (%s)%n", Hearth.version(),
        System.getProperty("java.version"), System.getProperty("java.vm.name"));
    out.flush();
    Path dir = null;
    try {
      dir = Files.createTempDirectory("hearth-selftest-");
      return run(dir, out);
    } catch (IOException e) {
      out.println("FAIL  " + e.getMessage());
      out.println("selftest failed");
      return Hearth.EXIT_STARTUP;
    } finally {
      out.flush();
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  private int run(Path dir, PrintWriter out) throws IOException {
    boolean web = webInterfaceOf(shapeOf, out);
    int dnsPort = freePort();
    int httpPort = freePort();
    Path list = Files.writeString(dir.resolve("selftest-list.txt"),
        "# hearth selftest\n" + BLOCKED + "\n");
    Path config = Files.writeString(dir.resolve("hearth.yaml"), String.join("\n",
        "# hearth selftest: loopback only",
        "dns:",
        "  listen: [\"127.0.0.1:" + dnsPort + "\"]",
        "  allow: [127.0.0.0/8]",
        "http:",
        "  listen: \"" + (web ? "127.0.0.1:" + httpPort : "off") + "\"",
        ""));
    try (StandInUpstream upstream = new StandInUpstream()) {
      String[] args = {"serve", "--config", config.toString(), "--data-dir",
          dir.resolve("data").toString(), "--upstream", "127.0.0.1:" + upstream.port(),
          "--blocklist", list.toString(), "--log-level", "warn"};
      InetSocketAddress dns = new InetSocketAddress(InetAddress.getLoopbackAddress(), dnsPort);
      Check blocked = new Check("listed name " + BLOCKED + " is blocked (UDP)", () -> {
        Message r = ask(dns, BLOCKED, false);
        return r.getRcode() == Rcode.NXDOMAIN ? null
            : "answered " + Rcode.string(r.getRcode()) + " instead of NXDOMAIN";
      });
      List<Check> checks = new java.util.ArrayList<>(List.of(
          blocked,
          new Check(FORWARDED + " is forwarded to the upstream (UDP)", () ->
              expectAddress(ask(dns, FORWARDED, false))),
          new Check(FORWARDED + " again, over TCP, from the cache", () -> {
            int before = upstream.queries();
            String wrong = expectAddress(ask(dns, FORWARDED, true));
            return wrong != null ? wrong : upstream.queries() != before
                ? "asked the upstream again instead of answering from the cache" : null;
          })));
      if (web) {
        checks.add(new Check("/readyz says ready", () -> httpStatus(httpPort, "/readyz", 200)));
        checks.add(new Check("the console answers",
            () -> httpStatus(httpPort, "/", 200, 302, 303)));
      }
      // First start: the list is parsed and saved. Second start: the saved version is read,
      // as on every restart of a real server.
      int failed = serveAndCheck("started", args, checks, out);
      if (failed == 0) {
        failed = serveAndCheck("restarted from the saved list", args, List.of(blocked), out);
      }
      out.println(failed == 0 ? "selftest passed" : "selftest failed");
      return failed == 0 ? 0 : Hearth.EXIT_STARTUP;
    }
  }

  /**
   * Whether the service configured in {@code file} runs the web interface (or a block-page
   * listener, which starts the same web server); true without a file, or when the file cannot be
   * read, so that the check and the archive cover the whole server.
   */
  static boolean webInterfaceOf(Path file, PrintWriter out) {
    if (file == null) {
      return true;
    }
    try {
      Settings.Builder b = Settings.builder();
      ConfigFile.read(file, b);
      Settings s = b.build();
      boolean web = s.webEnabled() || s.blockPageListen() != null;
      out.println("ok    " + file + " read: " + (web ? "checking the whole server"
          : "web interface off, checking DNS only"));
      return web;
    } catch (ConfigException | RuntimeException e) {
      out.println("note  " + file + " not read (" + e.getMessage()
          + "): checking the whole server");
      return true;
    }
  }

  /** Runs a throwaway `serve`, the checks against it, then stops it; returns how many failed. */
  private int serveAndCheck(String what, String[] args, List<Check> checks, PrintWriter out) {
    CommandLine cmd = Hearth.newCommandLine();
    StringWriter serveErr = new StringWriter();
    cmd.setErr(new PrintWriter(serveErr, true));
    cmd.setOut(new PrintWriter(serveErr, true));
    ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
    int[] exit = {-1};
    Thread serving = new Thread(() -> exit[0] = cmd.execute(args), "hearth-selftest-serve");
    serving.setDaemon(true);
    long started = System.nanoTime();
    serving.start();
    try {
      if (!awaitReady(serve, serving)) {
        out.println("FAIL  " + what + ": the server did not start"
            + (serving.isAlive() ? " within " + timeoutSeconds + " s" : " (exit " + exit[0] + ")"));
        String why = serveErr.toString().strip();
        if (!why.isEmpty()) {
          out.println(why);
        }
        return 1;
      }
      out.printf("ok    %s in %d ms%n", what,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      int failed = 0;
      for (Check c : checks) {
        String wrong;
        try {
          wrong = c.test().call();
        } catch (Exception e) {
          wrong = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        out.println((wrong == null ? "ok    " : "FAIL  ") + c.what()
            + (wrong == null ? "" : ": " + wrong));
        failed += wrong == null ? 0 : 1;
      }
      return failed;
    } finally {
      out.flush();
      serve.stop();
      try {
        serving.join(TimeUnit.SECONDS.toMillis(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean awaitReady(ServeCommand serve, Thread serving) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    try {
      while (System.nanoTime() < deadline) {
        if (serve.ready.await(50, TimeUnit.MILLISECONDS)) {
          return true;
        }
        if (!serving.isAlive()) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  private record Check(String what, Callable<String> test) {}

  /** Null when the answer holds the stand-in upstream's address, else what is wrong. */
  private static String expectAddress(Message r) {
    if (r.getRcode() != Rcode.NOERROR) {
      return "answered " + Rcode.string(r.getRcode());
    }
    for (Record rr : r.getSection(Section.ANSWER)) {
      if (rr instanceof ARecord a && a.getAddress().getHostAddress().equals(UPSTREAM_ADDRESS)) {
        return null;
      }
    }
    return "no A " + UPSTREAM_ADDRESS + " in the answer: " + r.getSection(Section.ANSWER);
  }

  private static Message query(String name) throws IOException {
    return Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN));
  }

  /** Asks the throwaway server over UDP or TCP, with dnsjava's own client. */
  private static Message ask(InetSocketAddress server, String name, boolean tcp)
      throws IOException {
    SimpleResolver r = new SimpleResolver(server);
    r.setTCP(tcp);
    r.setTimeout(java.time.Duration.ofSeconds(3));
    return r.send(query(name));
  }

  private static String httpStatus(int port, String path, int... expected) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path)
        .openConnection();
    c.setInstanceFollowRedirects(false);
    c.setConnectTimeout(2000);
    c.setReadTimeout(5000);
    try {
      int status = c.getResponseCode();
      for (int e : expected) {
        if (status == e) {
          return null;
        }
      }
      return "HTTP " + status;
    } finally {
      c.disconnect();
    }
  }

  /** A port free for TCP and UDP on loopback now (the server binds it a moment later). */
  private static int freePort() throws IOException {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
           DatagramSocket udp = new DatagramSocket(tcp.getLocalPort(),
               InetAddress.getLoopbackAddress())) {
        return tcp.getLocalPort();
      } catch (SocketException e) {
        // the UDP port is taken: try another
      }
    }
    throw new IOException("no free loopback port for the throwaway server");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  /**
   * A stand-in for the operator's upstream on loopback: every A question gets {@value
   * #UPSTREAM_ADDRESS}, anything else an empty NOERROR, so the check needs no network.
   */
  private static final class StandInUpstream implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicInteger queries =
        new java.util.concurrent.atomic.AtomicInteger();

    StandInUpstream() throws IOException {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      thread = new Thread(this::serve, "hearth-selftest-upstream");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int queries() {
      return queries.get();
    }

    private void serve() {
      byte[] buf = new byte[4096];
      while (!socket.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          socket.receive(p);
          Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
          Record question = q.getQuestion();
          if (question == null) {
            continue;
          }
          queries.incrementAndGet();
          Message r = new Message(q.getHeader().getID());
          r.getHeader().setFlag(Flags.QR);
          r.getHeader().setFlag(Flags.RA);
          if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
          }
          r.addRecord(question, Section.QUESTION);
          if (question.getType() == Type.A) {
            r.addRecord(new ARecord(question.getName(), DClass.IN, 300,
                InetAddress.getByName(UPSTREAM_ADDRESS)), Section.ANSWER);
          }
          byte[] wire = r.toWire(512);
          socket.send(new DatagramPacket(wire, wire.length, p.getSocketAddress()));
        } catch (IOException e) {
          if (socket.isClosed()) {
            return;
          }
          // a packet it cannot parse: ignore it, as a server would
        }
      }
    }

    @Override
    public void close() {
      socket.close();
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
