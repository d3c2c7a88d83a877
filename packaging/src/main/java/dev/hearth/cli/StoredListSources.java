package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.admin.lists.ListSourceReader;
import dev.hearth.admin.lists.ParsedSource;
import dev.hearth.admin.lists.SourceRefusedException;
import dev.hearth.blocklists.ListSource;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads list sources stored at run time with the config file's own reader ({@link
 * ConfigFile#storedSource}), so a source typed in YAML and one sent to the API mean the same, and
 * reports an error with the field at fault. A new source's local path must also be absolute (the
 * server's working directory is not the operator's) and exist, so a typo is refused at once.
 */
final class StoredListSources implements ListSourceReader {
  private final List<ListSource> config;

  /** @param config the config file's and --blocklist's sources, in force next to these */
  StoredListSources(List<ListSource> config) {
    this.config = List.copyOf(config);
  }

  @Override
  public ParsedSource read(JsonNode doc, boolean checkFiles) throws SourceRefusedException {
    ConfigFile.SourceEntry e;
    try {
      e = ConfigFile.storedSource(doc);
    } catch (ConfigException ex) {
      throw SourceRefusedException.invalid(field(ex.path()), ex.detail());
    }
    JsonNode path = doc.get("path");
    if (checkFiles && path != null) {
      Path p;
      try {
        p = Path.of(path.asText()); // as the config file reads it
      } catch (InvalidPathException ex) {
        throw SourceRefusedException.invalid("path", "expected a file path, got \""
            + path.asText() + "\"");
      }
      if (!p.isAbsolute()) {
        throw SourceRefusedException.invalid("path", "expected an absolute path (a source added"
            + " at run time must not depend on the server's working directory), got \"" + p
            + "\"");
      }
      if (!(Files.isRegularFile(p) || Files.isDirectory(p)) || !Files.isReadable(p)) {
        throw SourceRefusedException.invalid("path", "no readable file or directory " + p
            + " on the server");
      }
    }
    return new ParsedSource(e.id(), e.lists());
  }

  @Override
  public List<ListSource> configSources() {
    return config;
  }

  /** {@code source.url} to {@code url}; the entry as a whole to null. */
  static String field(String configPath) {
    String prefix = ConfigFile.STORED_SOURCE + ".";
    return configPath == null || !configPath.startsWith(prefix) ? null
        : configPath.substring(prefix.length());
  }
}
