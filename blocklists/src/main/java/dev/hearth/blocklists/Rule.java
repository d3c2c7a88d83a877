package dev.hearth.blocklists;

import java.util.Objects;

/**
 * One entry of a list: a normalized name covering itself and its whole subtree, either blocked or
 * (for {@code @@} exceptions) allowed; or, when {@code exact} (AdBlock {@code |name^}), a block of
 * that one name only, its subdomains untouched.
 */
public record Rule(String name, boolean allow, boolean exact) {
  public Rule {
    Objects.requireNonNull(name, "name");
    if (allow && exact) {
      throw new IllegalArgumentException("exact-match exceptions are not supported");
    }
  }

  public Rule(String name, boolean allow) {
    this(name, allow, false);
  }

  /** Blocks {@code name} itself but none of its subdomains. */
  public static Rule exactBlock(String name) {
    return new Rule(name, false, true);
  }

  public static Rule block(String name) {
    return new Rule(name, false);
  }

  public static Rule allow(String name) {
    return new Rule(name, true);
  }
}
