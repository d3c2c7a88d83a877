package dev.hearth.admin.auth;

import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Users (people who log in) and API tokens (machines such as an operator's provisioning
 * system). Tokens look like {@code hth_<id>_<secret>}: the id finds the row, and only a SHA-256
 * of the 256-bit secret is stored, so a copy of the database does not hand out working tokens.
 * Every change is audit-logged in the same transaction.
 */
public final class Accounts {
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
  private static final Pattern TOKEN = Pattern.compile("hth_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
  static final int MAX_FAILED_LOGINS = 5;
  static final Duration LOCKOUT = Duration.ofMinutes(15);
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Slow password work at most two at a time: a burst of logins must not take both cores from
   * the resolver. Waiting longer than 5 s answers "busy" instead.
   */
  private static final java.util.concurrent.Semaphore SLOW_CHECKS =
      new java.util.concurrent.Semaphore(2, true);

  /** Too many password checks at once; the caller answers 503 and the user tries again. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy() {
      super("too many sign-ins at once; try again in a moment", null, false, false);
    }
  }

  private static <T> T slow(java.util.function.Supplier<T> work) {
    try {
      if (!SLOW_CHECKS.tryAcquire(5, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new Busy();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Busy();
    }
    try {
      return work.get();
    } finally {
      SLOW_CHECKS.release();
    }
  }

  /** Checked against when there is no such user, at the real cost. */
  private static final String DUMMY_HASH = Passwords.hash("no such user here".toCharArray());
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final AdminStore store;

  public Accounts(AdminStore store) {
    this.store = store;
  }

  /** Checks a username's form; returns it lower-cased. */
  public static String username(String text) {
    String u = text == null ? "" : text.trim().toLowerCase(java.util.Locale.ROOT);
    if (!USERNAME.matcher(u).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a username (1 to 64 letters,"
          + " digits, '.', '_', '@' or '-', starting with a letter or digit)");
    }
    return u;
  }

  /** Creates a user; refuses an existing name, a weak password, or a parent without household. */
  public void createUser(Principal actor, String username, Role role, String household,
      char[] password, boolean mustChange) throws StoreException {
    String u = username(username);
    String weak = Passwords.weakness(password);
    if (weak != null) {
      throw new IllegalArgumentException(weak);
    }
    if ((role == Role.PARENT) != (household != null)) {
      throw new IllegalArgumentException(role == Role.PARENT
          ? "a parent account needs the household (subscriber id) it belongs to"
          : "only parent accounts belong to a household");
    }
    String hash = Passwords.hash(password);
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE username = ?")) {
        ps.setString(1, u);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new IllegalArgumentException("user '" + u + "' already exists");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users(username, role,"
          + " household, password_hash, must_change_password, created_at) VALUES (?,?,?,?,?,?)")) {
        ps.setString(1, u);
        ps.setString(2, role.id());
        ps.setString(3, household);
        ps.setString(4, hash);
        ps.setInt(5, mustChange ? 1 : 0);
        ps.setString(6, store.now().toString());
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "user.create", "user:" + u, null,
          JSON.createObjectNode().put("role", role.id()).put("household", household)
              .toString());
      return null;
    });
  }

  /**
   * On first start (no users at all), creates the administrator {@code admin} with a random
   * one-time password that must be changed at first login, and returns it; otherwise null.
   */
  public char[] ensureFirstAdministrator() throws StoreException {
    boolean empty = store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM users");
          ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == 0;
      }
    });
    if (!empty) {
      return null;
    }
    char[] password = Passwords.generate();
    createUser(new Principal("system", Role.ADMINISTRATOR, null), "admin", Role.ADMINISTRATOR,
        null, password, true);
    return password;
  }

  /**
   * Checks a username and password, with lockout: after {@value #MAX_FAILED_LOGINS} failures
   * in a row the account is locked for 15 minutes, even for the right password.
   */
  public Principal login(String username, char[] password) throws StoreException {
    LoginResult r = loginDetailed(username, password);
    return r == null ? null : r.principal();
  }

  /** A successful login: who, and whether they must choose a new password first. */
  public record LoginResult(Principal principal, boolean mustChangePassword) {}

  /** {@link #login}, also telling whether the password is a one-time one. */
  public LoginResult loginDetailed(String username, char[] password) throws StoreException {
    String u;
    try {
      u = username(username);
    } catch (IllegalArgumentException e) {
      return null;
    }
    Instant now = store.now();
    // The attempt is counted before the slow check, in one statement, so parallel guesses
    // cannot all see "not locked yet": each one spends one of the five tries. A lock that has
    // run out starts a fresh count.
    Object[] row = store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET failed_logins ="
          + " CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1"
          + " ELSE failed_logins + 1 END, locked_until = CASE"
          + " WHEN locked_until IS NOT NULL AND locked_until > ? THEN locked_until"
          + " WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= ? THEN 1"
          + " ELSE failed_logins + 1 END) >= ? THEN ? ELSE NULL END WHERE username = ?")) {
        ps.setString(1, now.toString());
        ps.setString(2, now.toString());
        ps.setString(3, now.toString());
        ps.setInt(4, MAX_FAILED_LOGINS + 1);
        ps.setString(5, now.plus(LOCKOUT).toString());
        ps.setString(6, u);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT role, household, password_hash,"
          + " locked_until, must_change_password, failed_logins FROM users"
          + " WHERE username = ?")) {
        ps.setString(1, u);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? new Object[] {rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getInt(5), rs.getInt(6)} : null;
        }
      }
    });
    // The same slow check whether or not the account exists or is locked: response times say
    // nothing about which usernames exist.
    boolean ok = slow(() -> Passwords.verify(password,
        row == null ? DUMMY_HASH : (String) row[2]));
    if (row == null) {
      return null;
    }
    boolean locked = row[3] != null && Instant.parse((String) row[3]).isAfter(now)
        // Locked by an earlier run of failures, not by this attempt: the 6th try itself would
        // set it, and a right password then must still fail.
        || (Integer) row[5] > MAX_FAILED_LOGINS;
    if (!ok || locked) {
      return null;
    }
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET failed_logins = 0,"
          + " locked_until = NULL WHERE username = ?")) {
        ps.setString(1, u);
        ps.executeUpdate();
      }
      return null;
    });
    return new LoginResult(new Principal("user:" + u, Role.parse((String) row[0]),
        (String) row[1]), ((Integer) row[4]) != 0);
  }

  /**
   * Changes a user's own password after checking the current one (which also counts towards the
   * lockout). Returns false if the current password is wrong.
   */
  public boolean changePassword(Principal actor, String username, char[] current, char[] next)
      throws StoreException {
    String weak = Passwords.weakness(next);
    if (weak != null) {
      throw new IllegalArgumentException(weak);
    }
    if (login(username, current) == null) {
      return false;
    }
    String u = username(username);
    String hash = Passwords.hash(next);
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE users SET password_hash = ?,"
          + " must_change_password = 0 WHERE username = ?")) {
        ps.setString(1, hash);
        ps.setString(2, u);
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "user.password", "user:" + u, null, null);
      return null;
    });
    return true;
  }

  /** How long a parent sign-up code stays valid. */
  public static final Duration SIGNUP_VALIDITY = Duration.ofDays(14);
  private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

  /**
   * Issues a one-time code with which a parent creates their own account for {@code household}
   * (the operator hands it over with the contract or the router). 60 random bits, shown once,
   * stored as a SHA-256; valid for {@link #SIGNUP_VALIDITY}.
   */
  public String issueSignupCode(Principal actor, String household) throws StoreException {
    StringBuilder code = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      if (i > 0 && i % 4 == 0) {
        code.append('-');
      }
      code.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
    }
    String hash = sha256(normalizeCode(code.toString()));
    Instant now = store.now();
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO signup_codes(code_hash,"
          + " household, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?)")) {
        ps.setString(1, hash);
        ps.setString(2, household);
        ps.setString(3, now.toString());
        ps.setString(4, actor.name());
        ps.setString(5, now.plus(SIGNUP_VALIDITY).toString());
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "signup.issue", "subscriber:" + household, null,
          JSON.createObjectNode().put("expires", now.plus(SIGNUP_VALIDITY).toString())
              .toString());
      return null;
    });
    return code.toString();
  }

  static String normalizeCode(String code) {
    return code == null ? "" : code.replaceAll("[\\s-]", "").toUpperCase(java.util.Locale.ROOT);
  }

  /**
   * Creates a parent account with a sign-up code: the code must be known, unused and unexpired,
   * and it is spent in the same transaction that creates the account. Throws
   * IllegalArgumentException with a reason fit to show (never saying which part was wrong
   * beyond "code" versus the username and password rules).
   */
  public Principal redeemSignupCode(String code, String username, char[] password)
      throws StoreException {
    String u = username(username);
    String weak = Passwords.weakness(password);
    if (weak != null) {
      throw new IllegalArgumentException(weak);
    }
    String hash = sha256(normalizeCode(code));
    Instant now = store.now();
    // A bogus code costs a lookup, not a slow password hash.
    boolean known = store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM signup_codes WHERE"
          + " code_hash = ? AND used_at IS NULL AND expires_at > ?")) {
        ps.setString(1, hash);
        ps.setString(2, now.toString());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next();
        }
      }
    });
    if (!known) {
      throw new IllegalArgumentException("this sign-up code is unknown, used or expired;"
          + " ask your provider for a new one");
    }
    String pwHash = slow(() -> Passwords.hash(password));
    String household = store.transaction(c -> {
      String h;
      try (PreparedStatement ps = c.prepareStatement("SELECT household FROM signup_codes WHERE"
          + " code_hash = ? AND used_at IS NULL AND expires_at > ?")) {
        ps.setString(1, hash);
        ps.setString(2, now.toString());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new IllegalArgumentException("this sign-up code is unknown, used or expired;"
                + " ask your provider for a new one");
          }
          h = rs.getString(1);
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE username = ?")) {
        ps.setString(1, u);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new IllegalArgumentException("the username '" + u + "' is taken; choose"
                + " another");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO users(username, role,"
          + " household, password_hash, must_change_password, created_at) VALUES"
          + " (?, 'parent', ?, ?, 0, ?)")) {
        ps.setString(1, u);
        ps.setString(2, h);
        ps.setString(3, pwHash);
        ps.setString(4, now.toString());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE signup_codes SET used_at = ?,"
          + " used_by = ? WHERE code_hash = ?")) {
        ps.setString(1, now.toString());
        ps.setString(2, u);
        ps.setString(3, hash);
        ps.executeUpdate();
      }
      store.audit(c, "user:" + u, "signup.redeem", "user:" + u, null,
          JSON.createObjectNode().put("role", "parent").put("household", h).toString());
      return h;
    });
    return new Principal("user:" + u, Role.PARENT, household);
  }

  /** Removes a user (the audit log keeps what they did); returns whether there was one. */
  public boolean deleteUser(Principal actor, String username) throws StoreException {
    String u = username(username);
    return store.transaction(c -> {
      int n;
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE username = ?")) {
        ps.setString(1, u);
        n = ps.executeUpdate();
      }
      if (n > 0) {
        store.audit(c, actor.name(), "user.delete", "user:" + u, null, null);
      }
      return n > 0;
    });
  }

  /** The users (no password hashes), by name. */
  public List<Map<String, Object>> users() throws StoreException {
    Instant now = store.now();
    return store.read(c -> {
      List<Map<String, Object>> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT username, role, household,"
          + " locked_until, created_at FROM users ORDER BY username");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("username", rs.getString(1));
          m.put("role", rs.getString(2));
          m.put("household", rs.getString(3));
          String locked = rs.getString(4);
          m.put("locked", locked != null && Instant.parse(locked).isAfter(now));
          m.put("created_at", rs.getString(5));
          out.add(m);
        }
      }
      return out;
    });
  }

  /** Creates an API token and returns it; it is shown this once and never stored in clear. */
  public String createToken(Principal actor, String name, Role role, String household)
      throws StoreException {
    String n = name == null ? "" : name.trim();
    if (n.isEmpty() || n.length() > 64) {
      throw new IllegalArgumentException("a token needs a name of 1 to 64 characters saying"
          + " what uses it");
    }
    if ((role == Role.PARENT) != (household != null)) {
      throw new IllegalArgumentException("a parent token needs its household, and only a"
          + " parent token has one");
    }
    byte[] idBytes = new byte[6];
    byte[] secret = new byte[32];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    String id = HexFormat.of().formatHex(idBytes);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_tokens(id, name, role,"
          + " household, secret_hash, created_at, created_by) VALUES (?,?,?,?,?,?,?)")) {
        ps.setString(1, id);
        ps.setString(2, n);
        ps.setString(3, role.id());
        ps.setString(4, household);
        ps.setString(5, sha256(secretText));
        ps.setString(6, store.now().toString());
        ps.setString(7, actor.name());
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "token.create", "token:" + id, null,
          JSON.createObjectNode().put("name", n).put("role", role.id()).toString());
      return null;
    });
    return "hth_" + id + "_" + secretText;
  }

  /** Revokes a token by id; returns whether one was active. */
  public boolean revokeToken(Principal actor, String id) throws StoreException {
    return store.transaction(c -> {
      int n;
      try (PreparedStatement ps = c.prepareStatement("UPDATE api_tokens SET revoked_at = ?"
          + " WHERE id = ? AND revoked_at IS NULL")) {
        ps.setString(1, store.now().toString());
        ps.setString(2, id);
        n = ps.executeUpdate();
      }
      if (n > 0) {
        store.audit(c, actor.name(), "token.revoke", "token:" + id, null, null);
      }
      return n > 0;
    });
  }

  /** The tokens (without secrets), newest first. */
  public List<Map<String, Object>> tokens() throws StoreException {
    return store.read(c -> {
      List<Map<String, Object>> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, name, role, household,"
          + " created_at, created_by, revoked_at FROM api_tokens ORDER BY created_at DESC");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("id", rs.getString(1));
          m.put("name", rs.getString(2));
          m.put("role", rs.getString(3));
          m.put("household", rs.getString(4));
          m.put("created_at", rs.getString(5));
          m.put("created_by", rs.getString(6));
          m.put("revoked_at", rs.getString(7));
          out.add(m);
        }
      }
      return out;
    });
  }

  /** The principal a bearer token stands for, or null if it is unknown, malformed or revoked. */
  public Principal authenticate(String token) throws StoreException {
    var m = token == null ? null : TOKEN.matcher(token.trim());
    if (m == null || !m.matches()) {
      return null;
    }
    String id = m.group(1);
    String secretHash = sha256(m.group(2));
    return store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT name, role, household, secret_hash"
          + " FROM api_tokens WHERE id = ? AND revoked_at IS NULL")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(
              rs.getString(4).getBytes(StandardCharsets.US_ASCII),
              secretHash.getBytes(StandardCharsets.US_ASCII))) {
            return null;
          }
          return new Principal("token:" + rs.getString(1), Role.parse(rs.getString(2)),
              rs.getString(3));
        }
      }
    });
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
