package dev.hearth.blocklists;

import java.util.Objects;

/**
 * One name rule of a list, with the line it came from so a verdict can point back at it.
 *
 * <p>{@link Scope} says what the name covers: itself and its subtree (domain lists, {@code ||name^}),
 * only itself ({@code |name^}, an RPZ trigger {@code name}), or only its subdomains (an RPZ trigger
 * {@code *.name}). A block carries the {@link BlockAction} the resolver should answer with; for
 * {@link BlockAction#LOCAL_DATA} {@code data} holds one record as {@code "TYPE RDATA"} (e.g.
 * {@code "A 192.0.2.1"}, {@code "CNAME garden.example."}). An {@code important} rule (AdBlock
 * {@code $important}) beats the ordinary rules of its list: an important block wins over an
 * exception, an important exception over everything.
 */
public record Rule(String name, Scope scope, boolean allow, BlockAction action, String data,
    int line, boolean important) {
  /** What part of the name space a rule covers. */
  public enum Scope {
    SUBTREE, EXACT, BELOW;

    boolean coversSelf() {
      return this != BELOW;
    }

    boolean coversBelow() {
      return this != EXACT;
    }
  }

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(action, "action");
    if (action == BlockAction.LOCAL_DATA && (data == null || data.isBlank())) {
      throw new IllegalArgumentException("local data without a record");
    }
  }

  public Rule(String name, Scope scope, boolean allow, BlockAction action, String data, int line) {
    this(name, scope, allow, action, data, line, false);
  }

  public Rule(String name, boolean allow) {
    this(name, Scope.SUBTREE, allow, BlockAction.NXDOMAIN, null, 0);
  }

  public Rule(String name, boolean allow, boolean exact) {
    this(name, exact ? Scope.EXACT : Scope.SUBTREE, allow, BlockAction.NXDOMAIN, null, 0);
  }

  /** Blocks {@code name} itself but none of its subdomains. */
  public static Rule exactBlock(String name) {
    return new Rule(name, Scope.EXACT, false, BlockAction.NXDOMAIN, null, 0);
  }

  public static Rule block(String name) {
    return new Rule(name, false);
  }

  public static Rule allow(String name) {
    return new Rule(name, true);
  }

  public boolean exact() {
    return scope == Scope.EXACT;
  }

  public Rule atLine(int lineNo) {
    return new Rule(name, scope, allow, action, data, lineNo, important);
  }

  public Rule withScope(Scope s) {
    return new Rule(name, s, allow, action, data, line, important);
  }

  public Rule asImportant() {
    return new Rule(name, scope, allow, action, data, line, true);
  }
}
