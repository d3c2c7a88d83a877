package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.ClientNetworks;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class HearthTest {

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Hearth.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  private static List<OptionSpec> serveOptions() {
    return Hearth.newCommandLine().getSubcommands().get("serve").getCommandSpec().options();
  }

  @Test
  void serveHelpDocumentsEveryOptionWithItsDefault() {
    String[] r = run("serve", "--help");
    assertEquals("0", r[0]);
    String help = r[1];
    List<String> expected = List.of("--config", "--data-dir", "--dns", "--http", "--upstream", "--allow",
        "--refused-action", "--rate-limit", "--threads", "--cache-size", "--blocklist", "--log-level",
        "--help", "--version");
    for (String flag : expected) {
      assertTrue(help.contains(flag), flag + " missing from:\n" + help);
    }
    for (OptionSpec o : serveOptions()) {
      assertTrue(help.contains(o.longestName()), o.longestName());
      if (!o.usageHelp() && !o.versionHelp()) {
        assertTrue(String.join(" ", o.description()).contains("Default: "), o.longestName() + " has no default");
      }
    }
    for (String value : new String[] {"127.0.0.1:5335", "127.0.0.1:8080", "./hearth-data", "64m", "1000",
        "refuse", "/etc/resolv.conf", "+validating", "info"}) {
      assertTrue(help.contains(value), value);
    }
  }

  /**
   * {@code hearth serve ...} runs on a tree with {@code serve} alone (the others' models are not
   * built at each start): its help and its usage errors are the same as in the whole tree, and
   * the whole tree still has every command.
   */
  @Test
  void serveAloneBehavesAsInTheWholeTree() {
    CommandLine alone = Hearth.commandLineFor("serve");
    CommandLine whole = Hearth.newCommandLine();
    assertEquals(List.of("serve"), List.copyOf(alone.getSubcommands().keySet()));
    assertEquals(List.of("serve", "lists", "explain", "admin", "selftest", "help"),
        List.copyOf(whole.getSubcommands().keySet()));
    assertEquals(whole.getSubcommands().get("serve").getUsageMessage(),
        alone.getSubcommands().get("serve").getUsageMessage());
    String[] bad = run("serve", "--no-such-flag");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    whole.setOut(new PrintWriter(out));
    whole.setErr(new PrintWriter(err));
    int code = whole.execute("serve", "--no-such-flag");
    whole.getErr().flush();
    assertEquals(String.valueOf(code), bad[0]);
    assertEquals("2", bad[0]);
    assertEquals(err.toString(), bad[2]);
    assertTrue(bad[2].contains("--no-such-flag"), bad[2]);
  }

  @Test
  void topLevelHelpAlsoListsEveryServeOption() {
    String[] r = run("--help");
    assertEquals("0", r[0]);
    assertTrue(r[1].contains("serve"), r[1]);
    assertTrue(r[1].contains("--version"), r[1]);
    for (OptionSpec o : serveOptions()) {
      assertTrue(r[1].contains(o.longestName()), o.longestName() + " missing from:\n" + r[1]);
    }
  }

  @Test
  void helpShowsTheResolversActualDefaultNetworks() {
    for (var p : ClientNetworks.privateDefaults().prefixes()) {
      String text = Values.format(p);
      assertTrue(ServeCommand.DEFAULT_ALLOW.contains(text + ",") || ServeCommand.DEFAULT_ALLOW.contains(text + " "),
          text + " not in " + ServeCommand.DEFAULT_ALLOW);
    }
    assertEquals(ClientNetworks.privateDefaults().prefixes().size(),
        ServeCommand.DEFAULT_ALLOW.substring(0, ServeCommand.DEFAULT_ALLOW.indexOf(" (")).split(",").length);
  }

  @Test
  void version() {
    String[] r = run("--version");
    assertEquals("0", r[0]);
    assertTrue(r[1].startsWith("hearth "), r[1]);
    assertEquals("0", run("serve", "--version")[0]);
  }

  @Test
  void noCommandIsAUsageError() {
    String[] r = run();
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("hearth --help"), r[2]);
  }

  @Test
  void unknownCommandIsAUsageError() {
    String[] r = run("srve");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("serve"), r[2]);
    assertEquals(CommandLine.ExitCode.USAGE, Integer.parseInt(r[0]));
  }
}
