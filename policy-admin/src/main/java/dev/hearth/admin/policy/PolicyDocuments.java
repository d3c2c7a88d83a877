package dev.hearth.admin.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policy entities of the admin store as JSON documents (id to document, in a stable order),
 * each with the same keys as its counterpart in the config file's {@code policy:} section (a
 * preset's, as in the built-in {@code presets.yaml}).
 */
public record PolicyDocuments(Map<String, String> profiles, Map<String, String> subscribers,
    Map<String, String> networks, Map<String, String> presets) {

  public PolicyDocuments {
    profiles = Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
    subscribers = Collections.unmodifiableMap(new LinkedHashMap<>(subscribers));
    networks = Collections.unmodifiableMap(new LinkedHashMap<>(networks));
    presets = Collections.unmodifiableMap(new LinkedHashMap<>(presets));
  }

  /** Without operator presets. */
  public PolicyDocuments(Map<String, String> profiles, Map<String, String> subscribers,
      Map<String, String> networks) {
    this(profiles, subscribers, networks, Map.of());
  }

  public static final PolicyDocuments EMPTY =
      new PolicyDocuments(Map.of(), Map.of(), Map.of(), Map.of());

  /** Whether there is no document of any kind. */
  public boolean isEmpty() {
    return profiles.isEmpty() && subscribers.isEmpty() && networks.isEmpty()
        && presets.isEmpty();
  }

  /** The documents of one kind. */
  public Map<String, String> of(Kind kind) {
    return switch (kind) {
      case PROFILE -> profiles;
      case SUBSCRIBER -> subscribers;
      case NETWORK -> networks;
      case PRESET -> presets;
    };
  }

  /** A copy with one document set ({@code json != null}) or removed. */
  public PolicyDocuments with(Kind kind, String id, String json) {
    Map<String, String> p = new LinkedHashMap<>(profiles);
    Map<String, String> s = new LinkedHashMap<>(subscribers);
    Map<String, String> n = new LinkedHashMap<>(networks);
    Map<String, String> r = new LinkedHashMap<>(presets);
    Map<String, String> target = switch (kind) {
      case PROFILE -> p;
      case SUBSCRIBER -> s;
      case NETWORK -> n;
      case PRESET -> r;
    };
    if (json == null) {
      target.remove(id);
    } else {
      target.put(id, json);
    }
    return new PolicyDocuments(p, s, n, r);
  }
}
