package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The byte reader must cut and decode lines exactly as the char reader over a UTF-8 decoder. */
class BoundedLineReaderTest {
  private static final byte[][] PIECES = {
    "a".getBytes(StandardCharsets.UTF_8), "example.com".getBytes(StandardCharsets.UTF_8),
    {'\n'}, {'\r'}, {'\r', '\n'}, {'\n', '\r'}, "ß".getBytes(StandardCharsets.UTF_8),
    "日本".getBytes(StandardCharsets.UTF_8), "😀".getBytes(StandardCharsets.UTF_8),
    {(byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {0},
    {(byte) 0xF0, (byte) 0x9F}, {' ', '\t'}, {'#'},
  };

  @Test
  void agreesWithTheDecoderPathOnRandomBytes() throws IOException {
    SplittableRandom rnd = new SplittableRandom(20261126);
    for (int round = 0; round < 400; round++) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      int parts = rnd.nextInt(1, 200);
      for (int i = 0; i < parts; i++) {
        if (rnd.nextInt(40) == 0) {
          // an overlong line, in one of several characters, sometimes cut inside a character
          byte[] unit = PIECES[rnd.nextInt(PIECES.length)];
          int times = BoundedLineReader.MAX_LINE / Math.max(1, unit.length) + rnd.nextInt(-3, 9000);
          for (int t = 0; t < times; t++) {
            out.write(unit, 0, unit.length);
          }
        } else if (rnd.nextInt(10) == 0) {
          byte[] junk = new byte[rnd.nextInt(1, 8)];
          rnd.nextBytes(junk);
          out.write(junk, 0, junk.length);
        } else {
          byte[] p = PIECES[rnd.nextInt(PIECES.length)];
          out.write(p, 0, p.length);
        }
      }
      byte[] input = out.toByteArray();
      assertEquals(viaDecoder(input), viaBytes(input), "round " + round);
    }
  }

  @Test
  void overlongLinesAreCutAtTheSameCharacterAndMarked() throws IOException {
    String longAscii = "a".repeat(BoundedLineReader.MAX_LINE + 5);
    String longWide = "日".repeat(BoundedLineReader.MAX_LINE * 2);
    byte[] input = (longAscii + "\nok.example\r\n" + longWide + "\rlast")
        .getBytes(StandardCharsets.UTF_8);
    List<String> lines = viaBytes(input);
    assertEquals(List.of("a".repeat(BoundedLineReader.MAX_LINE) + BoundedLineReader.OVERLONG_MARK,
        "ok.example", "日".repeat(BoundedLineReader.MAX_LINE) + BoundedLineReader.OVERLONG_MARK,
        "last"), lines);
    assertEquals(viaDecoder(input), lines);
  }

  private static List<String> viaBytes(byte[] input) throws IOException {
    return lines(new BoundedLineReader(new TrickleStream(input)));
  }

  private static List<String> viaDecoder(byte[] input) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return lines(new BoundedLineReader(
        new InputStreamReader(new ByteArrayInputStream(input), decoder)));
  }

  private static List<String> lines(BoundedLineReader r) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l = r.readLine(); l != null; l = r.readLine()) {
      out.add(l);
    }
    return out;
  }

  /** Hands out its bytes in odd-sized reads, so lines and characters straddle buffer ends. */
  private static final class TrickleStream extends InputStream {
    private final byte[] data;
    private int pos;
    private int step = 1;

    TrickleStream(byte[] data) {
      this.data = data;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= data.length) {
        return -1;
      }
      step = step * 7 % 9973 + 1;
      int n = Math.min(Math.min(len, step), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
