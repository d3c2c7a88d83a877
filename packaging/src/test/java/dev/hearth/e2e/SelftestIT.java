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
    HearthProcess.CliResult r = HearthProcess.cliWithJvm(List.of("-XX:+UseSerialGC",
        "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds*=error"), E2e.hearthJar(), null,
        "selftest");
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

    try (HearthProcess h = HearthProcess.start(List.of("-XX:SharedArchiveFile=" + archive,
        "-D" + "hearth.class-archive=" + archive, "-Xlog:cds*=off"), List.of("127.0.0.1:9"),
        List.of(), HearthProcess.Ready.QUERY, null)) {
      String log = awaitLog(h, "class-data archive");
      assertTrue(log.contains("class-data archive " + archive + " in use"), log);
    }
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
