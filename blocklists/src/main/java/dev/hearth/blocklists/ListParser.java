package dev.hearth.blocklists;

import java.io.BufferedReader;
import java.io.IOException;

/** Reads one list format line by line; the file is never held in memory as a whole. */
public abstract class ListParser {
  /** Parser for {@code format}; {@link Format#AUTO} sniffs the first lines. */
  public static ListParser forFormat(Format format) {
    switch (format) {
      case DOMAINS:
        return new DomainListParser();
      case HOSTS:
        return new HostsParser();
      case ADBLOCK:
        return new AdblockParser();
      case RPZ:
        return new RpzParser();
      case URLS:
        return new UrlListParser();
      case AUTO:
        return new AutoParser();
      default:
        throw new IllegalArgumentException("format " + format);
    }
  }

  /**
   * Parses every line of {@code in}, reporting rules and problems to {@code sink}. {@code file} only
   * names the source in problems. Returns the number of lines read.
   */
  public int parse(String file, BufferedReader in, RuleSink sink) throws IOException {
    int lineNo = 0;
    String line;
    while ((line = in.readLine()) != null) {
      lineNo++;
      parseLine(file, lineNo, lineNo == 1 ? stripBom(line) : line, sink);
    }
    return lineNo;
  }

  /** Handles one physical line (without its line terminator). */
  protected abstract void parseLine(String file, int lineNo, String line, RuleSink sink);

  static String stripBom(String line) {
    return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
  }

  /** Index of the first whitespace character at or after {@code from}, or -1. */
  static int indexOfSpace(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Normalizes or reports the line as invalid; returns null when invalid. */
  static String nameOrReport(String candidate, String file, int lineNo, String line,
      RuleSink sink) {
    try {
      return DomainNames.normalize(candidate);
    } catch (IllegalArgumentException e) {
      sink.invalid(file, lineNo, e.getMessage(), line);
      return null;
    }
  }
}
