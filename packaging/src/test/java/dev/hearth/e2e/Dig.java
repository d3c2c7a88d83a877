package dev.hearth.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real clients, ISC {@code dig} and Knot {@code kdig}, against 127.0.0.1 and parses
 * their presentation output. Both print a header line with the status, a flags line, sections
 * introduced by {@code ;; ANSWER SECTION:} and EDE lines ({@code ; EDE: 18 (Prohibited)} from dig,
 * {@code ;; EDE: 18 (Prohibited)} from kdig) in the OPT/EDNS pseudosection.
 */
final class Dig {
  enum Tool {
    DIG("dig"),
    KDIG("kdig");

    final String command;

    Tool(String command) {
      this.command = command;
    }
  }

  private Dig() {}

  /** dig with +tries=1 +time=3 (a +time=/+tries= in args overrides). */
  static Result dig(int port, String... args) {
    return run(Tool.DIG, port, args);
  }

  /** kdig with +retry=0 +timeout=3 (a +timeout=/+retry= in args overrides). */
  static Result kdig(int port, String... args) {
    return run(Tool.KDIG, port, args);
  }

  static Result run(Tool tool, int port, String... args) {
    Path exe = E2e.requireTool(tool.command, "/usr/bin/" + tool.command);
    List<String> cmd = new ArrayList<>();
    cmd.add(exe.toString());
    int timeSeconds = 3;
    int tries = 1;
    for (String a : args) {
      if (a.startsWith("+time=") || a.startsWith("+timeout=")) {
        timeSeconds = Integer.parseInt(a.substring(a.indexOf('=') + 1));
      }
      if (a.startsWith("+tries=")) {
        tries = Integer.parseInt(a.substring(a.indexOf('=') + 1));
      }
    }
    if (tool == Tool.DIG) {
      cmd.add("+tries=" + tries);
      cmd.add("+time=" + timeSeconds);
    } else {
      cmd.add("+retry=" + (tries - 1));
      cmd.add("+timeout=" + timeSeconds);
    }
    cmd.add("-p");
    cmd.add(Integer.toString(port));
    cmd.add("@127.0.0.1");
    for (String a : args) {
      if (!(a.startsWith("+time=") || a.startsWith("+timeout=") || a.startsWith("+tries="))) {
        cmd.add(a);
      }
    }
    try {
      Path out = Files.createTempFile("hearth-e2e-dig-", ".out");
      Path err = Files.createTempFile("hearth-e2e-dig-", ".err");
      try {
        Process p = new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
        // AXFR and TC->TCP retries may use several timeouts; never hang the build.
        long limit = (long) timeSeconds * tries * 3 + 15;
        if (!p.waitFor(limit, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          throw new AssertionError(String.join(" ", cmd) + " did not finish within " + limit + " s");
        }
        return new Result(tool, cmd, p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** One presentation-format resource record line. */
  record Rr(String name, long ttl, String rclass, String type, String rdata) {
    @Override
    public String toString() {
      return name + " " + ttl + " " + rclass + " " + type + " " + rdata;
    }
  }

  private static final Pattern STATUS = Pattern.compile("->>HEADER<<-.*?status: ([A-Z0-9]+)");
  private static final Pattern FLAGS = Pattern.compile("(?im)^;; flags: ([a-z ]*);");
  private static final Pattern EDE = Pattern.compile("(?m)^;+ EDE: (\\d+)(.*)$");
  private static final Pattern SECTION = Pattern.compile("^;; ([A-Z]+) SECTION:\\s*$");

  static final class Result {
    final Tool tool;
    final List<String> command;
    final int exitCode;
    final String stdout;
    final String stderr;

    Result(Tool tool, List<String> command, int exitCode, String stdout, String stderr) {
      this.tool = tool;
      this.command = command;
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, ...; null when no header was printed. */
    String status() {
      String s = null;
      Matcher m = STATUS.matcher(stdout);
      while (m.find()) {
        s = m.group(1); // the last one: dig prints the TCP retry after the truncated reply
      }
      return s;
    }

    /** Header flags of the last reply printed, lower case ("qr", "rd", "ra", "tc", "aa"...). */
    Set<String> flags() {
      String last = null;
      Matcher m = FLAGS.matcher(stdout);
      while (m.find()) {
        last = m.group(1);
      }
      Set<String> out = new LinkedHashSet<>();
      if (last != null) {
        for (String f : last.trim().split("\\s+")) {
          if (!f.isEmpty()) {
            out.add(f.toLowerCase(Locale.ROOT));
          }
        }
      }
      return out;
    }

    /** Extended DNS Error info codes (RFC 8914) printed for the reply. */
    List<Integer> edeCodes() {
      List<Integer> out = new ArrayList<>();
      Matcher m = EDE.matcher(stdout);
      while (m.find()) {
        out.add(Integer.parseInt(m.group(1)));
      }
      return out;
    }

    /** The EDE lines' text after "EDE: ", e.g. "18 (Prohibited): (client network not allowed)". */
    List<String> edeTexts() {
      List<String> out = new ArrayList<>();
      Matcher m = EDE.matcher(stdout);
      while (m.find()) {
        out.add((m.group(1) + m.group(2)).trim());
      }
      return out;
    }

    boolean hasEde() {
      return !edeCodes().isEmpty();
    }

    List<Rr> answers() {
      return section("ANSWER");
    }

    List<Rr> authority() {
      return section("AUTHORITY");
    }

    List<Rr> section(String name) {
      List<Rr> out = new ArrayList<>();
      List<String> lines = Arrays.asList(lastReply().split("\n"));
      boolean in = false;
      for (String line : lines) {
        Matcher m = SECTION.matcher(line);
        if (m.matches()) {
          in = m.group(1).equals(name);
          continue;
        }
        if (!in) {
          continue;
        }
        if (line.isBlank() || line.startsWith(";;")) {
          in = false;
          continue;
        }
        if (line.startsWith(";")) {
          continue;
        }
        String[] f = line.trim().split("\\s+", 5);
        if (f.length >= 4) {
          long ttl;
          try {
            ttl = Long.parseLong(f[1]);
          } catch (NumberFormatException e) {
            continue;
          }
          out.add(new Rr(f[0].toLowerCase(Locale.ROOT), ttl, f[2], f[3], f.length > 4 ? f[4] : ""));
        }
      }
      return out;
    }

    List<Rr> answers(String type) {
      return answers().stream().filter(r -> r.type().equalsIgnoreCase(type)).toList();
    }

    /** The text after the last header line: dig prints the UDP reply then the TCP retry. */
    private String lastReply() {
      int i = stdout.lastIndexOf("->>HEADER<<-");
      return i < 0 ? "" : stdout.substring(i);
    }

    /** No reply at all: dig exits 9, kdig reports a timeout or failure on stderr. */
    boolean noReply() {
      String all = stdout + stderr;
      if (tool == Tool.DIG) {
        return exitCode == 9 || all.contains("no servers could be reached");
      }
      return status() == null && (all.contains("timeout") || all.contains("failed to query"));
    }

    String output() {
      return stdout + stderr;
    }

    @Override
    public String toString() {
      return "$ " + String.join(" ", command) + "\n(exit " + exitCode + ")\n" + stdout
          + (stderr.isBlank() ? "" : "--- stderr ---\n" + stderr);
    }
  }
}
