package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Shared plumbing for the end-to-end suite: external tools, CI detection, ports, files. */
final class E2e {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final String ZONE = "e2e.test.";

  private E2e() {}

  /** CI=true in the environment: a missing external tool is then a failure, never a skip. */
  static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Finds an executable, first at the given absolute candidates, then on PATH. When it is missing
   * the test is skipped locally but fails in CI (the CI script installs every tool we need).
   */
  static Path requireTool(String name, String... absoluteCandidates) {
    List<Path> candidates = new ArrayList<>();
    for (String c : absoluteCandidates) {
      candidates.add(Path.of(c));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, name));
        }
      }
    }
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin")) {
      candidates.add(Path.of(dir, name));
    }
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw toolMissing("'" + name + "' is not installed (looked in " + candidates + ")",
        "dnsutils knot-dnsutils nsd");
  }

  /**
   * The verdict for a missing external tool: a failure in CI (where .ci/run installs the Debian
   * packages named) and a skip elsewhere. Never returns normally; the return type lets callers
   * write {@code throw toolMissing(...)}.
   */
  static AssertionError toolMissing(String message, String debianPackages) {
    String msg = message + "; install " + debianPackages + " (.ci/run does)";
    if (inCi()) {
      fail(msg + "; CI=true, so a missing tool is a failure");
    }
    Assumptions.abort(msg + "; skipping (not in CI)");
    throw new AssertionError("unreachable");
  }

  /** The built jar, from the failsafe system property hearth.jar. */
  static Path hearthJar() {
    String prop = System.getProperty("hearth.jar");
    Path jar = prop != null ? Path.of(prop) : Path.of("target", "hearth.jar");
    if (!Files.isRegularFile(jar)) {
      fail("Hearth jar not found at " + jar.toAbsolutePath()
          + " (system property hearth.jar=" + prop + "); run the package phase first");
    }
    return jar;
  }

  /** A port free for both UDP and TCP on 127.0.0.1, so one number serves both listeners. */
  /** Waits (up to 30 s) until something accepts TCP connections on loopback {@code port}. */
  static void waitForPort(int port, java.util.function.Supplier<String> whyNot) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      try (java.net.Socket s = new java.net.Socket(LOOPBACK, port)) {
        return;
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("port " + port + " not listening\n" + whyNot.get());
        }
        sleep(100);
      }
    }
  }

  static int freePort() {
    return dev.hearth.resolver.testing.Ports.freeForUdpAndTcp();
  }

  static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "<no file " + file + ">";
    } catch (IOException e) {
      return "<cannot read " + file + ": " + e + ">";
    }
  }

  /** The last {@code max} characters of a log, so failure messages stay readable. */
  static String tail(String text, int max) {
    return text.length() <= max ? text : "...\n" + text.substring(text.length() - max);
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
