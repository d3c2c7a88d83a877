package dev.hearth.admin.lists;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.store.AdminStore;
import dev.hearth.admin.store.StoreException;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.blocklists.ListSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Block list sources added, changed and removed at run time, on top of the config file's. Each
 * is stored in {@code admin.db} as a JSON document with the keys of a config file
 * {@code lists.sources} entry and read by the config file's own reader. A change goes in one
 * order: read and check the document (an invalid one is refused naming the field, and nothing
 * is stored), store it with its audit record in one transaction, then hand the whole set to the
 * server's list thread, which loads new lists off the query path and swaps them in at once.
 *
 * <p>The config file's sources are read-only here: a run-time source may not reuse an id the
 * config file (or {@code --blocklist}) defines, and if the config file later takes an id a stored
 * source has, the config file's wins at the next start and the stored one is shown with the
 * reason it is not in force. Locked legal sources, and legal overrides (which pass locked
 * lists' blocks), are added, changed and removed by list custodians only, as only they roll
 * locked lists back. No one ever sees a list's entries here: only counts and versions.
 *
 * <p>Thread-safe: changes are serialised on this object; reads see the last completed change.
 */
public final class ListSourceService {
  private static final Logger log = LoggerFactory.getLogger(ListSourceService.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Ids of run-time sources: no '/', which the config file keeps for UT1 category lists. */
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");
  /** Who may change sources at all (locked ones: list custodians only). */
  public static final Set<Role> MANAGERS = Set.of(Role.ADMINISTRATOR, Role.LIST_CUSTODIAN);

  private final AdminStore store;
  private final ListSourceReader reader;
  /**
   * The stored sources by id, in the order added: replaced whole by each change, so readers (the
   * console, GET) never wait for a change that is waiting for its lists to load.
   */
  private volatile Map<String, Entry> stored = Map.of();
  private ListOperations lists;

  /** A stored source: its document, the lists it defines, and why it is not in force (or null). */
  private record Entry(String json, List<ListSource> lists, boolean custodianOnly, String problem,
      String createdAt, String createdBy, String updatedAt, String updatedBy) {}

  /**
   * One source as the console and the API show it.
   *
   * @param fromConfig defined by the config file (or {@code --blocklist}): read-only here
   * @param spec the document (for a config source, its settings in the same keys; URLs of
   *     config sources are shown without credentials or query)
   * @param custodianOnly a locked legal list or a legal override: list custodians only
   * @param listIds the lists it defines (one, or one per UT1 category)
   * @param problem why a stored source is not in force, or null
   */
  public record Source(String id, boolean fromConfig, ObjectNode spec, boolean custodianOnly,
      List<String> listIds, String problem, String createdAt, String createdBy,
      String updatedAt, String updatedBy) {}

  /**
   * The outcome of a stored change.
   *
   * @param changed false when the document was already stored exactly so (nothing written)
   * @param applied false when the list thread was busy: the change applies when it is free
   */
  public record Change(Source source, boolean created, boolean changed, boolean applied) {}

  public ListSourceService(AdminStore store, ListSourceReader reader) {
    this.store = store;
    this.reader = reader;
  }

  /**
   * Reads the stored sources, before the server's lists are loaded (so the saved versions of
   * run-time lists serve from the first query, without the network). A stored source that no
   * longer reads, or whose id the config file now uses, stays stored but out of service, and
   * {@link #all()} says why.
   *
   * @return the lists of the stored sources in force, in the order they were added
   */
  public synchronized List<ListSource> open() throws StoreException {
    Map<String, Entry> loaded = new LinkedHashMap<>();
    List<String[]> rows = store.read(c -> {
      List<String[]> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT id, spec, created_at, created_by,"
          + " updated_at, updated_by FROM list_sources ORDER BY rowid");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getString(5), rs.getString(6)});
        }
      }
      return out;
    });
    for (String[] r : rows) {
      String id = r[0];
      List<ListSource> in = List.of();
      boolean custodianOnly;
      String problem = null;
      JsonNode doc = null;
      try {
        doc = JSON.readTree(r[1]);
        ParsedSource p = reader.read(doc, false);
        custodianOnly = p.custodianOnly();
        if (!p.id().equals(id)) {
          problem = "the stored document's id is " + p.id();
        } else if (clashesWithConfig(p) != null) {
          problem = clashesWithConfig(p) + " (the config file's source serves; remove this one"
              + " or give it another id)";
        } else {
          in = p.lists();
        }
      } catch (JsonProcessingException e) {
        custodianOnly = true; // unreadable: treated with the care of a locked one
        problem = "the stored document is not JSON: " + e.getOriginalMessage();
      } catch (SourceRefusedException e) {
        custodianOnly = legalIn(doc);
        problem = (e.field() == null ? "" : e.field() + ": ") + e.getMessage();
      }
      if (problem != null) {
        log.error("list source {} from the admin store is not in force: {}", id, problem);
      }
      loaded.put(id, new Entry(r[1], in, custodianOnly, problem, r[2], r[3], r[4], r[5]));
    }
    stored = java.util.Collections.unmodifiableMap(loaded);
    return inForce();
  }

  /** Connects to the running server: every later change is handed to {@code lists}. */
  public synchronized void attach(ListOperations lists) {
    this.lists = lists;
  }

  /**
   * The documents of the stored sources in force, in the order they were added: what a fleet
   * node reads with its own config to load the same lists.
   */
  public List<String> storedDocuments() {
    List<String> out = new ArrayList<>();
    stored.values().forEach(e -> {
      if (e.problem() == null) {
        out.add(e.json());
      }
    });
    return out;
  }

  /** The lists of the stored sources in force, in the order they were added. */
  public List<ListSource> inForce() {
    List<ListSource> out = new ArrayList<>();
    stored.values().forEach(e -> out.addAll(e.lists()));
    return out;
  }

  /** Every source: the config file's first (read-only), then the stored ones as added. */
  public List<Source> all() {
    List<Source> out = new ArrayList<>();
    for (ListSource s : reader.configSources()) {
      out.add(configView(s));
    }
    stored.forEach((id, e) -> out.add(view(id, e)));
    return out;
  }

  /** One source by id (a stored one, else a config file list), or null. */
  public Source get(String id) {
    Entry e = stored.get(id);
    if (e != null) {
      return view(id, e);
    }
    for (ListSource s : reader.configSources()) {
      if (s.id().equals(id)) {
        return configView(s);
      }
    }
    return null;
  }

  /**
   * Whether {@code role} may add, change or remove a source ({@code custodianOnly}: a locked
   * legal list or a legal override, list custodians only; as for rolling locked lists back).
   */
  public static boolean mayManage(Role role, boolean custodianOnly) {
    return custodianOnly ? role == Role.LIST_CUSTODIAN : MANAGERS.contains(role);
  }

  /**
   * Creates or replaces a stored source.
   *
   * @param id the id from the address (create or replace), or null to create a new source with
   *     the document's id (or, without one, the id derived from the file name)
   * @throws SourceRefusedException nothing was stored: 400 invalid (naming the field), 403 not
   *     this role's to change, 409 the id is the config file's or (creating) already stored
   * @throws StoreException the database refused the write: nothing changed
   */
  public synchronized Change put(Principal who, String id, JsonNode body)
      throws SourceRefusedException, StoreException {
    if (!MANAGERS.contains(who.role())) {
      throw new SourceRefusedException(403, null, "the role " + who.role().id()
          + " may not change list sources");
    }
    if (!(body instanceof ObjectNode obj)) {
      throw SourceRefusedException.invalid(null, "the body must be a JSON object with the keys"
          + " of a lists.sources entry (id, path or url, format, category, ...)");
    }
    JsonNode given = obj.get("id");
    if (id != null && given != null && !given.asText().equals(id)) {
      throw SourceRefusedException.invalid("id", "the id in the body ('" + given.asText()
          + "') differs from the one in the address ('" + id + "')");
    }
    ObjectNode doc = JSON.createObjectNode();
    if (id != null) {
      doc.put("id", id);
    } else if (given != null) {
      doc.set("id", given);
    }
    obj.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("id")) {
        doc.set(f.getKey(), f.getValue());
      }
    });
    ParsedSource parsed = reader.read(doc, true);
    String key = parsed.id();
    if (!ID.matcher(key).matches()) {
      throw SourceRefusedException.invalid("id", "'" + key + "' cannot be the id of a run-time"
          + " source: lower-case letters, digits, '.', '_' and '-' (no '/'), at most 100");
    }
    if (!doc.has("id")) {
      ObjectNode withId = JSON.createObjectNode().put("id", key);
      withId.setAll(doc);
      doc.removeAll();
      doc.setAll(withId);
    }
    String clash = clashesWithConfig(parsed);
    if (clash != null) {
      throw new SourceRefusedException(409, "id", clash + "; config file sources are changed in"
          + " the config file");
    }
    Entry before = stored.get(key);
    if (before != null && id == null) {
      throw new SourceRefusedException(409, "id", "there is already a source '" + key + "';"
          + " PUT /api/v1/lists/sources/" + key + " changes it");
    }
    if (!mayManage(who.role(), parsed.custodianOnly() || before != null && before.custodianOnly())) {
      throw new SourceRefusedException(403, null, "only a list custodian may add, change or"
          + " remove the locked legal or legal-override source " + key);
    }
    String json = doc.toString();
    if (before != null && before.json().equals(json) && before.problem() == null) {
      return new Change(view(key, before), false, false, true);
    }
    String now = store.now().toString();
    store.transaction(c -> {
      if (before == null) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO list_sources(id, spec,"
            + " created_at, created_by, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, key);
          ps.setString(2, json);
          ps.setString(3, now);
          ps.setString(4, who.name());
          ps.setString(5, now);
          ps.setString(6, who.name());
          ps.executeUpdate();
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement("UPDATE list_sources SET spec = ?,"
            + " updated_at = ?, updated_by = ? WHERE id = ?")) {
          ps.setString(1, json);
          ps.setString(2, now);
          ps.setString(3, who.name());
          ps.setString(4, key);
          ps.executeUpdate();
        }
      }
      store.audit(c, who.name(), before == null ? "list_source.create" : "list_source.update",
          "list_source:" + key, before == null ? null : forAudit(before.json()), forAudit(json));
      return null;
    });
    Entry after = new Entry(json, parsed.lists(), parsed.custodianOnly(), null,
        before == null ? now : before.createdAt(), before == null ? who.name()
        : before.createdBy(), now, who.name());
    Map<String, Entry> next = new LinkedHashMap<>(stored);
    next.put(key, after);
    stored = java.util.Collections.unmodifiableMap(next);
    return new Change(view(key, after), before == null, true, apply());
  }

  /**
   * Removes a stored source: its lists leave service (and their saved versions are deleted).
   *
   * @return false when there is no stored source {@code id}
   * @throws SourceRefusedException 403 not this role's to remove, 409 a config file source
   */
  public synchronized boolean delete(Principal who, String id)
      throws SourceRefusedException, StoreException {
    if (!MANAGERS.contains(who.role())) {
      throw new SourceRefusedException(403, null, "the role " + who.role().id()
          + " may not change list sources");
    }
    Entry e = stored.get(id);
    if (e == null) {
      if (get(id) != null) {
        throw new SourceRefusedException(409, "id", "the list " + id + " is defined in the"
            + " config file; remove it there");
      }
      return false;
    }
    if (!mayManage(who.role(), e.custodianOnly())) {
      throw new SourceRefusedException(403, null, "only a list custodian may add, change or"
          + " remove the locked legal or legal-override source " + id);
    }
    store.transaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM list_sources WHERE id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      store.audit(c, who.name(), "list_source.delete", "list_source:" + id,
          forAudit(e.json()), null);
      return null;
    });
    Map<String, Entry> next = new LinkedHashMap<>(stored);
    next.remove(id);
    stored = java.util.Collections.unmodifiableMap(next);
    apply();
    return true;
  }

  private boolean apply() {
    if (lists == null) {
      return false;
    }
    try {
      return lists.applyStoredSources(inForce());
    } catch (RuntimeException e) {
      // Stored and audited already: the next start (or change) puts it in force.
      log.error("list sources stored but not applied: {}", e.getMessage());
      return false;
    }
  }

  /** Why {@code p} may not be stored next to the config file's sources, or null. */
  private String clashesWithConfig(ParsedSource p) {
    Set<String> taken = new HashSet<>();
    for (ListSource s : reader.configSources()) {
      String cid = s.id();
      taken.add(cid);
      for (int i = cid.indexOf('/'); i > 0; i = cid.indexOf('/', i + 1)) {
        taken.add(cid.substring(0, i));
      }
      if (cid.startsWith(p.id() + "/")) {
        taken.add(p.id());
      }
    }
    if (taken.contains(p.id())) {
      return "the id " + p.id() + " is used by the config file";
    }
    for (ListSource l : p.lists()) {
      if (taken.contains(l.id())) {
        return "the list id " + l.id() + " is used by the config file";
      }
    }
    return null;
  }

  /** Whether an unreadable document at least says locked or legal_override. */
  private static boolean legalIn(JsonNode doc) {
    for (String k : List.of("locked", "legal_override")) {
      JsonNode l = doc == null ? null : doc.get(k);
      if (l != null && (l.asBoolean(false) || Set.of("true", "yes", "on")
          .contains(l.asText().trim().toLowerCase(Locale.ROOT)))) {
        return true;
      }
    }
    return false;
  }

  private Source view(String id, Entry e) {
    ObjectNode spec;
    try {
      spec = JSON.readTree(e.json()) instanceof ObjectNode o ? o : JSON.createObjectNode();
    } catch (JsonProcessingException ex) {
      spec = JSON.createObjectNode();
    }
    return new Source(id, false, spec, e.custodianOnly(), e.lists().stream().map(ListSource::id)
        .toList(), e.problem(), e.createdAt(), e.createdBy(), e.updatedAt(), e.updatedBy());
  }

  private static Source configView(ListSource s) {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("id", s.id());
    spec.put(s.isHttp() ? "url" : "path", s.isHttp() ? ListCatalog.redacted(s.location())
        : s.location());
    spec.put("format", s.format().name().toLowerCase(Locale.ROOT));
    if (s.category() != null) {
      spec.put("category", s.category());
    }
    if (s.locked()) {
      spec.put("locked", true);
    }
    if (s.legalOverride()) {
      spec.put("legal_override", true);
    }
    spec.put("refresh", duration(s.refresh()));
    if (s.sha256() != null) {
      spec.put("sha256", s.sha256());
    }
    if (s.signatureUrl() != null) {
      spec.put("signature_url", ListCatalog.redacted(s.signatureUrl()));
    }
    if (s.caFile() != null) {
      spec.put("ca_file", s.caFile());
    }
    return new Source(s.id(), true, spec, s.locked() || s.legalOverride(), List.of(s.id()), null,
        null, null, null, null);
  }

  /** {@code 6h}, {@code 10s}, {@code 1500ms}: as the config file writes durations. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /**
   * {@code spec} with the credentials and query of its URLs replaced (list providers put access
   * tokens there): what the audit log keeps, and what roles that may not change the source see.
   */
  public static ObjectNode redacted(ObjectNode spec) {
    ObjectNode copy = spec.deepCopy();
    for (String k : List.of("url", "signature_url")) {
      JsonNode v = copy.get(k);
      if (v != null && v.isTextual()) {
        copy.put(k, ListCatalog.redacted(v.asText()));
      }
    }
    return copy;
  }

  private static String forAudit(String json) {
    try {
      return JSON.readTree(json) instanceof ObjectNode o ? redacted(o).toString() : json;
    } catch (JsonProcessingException e) {
      return json;
    }
  }
}
