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
}
