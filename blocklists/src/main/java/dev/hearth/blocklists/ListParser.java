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
    return parseFrom(file, in, 0, sink);
  }

  /**
   * Parses the lines of {@code in} that follow line {@code lineNo} (0: the whole input, whose
   * first line may start with a byte order mark); returns the number of the last line. Lines from
   * a byte-mode {@link BoundedLineReader} that are plain ASCII are first offered to
   * {@link #parseAsciiLine}, which needs no String.
   */
  int parseFrom(String file, BufferedReader in, int lineNo, RuleSink sink) throws IOException {
    if (in instanceof BoundedLineReader && ((BoundedLineReader) in).byteMode() && asciiFastPath) {
      BoundedLineReader r = (BoundedLineReader) in;
      while (r.nextByteLine()) {
        lineNo++;
        if (lineNo == 1 || !r.lineIsPlainAscii()
            || !parseAsciiLine(r.lineBytes(), r.lineLength(), lineNo, sink)) {
          String line = r.lineString();
          parseLine(file, lineNo, lineNo == 1 ? stripBom(line) : line, sink);
        }
      }
    } else {
      String line;
      while ((line = in.readLine()) != null) {
        lineNo++;
        parseLine(file, lineNo, lineNo == 1 ? stripBom(line) : line, sink);
      }
    }
    endOfInput(file, sink);
    return lineNo;
  }

  /** Called after the last line, for problems only the end reveals (an unclosed record). */
  protected void endOfInput(String file, RuleSink sink) {}

  /** Off in tests that hold the fast path to {@link #parseLine}. */
  boolean asciiFastPath = true;

  /** Scratch for {@link #parseAsciiLine}: one wire-format name. */
  final byte[] wireScratch = new byte[DomainNames.MAX_NAME + 3];

  /**
   * Takes the line {@code b[0, len)} (ASCII, no line terminator) if it has the common shape this
   * format's fast path knows, giving the sink exactly what {@link #parseLine} would; returns false
   * to have {@link #parseLine} handle it instead. Nothing is taken by default.
   */
  protected boolean parseAsciiLine(byte[] b, int len, int lineNo, RuleSink sink) {
    return false;
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
