package dev.hearth.cli;

import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyCompiler;
import dev.hearth.admin.policy.PolicyDocuments;
import dev.hearth.admin.policy.Preset;
import dev.hearth.resolver.policy.PolicySnapshot;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Compiles the admin store's documents on top of the config file's policy section with the
 * config file's own reader, so both are held to the same rules. With no stored documents the
 * result is exactly the config's policy (including "every list for everyone" when the file has
 * no policy section).
 */
final class StorePolicyCompiler implements PolicyCompiler {
  private static final Pattern STORED =
      Pattern.compile("(profiles|subscribers|networks|presets)/([^.\\[]+)(?:\\.(.+))?");

  private final ConfigFile cf;
  private final Node node;
  private final PolicySnapshot configOnly;
  /** Subscriber documents read by the last successful compile, by their JSON text. */
  private volatile java.util.Map<String, PolicyConfig.ParsedSubscriber> subscribers =
      java.util.Map.of();

  /**
   * @param node the config's policy section, or null if it has none
   * @param configOnly the policy the config alone gives (already compiled at start)
   */
  StorePolicyCompiler(ConfigFile cf, Node node, PolicySnapshot configOnly) {
    this.cf = cf;
    this.node = node;
    this.configOnly = configOnly;
  }

  /** Same source and same config policy: compiles the same documents the same way. */
  @Override
  public boolean equals(Object o) {
    return o instanceof StorePolicyCompiler other && other.cf.source().equals(cf.source())
        && other.configOnly.equals(configOnly);
  }

  @Override
  public String toString() {
    return "StorePolicyCompiler[" + cf.source() + (node == null ? ", no policy section]" : "]");
  }

  @Override
  public int hashCode() {
    return configOnly.hashCode();
  }

  @Override
  public synchronized PolicySnapshot compile(PolicyDocuments documents)
      throws InvalidPolicyException {
    if (documents.isEmpty()) {
      return configOnly;
    }
    try {
      PolicyConfig.SubscriberCache cache = new PolicyConfig.SubscriberCache(subscribers,
          new java.util.HashMap<>());
      PolicySnapshot snapshot = PolicyConfig.read(cf, node, documents, cache);
      subscribers = cache.next(); // only what this compile used: deleted documents drop out
      return snapshot;
    } catch (ConfigException e) {
      throw invalid(e, documents);
    }
  }

  @Override
  public java.util.List<Preset> presets(PolicyDocuments documents)
      throws InvalidPolicyException {
    try {
      java.util.List<Preset> out = new java.util.ArrayList<>();
      for (PolicyConfig.Preset p : PolicyConfig.presets(documents).values()) {
        out.add(new Preset(p.id(), p.name(), p.blockBypass(), p.categories()));
      }
      return java.util.List.copyOf(out);
    } catch (ConfigException e) {
      throw invalid(e, documents);
    }
  }

  @Override
  public java.util.Set<String> builtInPresets() {
    java.util.Set<String> ids = builtIn;
    if (ids == null) {
      try {
        ids = java.util.Set.copyOf(PolicyConfig.presets().keySet());
      } catch (ConfigException e) {
        throw new IllegalStateException(e.getMessage(), e);
      }
      builtIn = ids;
    }
    return ids;
  }

  private volatile java.util.Set<String> builtIn;

  /** A reader's error as the admin side reports it, naming the stored document at fault. */
  private static InvalidPolicyException invalid(ConfigException e, PolicyDocuments documents) {
    Matcher m = e.path() == null ? null : STORED.matcher(e.path());
    if (m != null && m.matches()) {
      Kind kind = switch (m.group(1)) {
        case "profiles" -> Kind.PROFILE;
        case "subscribers" -> Kind.SUBSCRIBER;
        case "presets" -> Kind.PRESET;
        default -> Kind.NETWORK;
      };
      // Ids may contain dots: the document is the longest id the path starts with.
      String rest = e.path().substring(m.group(1).length() + 1);
      String id = null;
      for (String candidate : documents.of(kind).keySet()) {
        if ((rest.equals(candidate) || rest.startsWith(candidate + ".")
            || rest.startsWith(candidate + "[")) && (id == null
            || candidate.length() > id.length())) {
          id = candidate;
        }
      }
      if (id != null) {
        String field = rest.length() > id.length() ? rest.substring(id.length() + 1) : null;
        return new InvalidPolicyException(kind, id, field, e.detail());
      }
      return new InvalidPolicyException(kind, m.group(2), m.group(3), e.detail());
    }
    return new InvalidPolicyException(null, null, null, e.getMessage());
  }
}
