package dev.hearth.admin.web;

import dev.hearth.admin.auth.Principal;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logged-in browser sessions, in memory (a restart logs everyone out, which is the safe side).
 * The cookie carries only a random 256-bit id; each session has its own CSRF token that every
 * form posts back. Sessions end after 30 idle minutes or 12 hours, and there are at most
 * {@value #MAX_SESSIONS} at a time (the oldest go first), so logins cannot exhaust memory.
 */
final class Sessions {
  static final String COOKIE = "hearth_session";
  static final int MAX_SESSIONS = 10_000;
  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration ABSOLUTE = Duration.ofHours(12);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One login. {@code mustChangePassword} confines it to the password page. */
  static final class Session {
    final String id;
    final Principal principal;
    final String csrf;
    final Instant created;
    volatile Instant lastSeen;
    volatile boolean mustChangePassword;

    Session(String id, Principal principal, String csrf, Instant now, boolean mustChange) {
      this.id = id;
      this.principal = principal;
      this.csrf = csrf;
      this.created = now;
      this.lastSeen = now;
      this.mustChangePassword = mustChange;
    }

    /** Whether {@code token} is this session's CSRF token (constant-time). */
    boolean csrfMatches(String token) {
      return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII),
          token.getBytes(StandardCharsets.US_ASCII));
    }
  }

  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Clock clock;

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /**
   * Whether cookies get the Secure flag: under TLS, directly or through a TLS proxy on this
   * machine (X-Forwarded-Proto from a loopback peer; other peers cannot claim it).
   */
  static boolean secure(io.javalin.http.Context ctx) {
    if ("https".equals(ctx.scheme())) {
      return true;
    }
    String fwd = ctx.header("X-Forwarded-Proto");
    String peer = ctx.req().getRemoteAddr();
    return "https".equalsIgnoreCase(fwd) && peer != null
        && (peer.startsWith("127.") || peer.equals("::1") || peer.equals("0:0:0:0:0:0:0:1"));
  }

  static String randomToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Sessions one account may hold; a new login ends its oldest beyond this. */
  static final int MAX_PER_ACCOUNT = 20;

  Session create(Principal p, boolean mustChange) {
    Instant now = clock.instant();
    List<Session> mine = byId.values().stream()
        .filter(x -> x.principal.name().equals(p.name()))
        .sorted(java.util.Comparator.comparing(x -> x.lastSeen)).toList();
    for (int k = 0; k <= mine.size() - MAX_PER_ACCOUNT; k++) {
      byId.remove(mine.get(k).id);
    }
    if (byId.size() >= MAX_SESSIONS) {
      byId.values().stream().min(java.util.Comparator.comparing(s -> s.lastSeen))
          .ifPresent(s -> byId.remove(s.id));
    }
    Session s = new Session(randomToken(), p, randomToken(), now, mustChange);
    byId.put(s.id, s);
    return s;
  }

  /** The live session for a cookie value, or null (unknown, idle too long, or too old). */
  Session find(String id) {
    if (id == null) {
      return null;
    }
    Session s = byId.get(id);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    if (s.lastSeen.plus(IDLE).isBefore(now) || s.created.plus(ABSOLUTE).isBefore(now)) {
      byId.remove(id);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  /** Like {@link #find} but without counting as activity (for background polling). */
  Session peek(String id) {
    Session s = id == null ? null : byId.get(id);
    if (s == null) {
      return null;
    }
    Instant now = clock.instant();
    return s.lastSeen.plus(IDLE).isBefore(now) || s.created.plus(ABSOLUTE).isBefore(now)
        ? null : s;
  }

  void end(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  /** Ends every session of one account (after a password change elsewhere, say). */
  void endAll(String principalName, String except) {
    byId.values().removeIf(s -> s.principal.name().equals(principalName) && !s.id.equals(except));
  }
}
