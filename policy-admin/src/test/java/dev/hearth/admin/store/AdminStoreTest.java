package dev.hearth.admin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin database on real SQLite files: migrations, refusals, transactions, backups. */
class AdminStoreTest {
  @TempDir Path dir;

  @Test
  void open_createsTheLatestSchemaInWalMode() throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      assertEquals(AdminStore.SCHEMA_VERSION, store.schemaVersion());
      String mode = store.read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "PRAGMA journal_mode")) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertEquals("wal", mode);
      assertEquals(0, count(store, "profiles"));
    }
  }

  @Test
  void migration_fromEveryEarlierVersion_keepsData() throws Exception {
    // Each earlier version: build a file at that version, put a row in every table it has,
    // then open it with the current code and check the rows are still there.
    for (int v = 1; v < AdminStore.SCHEMA_VERSION; v++) {
      Path f = dir.resolve("v" + v + ".db");
      try (AdminStore old = AdminStore.open(f, Clock.systemUTC(), v)) {
        insertProfile(old, "kept");
      }
      try (AdminStore now = AdminStore.open(f)) {
        assertEquals(AdminStore.SCHEMA_VERSION, now.schemaVersion());
        assertEquals(1, count(now, "profiles"));
        assertEquals(0, count(now, "activity_daily"), "version 4 adds the activity summaries");
      }
    }
    // And from nothing (version 0) to the latest, re-opening without re-running anything.
    Path f = dir.resolve("fresh.db");
    try (AdminStore s = AdminStore.open(f)) {
      insertProfile(s, "p");
    }
    try (AdminStore s = AdminStore.open(f)) {
      assertEquals(1, count(s, "profiles"));
    }
  }

  @Test
  void migration_fromVersion2And1ToVersion3_keepsEveryRow_andAddsListSources() throws Exception {
    for (int from = 1; from <= 2; from++) {
      Path f = dir.resolve("to3-from" + from + ".db");
      try (AdminStore old = AdminStore.open(f, Clock.systemUTC(), from)) {
        insertProfile(old, "kept");
        old.transaction(c -> {
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO users(username, role, password_hash, created_at) VALUES"
                + " ('ops', 'administrator', 'x', 'now')");
            s.execute("INSERT INTO bindings(prefix, subscriber_id, bound_at, bound_by) VALUES"
                + " ('192.0.2.1/32', 'h1', 'now', 'test')");
          }
          old.audit(c, "test", "profile.create", "profile:kept", null, "{}");
          return null;
        });
        if (from == 2) {
          old.transaction(c -> {
            try (Statement s = c.createStatement()) {
              s.execute("INSERT INTO signup_codes(code_hash, household, created_at, created_by,"
                  + " expires_at) VALUES ('h', 'h1', 'now', 'test', 'later')");
            }
            return null;
          });
        }
      }
      try (AdminStore v3 = AdminStore.open(f, Clock.systemUTC(), 3)) {
        assertEquals(3, v3.schemaVersion());
        assertEquals(1, count(v3, "profiles"));
        assertEquals(1, count(v3, "users"));
        assertEquals(1, count(v3, "bindings"));
        assertEquals(1, count(v3, "audit_log"));
        assertEquals(from == 2 ? 1 : 0, count(v3, "signup_codes"));
        assertEquals(0, count(v3, "list_sources"));
        v3.transaction(c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO list_sources(id, spec,"
              + " created_at, created_by, updated_at, updated_by) VALUES (?, ?, 'now', 't',"
              + " 'now', 't')")) {
            ps.setString(1, "ads");
            ps.setString(2, "{\"id\":\"ads\",\"path\":\"/etc/hearth/ads.txt\"}");
            ps.executeUpdate();
          }
          return null;
        });
      }
      try (AdminStore latest = AdminStore.open(f)) {
        assertEquals(1, count(latest, "list_sources"), "kept by later migrations too");
      }
    }
  }

  @Test
  void migration_fromVersion5ToVersion6_keepsEveryRow_andAddsPresets() throws Exception {
    Path f = dir.resolve("to6.db");
    try (AdminStore v5 = AdminStore.open(f, Clock.systemUTC(), 5)) {
      insertProfile(v5, "kept");
      v5.transaction(c -> {
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO appeal_overrides(name, subdomains, ticket, created_at,"
              + " created_by) VALUES ('x.test', 0, 'HA-1', 'now', 't')");
        }
        v5.audit(c, "test", "profile.create", "profile:kept", null, "{}");
        return null;
      });
    }
    try (AdminStore v6 = AdminStore.open(f, Clock.systemUTC(), 6)) {
      assertEquals(6, v6.schemaVersion());
      assertEquals(1, count(v6, "profiles"));
      assertEquals(1, count(v6, "appeal_overrides"));
      assertEquals(1, count(v6, "audit_log"));
      assertEquals(0, count(v6, "presets"));
      v6.transaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO presets(id, spec,"
            + " updated_at, updated_by) VALUES (?, ?, 'now', 't')")) {
          ps.setString(1, "teen");
          ps.setString(2, "{\"id\":\"teen\",\"name\":\"Teen\"}");
          ps.executeUpdate();
        }
        return null;
      });
    }
    try (AdminStore latest = AdminStore.open(f)) {
      assertEquals(1, count(latest, "presets"), "kept by later migrations too");
    }
  }

  @Test
  void open_refusesAFileFromANewerHearth() throws Exception {
    Path f = dir.resolve("admin.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + f);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + (AdminStore.SCHEMA_VERSION + 5));
    }
    StoreException e = assertThrows(StoreException.class, () -> AdminStore.open(f));
    assertTrue(e.getMessage().contains("schema version " + (AdminStore.SCHEMA_VERSION + 5)),
        e.getMessage());
    assertTrue(e.getMessage().contains("understands versions up to"), e.getMessage());
  }

  @Test
  void open_reportsAFileThatIsNotADatabase() throws Exception {
    Path f = dir.resolve("admin.db");
    Files.write(f, "this is not sqlite at all, just text that fills a page".repeat(100)
        .getBytes(StandardCharsets.UTF_8));
    StoreException e = assertThrows(StoreException.class, () -> AdminStore.open(f));
    assertTrue(e.getMessage().contains("damaged"), e.getMessage());
  }

  @Test
  void transaction_rollsBackEverythingOnFailure() throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      assertThrows(IllegalStateException.class, () -> store.transaction(c -> {
        insert(c, "a");
        store.audit(c, "test", "profile.create", "profile:a", null, "{}");
        throw new IllegalStateException("fails after the writes");
      }));
      assertEquals(0, count(store, "profiles"));
      assertEquals(0, count(store, "audit_log"));
      StoreException e = assertThrows(StoreException.class, () -> store.transaction(c -> {
        insert(c, "b");
        insert(c, "b"); // primary key clash
        return null;
      }));
      assertTrue(e.getMessage().startsWith("the admin database could not complete the change"),
          e.getMessage());
      assertEquals(0, count(store, "profiles"));
    }
  }

  @Test
  void aFullDatabase_saysTheDiskIsFull_keepsNothingOfTheChange_andTheNextChangeWorks()
      throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      insertProfile(store, "before");
      // SQLite's own size cap: growing past it fails the way a full disk does (SQLITE_FULL).
      // FullDiskIT does the same with a real full file system.
      capPages(store, "PRAGMA page_count");
      String big = "x".repeat(256 * 1024);
      StoreException e = assertThrows(StoreException.class, () -> store.transaction(c -> {
        insert(c, "small");
        store.audit(c, "test", "profile.create", "profile:big", null, big);
        return null;
      }));
      assertEquals("the admin database could not complete the change: the disk is full",
          e.getMessage());
      assertEquals(1, count(store, "profiles"), "nothing of the failed change is kept");
      assertEquals(0, count(store, "audit_log"));
      capPages(store, "SELECT 1000000");
      insertProfile(store, "after");
      assertEquals(2, count(store, "profiles"));
    }
  }

  /** Sets the store connection's page cap to the value of {@code query}. */
  private static void capPages(AdminStore store, String query) throws StoreException {
    store.read(c -> {
      try (Statement s = c.createStatement()) {
        long pages;
        try (ResultSet rs = s.executeQuery(query)) {
          rs.next();
          pages = rs.getLong(1);
        }
        s.execute("PRAGMA max_page_count = " + pages);
        return null;
      }
    });
  }

  @Test
  void backupWhileOpen_thenRestore_bringsTheDataBack() throws Exception {
    Path live = dir.resolve("admin.db");
    Path backup = dir.resolve("backup.db");
    try (AdminStore store = AdminStore.open(live)) {
      insertProfile(store, "before-backup");
      store.backup(backup);
      insertProfile(store, "after-backup");
      assertEquals(2, count(store, "profiles"));
    }
    AdminStore.restore(backup, live);
    try (AdminStore store = AdminStore.open(live)) {
      assertEquals(1, count(store, "profiles"));
      assertEquals("before-backup", store.read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
            "SELECT id FROM profiles")) {
          rs.next();
          return rs.getString(1);
        }
      }));
    }
    assertTrue(Files.exists(dir.resolve("admin.db.before-restore")));
  }

  @Test
  void restore_refusesDamagedAndForeignFilesAndKeepsTheLiveOne() throws Exception {
    Path live = dir.resolve("admin.db");
    try (AdminStore store = AdminStore.open(live)) {
      insertProfile(store, "live");
    }
    Path garbage = dir.resolve("garbage.db");
    Files.write(garbage, new byte[8192]);
    assertThrows(StoreException.class, () -> AdminStore.restore(garbage, live));
    Path foreign = dir.resolve("foreign.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(x)");
    }
    StoreException e = assertThrows(StoreException.class,
        () -> AdminStore.restore(foreign, live));
    assertTrue(e.getMessage().contains("schema version 0"), e.getMessage());
    assertThrows(StoreException.class, () -> AdminStore.restore(dir.resolve("missing.db"), live));
    try (AdminStore store = AdminStore.open(live)) {
      assertEquals(1, count(store, "profiles"));
    }
  }

  @Test
  void theFileIsPrivate_andRestoreRefusesWhileAServerHoldsIt() throws Exception {
    Path live = dir.resolve("admin.db");
    Path backup = dir.resolve("b.db");
    try (AdminStore serving = AdminStore.open(live)) {
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(live)));
      serving.backup(backup);
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(backup)));
      serving.lockForServing();
      StoreException e = assertThrows(StoreException.class,
          () -> AdminStore.restore(backup, live));
      assertTrue(e.getMessage().contains("stop the service first"), e.getMessage());
    }
    AdminStore.restore(backup, live); // released on close
  }

  @Test
  void statements_splitAtLineEndSemicolonsAndSkipComments() {
    assertEquals(java.util.List.of("CREATE TABLE a (x TEXT);", "CREATE INDEX i ON a(x);"),
        AdminStore.statements("-- comment\nCREATE TABLE a (x TEXT);\n\nCREATE INDEX i ON a(x);\n"));
  }

  private static void insertProfile(AdminStore store, String id) throws StoreException {
    store.transaction(c -> {
      insert(c, id);
      return null;
    });
  }

  private static void insert(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO profiles(id, spec, updated_at,"
        + " updated_by) VALUES (?, '{}', 'now', 'test')")) {
      ps.setString(1, id);
      ps.executeUpdate();
    }
  }

  private static int count(AdminStore store, String table) throws StoreException {
    return store.read(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }
}
