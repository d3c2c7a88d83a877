package dev.hearth.resolver.client;

/**
 * Who is asking, as far as the resolver can tell, and how it knows: the subscriber (household or
 * venue network) and the profile that applies. Every decision and every explanation starts here.
 *
 * @param subscriberId the household, or null for a network default or an unidentified client
 * @param networkId the operator network (venue, address pool) the source address belongs to, or
 *     null
 * @param profileId the profile chosen before schedules and overrides
 * @param source which identification rule decided
 * @param detail what it matched, for explanations (a masked MAC, a CPE id, a prefix), or ""
 */
public record ClientIdentity(String subscriberId, String networkId, String profileId,
    Source source, String detail) {

  /** The identification rules, in order of precedence. */
  public enum Source {
    /** A profile token from encrypted DNS (DoH path, DoT SNI). */
    TOKEN,
    /** A device's MAC address added by the subscriber's router. */
    MAC,
    /** The router's CPE identifier. */
    CPE_ID,
    /** EDNS Client Subnet from a trusted forwarder. */
    CLIENT_SUBNET,
    /** The source address, matched against subscriber and network prefixes. */
    ADDRESS,
    /** Nothing matched: the default profile. */
    DEFAULT
  }

  public ClientIdentity {
    detail = detail == null ? "" : detail;
  }

  /** One line for explanations and logs. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(subscriberId != null ? "subscriber " + subscriberId
        : networkId != null ? "network " + networkId : "unidentified client");
    sb.append(", profile ").append(profileId).append(" (by ")
        .append(source.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    if (!detail.isEmpty()) {
      sb.append(' ').append(detail);
    }
    return sb.append(')').toString();
  }
}
