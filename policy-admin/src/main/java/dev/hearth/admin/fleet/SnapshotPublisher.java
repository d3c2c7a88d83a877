package dev.hearth.admin.fleet;

import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;

/**
 * The admin's side of a fleet: the current {@link FleetSnapshot}, built once per change (nodes
 * poll every second; between changes each poll is a hash comparison and a 304).
 */
public final class SnapshotPublisher {
  /** A built snapshot: its bytes, strong ETag and serial. */
  public record Published(byte[] body, String etag, long serial) {}

  private final AdminStore store;
  private final PolicyService policy;
  private final ListSourceService sources;
  private long builtAtChange = -1;
  private List<String> builtWithSources;
  private Published current;

  /** @param sources the run-time list sources, or null when the store has none in use */
  public SnapshotPublisher(AdminStore store, PolicyService policy, ListSourceService sources) {
    this.store = store;
    this.policy = policy;
    this.sources = sources;
  }

  /** The snapshot of the policy in force now. */
  public synchronized Published current() throws StoreException {
    long change = policy.changeCount();
    List<String> docs = sources == null ? List.of() : sources.storedDocuments();
    if (current != null && change == builtAtChange && docs.equals(builtWithSources)) {
      return current;
    }
    // Read in this order: a change landing in between makes the next call rebuild.
    var documents = policy.documents();
    var overrides = policy.appealOverrides();
    var bindings = policy.storedBindings();
    long serial = store.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM"
          + " audit_log"); ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
    FleetSnapshot snapshot = new FleetSnapshot(serial, store.now().toString(), documents,
        overrides, bindings, docs);
    byte[] body = snapshot.toJson();
    current = new Published(body, FleetSnapshot.etag(body), serial);
    builtAtChange = change;
    builtWithSources = docs;
    return current;
  }
}
