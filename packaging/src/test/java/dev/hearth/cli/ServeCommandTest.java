package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.StartupException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  @TempDir Path dir;

  /** Parses {@code hearth serve ARGS} without running it (DnsServer is never started here). */
  private ServeCommand parse(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    CommandLine.ParseResult result = Hearth.newCommandLine().parseArgs(all);
    ServeCommand serve = (ServeCommand) result.subcommand().commandSpec().userObject();
    serve.resolvConf = dir.resolve("no-resolv.conf");
    return serve;
  }

  private Path resolvConf(String text) throws Exception {
    Path file = dir.resolve("resolv.conf");
    Files.writeString(file, text);
    return file;
  }

  private Path config(String yaml) throws Exception {
    Path file = dir.resolve("hearth.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  /** Runs the real command line; returns {exit code, stdout, stderr}. */
  private static Object[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Hearth.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Object[] {code, out.toString(), err.toString()};
  }

  private static void assertNoStackTrace(String text) {
    assertFalse(text.contains("\tat "), text);
    assertFalse(text.contains("Exception"), text);
  }

  @Test
  void defaultsWhenNothingIsGiven() throws Exception {
    ServeCommand serve = parse();
    serve.resolvConf = resolvConf("nameserver 192.0.2.53\n");
    List<String> warnings = new ArrayList<>();
    Settings s = serve.settings(warnings::add);
    ResolverConfig r = s.resolver();
    assertEquals(List.of("127.0.0.1:5335"), r.dnsListen().stream().map(HostPort::format).toList());
    assertEquals(List.of("192.0.2.53:53"), r.upstreams().stream().map(Values::format).toList());
    assertEquals("127.0.0.1:8080", HostPort.format(s.httpListen()));
    assertEquals(Path.of("./hearth-data"), s.dataDir());
    assertEquals(1000, r.rateLimitPerClient());
    assertEquals(64L << 20, r.cache().maxBytes());
    assertEquals(Runtime.getRuntime().availableProcessors(), r.threads());
    assertFalse(r.dropRefused());
    assertTrue(s.blocklists().isEmpty());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void everyFlagIsApplied() throws Exception {
    Settings s = parse(
        "--dns", "127.0.0.1:0,[::1]:0", "--dns", "127.0.0.2:53",
        "--http", "[::1]:9090",
        "--upstream", "9.9.9.9:53+validating,192.0.2.1", "--upstream", "[2001:db8::1]:5353",
        "--allow", "10.0.0.0/8,fd00::/8",
        "--refused-action", "drop",
        "--rate-limit", "0",
        "--threads", "3",
        "--cache-size", "2g",
        "--data-dir", dir.resolve("data").toString(),
        "--blocklist", "a.txt", "--blocklist", "b.txt",
        "--log-level", "debug").settings(w -> { });
    ResolverConfig r = s.resolver();
    assertEquals(List.of("127.0.0.1:0", "[::1]:0", "127.0.0.2:53"),
        r.dnsListen().stream().map(HostPort::format).toList());
    assertEquals("[::1]:9090", HostPort.format(s.httpListen()));
    assertEquals(List.of("9.9.9.9:53+validating", "192.0.2.1:53", "[2001:db8::1]:5353"),
        r.upstreams().stream().map(Values::format).toList());
    assertEquals(List.of("10.0.0.0/8", "fd00::/8"), r.allowedClients().prefixes().stream().map(Values::format).toList());
    assertTrue(r.dropRefused());
    assertEquals(0, r.rateLimitPerClient());
    assertEquals(3, r.threads());
    assertEquals(2L << 30, r.cache().maxBytes());
    assertEquals(dir.resolve("data"), s.dataDir());
    assertEquals(List.of(Path.of("a.txt"), Path.of("b.txt")), s.blocklists());
  }

  @Test
  void flagsWinOverTheFileAndTheFileWinsOverDefaults() throws Exception {
    Path file = config(String.join("\n",
        "dns:",
        "  listen: [\"127.0.0.1:1053\"]",
        "  rate_limit: 500",
        "  threads: 7",
        "  refused_action: drop",
        "upstream:",
        "  servers: [\"192.0.2.1\"]",
        "cache:",
        "  size: 8m",
        "  max_ttl: 600",
        "http:",
        "  listen: 127.0.0.1:8181",
        "data_dir: /srv/hearth",
        ""));
    Settings s = parse("--config", file.toString(), "--dns", "127.0.0.1:2053", "--rate-limit", "5",
        "--cache-size", "1m", "--refused-action", "refuse").settings(w -> { });
    ResolverConfig r = s.resolver();
    // flags
    assertEquals(List.of("127.0.0.1:2053"), r.dnsListen().stream().map(HostPort::format).toList());
    assertEquals(5, r.rateLimitPerClient());
    assertEquals(1L << 20, r.cache().maxBytes());
    assertFalse(r.dropRefused());
    // file, where no flag was given
    assertEquals(7, r.threads());
    assertEquals(600, r.cache().maxTtl(), "--cache-size keeps the file's other cache settings");
    assertEquals(List.of("192.0.2.1:53"), r.upstreams().stream().map(Values::format).toList());
    assertEquals("127.0.0.1:8181", HostPort.format(s.httpListen()));
    assertEquals(Path.of("/srv/hearth"), s.dataDir());
    // defaults, where neither said anything
    assertEquals(ResolverConfig.Tcp.defaults(), r.tcp());
    assertEquals(ResolverConfig.Cache.defaults().negativeMaxTtl(), r.cache().negativeMaxTtl());
  }

  @Test
  void upstreamFlagMeansResolvConfIsNotRead() throws Exception {
    ServeCommand serve = parse("--upstream", "192.0.2.9");
    serve.resolvConf = resolvConf("nameserver 192.0.2.53\n");
    List<String> warnings = new ArrayList<>();
    assertEquals(List.of("192.0.2.9:53"),
        serve.settings(warnings::add).resolver().upstreams().stream().map(Values::format).toList());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void resolvConfProblemsAreWarningsAndAnEmptyListStillStarts() throws Exception {
    ServeCommand serve = parse();
    serve.resolvConf = resolvConf("nameserver fe80::1%eth0\n");
    List<String> warnings = new ArrayList<>();
    Settings s = serve.settings(warnings::add);
    assertTrue(s.resolver().upstreams().isEmpty());
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("fe80::1%eth0"), warnings.get(0));
    assertTrue(warnings.get(1).contains("SERVFAIL"), warnings.get(1));
  }

  @Test
  void resolvConfPointingAtHearthItselfIsSkipped() throws Exception {
    ServeCommand serve = parse("--dns", "0.0.0.0:53");
    serve.resolvConf = resolvConf("nameserver 127.0.0.1\nnameserver 192.0.2.53\n");
    List<String> warnings = new ArrayList<>();
    Settings s = serve.settings(warnings::add);
    assertEquals(List.of("192.0.2.53:53"), s.resolver().upstreams().stream().map(Values::format).toList());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("own listen address"), warnings.get(0));
  }

  @Test
  void explicitUpstreamEqualToOwnListenerIsAnError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> parse("--upstream", "127.0.0.1:5335").settings(w -> { }));
    assertTrue(e.getMessage().contains("loop"), e.getMessage());
  }

  @Test
  void anEncryptedUpstreamEqualToOwnEncryptedListenerIsAnError() {
    ConfigException dot = assertThrows(ConfigException.class,
        () -> parse("--dot", "127.0.0.1:8853", "--upstream", "tls://127.0.0.1:8853")
            .settings(w -> { }));
    assertTrue(dot.getMessage().contains("own DNS-over-TLS listen address 127.0.0.1:8853"),
        dot.getMessage());
    ConfigException doh = assertThrows(ConfigException.class,
        () -> parse("--doh", "0.0.0.0:8443", "--upstream", "https://127.0.0.1:8443/dns-query")
            .settings(w -> { }));
    assertTrue(doh.getMessage().contains("loop back to Hearth"), doh.getMessage());
  }

  @Test
  void badFlagsAreUsageErrorsWithoutStackTraces() {
    String[][] cases = {
        {"--dns", "localhost:53"},
        {"--dns", "127.0.0.1"},
        {"--http", "127.0.0.1:99999"},
        {"--upstream", "9.9.9.9:53+validate"},
        {"--allow", "10.0.0.0/33"},
        {"--refused-action", "ignore"},
        {"--rate-limit", "-1"},
        {"--threads", "0"},
        {"--threads", "many"},
        {"--cache-size", "64t"},
        {"--log-level", "loud"},
        {"--no-such-flag"},
    };
    for (String[] flag : cases) {
      String[] args = new String[flag.length + 1];
      args[0] = "serve";
      System.arraycopy(flag, 0, args, 1, flag.length);
      Object[] r = run(args);
      String err = (String) r[2];
      assertEquals(2, r[0], String.join(" ", flag) + " -> " + err);
      assertTrue(err.contains(flag[0]), err);
      assertTrue(err.contains("hearth serve --help"), err);
      assertNoStackTrace(err);
    }
  }

  @Test
  void badConfigFileExitsWithStatus2AndFileLine() throws Exception {
    Path file = config("cache:\n  max_ttl: abc\n");
    Object[] r = run("serve", "--config", file.toString());
    assertEquals(2, r[0]);
    String err = (String) r[2];
    assertTrue(err.contains(file + ":2: cache.max_ttl: expected a whole number of seconds, got \"abc\""), err);
    assertNoStackTrace(err);

    Object[] missing = run("serve", "--config", dir.resolve("absent.yaml").toString());
    assertEquals(2, missing[0]);
    assertTrue(((String) missing[2]).contains("absent.yaml: config file not found"), (String) missing[2]);
  }

  @Test
  void encryptedListenersWithoutCertificateAreAStartUpError() throws Exception {
    Object[] r = run("serve", "--upstream", "192.0.2.1", "--data-dir", dir.toString(),
        "--doh", "127.0.0.1:0");
    assertEquals(2, r[0]);
    String err = (String) r[2];
    assertTrue(err.contains("--tls-cert PEM and --tls-key PEM"), err);
    assertNoStackTrace(err);
    Object[] missing = run("serve", "--upstream", "192.0.2.1", "--data-dir", dir.toString(),
        "--dot", "127.0.0.1:0", "--tls-cert", dir.resolve("none.pem").toString(), "--tls-key",
        dir.resolve("none.key").toString());
    assertEquals(2, missing[0]);
    assertTrue(((String) missing[2]).contains("--tls-cert " + dir.resolve("none.pem")
        + ": cannot read it"), (String) missing[2]);
  }

  @Test
  void dataDirThatCannotBeCreatedExitsWith1() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "x");
    Object[] r = run("serve", "--upstream", "192.0.2.1", "--data-dir", file.resolve("sub").toString());
    assertEquals(1, r[0]);
    String err = (String) r[2];
    assertTrue(err.contains("cannot create data directory " + file.resolve("sub")), err);
    assertNoStackTrace(err);
  }

  @Test
  void prepareDataDirCreatesMissingDirectoriesAndRejectsFiles() throws Exception {
    Path nested = dir.resolve("a/b/c");
    ServeCommand.prepareDataDir(nested);
    assertTrue(Files.isDirectory(nested));
    ServeCommand.prepareDataDir(nested); // already there: fine
    Path file = dir.resolve("file");
    Files.writeString(file, "x");
    StartupException e = assertThrows(StartupException.class, () -> ServeCommand.prepareDataDir(file));
    assertTrue(e.getMessage().contains("exists and is not a directory"), e.getMessage());
  }

  /**
   * A list parsed at start-up is saved once the listeners are up, not only by the periodic list
   * check a second later: stopped the moment it is ready, the server leaves the compiled list
   * for the next start. (Whether the stop also waits for a save still running is not pinned
   * here: at this size the save is done by the time the server is ready.)
   */
  @Test
  void aStopRightAfterReady_stillSavesTheListsParsedAtStart() throws Exception {
    // A million names (a 20 MB save); without the console the server is ready well before the
    // first list check (1 s), which would save it too.
    Path list = dir.resolve("big.txt");
    try (var w = Files.newBufferedWriter(list)) {
      for (int i = 0; i < 1_000_000; i++) {
        w.write("n" + i + ".save-at-stop.test\n");
      }
    }
    Path data = dir.resolve("data");
    CommandLine cmd = Hearth.newCommandLine();
    StringWriter out = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(out, true));
    ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
    int dns;
    try (var a = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dns = a.getLocalPort();
    }
    int[] exit = {-1};
    Thread serving = new Thread(() -> exit[0] = cmd.execute("serve", "--dns",
        "127.0.0.1:" + dns, "--http", "off", "--upstream", "127.0.0.1:9",
        "--data-dir", data.toString(), "--blocklist", list.toString(), "--log-level", "warn"));
    serving.setDaemon(true);
    serving.start();
    assertTrue(serve.ready.await(60, java.util.concurrent.TimeUnit.SECONDS), out.toString());
    serve.stop();
    serving.join(60_000);
    assertEquals(0, exit[0], out.toString());
    Path saved = data.resolve("lists").resolve("big.txt").resolve("current.hbl");
    assertTrue(Files.isRegularFile(saved), "saved before the stop ended: " + out);
    assertTrue(Files.size(saved) > 1_000_000L * 16, "the whole list: " + Files.size(saved));
  }
}
