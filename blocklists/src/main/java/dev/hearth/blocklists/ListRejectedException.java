package dev.hearth.blocklists;

import java.nio.file.Path;

/**
 * A list that is mostly not a list (an HTML error page, a truncated or wrong-format download).
 * Checked, so that callers must decide to keep serving their previous copy.
 */
public final class ListRejectedException extends Exception {
  private final Path file;
  private final double invalidRatio;
  private final ListProblem firstProblem;

  public ListRejectedException(Path file, double invalidRatio, double maxInvalidRatio,
      int invalid, int entries, ListProblem firstProblem) {
    super(String.format(java.util.Locale.ROOT,
        "block list %s rejected: %d of %d entries invalid (%.0f%%, limit %.0f%%); first: %s",
        file, invalid, entries, invalidRatio * 100, maxInvalidRatio * 100, firstProblem));
    this.file = file;
    this.invalidRatio = invalidRatio;
    this.firstProblem = firstProblem;
  }

  public Path file() {
    return file;
  }

  public double invalidRatio() {
    return invalidRatio;
  }

  public ListProblem firstProblem() {
    return firstProblem;
  }
}
