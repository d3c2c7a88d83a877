package dev.hearth.admin.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.admin.store.AdminStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Users, passwords and API tokens against a real SQLite file. */
class AccountsTest {
  @TempDir Path dir;

  /** A clock that reads {@code now[0]}, so a test can move time on. */
  static Clock settable(Instant[] now) {
    return new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now[0];
      }
    };
  }

  @Test
  void passwords_areSaltedSlowHashesThatVerify() {
    String a = Passwords.hash("correct horse battery".toCharArray());
    String b = Passwords.hash("correct horse battery".toCharArray());
    assertTrue(a.startsWith("pbkdf2-sha256$" + Passwords.ITERATIONS + "$"), a);
    assertFalse(a.equals(b), "each hash has its own salt");
    assertTrue(Passwords.verify("correct horse battery".toCharArray(), a));
    assertFalse(Passwords.verify("correct horse battery!".toCharArray(), a));
    assertFalse(Passwords.verify("x".toCharArray(), "not-a-hash"));
    assertNotNull(Passwords.weakness("short".toCharArray()));
    assertNull(Passwords.weakness("long enough pass".toCharArray()));
  }

  @Test
  void firstStart_createsOneAdministratorOnce() throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      Accounts accounts = new Accounts(store);
      char[] first = accounts.ensureFirstAdministrator();
      assertNotNull(first);
      assertEquals(20, first.length);
      assertNull(accounts.ensureFirstAdministrator(), "only on first start");
      Principal p = accounts.login("admin", first);
      assertNotNull(p);
      assertEquals(Role.ADMINISTRATOR, p.role());
      assertEquals("user:admin", p.name());
    }
  }

  @Test
  void login_locksTheAccountAfterRepeatedFailures() throws Exception {
    Instant[] now = {Instant.parse("2026-11-26T10:00:00Z")};
    Clock clock = settable(now);
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"), clock)) {
      Accounts accounts = new Accounts(store);
      char[] pw = "a good long password".toCharArray();
      accounts.createUser(Principal.CLI, "Alice", Role.SUPPORT, null, pw, false);
      for (int i = 0; i < Accounts.MAX_FAILED_LOGINS; i++) {
        assertNull(accounts.login("alice", "wrong password here".toCharArray()));
      }
      assertNull(accounts.login("alice", pw), "locked, even with the right password");
      now[0] = now[0].plus(Accounts.LOCKOUT).plus(Duration.ofSeconds(1));
      Principal p = accounts.login("alice", pw);
      assertNotNull(p, "the lock expires");
      assertEquals(Role.SUPPORT, p.role());
    }
  }

  @Test
  void parallelGuesses_eachSpendOneTry_soTheLockHolds() throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      Accounts accounts = new Accounts(store);
      char[] pw = "a good long password".toCharArray();
      accounts.createUser(Principal.CLI, "target", Role.ADMINISTRATOR, null, pw, false);
      var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        var guesses = new java.util.ArrayList<java.util.concurrent.Future<Principal>>();
        for (int i = 0; i < 8; i++) {
          char[] guess = ("wrong guess number " + i).toCharArray();
          guesses.add(pool.submit(() -> accounts.login("target", guess)));
        }
        for (var g : guesses) {
          assertNull(g.get());
        }
      } finally {
        pool.shutdown();
      }
      assertNull(accounts.login("target", pw), "8 parallel failures lock the account");
    }
  }

  @Test
  void createUser_refusesBadInputAndStoresNothing() throws Exception {
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"))) {
      Accounts accounts = new Accounts(store);
      char[] pw = "a good long password".toCharArray();
      assertThrows(IllegalArgumentException.class, () -> accounts.createUser(Principal.CLI,
          "bob", Role.SUPPORT, null, "short".toCharArray(), false));
      assertThrows(IllegalArgumentException.class, () -> accounts.createUser(Principal.CLI,
          "bad name!", Role.SUPPORT, null, pw, false));
      assertThrows(IllegalArgumentException.class, () -> accounts.createUser(Principal.CLI,
          "parent1", Role.PARENT, null, pw, false), "a parent needs a household");
      accounts.createUser(Principal.CLI, "bob", Role.SUPPORT, null, pw, false);
      IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
          () -> accounts.createUser(Principal.CLI, "BOB", Role.SUPPORT, null, pw, false));
      assertTrue(dup.getMessage().contains("already exists"));
      assertEquals(Integer.valueOf(1), store.<Integer>read(c -> {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
          rs.next();
          return rs.getInt(1);
        }
      }));
    }
  }

  @Test
  void signupCodes_workOnceBeforeTheyExpire_andCreateAParentOfThatHousehold() throws Exception {
    Instant[] now = {Instant.parse("2026-11-26T10:00:00Z")};
    Clock clock = settable(now);
    try (AdminStore store = AdminStore.open(dir.resolve("admin.db"), clock)) {
      Accounts accounts = new Accounts(store);
      String code = accounts.issueSignupCode(Principal.CLI, "house-7");
      assertTrue(code.matches("[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}"), code);
      char[] pw = "the parent's password".toCharArray();
      IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
          () -> accounts.redeemSignupCode("AAAA-BBBB-CCCC", "mum", pw));
      assertTrue(wrong.getMessage().contains("unknown, used or expired"));
      accounts.createUser(Principal.CLI, "taken", Role.SUPPORT, null, pw, false);
      assertThrows(IllegalArgumentException.class,
          () -> accounts.redeemSignupCode(code, "taken", pw), "username taken");
      // Lower case and spaces are forgiven; the failed attempt above did not spend the code.
      Principal p = accounts.redeemSignupCode(code.toLowerCase().replace("-", " "), "mum", pw);
      assertEquals(new Principal("user:mum", Role.PARENT, "house-7"), p);
      assertNotNull(accounts.login("mum", pw));
      assertThrows(IllegalArgumentException.class,
          () -> accounts.redeemSignupCode(code, "dad", pw), "a code works once");
      String late = accounts.issueSignupCode(Principal.CLI, "house-7");
      now[0] = now[0].plus(Accounts.SIGNUP_VALIDITY).plusSeconds(1);
      assertThrows(IllegalArgumentException.class,
          () -> accounts.redeemSignupCode(late, "dad", pw), "expired");
      assertEquals(2, accounts.users().size());
    }
  }

  @Test
  void tokens_authenticateUntilRevokedAndAreNeverStoredInClear() throws Exception {
    Path db = dir.resolve("admin.db");
    String token;
    try (AdminStore store = AdminStore.open(db)) {
      Accounts accounts = new Accounts(store);
      token = accounts.createToken(Principal.CLI, "provisioning", Role.ADMINISTRATOR, null);
      assertTrue(token.matches("hth_[0-9a-f]{12}_[A-Za-z0-9_-]{43}"), token);
      Principal p = accounts.authenticate(token);
      assertEquals(new Principal("token:provisioning", Role.ADMINISTRATOR, null), p);
      String forged = token.substring(0, token.length() - 1)
          + (token.endsWith("A") ? "B" : "A");
      assertNull(accounts.authenticate(forged));
      assertNull(accounts.authenticate("hth_nothing"));
      assertNull(accounts.authenticate(null));
      String id = token.substring(4, 16);
      assertTrue(accounts.revokeToken(Principal.CLI, id));
      assertFalse(accounts.revokeToken(Principal.CLI, id), "already revoked");
      assertNull(accounts.authenticate(token));
      assertEquals(1, accounts.tokens().size());
      assertNotNull(accounts.tokens().get(0).get("revoked_at"));
    }
    String secret = token.substring(17);
    for (String f : new String[] {"admin.db", "admin.db-wal"}) {
      Path file = dir.resolve(f);
      if (Files.exists(file)) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains(secret), f + " must not hold the token's secret");
      }
    }
  }
}
