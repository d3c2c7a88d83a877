package dev.hearth.cli;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListProblem;
import dev.hearth.blocklists.ListRejectedException;
import dev.hearth.blocklists.LoadResult;
import dev.hearth.blocklists.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hearth lists}: look at block lists without running the server, the way an operator
 * checks a list before deploying it. Exit status 0 when everything loaded cleanly, 1 when a list
 * has invalid lines or was rejected, 2 for bad usage or unreadable files.
 */
@Command(name = "lists", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
    description = "Check block lists and test names against them.",
    subcommands = {ListsCommand.Check.class, ListsCommand.Test.class})
final class ListsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("hearth lists: missing command (check or test)");
    return Hearth.EXIT_USAGE;
  }

  /** Loads every file, reporting the detected counts and the problems with file:line. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      versionProvider = Hearth.Version.class,
      description = "Load each list (format detected) and report entries, unsupported rules and"
          + " invalid lines with file:line. Exit 1 if any list has invalid lines or is rejected.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "List files to check.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int status = 0;
      for (Path file : files) {
        try {
          LoadResult r = ListLoader.load(file, Format.AUTO, ServeCommand.MAX_INVALID_RATIO);
          out.printf("%s: %d entries (%d block, %d exact block, %d allow), %d unsupported rules,"
              + " %d invalid lines%n", file, r.accepted(), r.list().blockCount(),
              r.list().exactCount(), r.list().allowCount(), r.unsupported(), r.invalid());
          for (ListProblem p : r.problems()) {
            out.println("  " + p);
          }
          if (r.invalid() > r.problems().size()) {
            out.printf("  ... and %d more invalid lines%n", r.invalid() - r.problems().size());
          }
          if (r.invalid() > 0) {
            status = Math.max(status, 1);
          }
        } catch (ListRejectedException e) {
          out.println(file + ": REJECTED: " + e.getMessage());
          status = Math.max(status, 1);
        } catch (IOException e) {
          err.println("hearth: " + file + ": cannot read it: " + e.getMessage());
          status = Hearth.EXIT_USAGE;
        }
      }
      out.flush();
      err.flush();
      return status;
    }
  }

  /** Says which list decides a name and why: the same verdict the resolver would give. */
  @Command(name = "test", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
      description = "Show the verdict for a name against the given lists: blocked (by which list"
          + " and listed name), allowed by an exception, or not listed.")
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Domain name to test.")
    String name;

    @Option(names = "--blocklist", paramLabel = "FILE", required = true,
        description = "List file; repeatable.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String normalized;
      try {
        normalized = DomainNames.normalize(name);
      } catch (IllegalArgumentException e) {
        err.println("hearth: '" + name + "' is not a domain name: " + e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      }
      List<CompiledList> lists = new ArrayList<>();
      for (Path file : files) {
        try {
          lists.add(ListLoader.load(file, Format.AUTO, ServeCommand.MAX_INVALID_RATIO).list());
        } catch (ListRejectedException e) {
          out.println(file + ": REJECTED (not used): " + e.getMessage());
        } catch (IOException e) {
          err.println("hearth: " + file + ": cannot read it: " + e.getMessage());
          err.flush();
          return Hearth.EXIT_USAGE;
        }
      }
      for (CompiledList list : lists) {
        out.printf("%s: %s%n", list.name(), describe(list.match(normalized)));
      }
      Verdict decided = CompiledList.decide(lists, DomainNames.toWire(normalized));
      out.printf("verdict for %s: %s%n", normalized, describe(decided));
      out.flush();
      return 0;
    }

    private static String describe(Verdict v) {
      if (v.isBlock()) {
        return "BLOCKED (listed: " + v.matchedName() + ", list " + v.listName() + ")";
      }
      if (v.isAllow()) {
        return "ALLOWED by exception " + v.matchedName() + " (list " + v.listName() + ")";
      }
      return "not listed";
    }
  }
}
