package dev.hearth.admin.lists;

import dev.hearth.blocklists.ListCatalog;
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
}
