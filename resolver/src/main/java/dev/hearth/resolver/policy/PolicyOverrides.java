package dev.hearth.resolver.policy;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Temporary changes a parent makes from the portal that expire by themselves: "pause the internet
 * now" (everything blocked but the protected allowlist) and grants ("allow youtube.com for an
 * hour", or a whole category). They live outside the policy snapshot because they are short-lived
 * and frequent; each is keyed by the household and the profile it applies to, so pausing one
 * child's device never pauses a sibling sharing the same preset. Thread-safe; expired entries are
 * ignored at once and swept on later changes.
 */
public final class PolicyOverrides {
  /** A household's profile (the subscriber is null for a venue or the default profile). */
  record Owner(String subscriberId, String profileId) {}

  private record Grant(String target, Instant until) {}

  private final Map<Owner, Instant> pauses = new ConcurrentHashMap<>();
  private final Map<Owner, Map<String, Instant>> grants = new ConcurrentHashMap<>();

  /** Blocks everything for this household's profile until {@code until}. */
  public void pause(String subscriberId, String profileId, Instant until) {
    sweep(Instant.now());
    pauses.put(new Owner(subscriberId, Objects.requireNonNull(profileId)), until);
  }

  /** Ends a pause early; true if one was running. */
  public boolean resume(String subscriberId, String profileId) {
    return pauses.remove(new Owner(subscriberId, profileId)) != null;
  }

  /**
   * Allows a name (and its subdomains) or, as {@code category:NAME}, a whole category, for this
   * household's profile until {@code until}. A grant never passes a locked legal list.
   */
  public void grant(String subscriberId, String profileId, String target, Instant until) {
    sweep(Instant.now());
    String t = target(target);
    grants.computeIfAbsent(new Owner(subscriberId, Objects.requireNonNull(profileId)),
        k -> new ConcurrentHashMap<>()).put(t, until);
  }

  /** Withdraws a grant early; true if one was in force. */
  public boolean revoke(String subscriberId, String profileId, String target) {
    Map<String, Instant> g = grants.get(new Owner(subscriberId, profileId));
    return g != null && g.remove(target(target)) != null;
  }

  /** Whether a pause is in force for this household's profile. */
  public boolean isPaused(String subscriberId, String profileId) {
    return pausedUntil(subscriberId, profileId, Instant.now()) != null;
  }

  /** Whether a grant of {@code target} is in force for this household's profile. */
  public boolean hasGrant(String subscriberId, String profileId, String target) {
    Instant until = grants(subscriberId, profileId).get(target(target));
    return until != null && until.isAfter(Instant.now());
  }

  /** How many grants are in force for this household's profile (to bound them). */
  public int grantCount(String subscriberId, String profileId) {
    return grants(subscriberId, profileId).size();
  }

  /**
   * Ends every pause and grant of a household: when it is deleted, so that a reused id never
   * inherits them.
   */
  public void clear(String subscriberId) {
    pauses.keySet().removeIf(o -> o.subscriberId().equals(subscriberId));
    grants.keySet().removeIf(o -> o.subscriberId().equals(subscriberId));
  }

  /** A grant's key: {@code category:NAME} as given, or the normalised domain name. */
  private static String target(String target) {
    return target.startsWith("category:") ? target
        : dev.hearth.blocklists.DomainNames.normalize(target);
  }

  /** When the pause in force ends, or null. */
  Instant pausedUntil(String subscriberId, String profileId, Instant now) {
    Instant until = pauses.get(new Owner(subscriberId, profileId));
    return until != null && until.isAfter(now) ? until : null;
  }

  /** The grants in force (target to expiry), or an empty map. */
  Map<String, Instant> grants(String subscriberId, String profileId) {
    if (grants.isEmpty()) {
      return Map.of();
    }
    Map<String, Instant> g = grants.get(new Owner(subscriberId, profileId));
    return g == null ? Map.of() : g;
  }

  boolean isEmpty() {
    return pauses.isEmpty() && grants.isEmpty();
  }

  private void sweep(Instant now) {
    pauses.values().removeIf(until -> !until.isAfter(now));
    for (Map<String, Instant> g : grants.values()) {
      g.values().removeIf(until -> !until.isAfter(now));
    }
    grants.values().removeIf(Map::isEmpty);
  }
}
