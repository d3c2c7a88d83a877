package dev.hearth.admin.web;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What the public pages need from the running configuration and cannot read from the policy:
 * which host names are this server's own (any other Host is a blocked site's, and gets the block
 * page), the appeal deadlines the operator publishes, and the facts the privacy statement is
 * generated from (so the statement cannot drift from what the server really does).
 *
 * @param hostnames names this server is reached by, besides IP literals and {@code localhost}
 * @param acknowledgeWithin how soon a confirmed appeal is acknowledged (taken into review)
 * @param decideWithin how soon a confirmed appeal is decided (default 48 hours)
 * @param privacy the privacy statement's facts
 * @param publicUrl where people reach the public pages, for links in mails (no trailing slash)
 * @param mailEnabled whether mail can be sent (appeals then wait for a confirmed address)
 * @param appealsPerAddressPerHour most appeals from one address per hour (several people may
 *     share one behind a NAT)
 */
public record PublicSettings(List<String> hostnames, Duration acknowledgeWithin,
    Duration decideWithin, Privacy privacy, String publicUrl, boolean mailEnabled,
    int appealsPerAddressPerHour) {

  public static final PublicSettings DEFAULTS = new PublicSettings(List.of(),
      Duration.ofHours(24), Duration.ofHours(48), Privacy.DEFAULTS, "http://127.0.0.1:8080",
      false, 10);

  public PublicSettings {
    hostnames = hostnames.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
  }

  /**
   * What the resolver keeps about the people who use it, for the generated privacy statement
   * (RFC 8932 asks operators to publish exactly this).
   *
   * @param upstreams where queries that are not answered locally go (as configured)
   * @param encryptedUpstreams whether those upstreams are reached over an encrypted transport
   * @param queryLog whether a per-query log is kept at all
   * @param cacheMaxTtl the longest a cached answer is kept, in seconds
   * @param activityRetentionDays how long a household's opt-in activity summary is kept
   * @param appealRetentionDays how long a closed appeal's email address is kept
   */
  public record Privacy(List<String> upstreams, boolean encryptedUpstreams, boolean queryLog,
      int cacheMaxTtl, int activityRetentionDays, int appealRetentionDays) {
    public static final Privacy DEFAULTS = new Privacy(List.of(), false, false, 86_400, 30, 90);

    public Privacy {
      upstreams = List.copyOf(upstreams);
    }
  }

  /** Whether {@code host} (a Host header's name, without port) is this server's own. */
  public boolean isOwnHost(String host) {
    if (host == null || host.isEmpty()) {
      return true;
    }
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || dev.hearth.blocklists.DomainNames.isIpLiteral(h)
        || hostnames.contains(h);
  }
}
