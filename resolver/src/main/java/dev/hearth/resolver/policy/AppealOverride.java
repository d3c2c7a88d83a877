package dev.hearth.resolver.policy;

/**
 * The outcome of an upheld appeal, in force for every client: the name resolves again
 * ({@code category} null) or counts as {@code category} instead of what its list says. It lives
 * in the policy, not in a list, so no list update can silently undo it. Locked legal lists,
 * the protected allowlist and a household's own blocks still come first.
 *
 * @param name the normalised name
 * @param subdomains whether names under it are covered too
 * @param category the category it now counts as, or null to let it resolve
 * @param ticket the appeal that decided it (shown in the EDE text and on the block page)
 */
public record AppealOverride(String name, boolean subdomains, String category, String ticket) {
  public AppealOverride {
    name = dev.hearth.blocklists.DomainNames.normalize(name);
    if (ticket == null || ticket.isBlank()) {
      throw new IllegalArgumentException("an override needs the appeal's ticket");
    }
  }
}
