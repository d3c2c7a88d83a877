package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hearth selftest} against the built jar: it passes on this machine, and run with
 * {@code -XX:ArchiveClassesAtExit} it trains the class-data archive that the Debian package and
 * the container ship; a server started with that archive says it is in use, and one given an
 * archive it cannot use says so in one line, without the JVM's own messages, and still serves.
 */
@Timeout(180)
class SelftestIT {
  @TempDir Path dir;

  @Test
  void passes_andTrainsAnArchiveThatTheServerThenUses() throws Exception {
    Path archive = dir.resolve("hearth.jsa");
    Path loaded = dir.resolve("classes.log");
    HearthProcess.CliResult r = HearthProcess.cliWithJvm(List.of("-XX:+UseSerialGC",
        "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=error",
        "-Xlog:class+load=info:file=" + loaded), E2e.hearthJar(), null, "selftest");
    assertEquals(0, r.exit(), r.output());
    for (String check : List.of("started in", "is blocked (UDP)", "is forwarded to the upstream",
        "restarted from the saved list in",
        "over TCP, from the cache", "/readyz says ready", "the console answers")) {
      assertTrue(r.output().matches("(?s).*\\nok +[^\\n]*" + java.util.regex.Pattern.quote(check)
          + ".*"), check + ":\n" + r.output());
    }
    assertTrue(r.output().contains("\nselftest passed"), r.output());
    assertFalse(r.output().contains("FAIL"), r.output());
    assertFalse(r.output().contains("one-time password"),
        "the throwaway server's administrator password is not shown: " + r.output());
    assertTrue(Files.size(archive) > 1_000_000, "an archive was written: " + Files.size(archive));
    // Every class loaded here goes into the archive, and the archive is resident as a whole:
    // the console's Jetty runs without JMX (ServeCommand.spareLibraryStartUpWork).
    String classes = Files.readString(loaded);
    assertTrue(classes.contains(" org.eclipse.jetty.server.Server "), "the console ran");
    assertFalse(classes.contains(" com.sun.jmx.mbeanserver.JmxMBeanServer "),
        "the platform MBean server was started");

    try (HearthProcess h = HearthProcess.start(List.of("-XX:SharedArchiveFile=" + archive,
        "-D" + "hearth.class-archive=" + archive, "-Xlog:cds*=off"), List.of("127.0.0.1:9"),
        List.of(), HearthProcess.Ready.QUERY, null)) {
      String log = awaitLog(h, "class-data archive");
      assertTrue(log.contains("class-data archive " + archive + " in use"), log);
    }
  }

  /**
   * The package trains with the service's configuration: a resolver without its web interface
   * is checked without it, and its archive (resident as a whole) leaves the web server out.
   */
  @Test
  void aConfigurationWithoutTheWebInterface_isCheckedAndTrainedWithoutIt() throws Exception {
    Path config = Files.writeString(dir.resolve("hearth.yaml"),
        "dns:\n  listen: [\"127.0.0.1:53\"]\nhttp:\n  listen: \"off\"\n");
    Path archive = dir.resolve("dns-only.jsa");
    Path loaded = dir.resolve("classes.log");
    HearthProcess.CliResult r = HearthProcess.cliWithJvm(List.of("-XX:+UseSerialGC",
        "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=error",
        "-Xlog:class+load=info:file=" + loaded), E2e.hearthJar(), null,
        "selftest", "--config", config.toString());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("ok    " + config + " read: web interface off, checking DNS"
        + " only"), r.output());
    assertTrue(r.output().contains("is forwarded to the upstream"), r.output());
    assertFalse(r.output().contains("the console answers"), r.output());
    assertTrue(r.output().contains("\nselftest passed"), r.output());
    assertTrue(Files.size(archive) > 1_000_000, "an archive was written: " + Files.size(archive));
    assertFalse(Files.readString(loaded).contains(" org.eclipse.jetty."),
        "the web server's classes were loaded, so they are in the archive");
  }

  /** A configuration that cannot be read does not cost the install its archive. */
  @Test
  void aConfigurationThatCannotBeRead_checksTheWholeServer() throws Exception {
    Path missing = dir.resolve("missing.yaml");
    HearthProcess.CliResult r = HearthProcess.cliWithJvm(List.of("-XX:+UseSerialGC"),
        E2e.hearthJar(), null, "selftest", "--config", missing.toString());
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("note  " + missing + " not read ("), r.output());
    assertTrue(r.output().contains("checking the whole server"), r.output());
    assertTrue(r.output().contains("the console answers"), r.output());
  }

  @Test
  void anArchiveTheJvmCannotUse_isNamedInOneLine_andTheServerStillServes() throws Exception {
    Path archive = Files.write(dir.resolve("stale.jsa"), new byte[64 * 1024]);
    try (HearthProcess h = HearthProcess.start(List.of("-XX:SharedArchiveFile=" + archive,
        "-D" + "hearth.class-archive=" + archive, "-Xlog:cds*=off"), List.of("127.0.0.1:9"),
        List.of(), HearthProcess.Ready.QUERY, null)) {
      String log = awaitLog(h, "class-data archive");
      assertTrue(log.contains("class-data archive " + archive + " not used"), log);
      assertTrue(log.contains("dpkg-reconfigure hearth"), "says how to rebuild it: " + log);
      assertFalse(log.contains("[cds") || log.contains("shared archive"),
          "the JVM's own messages stay off: " + log);
    }
  }

  @Test
  void aSelftestThatCannotRun_saysWhyAndExits1() throws Exception {
    HearthProcess.CliResult r = HearthProcess.cliWithJvm(
        List.of("-Djava.io.tmpdir=" + dir.resolve("missing")), E2e.hearthJar(), null,
        "selftest");
    assertEquals(1, r.exit(), r.output());
    assertTrue(r.output().contains("FAIL") && r.output().contains("selftest failed"), r.output());
    assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
  }

  private static String awaitLog(HearthProcess h, String text) {
    for (int i = 0; i < 100 && !h.log().contains(text); i++) {
      E2e.sleep(100);
    }
    return h.log();
  }
}
