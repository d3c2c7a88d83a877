package dev.hearth.admin.lists;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.blocklists.ListSource;
import java.util.List;

/**
 * The config file's own reader for one {@code lists.sources} entry, applied to documents stored
 * at run time, so a source means the same written in YAML or sent to the API. Implemented next
 * to the config file reader (packaging).
 */
public interface ListSourceReader {
  /**
   * Reads one source document.
   *
   * @param doc a JSON object with the keys of a {@code lists.sources} entry; without {@code id}
   *     the id is derived from the file name, as in the config file
   * @param checkFiles also require a local {@code path} to be absolute and to name an existing
   *     file or directory (a new or changed source; a stored one is read as it is, so a file
   *     missing at start leaves only that list on its saved version)
   * @throws SourceRefusedException (400) naming the field at fault
   */
  ParsedSource read(JsonNode doc, boolean checkFiles) throws SourceRefusedException;

  /** The lists the config file and {@code --blocklist} define: read-only at run time. */
  List<ListSource> configSources();
}
