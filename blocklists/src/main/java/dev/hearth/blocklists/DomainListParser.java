package dev.hearth.blocklists;

/**
 * Plain lists, one name per line. {@code #} and {@code !} start comments (whole-line, or after
 * whitespace). A name blocks itself and its subdomains; a wildcard line {@code *.example.com} blocks
 * only the subdomains, not {@code example.com} itself (blocking less is the safer reading).
 */
public final class DomainListParser extends ListParser {
  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    String s = stripComment(line).strip();
    if (s.isEmpty()) {
      return;
    }
    if (indexOfSpace(s, 0) >= 0) {
      sink.invalid(file, lineNo, "more than one field on the line", line);
      return;
    }
    boolean below = s.startsWith("*.");
    if (below) {
      s = s.substring(2);
    }
    String name = nameOrReport(s, file, lineNo, line, sink);
    if (name != null) {
      Rule r = Rule.block(name).atLine(lineNo);
      sink.rule(below ? r.withScope(Rule.Scope.BELOW) : r);
    }
  }

  /** A bare name: the whole line is the name (see {@link DomainNames#asciiToWire}). */
  @Override
  protected boolean parseAsciiLine(byte[] b, int len, int lineNo, RuleSink sink) {
    int r = DomainNames.asciiToWire(b, 0, len, wireScratch);
    if (r < 0) {
      return false;
    }
    sink.block(wireScratch, r & 0xFFFF, r >>> 16, lineNo);
    return true;
  }

  /** Cuts a comment that starts the line or follows whitespace. */
  static String stripComment(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if ((c == '#' || c == '!') && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return line.substring(0, i);
      }
    }
    return line;
  }
}
