package dev.hearth.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * Says in one log line whether the class-data archive the launcher passed is in use. The JVM
 * drops an archive made by another JVM build or for another jar without a word (the launcher
 * turns its cryptic messages off), and the only symptom would be a slower start; so Hearth looks
 * for the archive among its own memory mappings, where the JVM puts an archive it accepted.
 */
final class ClassArchive {
  /** The system property naming the archive (the launcher sets it with -XX:SharedArchiveFile). */
  static final String PROPERTY = "hearth.class-archive";

  private ClassArchive() {}

  /**
   * Whether {@code archive} is mapped into the process whose maps file is given; null when that
   * cannot be read (not Linux).
   */
  static Boolean mapped(Path archive, Path maps) {
    Path real;
    try {
      real = archive.toRealPath(); // the kernel shows the file's own path, links resolved
    } catch (IOException e) {
      return false; // no such file: nothing can map it
    }
    String wanted = " " + real;
    try (Stream<String> lines = Files.lines(maps)) {
      return lines.anyMatch(l -> l.endsWith(wanted));
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
    }
  }

  /** Logs whether the archive named by {@link #PROPERTY} is in use; nothing when none is named. */
  static void report(Logger log) {
    String name = System.getProperty(PROPERTY);
    if (name == null || name.isBlank()) {
      return;
    }
    Path archive = Path.of(name);
    Boolean used = mapped(archive, Path.of("/proc/self/maps"));
    if (Boolean.TRUE.equals(used)) {
      log.info("class-data archive {} in use", archive);
    } else if (used != null) {
      log.warn("class-data archive {} not used: it was made for another Java runtime or"
          + " another Hearth build, so starts take longer until it is rebuilt"
          + " (`dpkg-reconfigure hearth` rebuilds it)", archive);
    }
  }
}
