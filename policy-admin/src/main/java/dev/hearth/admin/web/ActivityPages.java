package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.activity.ActivitySummaries;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.StoreException;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.ActivityMeter;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.policy.PolicyStage;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The household's opt-in activity summary and the public status page. A parent turns the
 * summary on or off (a change of the household's document: validated, audited and published
 * like any other; turning it off deletes what was counted) and reads the last 7 days per
 * profile and category. Only the household's own parents see it: no operator page shows it.
 *
 * <p>The status page ({@code /status}, no login) tells whoever opens it, from the address it is
 * opened from, whether filtering applies, under which profile name, whether activity reporting
 * is on and what the filter does not cover: the notice a child's device can be shown. It never
 * names a household or anything another address would see.
 */
final class ActivityPages {
  static final int DAYS = 7;
  private final WebPages pages;
  private final PolicyService policy;
  private final PolicyStage stage;
  private final ActivitySummaries activity;

  ActivityPages(WebPages pages, PolicyService policy, PolicyStage stage,
      ActivitySummaries activity) {
    this.pages = pages;
    this.policy = policy;
    this.stage = stage;
    this.activity = activity;
  }

  void register(JavalinConfig config) {
    config.routes.get("/status", this::status);
    config.routes.get("/static/activity.js", ctx -> WebPages.asset(ctx, "activity.js",
        "text/javascript"));
    if (activity != null) {
      config.routes.get("/family/activity", this::summary);
      config.routes.post("/family/activity", this::toggle);
    }
  }

  private boolean optedIn(String household) {
    Subscriber s = policy.current().directory().subscriber(household);
    return s != null && s.activitySummary();
  }

  /** The family page's section: what the summary is, and the switch. */
  String section(Ui ui, Sessions.Session s) {
    if (activity == null) {
      return "";
    }
    String household = s.principal.household();
    boolean on = optedIn(household);
    StringBuilder b = new StringBuilder("<section aria-labelledby=\"h-activity\"><h2")
        .append(" id=\"h-activity\">").append(ui.te("family.activity.title")).append("</h2><p>")
        .append(ui.te(on ? "family.activity.on" : "family.activity.off",
            activity.retentionDays()))
        .append("</p>");
    if (on) {
      b.append("<p><a href=\"/family/activity\">").append(ui.te("family.activity.show"))
          .append("</a></p>");
    }
    b.append("<p>").append(ui.te("family.activity.notice")).append(" <a href=\"/status\">")
        .append(ui.te("family.status.link")).append("</a></p>");
    if (pages.household(s) != null) {
      b.append("<form method=\"post\" action=\"/family/activity\">").append(ui.csrfField())
          .append("<input type=\"hidden\" name=\"summary\" value=\"").append(on ? "off" : "on")
          .append("\">").append(ui.submit(on ? "family.activity.turn.off"
              : "family.activity.turn.on"));
    }
    return b.append("</section>").toString();
  }

  private void toggle(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    JsonNode sub = pages.household(s);
    String want = ctx.formParam("summary");
    if (sub == null || !("on".equals(want) || "off".equals(want))) {
      pages.family(ctx, ui.t("family.activity.invalid"), null);
      return;
    }
    ObjectNode doc = ((ObjectNode) sub).deepCopy();
    if ("on".equals(want)) {
      doc.put("activity_summary", true);
    } else {
      doc.remove("activity_summary");
    }
    try {
      policy.put(s.principal, Kind.SUBSCRIBER, household, doc);
    } catch (InvalidPolicyException e) {
      pages.family(ctx, PolicyService.describe(e), null);
      return;
    }
    if ("off".equals(want)) {
      activity.forget(household);
    }
    pages.family(ctx, null, ui.t("on".equals(want) ? "family.activity.turned.on"
        : "family.activity.turned.off"));
  }

  private void summary(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.PARENT));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = s.principal.household();
    Subscriber sub = policy.current().directory().subscriber(household);
    StringBuilder b = new StringBuilder();
    if (sub == null || !sub.activitySummary()) {
      b.append("<p>").append(ui.te("activity.off")).append(" <a href=\"/family\">")
          .append(ui.te("nav.household")).append("</a></p>");
      ctx.html(ui.page(ui.t("activity.title"), WebPages.FAMILY_NAV_ACTIVITY, b.toString()));
      return;
    }
    activity.flush(); // up to the minute
    LocalDate today = LocalDate.now(sub.zone());
    List<LocalDate> days = new ArrayList<>();
    for (int i = DAYS - 1; i >= 0; i--) {
      days.add(today.minusDays(i));
    }
    // profile -> key -> {allowed per day, blocked per day}
    Map<String, Map<String, long[][]>> byProfile = new LinkedHashMap<>();
    for (String p : pages.householdProfiles(household)) {
      byProfile.put(p, new TreeMap<>());
    }
    for (ActivitySummaries.Row r : activity.summary(household, days.get(0), today)) {
      long[][] cells = byProfile.computeIfAbsent(r.profile(), p -> new TreeMap<>())
          .computeIfAbsent(r.category(), k -> new long[2][DAYS]);
      int i = (int) (r.day().toEpochDay() - days.get(0).toEpochDay());
      cells[0][i] += r.allowed();
      cells[1][i] += r.blocked();
    }
    b.append("<p>").append(ui.te("activity.intro", sub.zone().getId())).append("</p>");
    DateTimeFormatter f = DateTimeFormatter.ofPattern("EEE d MMM", Locale.forLanguageTag(ui.lang));
    int n = 0;
    for (var e : byProfile.entrySet()) {
      Profile p = policy.current().profiles().get(e.getKey());
      String name = p == null ? e.getKey() : p.name();
      n++;
      b.append("<section aria-labelledby=\"h-act-").append(n).append("\"><h2 id=\"h-act-")
          .append(n).append("\">").append(ui.te("activity.profile", name)).append("</h2>");
      boolean any = false;
      for (int measure : new int[] {1, 0}) {
        any |= table(b, ui, e.getValue(), measure, days, f, name);
      }
      if (!any) {
        b.append("<p>").append(ui.te("activity.none")).append("</p>");
      }
      b.append("</section>");
    }
    b.append("<script src=\"/static/activity.js\" defer></script>");
    ctx.html(ui.page(ui.t("activity.title"), WebPages.FAMILY_NAV_ACTIVITY, b.toString()));
  }

  /** One measure's table (0 allowed, 1 blocked); nothing when it is all zero. */
  private static boolean table(StringBuilder b, Ui ui, Map<String, long[][]> rows, int measure,
      List<LocalDate> days, DateTimeFormatter f, String profileName) {
    long[] totals = new long[days.size()];
    List<Map.Entry<String, long[][]>> shown = new ArrayList<>();
    for (var r : rows.entrySet()) {
      long sum = 0;
      for (int i = 0; i < totals.length; i++) {
        sum += r.getValue()[measure][i];
        totals[i] += r.getValue()[measure][i];
      }
      if (sum > 0) {
        shown.add(r);
      }
    }
    if (shown.isEmpty()) {
      return false;
    }
    b.append("<table class=\"activity\" data-chart=\"")
        .append(measure == 1 ? "blocked" : "allowed").append("\" data-label=\"")
        .append(ui.te("activity.chart")).append("\"><caption>")
        .append(ui.te(measure == 1 ? "activity.blocked.caption" : "activity.allowed.caption",
            profileName))
        .append("</caption><thead><tr><th scope=\"col\">").append(ui.te("activity.category"))
        .append("</th>");
    for (LocalDate d : days) {
      b.append("<th scope=\"col\"><time datetime=\"").append(d).append("\">")
          .append(Ui.esc(f.format(d))).append("</time></th>");
    }
    b.append("<th scope=\"col\">").append(ui.te("activity.total")).append("</th></tr></thead>")
        .append("<tbody>");
    for (var r : shown) {
      b.append("<tr><th scope=\"row\">").append(Ui.esc(label(ui, r.getKey()))).append("</th>");
      long sum = 0;
      for (int i = 0; i < days.size(); i++) {
        long v = r.getValue()[measure][i];
        sum += v;
        b.append("<td>").append(v).append("</td>");
      }
      b.append("<td>").append(sum).append("</td></tr>");
    }
    b.append("</tbody><tfoot><tr><th scope=\"row\">").append(ui.te("activity.all"))
        .append("</th>");
    long all = 0;
    for (long t : totals) {
      all += t;
      b.append("<td>").append(t).append("</td>");
    }
    b.append("<td>").append(all).append("</td></tr></tfoot></table>");
    return true;
  }

  /** A bucket as parents read it: the category, or what the special keys mean. */
  static String label(Ui ui, String key) {
    switch (key) {
      case ActivityMeter.OTHER:
        return ui.t("activity.key.other");
      case ActivityMeter.OPERATOR:
        return ui.t("activity.key.operator");
      case ActivityMeter.PAUSE:
        return ui.t("activity.key.pause");
      case ActivityMeter.OWN_LIST:
        return ui.t("activity.key.own");
      case ActivityMeter.BYPASS:
        return ui.t("activity.key.bypass");
      default:
        if (key.startsWith(ActivityMeter.SCHEDULE) && key.endsWith(")")) {
          String name = key.substring(ActivityMeter.SCHEDULE.length(), key.length() - 1);
          return ui.t("activity.key.schedule", ProfileForm.BEDTIME.equals(name)
              ? ui.t("profile.bedtime") : ProfileForm.HOMEWORK.equals(name)
                  ? ui.t("profile.homework") : name);
        }
        return key;
    }
  }

  /** The public status page for the address it is opened from. */
  private void status(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    InetAddress from;
    try {
      from = Explanations.address(ctx.ip()); // a literal address: never a name lookup
    } catch (IllegalArgumentException e) {
      from = null;
    }
    var engine = stage.engine();
    ClientIdentity who = from == null
        ? new ClientIdentity(null, null, engine.policy().directory().defaultProfileId(),
            ClientIdentity.Source.DEFAULT, "")
        : engine.policy().directory().identify(null, ClientOptions.NONE, from, stage.bindings());
    Profile p = engine.profileFor(who);
    Subscriber sub = who.subscriberId() == null ? null
        : engine.policy().directory().subscriber(who.subscriberId());
    StringBuilder b = new StringBuilder("<p>");
    String key = sub != null ? "status.household" : who.networkId() != null ? "status.network"
        : "status.default";
    b.append(ui.te(key, p.name())).append("</p><p>");
    if (p.everyCategory()) {
      b.append(ui.te("status.categories", ui.t("activity.all").toLowerCase(
          Locale.forLanguageTag(ui.lang))));
    } else if (p.blockedCategories().isEmpty()) {
      b.append(ui.te("status.categories.none"));
    } else {
      b.append(ui.te("status.categories", String.join(", ",
          new java.util.TreeSet<>(p.blockedCategories()))));
    }
    b.append("</p><p><strong>").append(ui.te(sub == null ? "status.reporting.none"
        : sub.activitySummary() ? "status.reporting.on" : "status.reporting.off"))
        .append("</strong></p>");
    b.append("<h2>").append(ui.te("family.limits.title")).append("</h2><ul><li>")
        .append(ui.te("status.devices")).append("</li>");
    for (String k : List.of("family.limits.networks", "family.limits.mobile",
        "family.limits.vpn", "family.limits.dns", "family.limits.https")) {
      b.append("<li>").append(ui.te(k)).append("</li>");
    }
    b.append("</ul><p>").append(ui.te("status.privacy")).append("</p>");
    ctx.html(ui.page(ui.t("status.title"), List.of(), b.toString()));
  }
}
