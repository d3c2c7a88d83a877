package dev.hearth.admin.policy;

import java.util.Map;

/**
 * The policy entities of the admin store as JSON documents (id to document, in a stable order),
 * each with the same keys as its counterpart in the config file's {@code policy:} section.
 */
public record PolicyDocuments(Map<String, String> profiles, Map<String, String> subscribers,
    Map<String, String> networks) {

  public PolicyDocuments {
    profiles = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(profiles));
    subscribers =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subscribers));
    networks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(networks));
  }

  public static final PolicyDocuments EMPTY = new PolicyDocuments(Map.of(), Map.of(), Map.of());

  /** The documents of one kind. */
  public Map<String, String> of(Kind kind) {
    return switch (kind) {
      case PROFILE -> profiles;
      case SUBSCRIBER -> subscribers;
      case NETWORK -> networks;
    };
  }

  /** A copy with one document set ({@code json != null}) or removed. */
  public PolicyDocuments with(Kind kind, String id, String json) {
    Map<String, String> p = new java.util.LinkedHashMap<>(profiles);
    Map<String, String> s = new java.util.LinkedHashMap<>(subscribers);
    Map<String, String> n = new java.util.LinkedHashMap<>(networks);
    Map<String, String> target = switch (kind) {
      case PROFILE -> p;
      case SUBSCRIBER -> s;
      case NETWORK -> n;
    };
    if (json == null) {
      target.remove(id);
    } else {
      target.put(id, json);
    }
    return new PolicyDocuments(p, s, n);
  }
}
