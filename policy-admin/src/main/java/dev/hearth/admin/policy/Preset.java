package dev.hearth.admin.policy;

import java.util.Set;

/**
 * A built-in starting point for a profile (young child, teen, public venue...): the UI offers
 * them when a profile is created and copies their categories, so the parent then adjusts a
 * plain list of categories rather than "a preset plus exceptions".
 */
public record Preset(String id, String name, boolean blockBypass, Set<String> categories) {
  public Preset {
    categories = Set.copyOf(categories);
  }
}
