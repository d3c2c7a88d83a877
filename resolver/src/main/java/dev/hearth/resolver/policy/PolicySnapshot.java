package dev.hearth.resolver.policy;

import dev.hearth.resolver.client.ClientDirectory;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The policy the resolver enforces, as one immutable value: profiles, who gets which
 * ({@link ClientDirectory}), the operator's protected allowlist and how blocks are answered. The
 * admin side produces snapshots; the resolver swaps a new one in atomically, so a query is
 * decided entirely under one snapshot and a change applies from the next query.
 *
 * @param protectedNames names no category or profile block takes down (child helplines,
 *     emergency and health services); only a locked legal list still wins over them
 * @param bypassNames names answered NXDOMAIN for profiles that block bypasses (the Firefox DoH
 *     canary, iCloud Private Relay)
 * @param blockTtl TTL of block answers: short, so a lifted block or an upheld appeal shows soon
 * @param blockPageV4 the block page server's IPv4 address, or null
 * @param blockPageV6 the block page server's IPv6 address, or null
 * @param zone the time zone of schedules and budgets for clients that are not a subscriber with a
 *     zone of its own (venues, the default profile)
 * @param operator who to name and how to reach them in structured EDE texts
 * @param structuredErrors which clients get structured EDE texts (null: those that ask with an
 *     EDE option)
 * @param appealOverrides upheld appeals in force (see {@link AppealOverride})
 */
public record PolicySnapshot(Map<String, Profile> profiles, ClientDirectory directory,
    List<String> protectedNames, List<String> bypassNames, int blockTtl, InetAddress blockPageV4,
    InetAddress blockPageV6, java.time.ZoneId zone, Operator operator,
    StructuredErrors structuredErrors, List<AppealOverride> appealOverrides) {

  /** The Firefox canary and the iCloud Private Relay names (see the policy brief, section 5). */
  public static final List<String> DEFAULT_BYPASS_NAMES =
      List.of("use-application-dns.net", "mask.icloud.com", "mask-h2.icloud.com");
  public static final int DEFAULT_BLOCK_TTL = 60;
  public static final String DEFAULT_PROFILE = "default";

  public PolicySnapshot {
    profiles = Map.copyOf(profiles);
    Objects.requireNonNull(directory, "directory");
    protectedNames = List.copyOf(protectedNames);
    bypassNames = List.copyOf(bypassNames);
    zone = zone == null ? java.time.ZoneId.of("UTC") : zone;
    operator = operator == null ? Operator.NONE : operator;
    structuredErrors = structuredErrors == null ? StructuredErrors.DEFAULT : structuredErrors;
    appealOverrides = appealOverrides == null ? List.of() : List.copyOf(appealOverrides);
    if (blockTtl < 0 || blockTtl > 86_400) {
      throw new IllegalArgumentException("block TTL must be between 0 and 86400 seconds");
    }
    if (!profiles.containsKey(directory.defaultProfileId())) {
      throw new IllegalArgumentException("default profile '" + directory.defaultProfileId()
          + "' is not defined");
    }
    for (var s : directory.subscribers().values()) {
      requireProfile(profiles, s.profileId(), "subscriber " + s.id());
      for (String p : s.deviceProfiles().values()) {
        requireProfile(profiles, p, "a device of subscriber " + s.id());
      }
    }
    for (var l : directory.listenerProfiles().entrySet()) {
      requireProfile(profiles, l.getValue(), "listener " + l.getKey());
    }
    for (var n : directory.networks().values()) {
      requireProfile(profiles, n.profileId(), "network " + n.id());
    }
  }

  private static void requireProfile(Map<String, Profile> profiles, String id, String who) {
    if (!profiles.containsKey(id)) {
      throw new IllegalArgumentException(who + " uses profile '" + id + "', which is not defined");
    }
  }

  /**
   * No profiles configured: every client gets every list, as before profiles existed; the bypass
   * names are answered normally.
   */
  public static PolicySnapshot everyListForEveryone() {
    Map<String, Profile> p = new HashMap<>();
    p.put(DEFAULT_PROFILE, Profile.everything(DEFAULT_PROFILE));
    return new PolicySnapshot(p, ClientDirectory.empty(DEFAULT_PROFILE), List.of(),
        DEFAULT_BYPASS_NAMES, DEFAULT_BLOCK_TTL, null, null, null, null);
  }

  /** A snapshot without upheld appeals. */
  public PolicySnapshot(Map<String, Profile> profiles, ClientDirectory directory,
      List<String> protectedNames, List<String> bypassNames, int blockTtl,
      InetAddress blockPageV4, InetAddress blockPageV6, java.time.ZoneId zone,
      Operator operator, StructuredErrors structuredErrors) {
    this(profiles, directory, protectedNames, bypassNames, blockTtl, blockPageV4, blockPageV6,
        zone, operator, structuredErrors, List.of());
  }

  /** This policy with {@code overrides} as the upheld appeals in force. */
  public PolicySnapshot withAppealOverrides(List<AppealOverride> overrides) {
    return new PolicySnapshot(profiles, directory, protectedNames, bypassNames, blockTtl,
        blockPageV4, blockPageV6, zone, operator, structuredErrors, overrides);
  }

  /** A snapshot whose clients ask for structured errors with an EDE option. */
  public PolicySnapshot(Map<String, Profile> profiles, ClientDirectory directory,
      List<String> protectedNames, List<String> bypassNames, int blockTtl,
      InetAddress blockPageV4, InetAddress blockPageV6, java.time.ZoneId zone,
      Operator operator) {
    this(profiles, directory, protectedNames, bypassNames, blockTtl, blockPageV4, blockPageV6,
        zone, operator, null);
  }

  /** A snapshot without its own time zone (UTC for clients that are not subscribers). */
  public PolicySnapshot(Map<String, Profile> profiles, ClientDirectory directory,
      List<String> protectedNames, List<String> bypassNames, int blockTtl,
      InetAddress blockPageV4, InetAddress blockPageV6) {
    this(profiles, directory, protectedNames, bypassNames, blockTtl, blockPageV4, blockPageV6,
        null, null);
  }

  /** A snapshot without operator details for structured errors. */
  public PolicySnapshot(Map<String, Profile> profiles, ClientDirectory directory,
      List<String> protectedNames, List<String> bypassNames, int blockTtl,
      InetAddress blockPageV4, InetAddress blockPageV6, java.time.ZoneId zone) {
    this(profiles, directory, protectedNames, bypassNames, blockTtl, blockPageV4, blockPageV6,
        zone, null);
  }

  public Profile defaultProfile() {
    return profiles.get(directory.defaultProfileId());
  }
}
