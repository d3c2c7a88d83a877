package dev.hearth.resolver.client;

import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;

/**
 * A household (or business) the operator serves: its profile, its time zone (schedules and
 * budgets run on the household's own clock), and devices with profiles of their own, known by the
 * MAC address the household's router adds to queries.
 *
 * @param deviceProfiles MAC address (48-bit number) to profile id
 * @param activitySummary the household opted in to a daily activity summary (queries allowed
 *     and blocked per category, no names, no addresses); off unless asked for
 * @param queryLogChildren the household opted in to its children's profiles appearing in the
 *     operator's query log (when that log is on at all); off unless asked for
 */
public record Subscriber(String id, String profileId, ZoneId zone, Map<Long, String> deviceProfiles,
    boolean activitySummary, boolean queryLogChildren) {
  public Subscriber {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(profileId, "profileId");
    zone = zone == null ? ZoneId.of("UTC") : zone;
    deviceProfiles = Map.copyOf(deviceProfiles);
  }

  /** A household that did not opt in to children's queries in the query log (the default). */
  public Subscriber(String id, String profileId, ZoneId zone, Map<Long, String> deviceProfiles,
      boolean activitySummary) {
    this(id, profileId, zone, deviceProfiles, activitySummary, false);
  }

  /** A household without an activity summary (the default). */
  public Subscriber(String id, String profileId, ZoneId zone, Map<Long, String> deviceProfiles) {
    this(id, profileId, zone, deviceProfiles, false);
  }
}
