package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.appeals.Appeal;
import dev.hearth.admin.appeals.AppealException;
import dev.hearth.admin.appeals.Appeals;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.store.StoreException;
import dev.hearth.resolver.policy.PolicyDecision;
import dev.hearth.resolver.policy.PolicyStage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appeals on the web: the public form ({@code /appeal}), the e-mail confirmation, the status page
 * with follow-ups ({@code /appeal/<ticket>}), and the reviewers' queue in the console
 * ({@code /admin/appeals}). Public forms carry a double-submit token (cookie and field), as the
 * sign-in form does, since there is no session; they take no file uploads, on purpose.
 */
final class AppealPages {
  private static final Logger LOG = LoggerFactory.getLogger(AppealPages.class);
  private static final String FORM_COOKIE = "hearth_form";
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
  static final Set<Role> VIEWERS = Set.of(Role.ADMINISTRATOR, Role.APPEALS_REVIEWER,
      Role.SUPPORT);
  static final Set<Role> REVIEWERS = Set.of(Role.ADMINISTRATOR, Role.APPEALS_REVIEWER);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebPages pages;
  private final Appeals appeals;
  private final PolicyStage stage;
  private final Clock clock;

  AppealPages(WebPages pages, Appeals appeals, PolicyStage stage, Clock clock) {
    this.pages = pages;
    this.appeals = appeals;
    this.stage = stage;
    this.clock = clock;
  }

  /** The public routes (also on the block-page listener). */
  void registerPublic(JavalinConfig config) {
    config.routes.get("/appeal", ctx -> form(ctx, null, null, 200));
    config.routes.post("/appeal", this::submit);
    config.routes.get("/appeal/confirm", this::confirmForm);
    config.routes.post("/appeal/confirm", this::confirm);
    config.routes.get("/appeal/{ticket}", ctx -> status(ctx, null, 200));
    config.routes.post("/appeal/{ticket}/follow-up", this::followUp);
    config.routes.post("/appeal/{ticket}/prove", this::prove);
  }

  /** The console's queue and actions. */
  void registerConsole(JavalinConfig config) {
    config.routes.get("/admin/appeals", this::queue);
    config.routes.get("/admin/appeals/{ticket}", ctx -> review(ctx, null, 200));
    config.routes.post("/admin/appeals/{ticket}/{action}", this::act);
  }

  // --- public form ---

  /** The hidden field of a public form; one token per page, however many forms it has. */
  private String formToken(Context ctx) {
    String token = ctx.attribute(FORM_COOKIE);
    if (token != null) {
      return "<input type=\"hidden\" name=\"_form\" value=\"" + Ui.esc(token) + "\">";
    }
    token = Sessions.randomToken();
    ctx.attribute(FORM_COOKIE, token);
    ctx.cookie(new Cookie(FORM_COOKIE, token, "/appeal", 3600, Sessions.secure(ctx), true, null,
        SameSite.STRICT));
    return "<input type=\"hidden\" name=\"_form\" value=\"" + Ui.esc(token) + "\">";
  }

  private static boolean formTokenMatches(Context ctx) {
    String cookie = ctx.cookie(FORM_COOKIE);
    String field = ctx.formParam("_form");
    return cookie != null && field != null && java.security.MessageDigest.isEqual(
        cookie.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII));
  }

  private void form(Context ctx, AppealException error, Map<String, List<String>> given,
      int status) {
    Ui ui = Ui.of(ctx, null);
    String field = error == null ? null : error.field();
    String msg = error == null ? null : error.getMessage();
    StringBuilder b = new StringBuilder("<p>").append(ui.te("appeal.intro",
        PublicPages.hours(appeals.settings().decideWithin()))).append("</p>")
        .append("<p class=\"hint\">").append(ui.te("appeal.nofiles")).append("</p>");
    if (error != null && field == null) {
      b.append(Ui.notice("error", msg));
    }
    b.append("<form method=\"post\" action=\"/appeal\">").append(formToken(ctx))
        .append(ui.input("name", "appeal.name", value(ctx, given, "name"), "text",
            "name".equals(field) ? msg : null, "required maxlength=\"2000\""))
        .append(ui.input("reason", "appeal.reason", value(ctx, given, "reason"), "text",
            null, "maxlength=\"300\""))
        .append(ui.select("role", "appeal.role", List.of(
            new String[] {"webmaster", ui.t("appeal.role.webmaster")},
            new String[] {"user", ui.t("appeal.role.user")},
            new String[] {"parent", ui.t("appeal.role.parent")},
            new String[] {"other", ui.t("appeal.role.other")}), value(ctx, given, "role")))
        .append(ui.input("email", "appeal.email", value(ctx, given, "email"), "email",
            "email".equals(field) ? msg : null, "required maxlength=\"254\""
                + " autocomplete=\"email\""))
        .append("<p class=\"field\"><label for=\"f-message\">").append(ui.te("appeal.message"))
        .append("</label>");
    if ("message".equals(field)) {
      b.append("<span class=\"error\" id=\"f-message-err\">").append(Ui.esc(msg))
          .append("</span>");
    }
    b.append("<textarea id=\"f-message\" name=\"message\" rows=\"6\" maxlength=\"4000\""
        + " required").append("message".equals(field)
            ? " aria-invalid=\"true\" aria-describedby=\"f-message-err\"" : "").append(">")
        .append(Ui.esc(value(ctx, given, "message"))).append("</textarea></p>")
        .append(ui.input("category", "appeal.category", value(ctx, given, "category"), "text",
            "category".equals(field) ? msg : null, "maxlength=\"64\""))
        // The honeypot: hidden from people and assistive technology, filled in by bots.
        .append("<p class=\"hp\" aria-hidden=\"true\"><label for=\"f-website\">Website</label>"
            + "<input id=\"f-website\" name=\"website\" type=\"text\" tabindex=\"-1\""
            + " autocomplete=\"off\"></p>")
        .append(ui.submit("appeal.submit"));
    ctx.status(status).html(ui.page(ui.t("appeal.title"), PublicPages.NAV, b.toString()));
  }

  private static String value(Context ctx, Map<String, List<String>> given, String key) {
    if (given != null) {
      List<String> v = given.get(key);
      return v == null || v.isEmpty() ? "" : v.get(0);
    }
    String q = ctx.queryParam(key);
    return q == null ? "" : q;
  }

  private void submit(Context ctx) throws StoreException {
    Map<String, List<String>> f = ctx.formParamMap();
    if (!formTokenMatches(ctx)) {
      form(ctx, new AppealException(403, null, Ui.of(ctx, null).t("appeal.expired")), f, 403);
      return;
    }
    Appeals.Filed filed;
    try {
      filed = appeals.file(new Appeals.Submission(first(f, "name"), first(f, "reason"),
          first(f, "role"), first(f, "email"), first(f, "message"), first(f, "category"),
          first(f, "website")), ctx.ip());
    } catch (AppealException e) {
      if (e.status() == 429) {
        ctx.header("Retry-After", "3600");
      }
      form(ctx, e, f, e.status());
      return;
    } catch (StoreException e) {
      // The operator reads the store's reason in the log; the visitor gets their form back,
      // filled in, with a plain "nothing was filed, try again later".
      LOG.error("appeal not saved: {}", e.getMessage());
      ctx.header("Retry-After", "300");
      form(ctx, new AppealException(503, null, Ui.of(ctx, null).t("appeal.unavailable")), f,
          503);
      return;
    }
    Ui ui = Ui.of(ctx, null);
    StringBuilder b = new StringBuilder("<p>").append(ui.te("appeal.ticket")).append(" <strong>")
        .append(Ui.esc(filed.ticket())).append("</strong></p>")
        .append(Ui.notice("ok", ui.t(filed.needsConfirmation() ? "appeal.checkmail"
            : "appeal.queued")))
        .append("<p><a href=\"/appeal/").append(Ui.esc(filed.ticket())).append("\">")
        .append(ui.te("appeal.statuslink")).append("</a></p>");
    ctx.status(201).html(ui.page(ui.t("appeal.filed.title"), PublicPages.NAV, b.toString()));
  }

  private static String first(Map<String, List<String>> f, String key) {
    List<String> v = f.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /**
   * The link in the mail opens a page with a button: confirming takes a POST, so mail scanners
   * that fetch links do not confirm for the appellant.
   */
  private void confirmForm(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    String token = ctx.queryParam("token");
    String b = "<p>" + ui.te("appeal.confirm.text") + "</p><form method=\"post\""
        + " action=\"/appeal/confirm\"><input type=\"hidden\" name=\"token\" value=\""
        + Ui.esc(token == null ? "" : token) + "\">" + ui.submit("appeal.confirm.submit");
    ctx.html(ui.page(ui.t("appeal.confirm.title"), PublicPages.NAV, b));
  }

  private void confirm(Context ctx) throws StoreException {
    Ui ui = Ui.of(ctx, null);
    try {
      String ticket = appeals.confirmByToken(ctx.formParam("token"));
      ctx.redirect("/appeal/" + ticket + "?confirmed=1", io.javalin.http.HttpStatus.SEE_OTHER);
    } catch (AppealException e) {
      ctx.status(e.status()).html(ui.page(ui.t("appeal.confirm.title"), PublicPages.NAV,
          Ui.notice("error", e.getMessage())));
    }
  }

  // --- status page ---

  private void status(Context ctx, AppealException error, int code) throws StoreException {
    Ui ui = Ui.of(ctx, null);
    Appeal.WithEvents found = findOrNull(ctx.pathParam("ticket"));
    if (found == null) {
      ctx.status(404).html(ui.page(ui.t("appeal.status.title"), PublicPages.NAV,
          "<p>" + ui.te("appeal.notfound") + "</p>"));
      return;
    }
    Appeal a = found.appeal();
    StringBuilder b = new StringBuilder();
    if (ctx.queryParam("confirmed") != null) {
      b.append(Ui.notice("ok", ui.t("appeal.confirmed")));
    }
    b.append("<dl class=\"why\"><dt>").append(ui.te("appeal.ticket")).append("</dt><dd>")
        .append(Ui.esc(a.ticket())).append("</dd><dt>").append(ui.te("appeal.name"))
        .append("</dt><dd>").append(Ui.esc(a.name())).append("</dd><dt>")
        .append(ui.te("appeal.state")).append("</dt><dd>").append(Ui.esc(stateText(ui, a)))
        .append("</dd>");
    if (a.decideDue() != null && a.state().open()) {
      b.append("<dt>").append(ui.te("appeal.due")).append("</dt><dd>")
          .append(Ui.esc(WHEN.format(a.decideDue()))).append("</dd>");
    }
    if (a.outcome() != null) {
      b.append("<dt>").append(ui.te("appeal.outcome")).append("</dt><dd>")
          .append(ui.te("appeal.outcome." + a.outcome().id(), a.outcomeCategory() == null ? ""
              : a.outcomeCategory())).append("</dd>");
    }
    if (a.referredTo() != null) {
      b.append("<dt>").append(ui.te("appeal.referred")).append("</dt><dd>")
          .append(Ui.esc("iwf".equals(a.referredTo())
              ? "Internet Watch Foundation (complaints@iwf.org.uk)" : a.referredTo()))
          .append("</dd>");
    }
    b.append("</dl>");
    timeline(ui, b, found.events(), false);
    if (appeals.proofEnabled() && a.state().open()) {
      b.append("<h2>").append(ui.te("appeal.proof")).append("</h2>");
      if (a.priority() > 0) {
        b.append(Ui.notice("ok", ui.t("appeal.proof.done")));
      } else {
        if (ctx.queryParam("proof") != null) {
          b.append(Ui.notice("error", ui.t("appeal.proof.notyet")));
        }
        String token = Appeals.proofToken(a.ticket());
        b.append("<p>").append(ui.te("appeal.proof.intro")).append("</p><ul><li>")
            .append(ui.te("appeal.proof.dns")).append(" <code>_hearth-challenge.")
            .append(Ui.esc(a.name())).append("</code> TXT <code>").append(Ui.esc(token))
            .append("</code></li><li>").append(ui.te("appeal.proof.file")).append(" <code>http://")
            .append(Ui.esc(a.name())).append("/.well-known/hearth-verify.txt</code>: <code>")
            .append(Ui.esc(token)).append("</code></li></ul><form method=\"post\" action=\"/appeal/")
            .append(Ui.esc(a.ticket())).append("/prove\">").append(formToken(ctx))
            .append(ui.submit("appeal.proof.submit"));
      }
    }
    if (a.state() != Appeal.State.RECEIVED && a.state() != Appeal.State.CLOSED) {
      b.append("<h2>").append(ui.te("appeal.followup")).append("</h2>");
      if (error != null) {
        b.append(Ui.notice("error", error.getMessage()));
      }
      b.append("<form method=\"post\" action=\"/appeal/").append(Ui.esc(a.ticket()))
          .append("/follow-up\">").append(formToken(ctx))
          .append("<p class=\"field\"><label for=\"f-text\">").append(ui.te("appeal.followup.text"))
          .append("</label><textarea id=\"f-text\" name=\"text\" rows=\"4\" maxlength=\"4000\""
              + " required></textarea></p>").append(ui.submit("appeal.followup.submit"));
    }
    ctx.status(code).html(ui.page(ui.t("appeal.status.title"), PublicPages.NAV, b.toString()));
  }

  /** The appeal with this ticket, or null when there is none (or the ticket is malformed). */
  private Appeal.WithEvents findOrNull(String ticket) throws StoreException {
    try {
      return appeals.find(ticket);
    } catch (AppealException e) {
      return null;
    }
  }

  private static String stateText(Ui ui, Appeal a) {
    String s = ui.t("appeal.state." + a.state().id());
    return a.mergedInto() == null ? s : s + " " + ui.t("appeal.merged", a.mergedInto());
  }

  private static void timeline(Ui ui, StringBuilder b, List<Appeal.Event> events,
      boolean staff) {
    b.append("<h2>").append(ui.te("appeal.timeline")).append("</h2><ol class=\"trace\">");
    for (Appeal.Event e : events) {
      b.append("<li><time>").append(Ui.esc(WHEN.format(e.at()))).append("</time> ")
          .append(Ui.esc(ui.t("appeal.event." + e.kind())));
      if (staff && !"appellant".equals(e.actor()) && !"system".equals(e.actor())) {
        b.append(" (").append(Ui.esc(e.actor().replaceFirst("^user:", ""))).append(')');
      }
      if (e.text() != null) {
        b.append(": ").append(Ui.esc(e.text()));
      }
      b.append("</li>");
    }
    b.append("</ol>");
  }

  private void followUp(Context ctx) throws StoreException {
    if (!formTokenMatches(ctx)) {
      status(ctx, new AppealException(403, null, Ui.of(ctx, null).t("appeal.expired")), 403);
      return;
    }
    try {
      appeals.followUp(ctx.pathParam("ticket"), ctx.formParam("text"), ctx.ip());
    } catch (AppealException e) {
      if (e.status() == 404) {
        status(ctx, null, 404);
      } else {
        status(ctx, e, e.status());
      }
      return;
    }
    ctx.redirect("/appeal/" + ctx.pathParam("ticket"), io.javalin.http.HttpStatus.SEE_OTHER);
  }

  private void prove(Context ctx) throws StoreException {
    if (!formTokenMatches(ctx)) {
      status(ctx, new AppealException(403, null, Ui.of(ctx, null).t("appeal.expired")), 403);
      return;
    }
    String how;
    try {
      how = appeals.prove(ctx.pathParam("ticket"), ctx.ip());
    } catch (AppealException e) {
      status(ctx, e, e.status() == 404 ? 404 : e.status());
      return;
    }
    ctx.redirect("/appeal/" + ctx.pathParam("ticket") + (how == null ? "?proof=no" : ""),
        io.javalin.http.HttpStatus.SEE_OTHER);
  }

  // --- console ---

  private void queue(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, VIEWERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    Instant now = clock.instant();
    List<Appeal> q = appeals.queue();
    StringBuilder b = new StringBuilder("<p>").append(ui.te("appeals.intro",
        PublicPages.hours(appeals.settings().decideWithin()))).append("</p>");
    b.append("<table><caption>").append(ui.te("appeals.queue", q.size()))
        .append("</caption><thead><tr>");
    for (String col : List.of("appeal.ticket", "appeal.name", "appeal.role", "appeal.state",
        "appeal.due")) {
      b.append("<th scope=\"col\">").append(ui.te(col)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (Appeal a : q) {
      boolean late = a.overdue(now) || a.acknowledgeOverdue(now);
      b.append("<tr").append(late ? " class=\"overdue\"" : "").append("><td><a href=\"/admin/"
          + "appeals/").append(Ui.esc(a.ticket())).append("\">").append(Ui.esc(a.ticket()))
          .append("</a></td><td>").append(Ui.esc(a.name())).append("</td><td>")
          .append(ui.te("appeal.role." + a.role().id())).append("</td><td>")
          .append(Ui.esc(stateText(ui, a))).append("</td><td>")
          .append(a.decideDue() == null ? "" : Ui.esc(WHEN.format(a.decideDue())))
          .append(a.overdue(now) ? " <strong>" + ui.te("appeals.overdue") + "</strong>"
              : a.acknowledgeOverdue(now) ? " <strong>" + ui.te("appeals.unacknowledged")
                  + "</strong>" : "")
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    ctx.html(ui.page(ui.t("appeals.title"), WebPages.CONSOLE_NAV, b.toString()));
  }

  private void review(Context ctx, String error, int code) throws StoreException {
    Sessions.Session s = pages.require(ctx, VIEWERS);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    Appeal.WithEvents found = findOrNull(ctx.pathParam("ticket"));
    if (found == null) {
      ctx.status(404).html(ui.page(ui.t("appeals.title"), WebPages.CONSOLE_NAV,
          "<p>" + ui.te("appeal.notfound") + "</p>"));
      return;
    }
    Appeal a = found.appeal();
    StringBuilder b = new StringBuilder(Ui.notice("error", error));
    b.append("<dl class=\"why\">");
    row(ui, b, "appeal.name", a.name());
    row(ui, b, "appeal.url", a.url());
    row(ui, b, "appeal.reason", a.reasonId());
    row(ui, b, "appeal.role", ui.t("appeal.role." + a.role().id()));
    row(ui, b, "appeal.state", stateText(ui, a));
    row(ui, b, "appeal.due", a.decideDue() == null ? null : WHEN.format(a.decideDue())
        + (a.overdue(clock.instant()) ? " (" + ui.t("appeals.overdue") + ")" : ""));
    row(ui, b, "appeal.message", a.message());
    row(ui, b, "appeal.category", a.suggestedCategory());
    if (a.outcome() != null) {
      row(ui, b, "appeal.outcome", ui.t("appeal.outcome." + a.outcome().id(),
          a.outcomeCategory() == null ? "" : a.outcomeCategory()));
    }
    row(ui, b, "appeal.referred", a.referredTo());
    b.append("</dl>");
    // What the default policy does with the name now (locked lists left out).
    PolicyDecision d = stage.engine().decidePublicly(stage.engine().policy().defaultProfile(),
        a.name(), clock.instant());
    b.append("<p>").append(ui.te("appeals.now", d.block() ? ui.t("pub.check.blocked")
        : ui.t("pub.check.notblocked"), PublicPages.ruleText(ui, d), d.reasonId()))
        .append("</p>");
    timeline(ui, b, found.events(), true);
    if (REVIEWERS.contains(s.principal.role()) && a.state() != Appeal.State.CLOSED) {
      String base = "/admin/appeals/" + Ui.esc(a.ticket()) + "/";
      if (a.state() == Appeal.State.CONFIRMED) {
        b.append("<form method=\"post\" action=\"").append(base).append("take\">")
            .append(ui.csrfField()).append(ui.submit("appeals.take"));
      }
      if (a.state().open()) {
        b.append("<h2>").append(ui.te("appeals.decide")).append("</h2><form method=\"post\""
            + " action=\"").append(base).append("decide\">").append(ui.csrfField())
            .append(ui.select("outcome", "appeals.outcome", List.of(
                new String[] {"unblocked", ui.t("appeal.outcome.unblocked", "")},
                new String[] {"recategorised", ui.t("appeals.recategorise")},
                new String[] {"block-kept", ui.t("appeal.outcome.block-kept", "")}), ""))
            .append(ui.input("category", "appeals.newcategory", "", "text", null,
                "maxlength=\"64\""))
            .append("<p class=\"field\"><input type=\"checkbox\" id=\"f-subdomains\""
                + " name=\"subdomains\" value=\"1\"> <label for=\"f-subdomains\">")
            .append(ui.te("appeals.subdomains")).append("</label></p>")
            .append("<p class=\"field\"><label for=\"f-note\">").append(ui.te("appeals.note"))
            .append("</label><textarea id=\"f-note\" name=\"note\" rows=\"3\" required"
                + " maxlength=\"4000\"></textarea></p>")
            .append(ui.submit("appeals.decide.submit"));
        b.append("<h2>").append(ui.te("appeals.refer")).append("</h2><form method=\"post\""
            + " action=\"").append(base).append("refer\">").append(ui.csrfField())
            .append(ui.input("to", "appeals.refer.to", "", "text", null,
                "required maxlength=\"200\""))
            .append(ui.input("note", "appeals.note", "", "text", null, "maxlength=\"4000\""))
            .append(ui.submit("appeals.refer.submit"));
      }
      b.append("<form method=\"post\" action=\"").append(base).append("close\">")
          .append(ui.csrfField()).append(ui.submit("appeals.close"));
    }
    ctx.status(code).html(ui.page(ui.t("appeals.review", a.ticket()), WebPages.CONSOLE_NAV,
        b.toString()));
  }

  private static void row(Ui ui, StringBuilder b, String key, String value) {
    if (value != null && !value.isEmpty()) {
      b.append("<dt>").append(ui.te(key)).append("</dt><dd>").append(Ui.esc(value))
          .append("</dd>");
    }
  }

  private void act(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, REVIEWERS);
    if (s == null) {
      return;
    }
    String ticket = ctx.pathParam("ticket");
    try {
      switch (ctx.pathParam("action")) {
        case "take" -> appeals.take(s.principal, ticket);
        case "decide" -> appeals.decide(s.principal, ticket, ctx.formParam("outcome"),
            ctx.formParam("category"), "1".equals(ctx.formParam("subdomains")),
            ctx.formParam("note"));
        case "refer" -> appeals.refer(s.principal, ticket, ctx.formParam("to"),
            ctx.formParam("note"));
        case "close" -> appeals.close(s.principal, ticket, null);
        default -> throw new AppealException(404, null, "no such action");
      }
    } catch (AppealException e) {
      review(ctx, e.getMessage(), e.status());
      return;
    }
    ctx.redirect("/admin/appeals/" + ticket, io.javalin.http.HttpStatus.SEE_OTHER);
  }

  // --- API ---

  static ObjectNode json(Appeal a, Instant now) {
    ObjectNode n = JSON.createObjectNode();
    n.put("ticket", a.ticket()).put("name", a.name()).put("url", a.url())
        .put("reason_id", a.reasonId()).put("role", a.role().id()).put("message", a.message())
        .put("suggested_category", a.suggestedCategory()).put("state", a.state().id())
        .put("outcome", a.outcome() == null ? null : a.outcome().id())
        .put("outcome_category", a.outcomeCategory()).put("decision_note", a.decisionNote())
        .put("referred_to", a.referredTo()).put("merged_into", a.mergedInto())
        .put("reviewer", a.reviewer()).put("overdue", a.overdue(now))
        .put("acknowledge_overdue", a.acknowledgeOverdue(now));
    for (var e : Map.of("created_at", opt(a.createdAt()), "confirmed_at", opt(a.confirmedAt()),
        "decided_at", opt(a.decidedAt()), "decide_due", opt(a.decideDue()),
        "acknowledge_due", opt(a.acknowledgeDue())).entrySet()) {
      n.put(e.getKey(), e.getValue().isEmpty() ? null : e.getValue());
    }
    return n;
  }

  private static String opt(Instant i) {
    return i == null ? "" : i.toString();
  }

  static ArrayNode json(List<Appeal> list, Instant now) {
    ArrayNode out = JSON.createArrayNode();
    list.forEach(a -> out.add(json(a, now)));
    return out;
  }
}
