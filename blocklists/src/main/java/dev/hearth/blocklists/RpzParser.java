package dev.hearth.blocklists;

/** Placeholder: RPZ zone files (being written). */
public final class RpzParser extends ListParser {
  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    sink.unsupported(file, lineNo, line);
  }
}
