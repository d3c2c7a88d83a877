package dev.hearth.blocklists;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A set of list files that can be reloaded when they change on disk. Each file keeps its last
 * good version: a file that disappears, cannot be read, or comes back mostly garbage leaves the
 * previous version in force and never takes the other lists down with it. Reloading builds new
 * lists off the query path; the caller swaps the returned snapshot in atomically.
 *
 * <p>Not thread-safe: one reloader thread owns it.
 */
public final class ListFiles {
  private final Map<Path, Entry> entries = new LinkedHashMap<>();
  private final double maxInvalidRatio;
  private final Consumer<String> log;

  private record Entry(CompiledList list, FileTime modified, long size) {}

  /** @param log receives one line per load, rejection or failure, for the operator */
  public ListFiles(List<Path> files, double maxInvalidRatio, Consumer<String> log) {
    this.maxInvalidRatio = maxInvalidRatio;
    this.log = log;
    for (Path f : files) {
      entries.put(f, null);
    }
  }

  /**
   * Loads every file that is new or changed since the last call (by modification time and size).
   *
   * @return true when at least one list was replaced, i.e. the snapshot changed
   */
  public boolean refresh() {
    boolean changed = false;
    for (Map.Entry<Path, Entry> e : entries.entrySet()) {
      Path file = e.getKey();
      Entry old = e.getValue();
      FileTime modified;
      long size;
      try {
        modified = Files.getLastModifiedTime(file);
        size = Files.size(file);
      } catch (IOException ex) {
        if (old != null) {
          log.accept("blocklist " + file + " cannot be read (" + ex.getMessage()
              + "); keeping the version loaded before");
        } else {
          log.accept("blocklist " + file + " cannot be read: " + ex.getMessage());
        }
        continue;
      }
      if (old != null && old.modified.equals(modified) && old.size == size) {
        continue;
      }
      try {
        LoadResult r = ListLoader.load(file, Format.AUTO, maxInvalidRatio);
        e.setValue(new Entry(r.list(), modified, size));
        changed = true;
        log.accept("blocklist " + file + ": " + r.accepted() + " entries (" + r.invalid()
            + " invalid, " + r.unsupported() + " unsupported rules)"
            + (r.problems().isEmpty() ? "" : "; first problem " + r.problems().get(0)));
      } catch (ListRejectedException ex) {
        // Remember the rejected version's stamp so it is not re-read every time, but keep the list.
        e.setValue(old == null ? null : new Entry(old.list, modified, size));
        log.accept("blocklist rejected, " + (old == null ? "not used" : "previous version kept")
            + ": " + ex.getMessage());
      } catch (IOException ex) {
        log.accept("blocklist " + file + " cannot be read (" + ex.getMessage() + ")"
            + (old == null ? "" : "; keeping the version loaded before"));
      }
    }
    return changed;
  }

  /** The lists in force, in configuration order; files never loaded successfully are absent. */
  public List<CompiledList> snapshot() {
    List<CompiledList> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e != null) {
        out.add(e.list);
      }
    }
    return List.copyOf(out);
  }
}
