package dev.hearth.admin.policy;

import dev.hearth.resolver.policy.PolicySnapshot;

/**
 * Turns the operator's base policy (the config file) plus the admin store's documents into the
 * snapshot the resolver runs. The packaging module implements it with the same reader as the
 * config file, so a profile means the same thing whether it was typed in YAML or sent to the
 * API, and every document is validated by the rules the resolver will apply.
 */
@FunctionalInterface
public interface PolicyCompiler {
  /**
   * Compiles; throws {@link InvalidPolicyException} naming the document and field at fault.
   * Must not change anything: it is called to try a change before it is stored.
   */
  PolicySnapshot compile(PolicyDocuments documents) throws InvalidPolicyException;

  /**
   * The presets in force with these documents: the built-in ones, with the stored presets
   * replacing built-ins of the same id and adding new ones after them. Throws like
   * {@link #compile} for a preset document that does not read.
   */
  default java.util.List<Preset> presets(PolicyDocuments documents)
      throws InvalidPolicyException {
    return java.util.List.of();
  }

  /** The ids of the built-in presets (a stored preset with one of them overrides it). */
  default java.util.Set<String> builtInPresets() {
    return java.util.Set.of();
  }
}
