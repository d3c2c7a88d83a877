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
 */
public record Subscriber(String id, String profileId, ZoneId zone, Map<Long, String> deviceProfiles) {
  public Subscriber {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(profileId, "profileId");
    zone = zone == null ? ZoneId.of("UTC") : zone;
    deviceProfiles = Map.copyOf(deviceProfiles);
  }
}
