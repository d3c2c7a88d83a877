package dev.hearth.blocklists;

/** Receives what a parser finds, so parsers never hold a whole list in memory. */
public interface RuleSink {
  void rule(Rule rule);

  /**
   * The same as {@code rule(Rule.block(name).atLine(line))} for the name whose normalized wire
   * form is {@code wire[0, wireLength)} with {@code labels} labels: the parsers' fast path for
   * plain lines, which never makes the name a String. Sinks that compile lists take it as is.
   */
  default void block(byte[] wire, int wireLength, int labels, int line) {
    rule(Rule.block(DomainNames.fromWire(wire, 0)).atLine(line));
  }

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
