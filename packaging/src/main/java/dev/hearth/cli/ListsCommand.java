package dev.hearth.cli;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListProblem;
import dev.hearth.blocklists.ListRejectedException;
import dev.hearth.blocklists.ListSource;
import dev.hearth.blocklists.LoadResult;
import dev.hearth.blocklists.NameHasher;
import dev.hearth.blocklists.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
    description = "Check block lists, test names against them, roll a list back.",
    subcommands = {ListsCommand.Check.class, ListsCommand.Test.class, ListsCommand.Status.class,
        ListsCommand.Rollback.class})
final class ListsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("hearth lists: missing command (check, test or rollback)");
    return Hearth.EXIT_USAGE;
  }

  /** Loads every file, reporting the detected format, the counts and problems with file:line. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      versionProvider = Hearth.Version.class,
      description = "Load each list (format detected; a directory is read as UT1 categories) and"
          + " report entries, unsupported rules and invalid lines with file:line. Exit 1 if any"
          + " list has invalid lines or is rejected.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "List files or directories.")
    List<Path> files;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int status = 0;
      for (Path file : files) {
        try {
          if (Files.isDirectory(file)) {
            List<String> cats = ListLoader.categories(file);
            if (cats.isEmpty()) {
              err.println("hearth: " + file + ": no UT1 category directories in it");
              status = Hearth.EXIT_USAGE;
            }
            for (String cat : cats) {
              status = Math.max(status, report(out, file.resolve(cat).toString(),
                  ListLoader.loadCategory(new ListInfo(cat, cat, false, false, "", List.of()),
                      NameHasher.PLAIN, file.resolve(cat), ServeCommand.MAX_INVALID_RATIO)));
            }
          } else {
            status = Math.max(status, report(out, file.toString(),
                ListLoader.load(file, Format.AUTO, ServeCommand.MAX_INVALID_RATIO)));
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

    private static int report(PrintWriter out, String name, LoadResult r) {
      CompiledList l = r.list();
      out.printf("%s: %s format, version %s: %d entries (%d block, %d exact block, %d allow, %d"
          + " URLs), %d unsupported rules, %d invalid lines%n", name,
          r.format().name().toLowerCase(java.util.Locale.ROOT), l.info().version(), r.accepted(),
          l.blockCount(), l.exactCount(), l.allowCount(), r.urls(), r.unsupported(), r.invalid());
      if (l.urlHostCount() > 0) {
        out.printf("  %d hosts have listed URLs only: they are not blocked as a whole"
            + " (URL-level verdict)%n", l.urlHostCount());
      }
      for (ListProblem p : r.problems()) {
        out.println("  " + p);
      }
      if (r.invalid() > r.problems().size()) {
        out.printf("  ... and %d more invalid lines%n", r.invalid() - r.problems().size());
      }
      return r.invalid() > 0 ? 1 : 0;
    }
  }

  /** The lists a command works on: the server's (config and data dir) plus --blocklist files. */
  abstract static class ServerLists {
    @Option(names = "--config", paramLabel = "FILE",
        description = "The server's config file: use its lists and data directory.")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "The server's data directory (saved list versions). Default: "
            + Settings.DEFAULT_DATA_DIR + ".")
    Path dataDir;

    @Option(names = "--blocklist", paramLabel = "FILE", description = "List file; repeatable.")
    List<Path> files;

    /** The settings {@link #open} read (config file, data directory, lists). */
    Settings settings;

    ListCatalog open(PrintWriter err, boolean persist) throws ConfigException, IOException {
      Settings.Builder b = Settings.builder();
      if (config != null) {
        ConfigFile.read(config, b);
      }
      if (dataDir != null) {
        b.dataDir(dataDir);
      }
      if (files != null) {
        b.blocklists(files);
      }
      Settings s = b.build();
      settings = s;
      List<ListSource> sources = new java.util.ArrayList<>(ServeCommand.allListSources(s));
      boolean useDataDir = persist || config != null || dataDir != null;
      if (useDataDir) {
        sources.addAll(storedSources(s, sources, err));
      }
      ListCatalog c = new ListCatalog(useDataDir ? s.dataDir() : null, sources, s.listSafety(),
          ServeCommand.fetcherFor(sources), line -> { }, Clock.systemUTC());
      c.open();
      for (ListCatalog.Status st : c.status()) {
        if (st.lastError() != null) {
          err.println("hearth: list " + st.id() + ": " + st.lastError()
              + (st.version() == null ? " (not in force)" : ""));
        }
      }
      return c;
    }
  }

  /**
   * The sources added at run time (in the data directory's admin database, if there is one), so
   * the tools see the lists the server serves.
   */
  static List<ListSource> storedSources(Settings s, List<ListSource> config, PrintWriter err) {
    if (!Files.isRegularFile(s.adminDatabase())) {
      return List.of();
    }
    try (dev.hearth.admin.store.AdminStore store = dev.hearth.admin.store.AdminStore.open(
        s.adminDatabase())) {
      return new dev.hearth.admin.lists.ListSourceService(store, new StoredListSources(config))
          .open();
    } catch (dev.hearth.admin.store.StoreException | RuntimeException e) {
      err.println("hearth: the list sources in " + s.adminDatabase() + " cannot be read, using"
          + " the config file's only: " + e.getMessage());
      return List.of();
    }
  }

  /** Says which list decides a name and why: the same verdict the resolver would give. */
  @Command(name = "test", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
      description = "Show the verdict for a name (or a URL) against the lists: blocked (by which"
          + " list, category, rule line and version), allowed by an exception, URL-level, or not"
          + " listed. Locked legal lists only say their id and category.")
  static final class Test extends ServerLists implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Domain name or URL to test.")
    String name;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      boolean url = name.contains("/");
      String normalized;
      try {
        normalized = url ? name.strip() : DomainNames.normalize(name);
      } catch (IllegalArgumentException e) {
        err.println("hearth: '" + name + "' is not a domain name: " + e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      }
      if (config == null && dataDir == null && (files == null || files.isEmpty())) {
        err.println("hearth: give --blocklist FILE, --config FILE or --data-dir DIR");
        err.flush();
        return Hearth.EXIT_USAGE;
      }
      List<CompiledList> lists;
      try {
        lists = open(err, false).snapshot();
      } catch (ConfigException e) {
        err.println(e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      } catch (IOException | IllegalArgumentException e) {
        err.println("hearth: " + e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      }
      Verdict decided;
      try {
        for (CompiledList list : lists) {
          Verdict v = url ? list.matchUrl(normalized) : list.match(normalized);
          out.printf("%s: %s%n", list.name(), describe(v));
        }
        decided = url ? decideUrl(lists, normalized)
            : CompiledList.decide(lists, DomainNames.toWire(normalized));
      } catch (IllegalArgumentException e) {
        err.println("hearth: '" + name + "' is not a usable URL: " + e.getMessage());
        err.flush();
        return Hearth.EXIT_USAGE;
      }
      out.printf("verdict for %s: %s%n", normalized, describe(decided));
      out.flush();
      err.flush();
      return 0;
    }

    /** A URL: the host's combined verdict, unless only URLs are listed, then any list's URL hit. */
    private static Verdict decideUrl(List<CompiledList> lists, String url) {
      Verdict host = CompiledList.decide(lists, DomainNames.toWire(
          dev.hearth.blocklists.Urls.normalize(url).host()));
      if (!host.isUrlLevel()) {
        return host;
      }
      for (CompiledList l : lists) {
        Verdict v = l.matchUrl(url);
        if (v.isBlock()) {
          return v;
        }
      }
      return host;
    }

    private static String describe(Verdict v) {
      if (v.isBlock()) {
        return "BLOCKED (" + v.describe() + ")";
      }
      if (v.isAllow()) {
        return "ALLOWED by exception (" + v.describe() + ")";
      }
      if (v.isUrlLevel()) {
        return "URL-LEVEL, host not blocked (" + v.describe() + ")";
      }
      return "not listed";
    }
  }

  /** What is in force: one line per list, from the saved versions in the data directory. */
  @Command(name = "status", mixinStandardHelpOptions = true,
      versionProvider = Hearth.Version.class,
      description = "Show each configured list: version in force, entries, hosts with URL-level"
          + " entries only, last update, whether a rollback is possible.")
  static final class Status extends ServerLists implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        ListCatalog c = open(err, true);
        out.printf("%-24s %-14s %-12s %10s %9s  %-20s %s%n", "LIST", "CATEGORY", "VERSION",
            "ENTRIES", "URL-HOSTS", "UPDATED", "NOTES");
        int status = 0;
        for (ListCatalog.Status s : c.status()) {
          String notes = (s.locked() ? "locked " : "") + (s.canRollBack() ? "rollback-ok " : "")
              + (s.lastError() == null ? "" : "ERROR: " + s.lastError());
          out.printf("%-24s %-14s %-12s %10d %9d  %-20s %s%n", s.id(),
              s.category() == null ? "-" : s.category(),
              s.version() == null ? "(none)" : s.version(), s.entries(), s.urlHosts(),
              s.lastUpdate() == null ? "-" : s.lastUpdate().toString().replaceAll("\\.\\d+Z$", "Z"),
              notes.strip());
          if (s.version() == null) {
            status = 1;
          }
        }
        return status;
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return Hearth.EXIT_USAGE;
      } catch (IOException | IllegalArgumentException e) {
        err.println("hearth: " + e.getMessage());
        return Hearth.EXIT_USAGE;
      } finally {
        out.flush();
        err.flush();
      }
    }
  }

  /** Puts a list's previous version back in force (also in a running server, within a second). */
  @Command(name = "rollback", mixinStandardHelpOptions = true,
      versionProvider = Hearth.Version.class,
      description = "Put the previous version of list ID back in force. A running server picks it"
          + " up within a second; the version rolled back from is not applied again, a newer one"
          + " from the source will be.")
  static final class Rollback extends ServerLists implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "List id, as in the config.")
    String id;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        ListCatalog c = open(err, true);
        c.rollback(id);
        for (ListCatalog.Status s : c.status()) {
          if (s.id().equals(id)) {
            out.println("list " + id + ": version " + s.version() + " in force (" + s.entries()
                + " entries)");
          }
        }
        return 0;
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return Hearth.EXIT_USAGE;
      } catch (IllegalArgumentException e) {
        err.println("hearth: " + e.getMessage());
        return 1;
      } catch (IOException e) {
        err.println("hearth: cannot roll back: " + e.getMessage());
        return 1;
      } finally {
        out.flush();
        err.flush();
      }
    }
  }
}
