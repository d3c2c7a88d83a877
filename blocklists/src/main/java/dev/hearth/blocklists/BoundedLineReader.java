package dev.hearth.blocklists;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A line reader that never holds more than {@value #MAX_LINE} characters of one line: the rest of
 * an overlong line (a binary blob, a minified page served instead of a list) is skipped, and the
 * kept part ends in a NUL so that every parser reports the line as invalid instead of using a
 * truncated entry. Lines end at LF, CR or CRLF.
 */
final class BoundedLineReader extends BufferedReader {
  static final int MAX_LINE = 8192;
  static final char OVERLONG_MARK = '\0';

  private final Reader in;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int limit;
  private boolean skipLf;
  private final StringBuilder line = new StringBuilder(256);

  BoundedLineReader(Reader in) {
    super(in, 1);
    this.in = in;
  }

  @Override
  public String readLine() throws IOException {
    line.setLength(0);
    boolean any = false;
    boolean overlong = false;
    while (true) {
      if (pos >= limit) {
        limit = in.read(buf, 0, buf.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          return any ? finish(overlong) : null;
        }
      }
      if (skipLf) {
        skipLf = false;
        if (buf[pos] == '\n') {
          pos++;
          continue;
        }
      }
      int start = pos;
      while (pos < limit && buf[pos] != '\n' && buf[pos] != '\r') {
        pos++;
      }
      any = true;
      int room = MAX_LINE - line.length();
      int n = pos - start;
      if (n > room) {
        overlong = true;
        n = Math.max(room, 0);
      }
      line.append(buf, start, n);
      if (pos < limit) {
        skipLf = buf[pos] == '\r';
        pos++;
        return finish(overlong);
      }
    }
  }

  private String finish(boolean overlong) {
    if (overlong) {
      line.append(OVERLONG_MARK);
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
