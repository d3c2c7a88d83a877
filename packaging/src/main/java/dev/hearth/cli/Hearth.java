package dev.hearth.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code hearth} command: the entry point of the shaded jar. It only dispatches to
 * subcommands; {@link ServeCommand} does the work. Exit codes: 0 success (help, version), 1 the
 * resolver could not start, 2 bad usage or a bad setting (flag or config file).
 */
@Command(
    name = "hearth",
    mixinStandardHelpOptions = true,
    versionProvider = Hearth.Version.class,
    description = "Hearth, a filtering DNS resolver for ISPs and public Wi-Fi hotspots.",
    footerHeading = "%n",
    footer = {
        "Exit status: 1 when the resolver cannot start, 2 for a bad flag or config file.",
        "Run 'hearth serve --help' for the server's options alone."})
public final class Hearth implements Callable<Integer> {
  static final int EXIT_STARTUP = 1;
  static final int EXIT_USAGE = 2;

  private static final String SERVE_OPTIONS_SECTION = "serveOptions";

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      // Netty's flight-recorder events load ~50 jdk.jfr classes on the first packet.
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      // Leak tracking samples buffers on the hot path; the test suites keep it on. A property,
      // not ResourceLeakDetector.setLevel: touching Netty here would start its logger, binding
      // SLF4J before `serve` has applied --log-level and --log-format.
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    System.exit(commandLineFor(args).execute(args));
  }

  /**
   * The subcommands, in the order help lists them. Added in {@link #newCommandLine} rather than
   * declared on the annotation, so that {@link #commandLineFor} can leave them out.
   */
  private static final List<Class<?>> SUBCOMMANDS = List.of(ServeCommand.class,
      ListsCommand.class, ExplainCommand.class, AdminCommand.class, SelftestCommand.class,
      CommandLine.HelpCommand.class);

  /**
   * The tree that runs {@code args}: for {@code hearth serve ...} (every start of the service)
   * the root with {@code serve} alone, else the whole tree. picocli builds the model of every
   * subcommand it is given, by reflection over their options, before parsing anything; the
   * others are not needed to start the server, and leaving them out saves that work on every
   * start.
   */
  static CommandLine commandLineFor(String... args) {
    return args.length > 0 && "serve".equals(args[0])
        ? configure(new CommandLine(new Hearth()).addSubcommand(ServeCommand.class))
        : newCommandLine();
  }

  /** Runs the command line with the given streams and returns the exit status (for tests). */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cmd = commandLineFor(args);
    cmd.setOut(out);
    cmd.setErr(err);
    try {
      return cmd.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The whole picocli tree: short usage errors, no stack traces for expected problems. */
  static CommandLine newCommandLine() {
    CommandLine cmd = new CommandLine(new Hearth());
    for (Class<?> sub : SUBCOMMANDS) {
      cmd.addSubcommand(sub);
    }
    configure(cmd);
    // `hearth --help` also lists the options of `serve`, so one help page documents everything.
    // Set on the root's own usage spec: CommandLine.setHelpSection* would reach `serve` too.
    CommandLine.Model.UsageMessageSpec usage = cmd.getCommandSpec().usageMessage();
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    keys.add(keys.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), SERVE_OPTIONS_SECTION);
    usage.sectionKeys(keys);
    Map<String, CommandLine.IHelpSectionRenderer> sections = new HashMap<>(usage.sectionMap());
    sections.put(SERVE_OPTIONS_SECTION, help -> {
      CommandLine serve = cmd.getSubcommands().get("serve");
      return String.format("%nOptions of 'hearth serve':%n") + serve.getHelp().optionList();
    });
    usage.sectionMap(sections);
    return cmd;
  }

  /** Short usage errors, no stack traces for expected problems. */
  private static CommandLine configure(CommandLine cmd) {
    cmd.setParameterExceptionHandler(Hearth::usageError);
    cmd.setExecutionExceptionHandler((ex, line, parseResult) -> {
      // Expected problems are handled inside the commands; anything that gets here is a bug.
      PrintWriter err = line.getErr();
      err.println("hearth: internal error: " + ex);
      ex.printStackTrace(err);
      err.flush();
      return EXIT_STARTUP;
    });
    return cmd;
  }

  /** Without a subcommand there is nothing to do: a usage error. */
  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    err.println("hearth: missing command (try 'hearth serve')");
    err.println("Run 'hearth --help' for usage.");
    err.flush();
    return EXIT_USAGE;
  }

  private static int usageError(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("hearth: " + ex.getMessage());
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    return EXIT_USAGE;
  }

  /** The version as Maven recorded it in the jar; "development build" when run from classes. */
  static String version() {
    try (InputStream in = Hearth.class.getResourceAsStream(
        "/META-INF/maven/dev.hearth/hearth-packaging/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "development build");
      }
    } catch (IOException e) {
      // fall through
    }
    return "development build";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"hearth " + version(), "Java " + Runtime.version()};
    }
  }
}
