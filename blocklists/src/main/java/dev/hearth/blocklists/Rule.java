package dev.hearth.blocklists;

import java.util.Objects;

/**
 * One entry of a list: a normalized name covering itself and its whole subtree, either blocked or
 * (for {@code @@} exceptions) allowed.
 */
public record Rule(String name, boolean allow) {
  public Rule {
    Objects.requireNonNull(name, "name");
  }

  public static Rule block(String name) {
    return new Rule(name, false);
  }

  public static Rule allow(String name) {
    return new Rule(name, true);
  }
}
