package dev.hearth.blocklists;

import java.util.List;

/**
 * Checks a new list version must pass before it goes live. A list that suddenly blocks the
 * operator's own domains or a child helpline, or that lost half its entries (a truncated
 * download) or tripled (a wrong file), is far more likely broken than right; it is kept for
 * inspection and the previous version keeps serving.
 *
 * @param neverBlock names no list may block (normalized), e.g. the operator's domains, emergency
 *     services and child helplines; a locked legal list is checked too
 * @param maxShrink refuse when the entry count falls by more than this fraction (0.5 = half)
 * @param maxGrow refuse when it grows by more than this fraction (2.0 = to three times)
 * @param maxInvalidRatio refuse a source whose invalid lines exceed this share
 */
public record SafetyPolicy(List<String> neverBlock, double maxShrink, double maxGrow,
    double maxInvalidRatio) {
  /** Size checks only apply when the previous version had at least this many entries. */
  public static final int MIN_SIZE_FOR_LIMITS = 100;

  public SafetyPolicy {
    neverBlock = neverBlock.stream().map(DomainNames::normalize).toList();
    if (maxShrink <= 0 || maxShrink > 1 || maxGrow <= 0 || maxInvalidRatio < 0
        || maxInvalidRatio > 1) {
      throw new IllegalArgumentException("safety limits out of range");
    }
  }

  public static SafetyPolicy defaults() {
    return new SafetyPolicy(List.of(), 0.5, 2.0, 0.5);
  }

  /** Null when {@code next} may replace {@code current} (null for a first version), else why not. */
  public String check(CompiledList current, CompiledList next) {
    for (String name : neverBlock) {
      Verdict v = next.match(name);
      if (v.isBlock()) {
        return next.info().locked() ? "it blocks one of the names on the never-block list"
            + " (which one is withheld: locked list); contact the list's owner"
            : "it blocks " + name + ", which is on the never-block"
            + " list (rule " + v.ruleLocation() + ")";
      }
    }
    if (current == null || current.size() < MIN_SIZE_FOR_LIMITS) {
      return null;
    }
    long before = current.size();
    long after = next.size();
    if (after < before * (1 - maxShrink)) {
      return String.format(java.util.Locale.ROOT,
          "it shrank from %d to %d entries (more than the %.0f%% allowed)", before, after,
          maxShrink * 100);
    }
    if (after > before * (1 + maxGrow)) {
      return String.format(java.util.Locale.ROOT,
          "it grew from %d to %d entries (more than the %.0f%% allowed)", before, after,
          maxGrow * 100);
    }
    return null;
  }
}
