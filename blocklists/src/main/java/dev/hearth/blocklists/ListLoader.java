package dev.hearth.blocklists;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a list file into a {@link CompiledList}, refusing files that are mostly garbage. */
public final class ListLoader {
  /** Files shorter than this are never rejected: a handful of lines says little about the list. */
  public static final int MIN_LINES_FOR_REJECTION = 20;

  private ListLoader() {}

  /**
   * Loads {@code file} (UTF-8; undecodable bytes become invalid lines, not an exception). The list
   * is named after the file name.
   *
   * @param maxInvalidRatio reject when invalid / (accepted + invalid) exceeds this, e.g. 0.5
   * @throws ListRejectedException when the ratio is exceeded in a file of at least
   *     {@value #MIN_LINES_FOR_REJECTION} lines; the caller should keep its previous list
   */
  public static LoadResult load(Path file, Format format, double maxInvalidRatio)
      throws IOException, ListRejectedException {
    CompiledList.Builder builder = CompiledList.builder(file.getFileName().toString());
    ParseTally tally = new ParseTally(builder::add);
    int lines;
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
      lines = ListParser.forFormat(format).parse(file.toString(), in, tally);
    }
    int entries = tally.accepted() + tally.invalid();
    double ratio = entries == 0 ? 0 : (double) tally.invalid() / entries;
    if (ratio > maxInvalidRatio && lines >= MIN_LINES_FOR_REJECTION) {
      throw new ListRejectedException(file, ratio, maxInvalidRatio, tally.invalid(), entries,
          tally.problems().isEmpty() ? null : tally.problems().get(0));
    }
    return new LoadResult(builder.build(), tally.accepted(), tally.invalid(), tally.unsupported(),
        tally.problems());
  }
}
