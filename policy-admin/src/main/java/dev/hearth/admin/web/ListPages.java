package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.StoreException;
import dev.hearth.blocklists.ListCatalog;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Block lists in the console: freshness (version, entries, last update and its age, last
 * error), the update log with each update's added, removed and rejected counts, "refresh now"
 * and rollback. Locked legal lists show counts only, and only a list custodian may roll one
 * back; every action is audit-logged before it runs.
 */
final class ListPages {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Set<Role> MANAGERS = Set.of(Role.ADMINISTRATOR, Role.LIST_CUSTODIAN);

  private final WebPages pages;
  private final ListOperations lists;
  private final PolicyService policy;

  ListPages(WebPages pages, ListOperations lists, PolicyService policy) {
    this.pages = pages;
    this.lists = lists;
    this.policy = policy;
  }

  void register(JavalinConfig config) {
    config.routes.get("/admin/lists", ctx -> page(ctx, null, null));
    config.routes.post("/admin/lists/refresh", this::refresh);
    config.routes.post("/admin/lists/rollback", this::rollback);
  }

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
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("lists.title"), WebPages.CONSOLE_NAV,
        b.toString()));
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
