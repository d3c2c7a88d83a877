package dev.hearth.blocklists;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

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
  private final char[] buf;
  private int pos;
  private int limit;
  private boolean skipLf;
  private final StringBuilder line = new StringBuilder(256);

  // Byte mode (UTF-8 input): lines are cut from the bytes and an ASCII line becomes a String
  // without a decoder, a char buffer or a StringBuilder; at a cold start, parsing a
  // million-line list spends much of its time there.
  private final InputStream bytesIn;
  private final byte[] bytes;
  private byte[] lineBytes;
  private int lineLength;
  private int lineHigh;
  private boolean lineDropped;

  BoundedLineReader(Reader in) {
    super(in, 1);
    this.in = in;
    this.buf = new char[1 << 16];
    this.bytesIn = null;
    this.bytes = null;
  }

  /**
   * Reads UTF-8 bytes; malformed sequences become U+FFFD, exactly as a decoder with {@link
   * java.nio.charset.CodingErrorAction#REPLACE} over {@code in} would give them.
   */
  BoundedLineReader(InputStream in) {
    super(Reader.nullReader(), 1);
    this.in = null;
    this.buf = null;
    this.bytesIn = in;
    this.bytes = new byte[1 << 16];
    this.lineBytes = new byte[256];
  }

  @Override
  public String readLine() throws IOException {
    if (bytesIn != null) {
      return readByteLine();
    }
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

  private String readByteLine() throws IOException {
    return nextByteLine() ? finishBytes(lineHigh, lineDropped) : null;
  }

  /**
   * Byte mode only: reads the next line into {@link #lineBytes()} / {@link #lineLength()} without
   * making a String, so a parser can take the common all-ASCII line straight from the bytes
   * ({@link #lineIsPlainAscii()}) and ask for {@link #lineString()} only when it must. False at the
   * end of the input.
   */
  boolean nextByteLine() throws IOException {
    lineLength = 0;
    boolean any = false;
    boolean dropped = false;
    int high = 0;
    while (true) {
      if (pos >= limit) {
        limit = bytesIn.read(bytes, 0, bytes.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          lineHigh = high;
          lineDropped = dropped;
          return any;
        }
      }
      if (skipLf) {
        skipLf = false;
        if (bytes[pos] == '\n') {
          pos++;
          continue;
        }
      }
      int start = pos;
      while (pos < limit && bytes[pos] != '\n' && bytes[pos] != '\r') {
        high |= bytes[pos];
        pos++;
      }
      any = true;
      // Enough bytes for MAX_LINE characters of any kind (at most 4 bytes each).
      int room = 4 * MAX_LINE + 4 - lineLength;
      int n = pos - start;
      if (n > room) {
        dropped = true;
        n = Math.max(room, 0);
      }
      if (lineLength + n > lineBytes.length) {
        lineBytes = java.util.Arrays.copyOf(lineBytes,
            Math.max(lineLength + n, 2 * lineBytes.length));
      }
      System.arraycopy(bytes, start, lineBytes, lineLength, n);
      lineLength += n;
      if (pos < limit) {
        skipLf = bytes[pos] == '\r';
        pos++;
        lineHigh = high;
        lineDropped = dropped;
        return true;
      }
    }
  }

  /** True in byte mode ({@link #BoundedLineReader(InputStream)}). */
  boolean byteMode() {
    return bytesIn != null;
  }

  /** The bytes of the line {@link #nextByteLine()} read (valid up to {@link #lineLength()}). */
  byte[] lineBytes() {
    return lineBytes;
  }

  int lineLength() {
    return lineLength;
  }

  /** The line read is whole (not overlong) and all ASCII: its bytes are its characters. */
  boolean lineIsPlainAscii() {
    return lineHigh >= 0 && !lineDropped && lineLength <= MAX_LINE;
  }

  /** The line {@link #nextByteLine()} read, as {@link #readLine()} would have returned it. */
  String lineString() {
    return finishBytes(lineHigh, lineDropped);
  }

  private String finishBytes(int high, boolean dropped) {
    String s = new String(lineBytes, 0, lineLength,
        high < 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    if (dropped || s.length() > MAX_LINE) {
      return s.substring(0, Math.min(s.length(), MAX_LINE)) + OVERLONG_MARK;
    }
    return s;
  }

  private String finish(boolean overlong) {
    if (overlong) {
      line.append(OVERLONG_MARK);
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    if (bytesIn != null) {
      bytesIn.close();
    } else {
      in.close();
    }
  }
}
