package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.lists.ListSourceService;
import dev.hearth.admin.lists.SourceRefusedException;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.StoreException;
import dev.hearth.blocklists.ListCatalog;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Block lists in the console: freshness (version, entries, last update and its age, last
 * error), the update log with each update's added, removed and rejected counts, "refresh now"
 * and rollback, and the sources: the config file's (read-only) and those added here, with forms
 * to add, change and remove them. Locked legal lists show counts only, and only a list
 * custodian may roll one back or add, change or remove its source; every action is
 * audit-logged.
 */
final class ListPages {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<Role> MANAGERS = Set.of(Role.ADMINISTRATOR, Role.LIST_CUSTODIAN);
  private static final List<String> FORMATS = List.of("auto", "domains", "hosts", "adblock",
      "rpz", "urls", "ut1");
  /**
   * The source form's text fields, in order: the document's keys, except {@code source_id} for
   * {@code id} (the rollback form on the same page has an {@code id} field) and {@code location}
   * for {@code path} or {@code url} (told apart by the scheme).
   */
  private static final List<String> TEXT_FIELDS = List.of("source_id", "location", "category",
      "categories", "refresh", "sha256", "ca_file", "signature_url");

  private final WebPages pages;
  private final ListOperations lists;
  private final PolicyService policy;
  private final ListSourceService sources;

  /** @param sources the run-time sources, or null: the config file's only, no forms */
  ListPages(WebPages pages, ListOperations lists, PolicyService policy,
      ListSourceService sources) {
    this.pages = pages;
    this.lists = lists;
    this.policy = policy;
    this.sources = sources;
  }

  void register(JavalinConfig config) {
    config.routes.get("/admin/lists", ctx -> page(ctx, null, null));
    config.routes.post("/admin/lists/refresh", this::refresh);
    config.routes.post("/admin/lists/rollback", this::rollback);
    if (sources != null) {
      config.routes.post("/admin/lists/sources", this::saveSource);
      config.routes.post("/admin/lists/sources/delete", this::deleteSource);
    }
  }

  /** What the source form shows: values by field, the field at fault, create or replace. */
  private record SourceForm(Map<String, String> values, boolean replace, String errorField,
      String error) {}

  /** Whether {@code role} may roll back list {@code s} (locked lists: custodians only). */
  static boolean mayRollBack(Role role, ListCatalog.Status s) {
    return s.locked() ? role == Role.LIST_CUSTODIAN : MANAGERS.contains(role);
  }

  private void page(Context ctx, String error, String ok) {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR, Role.SUPPORT,
        Role.APPEALS_REVIEWER, Role.LIST_CUSTODIAN));
    if (s == null) {
      return;
    }
    render(ctx, s, error, ok, null, error == null ? 200 : 400);
  }

  private void render(Context ctx, Sessions.Session s, String error, String ok, SourceForm form,
      int status) {
    Ui ui = Ui.of(ctx, s);
    Instant now = Instant.now();
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    b.append("<table><caption>").append(ui.te("lists.caption")).append("</caption><thead><tr>");
    for (String c : List.of("col.id", "col.category", "col.entries", "col.version",
        "lists.updated", "lists.checked", "lists.error")) {
      b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (ListCatalog.Status st : lists.status()) {
      b.append("<tr><td>").append(Ui.esc(st.id())).append("</td><td>")
          .append(Ui.esc(st.category() == null ? "" : st.category()))
          .append(st.locked() ? " (" + ui.te("locked") + ")" : "").append("</td><td>")
          .append(st.entries()).append("</td><td>")
          .append(Ui.esc(st.version() == null ? ui.t("lists.none") : st.version()))
          .append("</td><td>").append(Ui.esc(age(ui, st.lastUpdate(), now))).append("</td><td>")
          .append(Ui.esc(age(ui, st.lastCheck(), now))).append("</td><td>")
          .append(Ui.esc(st.lastError() == null ? "" : st.lastError())).append("</td></tr>");
    }
    b.append("</tbody></table>");
    Role role = s.principal.role();
    if (sources != null) {
      b.append(sourcesSection(ui, role, form == null ? editForm(ctx, role) : form));
    }
    if (MANAGERS.contains(role)) {
      b.append("<form method=\"post\" action=\"/admin/lists/refresh\">").append(ui.csrfField())
          .append("<p><button type=\"submit\">").append(ui.te("lists.refresh"))
          .append("</button></p></form><form method=\"post\" action=\"/admin/lists/rollback\">")
          .append(ui.csrfField())
          .append(ui.input("id", "lists.rollback.id", "", "text", null, "required"))
          .append(ui.submit("lists.rollback"));
    }
    b.append("<h2>").append(ui.te("lists.log")).append("</h2><ol class=\"log\">");
    List<String> log = lists.recentUpdates(50);
    for (int i = log.size() - 1; i >= 0; i--) {
      b.append("<li><code>").append(Ui.esc(log.get(i))).append("</code></li>");
    }
    b.append("</ol>");
    ctx.status(status).html(ui.page(ui.t("lists.title"), WebPages.CONSOLE_NAV, b.toString()));
  }

  /** The sources table (everyone), then for managers the add or change form. */
  private String sourcesSection(Ui ui, Role role, SourceForm form) {
    StringBuilder b = new StringBuilder("<h2 id=\"sources\">").append(ui.te("sources.title"))
        .append("</h2><p>").append(ui.te("sources.intro")).append("</p><table><caption>")
        .append(ui.te("sources.caption")).append("</caption><thead><tr>");
    for (String c : List.of("col.id", "col.source", "sources.col.location", "sources.format",
        "col.category", "sources.col.refresh", "sources.col.state")) {
      b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
    }
    boolean manager = MANAGERS.contains(role);
    if (manager) {
      b.append("<th scope=\"col\">").append(ui.te("sources.col.actions")).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (ListSourceService.Source src : sources.all()) {
      boolean editable = !src.fromConfig()
          && ListSourceService.mayManage(role, src.custodianOnly());
      JsonNode spec = editable ? src.spec() : ListSourceService.redacted(src.spec());
      String location = spec.hasNonNull("url") ? spec.get("url").asText()
          : spec.path("path").asText("");
      String category = spec.hasNonNull("categories") ? String.join(", ",
          ProfileForm.strings(spec.get("categories"))) : spec.path("category").asText("");
      String state = src.problem() != null ? ui.t("sources.notinforce", src.problem())
          : src.custodianOnly() ? ui.t("locked") : "";
      b.append("<tr><td>").append(Ui.esc(src.id())).append("</td><td>")
          .append(ui.te(src.fromConfig() ? "sources.fromconfig" : "source.store"))
          .append("</td><td>").append(Ui.esc(location)).append("</td><td>")
          .append(Ui.esc(spec.path("format").asText("auto"))).append("</td><td>")
          .append(Ui.esc(category)).append("</td><td>")
          .append(Ui.esc(spec.path("refresh").asText(""))).append("</td><td>")
          .append(Ui.esc(state)).append("</td>");
      if (manager) {
        b.append("<td>");
        if (editable) {
          b.append("<a href=\"/admin/lists?edit=").append(Ui.esc(src.id()))
              .append("#source-form\">").append(ui.te("sources.edit", src.id()))
              .append("</a><form method=\"post\" action=\"/admin/lists/sources/delete\">")
              .append(ui.csrfField()).append("<input type=\"hidden\" name=\"id\" value=\"")
              .append(Ui.esc(src.id())).append("\"><button type=\"submit\">")
              .append(ui.te("sources.remove", src.id())).append("</button></form>");
        }
        b.append("</td>");
      }
      b.append("</tr>");
    }
    b.append("</tbody></table>");
    if (manager) {
      b.append(sourceForm(ui, role, form));
    }
    return b.toString();
  }

  /** The form prefilled from {@code ?edit=ID} (a stored source this role may change), or empty. */
  private SourceForm editForm(Context ctx, Role role) {
    String id = ctx.queryParam("edit");
    ListSourceService.Source src = id == null ? null : sources.get(id);
    if (src == null || src.fromConfig() || !ListSourceService.mayManage(role,
        src.custodianOnly())) {
      return new SourceForm(Map.of(), false, null, null);
    }
    JsonNode spec = src.spec();
    Map<String, String> v = new LinkedHashMap<>();
    v.put("source_id", src.id());
    v.put("location", spec.hasNonNull("url") ? spec.get("url").asText()
        : spec.path("path").asText(""));
    for (String k : List.of("format", "category", "refresh", "sha256", "ca_file",
        "signature_url", "public_key", "locked", "legal_override")) {
      if (spec.hasNonNull(k)) {
        v.put(k, spec.get(k).asText());
      }
    }
    if (spec.hasNonNull("categories")) {
      v.put("categories", String.join(", ", ProfileForm.strings(spec.get("categories"))));
    }
    return new SourceForm(v, true, null, null);
  }

  private String sourceForm(Ui ui, Role role, SourceForm form) {
    Map<String, String> v = form.values();
    StringBuilder b = new StringBuilder("<h2 id=\"source-form\">")
        .append(form.replace() ? ui.te("sources.change", v.getOrDefault("source_id", ""))
            : ui.te("sources.add")).append("</h2>")
        .append(Ui.notice("error", form.error()))
        .append("<form method=\"post\" action=\"/admin/lists/sources\">").append(ui.csrfField())
        .append("<input type=\"hidden\" name=\"mode\" value=\"")
        .append(form.replace() ? "replace" : "create").append("\">");
    for (String f : TEXT_FIELDS) {
      String extra = f.equals("location") ? "required"
          : f.equals("source_id") && form.replace() ? "readonly" : null;
      b.append(ui.input(f, "sources." + f.replace("source_", ""), v.getOrDefault(f, ""), "text",
          f.equals(form.errorField()) ? form.error() : null, extra));
      if (f.equals("location")) {
        List<String[]> options = new java.util.ArrayList<>();
        for (String fmt : FORMATS) {
          options.add(new String[] {fmt, ui.t("format." + fmt)});
        }
        b.append(ui.select("format", "sources.format", options,
            v.getOrDefault("format", "auto")));
      }
    }
    b.append(ui.textarea("public_key", "sources.public_key",
        v.containsKey("public_key") ? List.of(v.get("public_key")) : List.of(), null));
    if (role == Role.LIST_CUSTODIAN) {
      for (String f : List.of("locked", "legal_override")) {
        b.append("<p class=\"field\"><input type=\"checkbox\" id=\"f-").append(f)
            .append("\" name=\"").append(f).append("\" value=\"true\"")
            .append("true".equals(v.get(f)) ? " checked" : "").append("> <label for=\"f-")
            .append(f).append("\">").append(ui.te("sources." + f)).append("</label></p>");
      }
    }
    return b.append(ui.submit("sources.save")).toString();
  }

  /** Adds or replaces a run-time source from the form: the same checks as the API. */
  private void saveSource(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, MANAGERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    boolean replace = "replace".equals(ctx.formParam("mode"));
    Map<String, String> v = new LinkedHashMap<>();
    for (String f : TEXT_FIELDS) {
      String t = ctx.formParam(f);
      if (t != null && !t.isBlank()) {
        v.put(f, t.trim());
      }
    }
    for (String f : List.of("format", "public_key", "locked", "legal_override")) {
      String t = ctx.formParam(f);
      if (t != null && !t.isBlank()) {
        v.put(f, t.trim());
      }
    }
    ObjectNode doc = JSON.createObjectNode();
    if (v.containsKey("source_id")) {
      doc.put("id", v.get("source_id"));
    }
    String location = v.getOrDefault("location", "");
    doc.put(location.regionMatches(true, 0, "http://", 0, 7)
        || location.regionMatches(true, 0, "https://", 0, 8) ? "url" : "path", location);
    for (String k : List.of("format", "category", "refresh", "sha256", "ca_file",
        "signature_url", "public_key")) {
      if (v.containsKey(k)) {
        doc.put(k, v.get(k));
      }
    }
    if (v.containsKey("categories")) {
      var arr = doc.putArray("categories");
      for (String c : v.get("categories").split("[,\\s]+")) {
        if (!c.isEmpty()) {
          arr.add(c);
        }
      }
    }
    for (String k : List.of("locked", "legal_override")) {
      if ("true".equals(v.get(k))) {
        doc.put(k, true);
      }
    }
    try {
      ListSourceService.Change ch = sources.put(s.principal,
          replace ? v.getOrDefault("source_id", "") : null, doc);
      String id = ch.source().id();
      String ok = ui.t(ch.applied() ? "sources.saved" : "sources.saved.queued", id);
      String error = null;
      for (String listId : ch.source().listIds()) {
        ListCatalog.Status st = lists.status().stream().filter(x -> x.id().equals(listId))
            .findFirst().orElse(null);
        if (ch.applied() && st != null && st.version() == null) {
          error = ui.t("sources.saved.failed", id, listId, st.lastError() == null ? ""
              : st.lastError());
          ok = null;
        }
      }
      render(ctx, s, error, ok, null, 200);
    } catch (SourceRefusedException e) {
      String field = e.field() == null ? null : e.field().replaceAll("\\[.*$", "")
          .replaceAll("^(path|url)$", "location").replaceAll("^id$", "source_id");
      String message = (e.field() == null ? "" : e.field() + ": ") + e.getMessage();
      render(ctx, s, null, null, new SourceForm(v, replace,
          TEXT_FIELDS.contains(field) ? field : null, message), e.status());
    }
  }

  private void deleteSource(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, MANAGERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.formParam("id") == null ? "" : ctx.formParam("id").trim();
    try {
      if (sources.delete(s.principal, id)) {
        render(ctx, s, null, ui.t("sources.removed", id), null, 200);
      } else {
        render(ctx, s, ui.t("sources.none", id), null, null, 404);
      }
    } catch (SourceRefusedException e) {
      render(ctx, s, e.getMessage(), null, null, e.status());
    }
  }

  static String age(Ui ui, Instant when, Instant now) {
    if (when == null) {
      return ui.t("lists.never");
    }
    Duration d = Duration.between(when, now);
    String ago = d.toDays() > 0 ? d.toDays() + " d" : d.toHours() > 0 ? d.toHours() + " h"
        : d.toMinutes() + " min";
    return ui.t("lists.ago", when.toString(), ago);
  }

  private void refresh(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, MANAGERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    policy.auditOnly(s.principal, "lists.refresh", "lists", null);
    boolean changed = lists.refreshNow();
    page(ctx, null, ui.t(changed ? "lists.refreshed.changed" : "lists.refreshed.same"));
  }

  private void rollback(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, MANAGERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.formParam("id") == null ? "" : ctx.formParam("id").trim();
    String problem = rollback(s.principal, id);
    if (problem != null) {
      page(ctx, problem, null);
      return;
    }
    page(ctx, null, ui.t("lists.rolledback", id));
  }

  /** Checks, audits and rolls back; returns why not, or null when done. */
  String rollback(Principal who, String id) throws StoreException {
    ListCatalog.Status st = lists.status().stream().filter(x -> x.id().equals(id)).findFirst()
        .orElse(null);
    if (st == null) {
      return "no list with id " + id;
    }
    if (!mayRollBack(who.role(), st)) {
      return "only a list custodian may roll back the locked list " + id;
    }
    if (!st.canRollBack()) {
      return "list " + id + " has no previous version to roll back to";
    }
    policy.auditOnly(who, "lists.rollback", "list:" + id,
        JSON.createObjectNode().put("from_version", st.version()).toString());
    try {
      lists.rollback(id);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return null;
  }
}
