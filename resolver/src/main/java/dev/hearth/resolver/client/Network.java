package dev.hearth.resolver.client;

import java.util.Objects;

/**
 * An operator network that is not one household: a hotspot venue, a public address pool. Its
 * profile applies to every client in its prefixes that no more specific rule identifies.
 */
public record Network(String id, String profileId) {
  public Network {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(profileId, "profileId");
  }
}
