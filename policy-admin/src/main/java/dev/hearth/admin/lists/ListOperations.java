package dev.hearth.admin.lists;

import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import java.util.List;

/**
 * What the console and the API may do with the running server's block lists. The server runs
 * these on its own list thread (the catalog is single-threaded by design), swaps the new lists
 * into the resolver, and waits at most a bounded time for the answer.
 */
public interface ListOperations {
  /** Every configured list: version, entries, last update and check, last error. */
  List<ListCatalog.Status> status();

  /** Checks every source now; returns whether any list changed. */
  boolean refreshNow();

  /**
   * Puts list {@code id}'s previous version back in force.
   *
   * @throws IllegalArgumentException unknown id or no previous version (the message says which)
   */
  void rollback(String id);

  /** The last {@code n} lines of the update log (one JSON object each), newest last. */
  List<String> recentUpdates(int n);

  /**
   * Puts the config file's sources plus {@code stored} (the run-time ones, in order) in force:
   * new lists are loaded and removed ones leave service on the list thread, off the query path,
   * and the result is swapped into the resolver at once. A source that fails to load is reported
   * in {@link #status()} and never affects the others.
   *
   * @return true when done, false when the list thread is busy (a large download): the change
   *     is queued and applies when it is free
   */
  boolean applyStoredSources(List<ListSource> stored);
}
