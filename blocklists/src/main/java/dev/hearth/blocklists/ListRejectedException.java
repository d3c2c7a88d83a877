package dev.hearth.blocklists;

/**
 * A list that cannot go live: mostly not a list (an HTML error page, a truncated or wrong-format
 * download), or failing a safety check (it would block a protected name, or it shrank or grew
 * beyond the configured limit). Checked, so that callers must decide to keep serving their
 * previous copy.
 */
public final class ListRejectedException extends Exception {
  private final String source;
  private final ListProblem firstProblem;

  public ListRejectedException(String source, String message, ListProblem firstProblem) {
    super("block list " + source + " rejected: " + message);
    this.source = source;
    this.firstProblem = firstProblem;
  }

  static ListRejectedException mostlyInvalid(String source, double invalidRatio,
      double maxInvalidRatio, int invalid, int entries, ListProblem firstProblem) {
    return new ListRejectedException(source, String.format(java.util.Locale.ROOT,
        "%d of %d entries invalid (%.0f%%, limit %.0f%%); first: %s", invalid, entries,
        invalidRatio * 100, maxInvalidRatio * 100, firstProblem), firstProblem);
  }

  /** The file or source that was rejected. */
  public String source() {
    return source;
  }

  public ListProblem firstProblem() {
    return firstProblem;
  }
}
