package dev.hearth.blocklists;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads list sources into {@link CompiledList}s, refusing sources that are mostly garbage. The
 * version of a list is the start of the SHA-256 of the bytes it was compiled from.
 */
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
    return load(ListInfo.named(file.getFileName() == null ? file.toString()
        : file.getFileName().toString()), NameHasher.PLAIN, format, file,
        maxInvalidRatio);
  }

  /** Loads a file as the list {@code info}; a directory is read as one UT1-style category. */
  public static LoadResult load(ListInfo info, NameHasher hasher, Format format, Path file,
      double maxInvalidRatio) throws IOException, ListRejectedException {
    return load(info, hasher, format, file, maxInvalidRatio, info.locked());
  }

  /**
   * {@link #load(ListInfo, NameHasher, Format, Path, double)}; with {@code withhold} problems
   * name the file and line but never quote it (always so for locked lists).
   */
  public static LoadResult load(ListInfo info, NameHasher hasher, Format format, Path file,
      double maxInvalidRatio, boolean withhold) throws IOException, ListRejectedException {
    if (Files.isDirectory(file)) {
      return loadCategory(info, hasher, file, maxInvalidRatio, withhold);
    }
    try (InputStream in = Files.newInputStream(file)) {
      return load(info, hasher, format, file.toString(), in, maxInvalidRatio, withhold);
    }
  }

  /**
   * Parses {@code in} as the list {@code info}. Nothing of the content is kept but the compiled
   * hashes, so a locked list can be streamed straight from its source.
   */
  public static LoadResult load(ListInfo info, NameHasher hasher, Format format, String source,
      InputStream in, double maxInvalidRatio) throws IOException, ListRejectedException {
    return load(info, hasher, format, source, in, maxInvalidRatio, info.locked());
  }

  /** {@link #load(ListInfo, NameHasher, Format, String, InputStream, double)}, maybe withheld. */
  public static LoadResult load(ListInfo info, NameHasher hasher, Format format, String source,
      InputStream in, double maxInvalidRatio, boolean withhold)
      throws IOException, ListRejectedException {
    CompiledList.Builder builder = CompiledList.builder(info, hasher);
    ParseTally tally = new ParseTally(builder, withhold || info.locked());
    MessageDigest sha = sha256();
    ListParser parser = ListParser.forFormat(format);
    int lines = parse(parser, source, new DigestInputStream(in, sha), tally);
    Format detected = parser instanceof AutoParser ? ((AutoParser) parser).detected() : format;
    check(source, tally, lines, maxInvalidRatio);
    builder.mostSpecificWins(detected == Format.RPZ);
    return result(builder.build(version(sha)), detected, tally);
  }

  /**
   * Loads one UT1-style category directory: its {@code domains} file (one name per line) and its
   * {@code urls} file (one URL per line), either of which may be missing.
   */
  public static LoadResult loadCategory(ListInfo info, NameHasher hasher, Path dir,
      double maxInvalidRatio) throws IOException, ListRejectedException {
    return loadCategory(info, hasher, dir, maxInvalidRatio, info.locked());
  }

  /** {@link #loadCategory(ListInfo, NameHasher, Path, double)}, maybe withheld. */
  public static LoadResult loadCategory(ListInfo info, NameHasher hasher, Path dir,
      double maxInvalidRatio, boolean withhold) throws IOException, ListRejectedException {
    CompiledList.Builder builder = CompiledList.builder(info, hasher);
    ParseTally tally = new ParseTally(builder, withhold || info.locked());
    MessageDigest sha = sha256();
    int lines = 0;
    boolean any = false;
    String[][] parts = {{"domains", "DOMAINS"}, {"urls", "URLS"}};
    for (int i = 0; i < parts.length; i++) {
      Path f = dir.resolve(parts[i][0]);
      if (!Files.isRegularFile(f)) {
        continue;
      }
      any = true;
      builder.file(i, parts[i][0]);
      sha.update(parts[i][0].getBytes(StandardCharsets.UTF_8));
      try (InputStream in = Files.newInputStream(f)) {
        lines += parse(ListParser.forFormat(Format.valueOf(parts[i][1])), f.toString(),
            new DigestInputStream(in, sha), tally);
      }
    }
    if (!any) {
      throw new IOException(dir + " has neither a 'domains' nor a 'urls' file");
    }
    check(dir.toString(), tally, lines, maxInvalidRatio);
    return result(builder.build(version(sha)), Format.DOMAINS, tally);
  }

  /** Category names of a UT1-style directory: sub-directories holding domains or urls files. */
  public static List<String> categories(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isDirectory)
          .filter(d -> Files.isRegularFile(d.resolve("domains"))
              || Files.isRegularFile(d.resolve("urls")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  private static int parse(ListParser parser, String source, InputStream in, ParseTally tally)
      throws IOException {
    return parser.parse(source, new BoundedLineReader(in), tally);
  }

  private static void check(String source, ParseTally tally, int lines, double maxInvalidRatio)
      throws ListRejectedException {
    int entries = tally.accepted() + tally.invalid();
    double ratio = entries == 0 ? 0 : (double) tally.invalid() / entries;
    if (ratio > maxInvalidRatio && lines >= MIN_LINES_FOR_REJECTION) {
      throw ListRejectedException.mostlyInvalid(source, ratio, maxInvalidRatio, tally.invalid(),
          entries, tally.problems().isEmpty() ? null : tally.problems().get(0));
    }
  }

  private static LoadResult result(CompiledList list, Format format, ParseTally tally) {
    return new LoadResult(list, format, tally.accepted(), tally.urls(), tally.invalid(),
        tally.unsupported(), tally.problems());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String version(MessageDigest sha) {
    return HexFormat.of().formatHex(sha.digest(), 0, 6);
  }
}
