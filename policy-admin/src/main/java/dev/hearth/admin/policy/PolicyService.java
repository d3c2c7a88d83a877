package dev.hearth.admin.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.AddressBindings;
import dev.hearth.resolver.policy.AppealOverride;
import dev.hearth.resolver.policy.PolicySnapshot;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every policy change goes through here, in one order: build the would-be policy in memory and
 * compile it (an invalid change is refused before anything is written), store the change and its
 * audit record in one transaction, then hand the new snapshot to the resolver. So the database,
 * the audit log and the running policy never disagree, and nothing is ever half applied: a
 * compile error stores nothing, a failed write (locked, full, damaged) publishes nothing and the
 * resolver keeps its last snapshot.
 *
 * <p>Address bindings skip the compile: they go to {@link AddressBindings}, which the resolver
 * reads on the next query. Thread-safe: changes are serialised on this object.
 */
public final class PolicyService {
  private static final Logger log = LoggerFactory.getLogger(PolicyService.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final AdminStore store;
  private final PolicyCompiler compiler;
  private Consumer<PolicySnapshot> publish = snapshot -> { };
  private AddressBindings bindings = new AddressBindings();
  private PolicyDocuments documents = PolicyDocuments.EMPTY;
  private PolicySnapshot current;
  private List<AppealOverride> overrides = List.of();
  private List<Preset> presets = List.of();
  /** The preset documents {@link #presets} was read from. */
  private Map<String, String> presetsFrom = Map.of();
  private long version;
  /** Counts every change of what a fleet snapshot holds, bindings included. */
  private long changes;
  private volatile String problem;

  public PolicyService(AdminStore store, PolicyCompiler compiler) {
    this.store = store;
    this.compiler = compiler;
  }

  /**
   * Loads the stored documents and compiles them, before the resolver starts, so its first
   * query already runs under them. If they no longer compile (say the config file dropped a
   * profile a subscriber uses), the config's own policy is returned instead and
   * {@link #problem()} says why: the resolver must start either way.
   */
  public synchronized PolicySnapshot open() throws StoreException {
    documents = load();
    overrides = loadOverrides();
    try {
      current = compile(documents);
      presets = compiler.presets(documents);
      presetsFrom = documents.presets();
      problem = null;
    } catch (InvalidPolicyException e) {
      problem = "the stored policy does not compile, so only the config file's policy is in"
          + " force: " + describe(e);
      log.error(problem);
      try {
        current = compile(PolicyDocuments.EMPTY);
        presets = compiler.presets(PolicyDocuments.EMPTY);
        presetsFrom = Map.of();
      } catch (InvalidPolicyException e2) {
        throw new IllegalStateException("the config file's policy does not compile: "
            + e2.getMessage(), e2);
      }
    }
    version = 1;
    return current;
  }

  /**
   * Connects to the running resolver: stored bindings are applied to {@code bindings}, and
   * every later change is handed to {@code publish}.
   */
  public synchronized void attach(Consumer<PolicySnapshot> publish, AddressBindings bindings)
      throws StoreException {
    this.publish = publish;
    this.bindings = bindings;
    for (Map.Entry<String, String> b : storedBindings().entrySet()) {
      bindings.bind(Prefix.parse(b.getKey()), b.getValue());
    }
  }

  private void install(PolicySnapshot snapshot) {
    publish.accept(snapshot);
    current = snapshot;
    version++;
    changes++;
  }

  /**
   * Grows with every change of the stored policy, appeal overrides or bindings: a fleet
   * snapshot built at one count is current until the count moves.
   */
  public synchronized long changeCount() {
    return changes;
  }

  /** The stored documents in force (what the published snapshot was compiled from). */
  public synchronized PolicyDocuments documents() {
    return documents;
  }

  /** What is wrong with the stored policy, or null when it is all in force. */
  public String problem() {
    return problem;
  }

  /** Counts every snapshot published since start. */
  public synchronized long version() {
    return version;
  }

  /** The snapshot last published. */
  public synchronized PolicySnapshot current() {
    return current;
  }

  /**
   * The presets offered now: the built-in ones (as the operator adjusted them) and the
   * operator's own, in that order.
   */
  public synchronized List<Preset> presets() {
    return presets;
  }

  /** Whether {@code id} names a built-in preset (stored or not, it cannot be removed). */
  public boolean builtInPreset(String id) {
    return compiler.builtInPresets().contains(id);
  }

  /** The stored documents of one kind, id to parsed JSON. */
  public synchronized Map<String, JsonNode> list(Kind kind) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    documents.of(kind).forEach((id, json) -> out.put(id, parse(json)));
    return out;
  }

  /** One stored document, or null. */
  public synchronized JsonNode get(Kind kind, String id) {
    String json = documents.of(kind).get(id);
    return json == null ? null : parse(json);
  }

  /** One document to create or replace in {@link #putAll}. */
  public record Change(Kind kind, String id, JsonNode spec) {}

  /**
   * Creates or replaces a document. {@code spec} is a JSON object with the config file's keys
   * for that kind; its {@code id}, if given, must match. Returns whether it was created.
   */
  public synchronized boolean put(Principal actor, Kind kind, String id, JsonNode spec)
      throws InvalidPolicyException, StoreException {
    boolean existed = documents.of(kind).containsKey(id);
    putAll(actor, List.of(new Change(kind, id, spec)));
    return !existed;
  }

  /**
   * Applies several changes as one: compiled together, stored in one transaction, published as
   * one snapshot (a parent's "customise this profile" writes a profile and repoints the
   * household; neither may land alone).
   */
  public synchronized void putAll(Principal actor, List<Change> changes)
      throws InvalidPolicyException, StoreException {
    PolicyDocuments next = documents;
    List<String[]> writes = new ArrayList<>(); // kind table, id, json, before, action
    for (Change ch : changes) {
      String json = canonical(ch.kind(), ch.id(), ch.spec());
      String before = next.of(ch.kind()).get(ch.id());
      if (json.equals(before)) {
        continue;
      }
      writes.add(new String[] {ch.kind().name(), ch.id(), json, before});
      next = next.with(ch.kind(), ch.id(), json);
    }
    if (writes.isEmpty()) {
      return;
    }
    PolicySnapshot snapshot = compile(next);
    List<Preset> nextPresets = presetsAfter(next);
    store.transaction(c -> {
      for (String[] w : writes) {
        Kind kind = Kind.valueOf(w[0]);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + kind.table()
            + "(id, spec, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
            + " SET spec = excluded.spec, updated_at = excluded.updated_at,"
            + " updated_by = excluded.updated_by")) {
          ps.setString(1, w[1]);
          ps.setString(2, w[2]);
          ps.setString(3, store.now().toString());
          ps.setString(4, actor.name());
          ps.executeUpdate();
        }
        store.audit(c, actor.name(), kind.singular() + (w[3] == null ? ".create" : ".update"),
            kind.singular() + ":" + w[1], w[3], w[2]);
      }
      return null;
    });
    documents = next;
    presets = nextPresets;
    presetsFrom = next.presets();
    install(snapshot);
    problem = null;
  }

  private List<Preset> presetsAfter(PolicyDocuments next) throws InvalidPolicyException {
    return next.presets().equals(presetsFrom) ? presets : compiler.presets(next);
  }

  private static String canonical(Kind kind, String id, JsonNode spec)
      throws InvalidPolicyException {
    if (!(spec instanceof ObjectNode obj)) {
      throw new InvalidPolicyException(kind, id, null, "the body must be a JSON object with the "
          + kind.singular() + "'s settings");
    }
    JsonNode given = obj.get("id");
    if (given != null && !given.asText().equals(id)) {
      throw new InvalidPolicyException(kind, id, "id", "the id in the body ('" + given.asText()
          + "') differs from the one in the address ('" + id + "')");
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("id", id);
    obj.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("id")) {
        doc.set(e.getKey(), e.getValue());
      }
    });
    return doc.toString();
  }

  /** Deletes a document; refused (nothing changes) if the policy still refers to it. */
  public synchronized boolean delete(Principal actor, Kind kind, String id)
      throws InvalidPolicyException, StoreException {
    String before = documents.of(kind).get(id);
    if (before == null) {
      return false;
    }
    if (kind == Kind.PRESET && !builtInPreset(id)) {
      List<String> users = new ArrayList<>();
      documents.profiles().forEach((profile, json) -> {
        if (id.equals(parse(json).path("preset").asText(null))) {
          users.add("'" + profile + "'");
        }
      });
      if (!users.isEmpty()) {
        throw new InvalidPolicyException(kind, id, null, "still in use by profile"
            + (users.size() == 1 ? " " : "s ") + String.join(", ", users)
            + "; give them another preset first");
      }
    }
    PolicyDocuments next = documents.with(kind, id, null);
    PolicySnapshot snapshot = compile(next);
    List<Preset> nextPresets = presetsAfter(next);
    List<String> unbound = new ArrayList<>();
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + kind.table()
          + " WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      if (kind == Kind.SUBSCRIBER) {
        // A subscriber's dynamic bindings go with it.
        try (PreparedStatement ps = c.prepareStatement("SELECT prefix FROM bindings WHERE"
            + " subscriber_id = ?")) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              unbound.add(rs.getString(1));
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM bindings WHERE"
            + " subscriber_id = ?")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
        // So are its parents' accounts and unused sign-up codes: a reused id must not hand the
        // new household to the old family.
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM users WHERE role = 'parent'"
            + " AND household = ?")) {
          ps.setString(1, id);
          if (ps.executeUpdate() > 0) {
            store.audit(c, actor.name(), "user.delete", "household:" + id, null, null);
          }
        }
        // And its activity summary: counts of a household that no longer exists are no one's.
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM activity_daily WHERE"
            + " household = ?")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE signup_codes SET used_at = ?,"
            + " used_by = '(household deleted)' WHERE household = ? AND used_at IS NULL")) {
          ps.setString(1, store.now().toString());
          ps.setString(2, id);
          ps.executeUpdate();
        }
      }
      store.audit(c, actor.name(), kind.singular() + ".delete", kind.singular() + ":" + id,
          before, null);
      return null;
    });
    documents = next;
    presets = nextPresets;
    presetsFrom = next.presets();
    for (String p : unbound) {
      bindings.unbind(Prefix.parse(p));
    }
    install(snapshot);
    return true;
  }

  /**
   * Binds an address or prefix to a subscriber (a dynamic IP from RADIUS or DHCP); it applies
   * to the next query and survives restarts. Returns the subscriber it was bound to before.
   */
  public synchronized String bind(Principal actor, String prefixText, String subscriberId)
      throws InvalidPolicyException, StoreException {
    Prefix prefix = prefix(prefixText);
    if (subscriberId == null || current.directory().subscriber(subscriberId) == null) {
      throw new InvalidPolicyException(Kind.SUBSCRIBER, subscriberId, "subscriber",
          "no subscriber '" + subscriberId + "'");
    }
    String key = prefix.toString();
    String previous = store.transaction(c -> {
      String old = null;
      try (PreparedStatement ps = c.prepareStatement("SELECT subscriber_id FROM bindings WHERE"
          + " prefix = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          old = rs.next() ? rs.getString(1) : null;
        }
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bindings(prefix,"
          + " subscriber_id, bound_at, bound_by) VALUES (?, ?, ?, ?) ON CONFLICT(prefix) DO"
          + " UPDATE SET subscriber_id = excluded.subscriber_id, bound_at = excluded.bound_at,"
          + " bound_by = excluded.bound_by")) {
        ps.setString(1, key);
        ps.setString(2, subscriberId);
        ps.setString(3, store.now().toString());
        ps.setString(4, actor.name());
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "binding.bind", "address:" + key,
          old == null ? null : JSON.createObjectNode().put("subscriber", old).toString(),
          JSON.createObjectNode().put("subscriber", subscriberId).toString());
      return old;
    });
    bindings.bind(prefix, subscriberId);
    changes++;
    return previous;
  }

  /** Removes a binding; returns the subscriber it was bound to, or null if there was none. */
  public synchronized String unbind(Principal actor, String prefixText)
      throws InvalidPolicyException, StoreException {
    Prefix prefix = prefix(prefixText);
    String key = prefix.toString();
    String previous = store.transaction(c -> {
      String old;
      try (PreparedStatement ps = c.prepareStatement("SELECT subscriber_id FROM bindings WHERE"
          + " prefix = ?")) {
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
          old = rs.next() ? rs.getString(1) : null;
        }
      }
      if (old == null) {
        return null;
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM bindings WHERE prefix = ?")) {
        ps.setString(1, key);
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "binding.unbind", "address:" + key,
          JSON.createObjectNode().put("subscriber", old).toString(), null);
      return old;
    });
    if (previous != null) {
      bindings.unbind(prefix);
      changes++;
    }
    return previous;
  }

  /**
   * Records a change that lives outside the store (a pause or grant, held by the resolver) in
   * the audit log.
   */
  public void auditOnly(Principal actor, String action, String target, String after)
      throws StoreException {
    store.transaction(c -> {
      store.audit(c, actor.name(), action, target, null, after);
      return null;
    });
  }

  /** The stored bindings, prefix to subscriber id. */
  public Map<String, String> storedBindings() throws StoreException {
    return store.read(c -> {
      Map<String, String> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT prefix, subscriber_id FROM"
          + " bindings ORDER BY prefix"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
      return out;
    });
  }

  private static Prefix prefix(String text) throws InvalidPolicyException {
    try {
      return Prefix.parse(text == null ? "" : text.trim());
    } catch (IllegalArgumentException e) {
      throw new InvalidPolicyException(null, null, "address", e.getMessage());
    }
  }

  /** The stored documents compiled, with the upheld appeals in force. */
  private PolicySnapshot compile(PolicyDocuments docs) throws InvalidPolicyException {
    return compiler.compile(docs).withAppealOverrides(overrides);
  }

  /** The upheld appeals in force. */
  public synchronized List<AppealOverride> appealOverrides() {
    return overrides;
  }

  /**
   * Puts an upheld appeal's override in force (replacing one for the same name): stored with its
   * audit record and whatever {@code alsoInTransaction} writes (the appeal's own state, its
   * mail), in one transaction, then published; no policy recompile is needed.
   */
  public synchronized void putAppealOverride(Principal actor, AppealOverride o,
      AdminStore.Work<Void> alsoInTransaction) throws StoreException {
    List<AppealOverride> next = new ArrayList<>();
    String before = null;
    for (AppealOverride x : overrides) {
      if (x.name().equals(o.name())) {
        before = x.toString();
      } else {
        next.add(x);
      }
    }
    next.add(o);
    String old = before;
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO appeal_overrides(name,"
          + " subdomains, category, ticket, created_at, created_by) VALUES (?,?,?,?,?,?)"
          + " ON CONFLICT(name) DO UPDATE SET subdomains = excluded.subdomains,"
          + " category = excluded.category, ticket = excluded.ticket,"
          + " created_at = excluded.created_at, created_by = excluded.created_by")) {
        ps.setString(1, o.name());
        ps.setInt(2, o.subdomains() ? 1 : 0);
        ps.setString(3, o.category());
        ps.setString(4, o.ticket());
        ps.setString(5, store.now().toString());
        ps.setString(6, actor.name());
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "appeal-override.put", "name:" + o.name(), old,
          o.toString());
      if (alsoInTransaction != null) {
        alsoInTransaction.run(c);
      }
      return null;
    });
    overrides = List.copyOf(next);
    install(current.withAppealOverrides(overrides));
  }

  /** Lifts an appeal override; returns whether there was one. */
  public synchronized boolean removeAppealOverride(Principal actor, String name)
      throws StoreException {
    AppealOverride found = null;
    List<AppealOverride> next = new ArrayList<>();
    for (AppealOverride x : overrides) {
      if (x.name().equals(name)) {
        found = x;
      } else {
        next.add(x);
      }
    }
    if (found == null) {
      return false;
    }
    String before = found.toString();
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM appeal_overrides WHERE"
          + " name = ?")) {
        ps.setString(1, name);
        ps.executeUpdate();
      }
      store.audit(c, actor.name(), "appeal-override.delete", "name:" + name, before, null);
      return null;
    });
    overrides = List.copyOf(next);
    install(current.withAppealOverrides(overrides));
    return true;
  }

  private List<AppealOverride> loadOverrides() throws StoreException {
    return store.read(c -> {
      List<AppealOverride> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT name, subdomains, category,"
          + " ticket FROM appeal_overrides ORDER BY name"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new AppealOverride(rs.getString(1), rs.getInt(2) != 0, rs.getString(3),
              rs.getString(4)));
        }
      }
      return List.copyOf(out);
    });
  }

  private PolicyDocuments load() throws StoreException {
    return store.read(c -> {
      List<Map<String, String>> maps = new ArrayList<>();
      for (Kind k : Kind.values()) {
        Map<String, String> m = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, spec FROM " + k.table()
            + " ORDER BY rowid"); ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            m.put(rs.getString(1), rs.getString(2));
          }
        }
        maps.add(m);
      }
      return new PolicyDocuments(maps.get(0), maps.get(1), maps.get(2), maps.get(3));
    });
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a stored document is not JSON: " + e.getMessage(), e);
    }
  }

  /** One line naming the document and field at fault. */
  public static String describe(InvalidPolicyException e) {
    StringBuilder b = new StringBuilder();
    if (e.kind() != null && e.id() != null) {
      b.append(e.kind().singular()).append(" '").append(e.id()).append("'");
      if (e.field() != null) {
        b.append(", ").append(e.field());
      }
      b.append(": ");
    } else if (e.field() != null) {
      b.append(e.field()).append(": ");
    }
    return b.append(e.getMessage()).toString();
  }
}
