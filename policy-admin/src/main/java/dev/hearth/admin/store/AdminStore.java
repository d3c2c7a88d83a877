package dev.hearth.admin.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin database: one SQLite file in the data directory holding everything an operator or
 * parent edits at run time. WAL mode lets readers run while a change commits; {@code synchronous
 * = FULL} means an acknowledged change survives a power cut. The schema version lives in {@code
 * PRAGMA user_version}; forward migrations run at open, each in its own transaction, and a file
 * written by a newer Hearth is refused rather than misread.
 *
 * <p>One connection, used under this object's lock: SQLite has one writer anyway, and the admin
 * side is far from the query path (which never touches this class).
 *
 * <p>A fleet keeps the same schema in PostgreSQL instead ({@link #openPostgres}), so several
 * admins and the nodes they feed share one policy. The migration scripts are the same; the few
 * dialect differences are rewritten at run time by {@link Dialect}: an autoincrement key becomes
 * {@code BIGSERIAL}, every table gets the {@code rowid} column SQLite gives it implicitly (stored
 * order), and the schema version lives in a one-row table instead of {@code PRAGMA user_version}.
 */
public final class AdminStore implements AutoCloseable {
  /** Migration scripts, in order: index i moves the schema from version i to i + 1. */
  static final List<String> MIGRATIONS = List.of("V1.sql", "V2.sql", "V3.sql", "V4.sql",
      "V5.sql", "V6.sql");

  /** The schema version this code reads and writes. */
  public static final int SCHEMA_VERSION = MIGRATIONS.size();

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** The SQL dialect of the database behind a store. */
  public enum Dialect {
    SQLITE, POSTGRESQL;

    private static final java.util.regex.Pattern CREATE_TABLE =
        java.util.regex.Pattern.compile("^CREATE TABLE (\\w+) \\(");

    /** An SQL expression comparing stored ISO 8601 times as instants (not as text). */
    public String instant(String textExpression) {
      return this == SQLITE ? "julianday(" + textExpression + ")"
          : "CAST(" + textExpression + " AS timestamptz)";
    }

    /** An SQL expression: whether {@code needle} occurs in {@code haystack}, case-sensitive. */
    public String contains(String haystack, String needle) {
      return this == SQLITE ? "instr(" + haystack + ", " + needle + ") > 0"
          : "strpos(" + haystack + ", " + needle + ") > 0";
    }

    /** One statement of a migration script, as this dialect needs it. */
    String translate(String sql) {
      if (this == SQLITE) {
        return sql;
      }
      String out = sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY");
      java.util.regex.Matcher m = CREATE_TABLE.matcher(out);
      if (m.find() && !out.contains("BIGSERIAL PRIMARY KEY")) {
        // SQLite's implicit rowid: the order rows were first stored in (ORDER BY rowid).
        out = m.replaceFirst("CREATE TABLE $1 (\n  rowid BIGSERIAL,");
      }
      return out;
    }
  }

  private final Path file;
  private final String location;
  private final Dialect dialect;
  private final Connector connector;
  private Connection connection;
  private final Clock clock;

  /** Opens a new connection (PostgreSQL: again after the server dropped the old one). */
  private interface Connector {
    Connection connect() throws SQLException;
  }

  private AdminStore(Path file, Connection connection, Clock clock) {
    this(file, "admin database " + file, Dialect.SQLITE, null, connection, clock);
  }

  private AdminStore(Path file, String location, Dialect dialect, Connector connector,
      Connection connection, Clock clock) {
    this.file = file;
    this.location = location;
    this.dialect = dialect;
    this.connector = connector;
    this.connection = connection;
    this.clock = clock;
  }

  /** Where a PostgreSQL admin store lives, and who connects. */
  public record PostgresLocation(String url, String user, String password) {
    /**
     * Parses {@code postgresql://HOST[:PORT]/DATABASE} (or the JDBC form
     * {@code jdbc:postgresql://...}); query parameters are passed on to the driver.
     */
    public static String jdbcUrl(String url) {
      String u = url == null ? "" : url.trim();
      if (u.startsWith("jdbc:")) {
        u = u.substring(5);
      }
      if (!u.startsWith("postgresql://") || u.length() <= "postgresql://".length()) {
        throw new IllegalArgumentException("expected postgresql://HOST[:PORT]/DATABASE, got \""
            + url + "\"");
      }
      String rest = u.substring("postgresql://".length());
      int slash = rest.indexOf('/');
      if (slash <= 0 || slash == rest.length() - 1 || rest.substring(0, slash).contains("@")) {
        throw new IllegalArgumentException("expected postgresql://HOST[:PORT]/DATABASE (user and"
            + " password are separate settings), got \"" + url + "\"");
      }
      return "jdbc:" + u;
    }

    @Override
    public String toString() {
      return "PostgresLocation[" + url + ", user " + user + "]"; // never the password
    }
  }

  /**
   * Opens and migrates the admin store in PostgreSQL. Several admins may open the same
   * database: migrations take an advisory lock, so exactly one runs each.
   */
  public static AdminStore openPostgres(PostgresLocation where, Clock clock)
      throws StoreException {
    return openPostgres(where, clock, SCHEMA_VERSION);
  }

  static AdminStore openPostgres(PostgresLocation where, Clock clock, int version)
      throws StoreException {
    String jdbc;
    try {
      jdbc = PostgresLocation.jdbcUrl(where.url());
    } catch (IllegalArgumentException e) {
      throw new StoreException("store.url: " + e.getMessage());
    }
    String name = "admin database " + jdbc.substring(5);
    Connector connector = () -> {
      java.util.Properties p = new java.util.Properties();
      if (where.user() != null) {
        p.setProperty("user", where.user());
      }
      if (where.password() != null) {
        p.setProperty("password", where.password());
      }
      p.setProperty("connectTimeout", "5");
      p.setProperty("socketTimeout", "30");
      p.setProperty("ApplicationName", "hearth");
      return new org.postgresql.Driver().connect(jdbc, p);
    };
    Connection c;
    try {
      c = connector.connect();
      if (c == null) {
        throw new StoreException("cannot open the " + name + ": not a PostgreSQL URL");
      }
    } catch (SQLException e) {
      throw StoreException.of("cannot open the " + name, e);
    }
    AdminStore store = new AdminStore(null, name, Dialect.POSTGRESQL, connector, c, clock);
    try {
      store.migrate(version);
      return store;
    } catch (SQLException e) {
      store.close();
      throw StoreException.of("cannot open the " + name, e);
    } catch (StoreException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /** The SQL dialect of this store's database. */
  public Dialect dialect() {
    return dialect;
  }

  /** What messages call this database. */
  public String location() {
    return location;
  }

  /** Opens (creating if needed) and migrates the database at {@code file}. */
  public static AdminStore open(Path file) throws StoreException {
    return open(file, Clock.systemUTC(), SCHEMA_VERSION);
  }

  /** Opens with a clock for timestamps; used by tests that need fixed times. */
  public static AdminStore open(Path file, Clock clock) throws StoreException {
    return open(file, clock, SCHEMA_VERSION);
  }

  /** Opens and migrates only up to {@code version}: how migration tests build older files. */
  static AdminStore open(Path file, Clock clock, int version) throws StoreException {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreException("cannot create the directory for " + file + ": " + e.getMessage());
    }
    createPrivate(file);
    Connection c;
    try {
      c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    } catch (SQLException e) {
      throw StoreException.of("cannot open the admin database " + file, e);
    }
    AdminStore store = new AdminStore(file, c, clock);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 5000");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = FULL");
        s.execute("PRAGMA foreign_keys = ON");
      }
      store.migrate(version);
      return store;
    } catch (SQLException e) {
      store.close();
      throw StoreException.of("cannot open the admin database " + file, e);
    } catch (StoreException | RuntimeException e) {
      store.close();
      throw e;
    }
  }

  private void migrate(int target) throws SQLException, StoreException {
    if (dialect == Dialect.POSTGRESQL) {
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS hearth_schema (version INTEGER NOT NULL)");
      }
    }
    int current = schemaVersion();
    if (current > SCHEMA_VERSION) {
      throw new StoreException("the " + location + " has schema version " + current
          + ", but this Hearth understands versions up to " + SCHEMA_VERSION
          + ": run the newer Hearth that wrote it, or restore a backup made for this version");
    }
    for (int v = current; v < target; v++) {
      String script = script(MIGRATIONS.get(v));
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        if (dialect == Dialect.POSTGRESQL) {
          // Another admin may be migrating the same database: wait for it, then look again.
          s.execute("SELECT pg_advisory_xact_lock(4848415254)");
          if (schemaVersion() > v) {
            connection.commit();
            connection.setAutoCommit(true);
            continue;
          }
        }
        for (String sql : statements(script)) {
          s.execute(dialect.translate(sql));
        }
        if (dialect == Dialect.POSTGRESQL) {
          s.execute("DELETE FROM hearth_schema");
          s.execute("INSERT INTO hearth_schema(version) VALUES (" + (v + 1) + ")");
        } else {
          s.execute("PRAGMA user_version = " + (v + 1));
        }
        connection.commit();
      } catch (SQLException e) {
        abandon(e);
        throw new StoreException("migration of the " + location + " to schema version " + (v + 1)
            + " failed and was rolled back: " + e.getMessage());
      }
      connection.setAutoCommit(true);
    }
  }

  /**
   * Ends a failed transaction and goes back to autocommit without hiding why it failed. On a
   * full disk or an I/O error SQLite has already rolled the transaction back by itself, so the
   * driver's own ROLLBACK and COMMIT then fail with "no transaction is active": that second error
   * must not replace the first (the operator has to read "the disk is full", not that).
   */
  private void abandon(Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException alreadyRolledBack) {
      // Nothing left to undo.
    }
    try {
      connection.setAutoCommit(true); // the driver's flag is set before its COMMIT can fail
    } catch (SQLException noTransaction) {
      failure.addSuppressed(noTransaction);
    }
  }

  /**
   * Creates {@code file} readable by its owner only (it holds password hashes and subscriber
   * data; SQLite gives its WAL files the same mode). An existing file is left as it is.
   */
  static void createPrivate(Path file) throws StoreException {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      // Another process created it first: fine.
    } catch (UnsupportedOperationException notPosix) {
      // Not a POSIX file system: SQLite creates it with the default mode.
    } catch (IOException e) {
      throw new StoreException("cannot create the admin database " + file + ": "
          + e.getMessage());
    }
  }

  private java.nio.channels.FileChannel servingLock;

  /**
   * Marks the database as in use by a running server, until {@link #close}: {@code restore}
   * refuses to replace it while the lock is held (other tools may still read and write).
   */
  public synchronized void lockForServing() throws StoreException {
    if (dialect == Dialect.POSTGRESQL) {
      return; // a shared database: several admins may serve it; restore is pg_restore's job
    }
    try {
      java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile(file),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
      if (tryLock(ch) == null) {
        ch.close();
        throw new StoreException("the admin database " + file + " is already in use by another"
            + " running Hearth");
      }
      servingLock = ch;
    } catch (IOException e) {
      throw new StoreException("cannot lock " + lockFile(file) + ": " + e.getMessage());
    }
  }

  /** The lock, or null when another process, or this one, holds it. */
  private static java.nio.channels.FileLock tryLock(java.nio.channels.FileChannel ch)
      throws IOException {
    try {
      return ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException heldHere) {
      return null;
    }
  }

  static Path lockFile(Path db) {
    return db.resolveSibling(db.getFileName() + ".serving");
  }

  /** The schema version of the open file. */
  public synchronized int schemaVersion() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(dialect == Dialect.POSTGRESQL
            ? "SELECT COALESCE(MAX(version), 0) FROM hearth_schema" : "PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private static String script(String name) throws StoreException {
    try (InputStream in = AdminStore.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new StoreException("migration script " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new StoreException("cannot read migration script " + name + ": " + e.getMessage());
    }
  }

  /** Splits a migration script at semicolons that end a line; drops {@code --} comment lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : script.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("--")) {
        continue;
      }
      cur.append(line).append('\n');
      if (t.endsWith(";")) {
        out.add(cur.toString().strip());
        cur.setLength(0);
      }
    }
    if (!cur.toString().isBlank()) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  /** The file this store reads and writes. */
  public Path file() {
    return file;
  }

  /** Now, by this store's clock. */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Runs {@code work} in one transaction: all of it is committed, or (on any exception) none.
   */
  public synchronized <T> T transaction(Work<T> work) throws StoreException {
    try {
      reconnectIfBroken();
      connection.setAutoCommit(false);
      T result;
      try {
        result = work.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        abandon(e);
        throw e;
      }
      connection.setAutoCommit(true);
      return result;
    } catch (SQLException e) {
      throw StoreException.of("the admin database could not complete the change", e);
    }
  }

  /** Runs read-only {@code work}; no transaction needed for one consistent statement. */
  public synchronized <T> T read(Work<T> work) throws StoreException {
    try {
      reconnectIfBroken();
      return work.run(connection);
    } catch (SQLException e) {
      throw StoreException.of("the admin database could not be read", e);
    }
  }

  /**
   * PostgreSQL only: a connection the server closed (a restart, a fail-over) is replaced before
   * the next use, so the admin recovers by itself once the database is back.
   */
  private void reconnectIfBroken() throws SQLException {
    if (connector == null || connection.isValid(2)) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Already broken: the new connection is what matters.
    }
    connection = connector.connect();
  }

  /**
   * Appends an audit record inside the caller's transaction, so a change and its record commit
   * together or not at all.
   */
  public void audit(Connection c, String actor, String action, String target, String before,
      String after) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log(at, actor, action,"
        + " target, before, after) VALUES (?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, now().toString());
      ps.setString(2, actor);
      ps.setString(3, action);
      ps.setString(4, target);
      ps.setString(5, before);
      ps.setString(6, after);
      ps.executeUpdate();
    }
  }

  /**
   * Writes a consistent copy of the live database to {@code target} while it keeps serving
   * ({@code VACUUM INTO}); the copy is written next to the target and renamed into place.
   */
  public synchronized void backup(Path target) throws StoreException {
    if (dialect == Dialect.POSTGRESQL) {
      throw new StoreException("the admin store is in PostgreSQL: back it up with pg_dump");
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".partial");
    try {
      Files.deleteIfExists(tmp);
      createPrivate(tmp); // VACUUM INTO fills an existing empty file, keeping its mode
      try (PreparedStatement ps = connection.prepareStatement("VACUUM INTO ?")) {
        ps.setString(1, tmp.toAbsolutePath().toString());
        ps.execute();
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (SQLException e) {
      throw StoreException.of("backup to " + target + " failed", e);
    } catch (IOException e) {
      throw new StoreException("backup to " + target + " failed: " + e.getMessage());
    }
  }

  /**
   * Replaces the database at {@code live} with the backup {@code from}, after checking that the
   * backup is an intact Hearth database this version can read. Run with the service stopped: the
   * copy is renamed into place, and the old file is kept as {@code <live>.before-restore}.
   */
  public static void restore(Path from, Path live) throws StoreException {
    if (!Files.isRegularFile(from)) {
      throw new StoreException(from + ": no such backup file");
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + from.toAbsolutePath()
        + "?open_mode=1")) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "PRAGMA integrity_check")) {
        String result = rs.next() ? rs.getString(1) : "no result";
        if (!"ok".equals(result)) {
          throw new StoreException(from + " is damaged (integrity check: " + result + ")");
        }
      }
      int version;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
          "PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version < 1 || version > SCHEMA_VERSION) {
        throw new StoreException(from + " is not a Hearth admin database this version can read"
            + " (schema version " + version + ", supported 1 to " + SCHEMA_VERSION + ")");
      }
    } catch (SQLException e) {
      throw StoreException.of(from + " is not a readable SQLite database", e);
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(lockFile(live),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = tryLock(ch)) {
      if (lock == null) {
        throw new StoreException("the admin database " + live + " is in use by a running"
            + " Hearth: stop the service first, then restore");
      }
      Path tmp = live.resolveSibling(live.getFileName() + ".restoring");
      Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
      if (Files.exists(live)) {
        // The safety copy goes through SQLite, so changes still in the WAL are in it too.
        Path before = live.resolveSibling(live.getFileName() + ".before-restore");
        Files.deleteIfExists(before);
        createPrivate(before);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live.toAbsolutePath());
            PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
          ps.setString(1, before.toAbsolutePath().toString());
          ps.execute();
        } catch (SQLException e) {
          throw StoreException.of("cannot keep a copy of " + live + " before restoring", e);
        }
      }
      // Stale WAL files of the old database must not be replayed onto the restored one.
      Files.deleteIfExists(live.resolveSibling(live.getFileName() + "-wal"));
      Files.deleteIfExists(live.resolveSibling(live.getFileName() + "-shm"));
      Files.move(tmp, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new StoreException("restore to " + live + " failed: " + e.getMessage());
    }
  }

  @Override
  public synchronized void close() {
    if (servingLock != null) {
      try {
        servingLock.close();
      } catch (IOException ignored) {
        // Closing: the lock goes with the process anyway.
      }
      servingLock = null;
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing: nothing left to protect.
    }
  }
}
