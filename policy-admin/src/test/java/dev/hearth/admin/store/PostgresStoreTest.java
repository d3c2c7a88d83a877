package dev.hearth.admin.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.policy.AppealOverride;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.testing.TestPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin store on a real PostgreSQL 15 (started once for the class): the same migrations as
 * SQLite, stored order, upserts, accounts, and recovery after the server restarts.
 */
class PostgresStoreTest {
  static TestPostgres pg;
  static final Principal ADMIN = new Principal("user:ops", Role.ADMINISTRATOR, null);
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startPostgres() throws Exception {
    pg = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  @BeforeEach
  void empty() throws Exception {
    pg.reset();
  }

  AdminStore open() throws StoreException {
    return open(AdminStore.SCHEMA_VERSION);
  }

  AdminStore open(int version) throws StoreException {
    return AdminStore.openPostgres(new AdminStore.PostgresLocation(pg.url(), TestPostgres.USER,
        pg.password()), Clock.systemUTC(), version);
  }

  static int count(AdminStore store, String table) throws StoreException {
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  @Test
  void migrations_fromEveryVersion_keepRows_andReopeningRunsNothing() throws Exception {
    for (int v = 1; v < AdminStore.SCHEMA_VERSION; v++) {
      pg.reset();
      try (AdminStore old = open(v)) {
        assertEquals(v, old.schemaVersion());
        old.transaction(c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO profiles(id, spec,"
              + " updated_at, updated_by) VALUES ('kept', '{}', 'now', 'test')")) {
            ps.executeUpdate();
          }
          old.audit(c, "test", "profile.create", "profile:kept", null, "{}");
          return null;
        });
      }
      try (AdminStore now = open()) {
        assertEquals(AdminStore.SCHEMA_VERSION, now.schemaVersion());
        assertEquals(AdminStore.Dialect.POSTGRESQL, now.dialect());
        assertEquals(1, count(now, "profiles"));
        assertEquals(1, count(now, "audit_log"));
        assertEquals(0, count(now, "presets"));
      }
    }
    try (AdminStore again = open()) {
      assertEquals(AdminStore.SCHEMA_VERSION, again.schemaVersion());
    }
  }

  @Test
  void policy_keepsStoredOrder_upserts_andReadsBackAfterReopen() throws Exception {
    try (AdminStore store = open()) {
      PolicyService policy = new PolicyService(store, docs -> PolicySnapshot.everyListForEveryone());
      policy.open();
      policy.attach(s -> { }, new AddressBindings());
      for (String id : List.of("zeta", "alpha", "mid")) {
        policy.put(ADMIN, Kind.PROFILE, id, JSON.readTree("{\"name\": \"" + id + "\"}"));
      }
      policy.put(ADMIN, Kind.PROFILE, "zeta", JSON.readTree("{\"name\": \"changed\"}"));
      policy.putAppealOverride(ADMIN, new AppealOverride("example.org", true, null, "T-1"),
          null);
      policy.putAppealOverride(ADMIN, new AppealOverride("example.org", false, "ads", "T-2"),
          null);
      assertTrue(policy.delete(ADMIN, Kind.PROFILE, "mid"));
    }
    try (AdminStore store = open()) {
      PolicyService policy = new PolicyService(store, docs -> PolicySnapshot.everyListForEveryone());
      policy.open();
      assertEquals(List.of("zeta", "alpha"), List.copyOf(policy.list(Kind.PROFILE).keySet()),
          "first-stored order, as SQLite's rowid gives it; an update keeps the place");
      assertEquals("changed", policy.get(Kind.PROFILE, "zeta").path("name").asText());
      assertEquals(List.of(new AppealOverride("example.org", false, "ads", "T-2")),
          policy.appealOverrides());
      assertEquals(7, count(store, "audit_log"), "3 creates, 1 update, 2 overrides, 1 delete");
    }
  }

  @Test
  void accounts_createLoginAndLockOut() throws Exception {
    try (AdminStore store = open()) {
      Accounts accounts = new Accounts(store);
      char[] first = accounts.ensureFirstAdministrator();
      assertNotNull(first);
      assertNull(accounts.ensureFirstAdministrator());
      assertEquals("user:admin", accounts.login("admin", first).name());
      assertNull(accounts.login("admin", "wrong password!".toCharArray()));
      String token = accounts.createToken(ADMIN, "radius", Role.ADMINISTRATOR, null);
      assertNotNull(accounts.authenticate(token));
    }
  }

  @Test
  void aRestartedServer_isReconnectedToOnTheNextUse() throws Exception {
    try (AdminStore store = open()) {
      assertEquals(0, count(store, "profiles"));
      pg.stop();
      assertThrows(StoreException.class, () -> count(store, "profiles"),
          "the database is down: a clear error, no hang");
      pg.restart();
      assertEquals(0, count(store, "profiles"), "back without reopening the store");
    }
  }

  @Test
  void badUrls_areRefusedWithTheReason() {
    StoreException e = assertThrows(StoreException.class, () -> AdminStore.openPostgres(
        new AdminStore.PostgresLocation("postgresql://user:pw@127.0.0.1/db", "u", "p"),
        Clock.systemUTC()));
    assertTrue(e.getMessage().contains("user and password are separate settings"),
        e.getMessage());
    StoreException wrongPassword = assertThrows(StoreException.class,
        () -> AdminStore.openPostgres(new AdminStore.PostgresLocation(pg.url(),
            TestPostgres.USER, "not the password"), Clock.systemUTC()));
    assertTrue(wrongPassword.getMessage().contains("password"), wrongPassword.getMessage());
  }
}
