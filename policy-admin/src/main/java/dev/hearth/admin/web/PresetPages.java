package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.policy.Preset;
import dev.hearth.admin.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Presets in the console: the built-in ones and the operator's, with forms to add a preset,
 * adjust one (a built-in included: the change is stored under the built-in's id and replaces it
 * until removed) and delete one. Operators read, administrators change; every change goes
 * through {@link PolicyService}, so it is validated by the same reader as the built-in presets,
 * audited, and the profiles built from the preset change on the next query.
 */
final class PresetPages {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<Role> OPERATORS = Set.of(Role.ADMINISTRATOR, Role.SUPPORT,
      Role.APPEALS_REVIEWER, Role.LIST_CUSTODIAN);
  private static final java.util.regex.Pattern ID_PATTERN =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private final WebPages pages;
  private final PolicyService policy;

  PresetPages(WebPages pages, PolicyService policy) {
    this.pages = pages;
    this.policy = policy;
  }

  void register(JavalinConfig config) {
    config.routes.get("/admin/presets", ctx -> list(ctx, null, null, 200));
    config.routes.post("/admin/presets", this::create);
    config.routes.get("/admin/presets/{id}", ctx -> edit(ctx, null, null));
    config.routes.post("/admin/presets/{id}", this::save);
    config.routes.post("/admin/presets/{id}/delete", this::delete);
  }

  private Preset find(String id) {
    for (Preset p : policy.presets()) {
      if (p.id().equals(id)) {
        return p;
      }
    }
    return null;
  }

  private String source(Ui ui, String id) {
    boolean stored = policy.get(Kind.PRESET, id) != null;
    if (policy.builtInPreset(id)) {
      return ui.t(stored ? "presets.source.adjusted" : "presets.source.builtin");
    }
    return ui.t("presets.source.store");
  }

  private void list(Context ctx, String error, String ok, int status) {
    Sessions.Session s = pages.require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    StringBuilder b = new StringBuilder(Ui.notice("error", error)).append(Ui.notice("ok", ok));
    b.append("<p>").append(ui.te("presets.intro")).append("</p>");
    b.append("<table><caption>").append(ui.te("presets.caption")).append("</caption><thead><tr>")
        .append("<th scope=\"col\">").append(ui.te("col.id")).append("</th><th scope=\"col\">")
        .append(ui.te("col.name")).append("</th><th scope=\"col\">")
        .append(ui.te("presets.col.categories")).append("</th><th scope=\"col\">")
        .append(ui.te("col.source")).append("</th></tr></thead><tbody>");
    for (Preset p : policy.presets()) {
      b.append("<tr><td><a href=\"/admin/presets/").append(Ui.esc(p.id())).append("\">")
          .append(Ui.esc(p.id())).append("</a></td><td>").append(Ui.esc(p.name()))
          .append("</td><td>").append(p.categories().size()).append("</td><td>")
          .append(Ui.esc(source(ui, p.id()))).append("</td></tr>");
    }
    b.append("</tbody></table>");
    if (s.principal.role() == Role.ADMINISTRATOR) {
      List<String[]> options = new ArrayList<>();
      options.add(new String[] {"", ui.t("presets.from.none")});
      policy.presets().forEach(p -> options.add(new String[] {p.id(), p.name()}));
      b.append("<h2>").append(ui.te("presets.new")).append("</h2><form method=\"post\"")
          .append(" action=\"/admin/presets\">").append(ui.csrfField())
          .append(ui.input("id", "col.id", "", "text", null,
              "required pattern=\"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\""))
          .append(ui.input("name", "profile.name", "", "text", null,
              "required maxlength=\"100\""))
          .append(ui.select("from", "profiles.preset", options, ""))
          .append(ui.submit("profiles.create"));
    }
    ctx.status(status).html(ui.page(ui.t("presets.title"), WebPages.CONSOLE_NAV,
        b.toString()));
  }

  private void create(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = param(ctx, "id");
    if (!ID_PATTERN.matcher(id).matches()) {
      list(ctx, ui.t("error.id", id), null, 400);
      return;
    }
    if (find(id) != null) {
      list(ctx, ui.t("presets.exists", id), null, 400);
      return;
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("name", param(ctx, "name"));
    Preset from = find(param(ctx, "from"));
    if (from != null) {
      doc.put("block_bypass", from.blockBypass());
      if (!from.categories().isEmpty()) {
        ArrayNode cats = doc.putArray("block_categories");
        new TreeSet<>(from.categories()).forEach(cats::add);
      }
    }
    try {
      policy.put(s.principal, Kind.PRESET, id, doc);
    } catch (InvalidPolicyException e) {
      list(ctx, PolicyService.describe(e), null, 400);
      return;
    }
    ctx.redirect("/admin/presets/" + id);
  }

  /** The edit form, filled from {@code submitted} (after an error) or the preset in force. */
  private void edit(Context ctx, JsonNode submitted, String error) {
    Sessions.Session s = pages.require(ctx, OPERATORS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.pathParam("id");
    Preset p = find(id);
    if (p == null) {
      ctx.status(404).html(ui.page(ui.t("notfound.title"), WebPages.CONSOLE_NAV,
          "<p>" + ui.te("presets.notfound", id) + "</p>"));
      return;
    }
    String name = submitted != null ? submitted.path("name").asText("") : p.name();
    boolean bypass = submitted != null ? submitted.path("block_bypass").asBoolean(false)
        : p.blockBypass();
    Set<String> blocked = submitted != null
        ? new TreeSet<>(ProfileForm.strings(submitted.get("block_categories")))
        : new TreeSet<>(p.categories());
    Set<String> known = pages.knownCategories();
    Set<String> all = new TreeSet<>(known);
    all.addAll(blocked);
    boolean admin = s.principal.role() == Role.ADMINISTRATOR;
    boolean stored = policy.get(Kind.PRESET, id) != null;
    StringBuilder b = new StringBuilder(Ui.notice("error", error));
    if (error == null && ctx.queryParam("saved") != null) {
      b.append(Ui.notice("ok", ui.t("presets.saved")));
    }
    b.append("<p>").append(ui.te("presets.source")).append(" ").append(Ui.esc(source(ui, id)))
        .append("</p>");
    b.append("<form method=\"post\" action=\"/admin/presets/").append(Ui.esc(id)).append("\">")
        .append(ui.csrfField())
        .append(ui.input("name", "profile.name", name, "text", null,
            "required maxlength=\"100\""))
        .append("<fieldset><legend>").append(ui.te("profile.categories")).append("</legend>")
        .append("<p class=\"hint\">").append(ui.te("profile.categories.hint")).append("</p>")
        .append("<div class=\"checks\">");
    for (String c : all) {
      String cid = "cat-" + c.replaceAll("[^A-Za-z0-9_-]", "_");
      b.append("<span><input type=\"checkbox\" id=\"").append(cid).append("\" name=\"category\"")
          .append(" value=\"").append(Ui.esc(c)).append("\"")
          .append(blocked.contains(c) ? " checked" : "").append("> <label for=\"").append(cid)
          .append("\">").append(Ui.esc(c)).append("</label></span>");
    }
    b.append("</div>")
        .append(ui.textarea("other_categories", "presets.other", List.of(), "presets.other.hint"))
        .append("</fieldset>")
        .append("<p class=\"field\"><input type=\"checkbox\" id=\"f-block_bypass\"")
        .append(" name=\"block_bypass\" value=\"true\"").append(bypass ? " checked" : "")
        .append("> <label for=\"f-block_bypass\">").append(ui.te("profile.bypass"))
        .append("</label></p>");
    if (admin) {
      b.append("<p><button type=\"submit\">").append(ui.te("save")).append("</button></p>");
    }
    b.append("</form>");
    if (admin && stored) {
      b.append("<form method=\"post\" action=\"/admin/presets/").append(Ui.esc(id))
          .append("/delete\">").append(ui.csrfField())
          .append(ui.submit(policy.builtInPreset(id) ? "presets.restore" : "presets.delete"));
    }
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("presets.edit.title", id),
        WebPages.CONSOLE_NAV, b.toString()));
  }

  private void save(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    String id = ctx.pathParam("id");
    if (find(id) == null) {
      edit(ctx, null, null); // the 404 page
      return;
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("name", param(ctx, "name"));
    doc.put("block_bypass", "true".equals(ctx.formParam("block_bypass")));
    Set<String> cats = new LinkedHashSet<>();
    for (String c : ctx.formParams("category")) {
      if (!c.isBlank()) {
        cats.add(c.trim());
      }
    }
    String other = ctx.formParam("other_categories");
    if (other != null) {
      for (String c : other.split("[\\s,]+")) {
        if (!c.isBlank()) {
          cats.add(c.trim());
        }
      }
    }
    if (!cats.isEmpty()) {
      ArrayNode a = doc.putArray("block_categories");
      new TreeSet<>(cats).forEach(a::add);
    }
    try {
      policy.put(s.principal, Kind.PRESET, id, doc);
    } catch (InvalidPolicyException e) {
      edit(ctx, doc, PolicyService.describe(e));
      return;
    }
    ctx.redirect("/admin/presets/" + id + "?saved=1");
  }

  private void delete(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.pathParam("id");
    boolean builtIn = policy.builtInPreset(id);
    try {
      if (!policy.delete(s.principal, Kind.PRESET, id)) {
        list(ctx, ui.t(builtIn ? "presets.builtin.delete" : "presets.notfound", id), null, 400);
        return;
      }
    } catch (InvalidPolicyException e) {
      list(ctx, PolicyService.describe(e), null, 400);
      return;
    }
    list(ctx, null, ui.t(builtIn ? "presets.restored" : "deleted", id), 200);
  }

  private static String param(Context ctx, String name) {
    String v = ctx.formParam(name);
    return v == null ? "" : v.trim();
  }
}
