package dev.hearth.cli;

import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Passwords;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hearth admin}: accounts and the admin database from a shell, for scripts and for the
 * operator on the server itself. Works next to a running server (SQLite WAL; each change is one
 * transaction) except {@code restore}, which needs the service stopped.
 */
@Command(name = "admin", mixinStandardHelpOptions = true, versionProvider = Hearth.Version.class,
    description = "Manage admin accounts, API tokens and the admin database.",
    subcommands = {AdminCommand.CreateUser.class, AdminCommand.CreateToken.class,
        AdminCommand.Backup.class, AdminCommand.Restore.class})
final class AdminCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return Hearth.EXIT_USAGE;
  }

  /** Finds the admin database the way {@code serve} does: --data-dir, else the config's. */
  abstract static class Database implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "The server's config file (for its data directory).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "The server's data directory. Default: " + Settings.DEFAULT_DATA_DIR + ".")
    Path dataDir;

    Path database() throws ConfigException {
      return settings().adminDatabase();
    }

    Settings settings() throws ConfigException {
      Settings.Builder b = Settings.builder();
      if (config != null) {
        ConfigFile.read(config, b);
      }
      if (dataDir != null) {
        b.dataDir(dataDir);
      }
      return b.build();
    }

    /** The server's store: the SQLite file, or PostgreSQL when the config names one. */
    AdminStore openStore() throws ConfigException, StoreException {
      return AdminRuntime.openStore(settings());
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        return run(out);
      } catch (ConfigException e) {
        err.println(e.getMessage());
        return Hearth.EXIT_USAGE;
      } catch (IllegalArgumentException e) {
        err.println("hearth: " + e.getMessage());
        return Hearth.EXIT_USAGE;
      } catch (StoreException | IOException e) {
        err.println("hearth: " + e.getMessage());
        return Hearth.EXIT_STARTUP;
      } finally {
        out.flush();
        err.flush();
      }
    }

    abstract int run(PrintWriter out) throws ConfigException, StoreException, IOException;
  }

  @Command(name = "create-user", mixinStandardHelpOptions = true,
      description = "Create a user who can log in; the password is read from standard input.")
  static final class CreateUser extends Database {
    @Option(names = "--username", required = true, paramLabel = "NAME") String username;

    @Option(names = "--role", required = true, paramLabel = "ROLE",
        description = "administrator, list-custodian, appeals-reviewer, support or parent.")
    String role;

    @Option(names = "--household", paramLabel = "SUBSCRIBER",
        description = "For a parent: the subscriber id of their household.")
    String household;

    @Option(names = "--password-stdin", required = true,
        description = "Read the password from standard input (one line; at least 12 characters).")
    boolean passwordStdin;

    @Override
    int run(PrintWriter out) throws ConfigException, StoreException, IOException {
      Role r = Role.parse(role);
      char[] password = readLine(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      try (AdminStore store = openStore()) {
        new Accounts(store).createUser(Principal.CLI, username, r, household, password, false);
      } finally {
        Arrays.fill(password, '\0');
      }
      out.printf("created %s user %s%n", r.id(), Accounts.username(username));
      return 0;
    }
  }

  @Command(name = "create-token", mixinStandardHelpOptions = true,
      description = "Create an API token (printed once) for a provisioning system or script.")
  static final class CreateToken extends Database {
    @Option(names = "--name", required = true, paramLabel = "TEXT",
        description = "What uses the token, e.g. radius-provisioning.") String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE") String role;

    @Option(names = "--household", paramLabel = "SUBSCRIBER") String household;

    @Override
    int run(PrintWriter out) throws ConfigException, StoreException {
      Role r = Role.parse(role);
      try (AdminStore store = openStore()) {
        out.println(new Accounts(store).createToken(Principal.CLI, name, r, household));
      }
      return 0;
    }
  }

  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Write a consistent copy of the admin database, while the server runs.")
  static final class Backup extends Database {
    @Parameters(paramLabel = "FILE") Path target;

    @Override
    int run(PrintWriter out) throws ConfigException, StoreException {
      try (AdminStore store = openStore()) {
        store.backup(target);
      }
      out.printf("backed up to %s%n", target);
      return 0;
    }
  }

  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Replace the admin database with a backup (stop the service first); the"
          + " current file is kept as admin.db.before-restore.")
  static final class Restore extends Database {
    @Parameters(paramLabel = "FILE") Path source;

    @Override
    int run(PrintWriter out) throws ConfigException, StoreException {
      if (settings().fleet().postgres()) {
        throw new StoreException("the admin store is in PostgreSQL: restore it with pg_restore");
      }
      Path db = database();
      AdminStore.restore(source, db);
      out.printf("restored %s from %s%n", db, source);
      return 0;
    }
  }

  /** One line from {@code in}, without the line end; never echoed or logged. */
  static char[] readLine(Reader in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.append((char) c);
    }
    if (b.length() > 0 && b.charAt(b.length() - 1) == '\r') {
      b.setLength(b.length() - 1);
    }
    char[] out = new char[b.length()];
    b.getChars(0, b.length(), out, 0);
    b.setLength(0);
    String weak = Passwords.weakness(out);
    if (weak != null) {
      throw new IllegalArgumentException(weak);
    }
    return out;
  }
}
