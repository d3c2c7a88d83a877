package dev.hearth.blocklists;

/** Receives what a parser finds, so parsers never hold a whole list in memory. */
public interface RuleSink {
  void rule(Rule rule);

  /**
   * A listed URL below a host (never a host root, which parsers report as a host rule).
   *
   * @param host normalized host name
   * @param key the normalized URL ({@link Urls.Parsed#key()})
   */
  void url(String host, String key, int line);

  /** A line that should have been a rule but is broken. */
  void invalid(String file, int line, String reason, String text);

  /** A well-formed rule this engine cannot apply at the DNS level (paths, modifiers, cosmetics). */
  void unsupported(String file, int line, String text);
}
