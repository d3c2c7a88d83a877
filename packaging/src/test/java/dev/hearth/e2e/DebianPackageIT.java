package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Debian package built by {@code mvn package}: its metadata and files, then a real
 * {@code dpkg -i} on this machine (the hearth user, the data directory, the configuration's
 * permissions), {@code systemd-analyze verify} of the installed unit, the installed launcher
 * serving DNS as the hearth user from /var/lib/hearth, and {@code dpkg --purge}. Installing
 * needs root, which CI has; elsewhere the install part is skipped.
 */
class DebianPackageIT {
  private static Path deb() {
    String prop = System.getProperty("hearth.deb");
    Path deb = prop != null ? Path.of(prop) : Path.of("target", "hearth.deb");
    assertTrue(Files.isRegularFile(deb), deb + " was not built by mvn package");
    return deb.toAbsolutePath();
  }

  @Test
  void packageMetadataAndFiles() throws Exception {
    Path deb = deb();
    assertEquals("hearth", run("dpkg-deb", "--field", deb.toString(), "Package").trim());
    assertEquals("all", run("dpkg-deb", "--field", deb.toString(), "Architecture").trim());
    String depends = run("dpkg-deb", "--field", deb.toString(), "Depends");
    assertTrue(depends.contains("java17-runtime-headless"), depends);
    String contents = run("dpkg-deb", "--contents", deb.toString());
    assertTrue(contents.matches("(?s).*-rwxr-xr-x root/root .* \\./usr/bin/hearth\\n.*"), contents);
    for (String f : List.of("./usr/share/hearth/hearth.jar", "./lib/systemd/system/hearth.service",
        "./etc/hearth/hearth.yaml", "./etc/hearth/examples/isp.yaml",
        "./etc/hearth/examples/hotspot.yaml", "./etc/default/hearth",
        "./usr/share/doc/hearth/hearth.example.yaml")) {
      assertTrue(contents.contains(" " + f + "\n"), f + " missing:\n" + contents);
    }
    Path control = Files.createTempDirectory("hearth-deb-control-");
    try {
      run("dpkg-deb", "--control", deb.toString(), control.toString());
      assertEquals(List.of("/etc/hearth/hearth.yaml", "/etc/hearth/examples/isp.yaml",
          "/etc/hearth/examples/hotspot.yaml", "/etc/default/hearth"),
          Files.readAllLines(control.resolve("conffiles")), "the operator's edits survive upgrades");
      for (String script : List.of("postinst", "prerm", "postrm")) {
        run("sh", "-n", control.resolve(script).toString()); // syntax
      }
      assertEquals(List.of("interest-noawait /usr/lib/jvm"),
          Files.readAllLines(control.resolve("triggers")),
          "a Java update rebuilds the class-data archive");
    } finally {
      E2e.deleteTree(control);
    }
  }

  /** The shipped configurations pass the same reader a start uses; a broken one is caught too. */
  @Test
  void shippedConfigurationsAreValid_andCheckNamesTheLineOfABadOne() throws Exception {
    for (String f : List.of("hearth.yaml", "examples/isp.yaml", "examples/hotspot.yaml")) {
      Path file = Path.of("src/deb/files/etc", f).toAbsolutePath();
      HearthProcess.CliResult r = HearthProcess.cli("serve", "--config", file.toString(), "--check");
      assertEquals(0, r.exit(), f + ": " + r.output());
      assertTrue(r.output().contains("configuration OK: " + file), r.output());
    }
    Path bad = Files.createTempFile("hearth-bad-", ".yaml");
    try {
      Files.writeString(bad, "dns:\n  listen: [\"127.0.0.1:53\"]\n  rate_limit: lots\n");
      HearthProcess.CliResult r = HearthProcess.cli("serve", "--config", bad.toString(), "--check");
      assertEquals(2, r.exit(), r.output());
      assertTrue(r.output().contains(bad + ":3"), r.output());
      assertFalse(r.output().contains("configuration OK"), r.output());
    } finally {
      Files.deleteIfExists(bad);
    }
  }

  @Test
  void installsServesAsTheHearthUserAndPurges() throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "installing a package needs root (CI runs as root)");
    Path deb = deb();
    Nsd nsd = Nsd.startNew();
    try {
      run("dpkg", "-i", deb.toString());
      String passwd = run("getent", "passwd", "hearth");
      assertTrue(passwd.contains(":/var/lib/hearth:/usr/sbin/nologin"), passwd);
      PosixFileAttributes data = Files.readAttributes(Path.of("/var/lib/hearth"),
          PosixFileAttributes.class);
      assertEquals("hearth", data.owner().getName());
      assertEquals("rwxr-x---", PosixFilePermissions.toString(data.permissions()));
      PosixFileAttributes conf = Files.readAttributes(Path.of("/etc/hearth/hearth.yaml"),
          PosixFileAttributes.class);
      assertEquals("hearth", conf.group().getName());
      assertEquals("rw-r-----", PosixFilePermissions.toString(conf.permissions()),
          "the configuration may name secrets: not world-readable");

      // The class-data archive, trained by `hearth selftest` at install: root's, readable by all.
      Path archive = Path.of("/var/cache/hearth/hearth.jsa");
      PosixFileAttributes cds = Files.readAttributes(archive, PosixFileAttributes.class);
      assertEquals("root", cds.owner().getName(), "the service cannot rewrite what root runs");
      assertEquals("rw-r--r--", PosixFilePermissions.toString(cds.permissions()));
      assertTrue(cds.size() > 1_000_000, "an archive of the served classes: " + cds.size());
      String selftest = Files.readString(Path.of("/var/cache/hearth/selftest.log"));
      assertTrue(selftest.contains("\nselftest passed"), selftest);

      String verify = run("systemd-analyze", "verify", "/lib/systemd/system/hearth.service");
      assertFalse(verify.contains("hearth.service:"), "systemd finds fault with the unit:\n" + verify);
      String unit = Files.readString(Path.of("/lib/systemd/system/hearth.service"));
      for (String hardening : List.of("User=hearth", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
          "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "NoNewPrivileges=yes",
          "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure")) {
        assertTrue(unit.contains(hardening + "\n"), hardening);
      }

      assertTrue(run("runuser", "-u", "hearth", "--", "/usr/bin/hearth", "serve", "--config",
          "/etc/hearth/hearth.yaml", "--check").contains("configuration OK"));
      int port = E2e.freePort();
      Path log = Files.createTempFile("hearth-deb-serve-", ".log");
      Process p = new ProcessBuilder("runuser", "-u", "hearth", "--", "/usr/bin/hearth", "serve",
          "--config", "/etc/hearth/hearth.yaml", "--data-dir", "/var/lib/hearth",
          "--dns", "127.0.0.1:" + port, "--http", "off", "--upstream", nsd.address())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try {
        Dig.Result r = null;
        for (int i = 0; i < 60; i++) {
          r = Dig.dig(port, "+tries=1", "+time=1", "www." + E2e.ZONE, "A");
          if ("NOERROR".equals(r.status())) {
            break;
          }
          if (!p.isAlive()) {
            fail("the installed hearth exited:\n" + Files.readString(log));
          }
          Thread.sleep(250);
        }
        assertEquals("NOERROR", r.status(), E2e.readQuietly(log));
        assertEquals("192.0.2.10", r.answers("A").get(0).rdata());
        // The JVM runs with /etc/default/hearth's options and environment.
        List<Long> pids = ProcessHandle.allProcesses()
            .filter(h -> h.info().user().orElse("").equals("hearth")
                && h.info().commandLine().orElse("").contains("/usr/share/hearth/hearth.jar"))
            .map(ProcessHandle::pid).toList();
        assertEquals(1, pids.size(), "one java process of the hearth user: " + pids);
        String pid = String.valueOf(pids.get(0));
        String cmdline = Files.readString(Path.of("/proc", pid, "cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains("-XX:TrimNativeHeapInterval=5000")
            && cmdline.contains("-XX:+UseSerialGC")
            && cmdline.contains("-XX:-ShrinkHeapInSteps") && cmdline.contains("-Xms16m"),
            cmdline);
        assertTrue(cmdline.contains("-XX:SharedArchiveFile=/var/cache/hearth/hearth.jsa"),
            cmdline);
        Path thpSetting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean kernelOffersThp = Files.isReadable(thpSetting)
            && Files.readString(thpSetting).matches("(?s).*\\[(always|madvise)\\].*");
        assertEquals(kernelOffersThp, cmdline.contains("-XX:+UseTransparentHugePages"),
            "huge pages exactly where the kernel offers them (HEARTH_HUGE_PAGES=auto): " + cmdline);
        assertTrue(Files.readString(Path.of("/proc", pid, "maps"))
            .contains(" /var/cache/hearth/hearth.jsa\n"), "the JVM accepted the archive");
        for (int i = 0; i < 100 && !E2e.readQuietly(log).contains("class-data archive"); i++) {
          Thread.sleep(100);
        }
        assertTrue(E2e.readQuietly(log).contains(
            "class-data archive /var/cache/hearth/hearth.jsa in use"), E2e.readQuietly(log));
        String environ = Files.readString(Path.of("/proc", pid, "environ"));
        assertTrue(environ.contains("\0MALLOC_ARENA_MAX=2\0")
            || environ.startsWith("MALLOC_ARENA_MAX=2\0"), "MALLOC_ARENA_MAX=2 is set");
        assertTrue(Files.isRegularFile(Path.of("/var/lib/hearth/admin.db")),
            "the hearth user writes its data directory");
        assertEquals("hearth", Files.getOwner(Path.of("/var/lib/hearth/admin.db")).getName());
      } finally {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
        Files.deleteIfExists(log);
      }
      // A Java update (here its trigger, as dpkg fires it) trains the archive again.
      Files.delete(archive);
      run("dpkg-trigger", "--no-await", "/usr/lib/jvm");
      run("dpkg", "--triggers-only", "--pending");
      assertTrue(Files.size(archive) > 1_000_000, "the trigger rebuilt the archive");
    } finally {
      nsd.close();
      run("dpkg", "--purge", "hearth");
    }
    assertFalse(Files.exists(Path.of("/var/cache/hearth")), "purge removes the archive");
    assertFalse(Files.exists(Path.of("/usr/bin/hearth")));
    assertFalse(Files.exists(Path.of("/var/lib/hearth")), "purge removes the data");
    assertFalse(Files.exists(Path.of("/etc/hearth/hearth.yaml")), "and the configuration");
  }

  /** Runs a command, fails the test on a non-zero exit, returns stdout and stderr together. */
  private static String run(String... cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("hearth-deb-", ".out");
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd)))
          .redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail(String.join(" ", cmd) + " did not finish within 120 s");
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
