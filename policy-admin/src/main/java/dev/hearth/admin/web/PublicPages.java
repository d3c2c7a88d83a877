package dev.hearth.admin.web;

import dev.hearth.admin.lists.ListOperations;
import dev.hearth.admin.policy.Preset;
import dev.hearth.blocklists.BlockAction;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.ListCatalog;
import dev.hearth.resolver.client.Network;
import dev.hearth.resolver.policy.BlockAnswer;
import dev.hearth.resolver.policy.Operator;
import dev.hearth.resolver.policy.PolicyDecision;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.PolicyStage;
import dev.hearth.resolver.policy.Profile;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The public side: what this service filters and why ({@code /}), "check a domain", the lists
 * in use, the privacy statement, the reason behind a reason id, and the block page shown for any
 * Host that is not this server's own. Nobody signs in here. Every answer comes from the running
 * resolver's own engine ({@link dev.hearth.resolver.policy.PolicyEngine#decidePublicly} for the
 * check), so the page, the EDE text and the logs tell the same story; locked legal lists are left
 * out of everything searchable so the site is no oracle for them.
 */
final class PublicPages {
  /** Paths served as pages even under a blocked site's Host (the block page links to them). */
  static final List<String> PUBLIC_PREFIXES = List.of("/static/", "/check", "/lists", "/stats",
      "/privacy", "/appeal", "/blocked", "/about");
  static final String IWF_COMPLAINTS = "mailto:complaints@iwf.org.uk";
  static final String IWF_SITE = "https://www.iwf.org.uk/";
  static final String STOP_IT_NOW = "https://www.stopitnow.org.uk/";
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
  private static final int MAX_SHOWN = 200;

  private final PolicyStage stage;
  private final ListOperations lists;
  /** The presets in force now (built-in and the operator's). */
  private final java.util.function.Supplier<List<Preset>> presets;
  private final PublicSettings settings;
  private final Clock clock;
  private final dev.hearth.admin.appeals.Appeals appeals;
  private final dev.hearth.admin.transparency.DailyBlocks daily;
  /** When a stored profile last changed (null for the config file's); may be null itself. */
  private final java.util.function.Function<String, Instant> profileChangedAt;

  PublicPages(PolicyStage stage, ListOperations lists,
      java.util.function.Supplier<List<Preset>> presets,
      PublicSettings settings, Clock clock, dev.hearth.admin.appeals.Appeals appeals,
      dev.hearth.admin.transparency.DailyBlocks daily,
      java.util.function.Function<String, Instant> profileChangedAt) {
    this.profileChangedAt = profileChangedAt;
    this.appeals = appeals;
    this.daily = daily;
    this.stage = stage;
    this.lists = lists;
    this.presets = presets;
    this.settings = settings;
    this.clock = clock;
  }

  static final List<String[]> NAV = List.of(new String[] {"/about", "pub.nav.about"},
      new String[] {"/check", "pub.nav.check"}, new String[] {"/lists", "pub.nav.lists"},
      new String[] {"/stats", "pub.nav.stats"}, new String[] {"/privacy", "pub.nav.privacy"},
      new String[] {"/appeal", "pub.nav.appeal"});

  void register(JavalinConfig config) {
    config.routes.get("/", this::about);
    config.routes.get("/about", this::about);
    config.routes.get("/check", this::check);
    config.routes.get("/lists", this::listsPage);
    config.routes.get("/privacy", this::privacy);
    config.routes.get("/blocked", this::reason);
    config.routes.get("/stats", this::stats);
    config.routes.get("/stats.json", this::statsJson);
    config.routes.get("/stats.csv", this::statsCsv);
  }

  // --- which requests are a blocked site's ---

  /** The Host header's name, lower case, without port or IPv6 brackets; "" when absent. */
  static String hostName(Context ctx) {
    String h = ctx.header("Host");
    if (h == null) {
      return "";
    }
    h = h.trim().toLowerCase(java.util.Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
      h = h.substring(0, colon);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }

  static boolean isPublicPath(String path) {
    for (String p : PUBLIC_PREFIXES) {
      if (path.equals(p) || path.startsWith(p.endsWith("/") ? p : p + "/")
          || path.startsWith(p + ".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Before every request on a listener shared with the console: a Host that is not ours, on a
   * path that is not a public page, for a name blocked for this client now, gets the block page.
   * A name that is not blocked passes (someone reaching the console by a name not configured in
   * {@code http.hostnames}).
   */
  void sharedListenerFilter(Context ctx) {
    String host = hostName(ctx);
    if (settings.isOwnHost(host) || isPublicPath(ctx.path())) {
      return;
    }
    PolicyDecision d = decisionFor(ctx, host);
    if (d != null && d.block()) {
      blockPage(ctx, host, d);
      ctx.skipRemainingHandlers();
    }
  }

  /**
   * Before every request on the dedicated block-page listener: public pages are served, anything
   * else under a foreign Host gets the block page (or, when the name is not blocked now, a page
   * saying so), and our own host names get the about page.
   */
  void blockListenerFilter(Context ctx) {
    if (isPublicPath(ctx.path())) {
      return;
    }
    String host = hostName(ctx);
    if (settings.isOwnHost(host)) {
      if (!ctx.path().equals("/")) {
        ctx.status(404);
        Ui ui = Ui.of(ctx, null);
        ctx.html(ui.page(ui.t("pub.notfound.title"), NAV, "<p>" + ui.te("pub.notfound.text")
            + "</p>"));
        ctx.skipRemainingHandlers();
      }
      return;
    }
    blockPage(ctx, host, decisionFor(ctx, host));
    ctx.skipRemainingHandlers();
  }

  /** The live decision for the requesting address and {@code host}; null if not a name. */
  private PolicyDecision decisionFor(Context ctx, String host) {
    try {
      return Explanations.explain(stage, ctx.ip(), host, null, null, null, clock.instant());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // --- the block page ---

  /**
   * The page a browser shows instead of a blocked site: who blocked it, why, since when, what to
   * do. Status 403 (never a fake 404). The requested host and path are shown escaped and never
   * fetched. For a locked legal list: the wording agreed for IWF members, their appeal route and
   * help for people worried about their own behaviour; never the list entry.
   */
  void blockPage(Context ctx, String host, PolicyDecision d) {
    Ui ui = Ui.of(ctx, null);
    Operator op = stage.engine().policy().operator();
    String org = op.organisation() == null ? ui.t("pub.operator.unnamed") : op.organisation();
    String shown = clip(host) + clip(ctx.path());
    StringBuilder b = new StringBuilder();
    ctx.status(403);
    ctx.header("X-Hearth-Block", d == null ? "unknown" : d.reasonId());
    if (d != null && d.block() && "locked-list".equals(d.rule())) {
      lockedNotice(ui, b, org, op, d);
      ctx.html(ui.page(ui.t("pub.block.legal.title"), List.of(), b.toString()));
      return;
    }
    b.append("<p class=\"blocked-name\">").append(ui.te("pub.block.address", shown)).append("</p>");
    if (d == null) {
      b.append("<p>").append(ui.te("pub.block.notaname")).append("</p>");
    } else if (!d.block()) {
      b.append(Ui.notice("ok", ui.t("pub.block.notnow")));
    } else {
      b.append("<p>").append(ui.te("pub.block.by", org)).append("</p>");
      why(ui, b, d);
      b.append("<p>").append(ui.te("pub.block.reasonid")).append(" <a href=\"/blocked?reason=")
          .append(url(d.reasonId())).append("\"><code>").append(Ui.esc(d.reasonId()))
          .append("</code></a></p>");
      b.append("<h2>").append(ui.te("pub.block.next")).append("</h2><ul>");
      if (d.edeCode() == 17) {
        b.append("<li>").append(ui.te("pub.block.household")).append("</li>");
      }
      var sub = d.client() == null || d.client().subscriberId() == null ? null
          : stage.engine().policy().directory().subscriber(d.client().subscriberId());
      if (sub != null && sub.activitySummary()) {
        // The device notice: a child can see that the household's summary is on.
        b.append("<li>").append(ui.te("pub.block.reporting")).append("</li>");
      }
      b.append("<li><a href=\"").append(appealLink(host, d.reasonId())).append("\">")
          .append(ui.te("pub.block.appeal")).append("</a></li>")
          .append("<li><a href=\"/check?name=").append(url(host)).append("\">")
          .append(ui.te("pub.block.check")).append("</a></li>")
          .append("<li><a href=\"/about\">").append(ui.te("pub.block.about")).append("</a></li>")
          .append("</ul>");
      contacts(ui, b, op);
    }
    b.append("<p class=\"hint\">").append(ui.te("pub.block.https")).append("</p>");
    ctx.html(ui.page(ui.t("pub.block.title"), List.of(), b.toString()));
  }

  private void lockedNotice(Ui ui, StringBuilder b, String org, Operator op, PolicyDecision d) {
    String category = d.verdict() == null || d.verdict().list() == null ? null
        : d.verdict().list().category();
    if ("csam".equals(category)) {
      b.append("<p><strong>403: ").append(ui.te("pub.block.legal.denied")).append("</strong></p>")
          .append("<p>").append(ui.te("pub.block.iwf", org)).append("</p>")
          .append("<p>").append(ui.te("pub.block.iwf.appeal")).append(" <a href=\"")
          .append(IWF_COMPLAINTS).append("\">complaints@iwf.org.uk</a> (<a href=\"")
          .append(IWF_SITE).append("\">iwf.org.uk</a>).</p>")
          .append("<aside><h2>").append(ui.te("pub.block.stopitnow.title")).append("</h2><p>")
          .append(ui.te("pub.block.stopitnow")).append(" <a href=\"").append(STOP_IT_NOW)
          .append("\">stopitnow.org.uk</a></p></aside>");
    } else {
      b.append("<p><strong>403: ").append(ui.te("pub.block.legal.denied")).append("</strong></p>")
          .append("<p>").append(ui.te("pub.block.legal", org, d.verdict().listName()))
          .append("</p>");
      ListCatalog.Status st = status(d.verdict().listName());
      if (st != null && st.about() != null && st.about().legalBasis() != null) {
        b.append("<p>").append(ui.te("pub.lists.basis", st.about().legalBasis())).append("</p>");
      }
      if (st != null && st.about() != null && st.about().appeal() != null) {
        b.append("<p><a href=\"").append(Ui.esc(st.about().appeal())).append("\">")
            .append(ui.te("pub.lists.appeal")).append("</a></p>");
      }
    }
    b.append("<p>").append(ui.te("pub.block.reasonid")).append(" <a href=\"/blocked?reason=")
        .append(url(d.reasonId())).append("\"><code>").append(Ui.esc(d.reasonId()))
        .append("</code></a></p>");
    contacts(ui, b, op);
  }

  private static void contacts(Ui ui, StringBuilder b, Operator op) {
    if (op.contacts().isEmpty()) {
      return;
    }
    b.append("<p>").append(ui.te("pub.block.contact")).append(' ');
    for (int i = 0; i < op.contacts().size(); i++) {
      String c = op.contacts().get(i);
      b.append(i == 0 ? "" : ", ").append("<a href=\"").append(Ui.esc(c)).append("\">")
          .append(Ui.esc(c.substring(c.indexOf(':') + 1))).append("</a>");
    }
    b.append("</p>");
  }

  /** Why, in plain words: the rule, the list and category, the profile, since or until when. */
  private void why(Ui ui, StringBuilder b, PolicyDecision d) {
    b.append("<dl class=\"why\">");
    b.append("<dt>").append(ui.te("pub.why.rule")).append("</dt><dd>")
        .append(Ui.esc(ruleText(ui, d))).append("</dd>");
    var v = d.verdict();
    if (v != null && !v.isNone() && v.list() != null) {
      if (v.list().category() != null) {
        b.append("<dt>").append(ui.te("pub.why.category")).append("</dt><dd>")
            .append(Ui.esc(categoryName(ui, v.list().category()))).append("</dd>");
      }
      b.append("<dt>").append(ui.te("pub.why.list")).append("</dt><dd>")
          .append(Ui.esc(v.listName()));
      if (!v.list().version().isEmpty()) {
        b.append(' ').append(ui.te("pub.why.version", v.list().version()));
      }
      b.append("</dd>");
      Instant since = inForceSince(v.listName(), v.list().version());
      if (since != null) {
        b.append("<dt>").append(ui.te("pub.why.since")).append("</dt><dd>")
            .append(Ui.esc(WHEN.format(since))).append("</dd>");
      }
    }
    if (!"baseline-list".equals(d.rule()) && d.profile() != null) {
      b.append("<dt>").append(ui.te("pub.why.policy")).append("</dt><dd>")
          .append(Ui.esc(policyName(ui, d)));
      // The profile's choices are in force since its last change (kept for stored profiles).
      Instant changed = profileChangedAt == null ? null
          : profileChangedAt.apply(d.profile().id());
      if (changed != null && !"locked-list".equals(d.rule())) {
        b.append(' ').append(ui.te("pub.why.changed", WHEN.format(changed)));
      }
      b.append("</dd>");
    }
    if (d.ttlCap() >= 0 && ("schedule".equals(d.rule()) || "pause".equals(d.rule())
        || "budget".equals(d.rule()))) {
      b.append("<dt>").append(ui.te("pub.why.until")).append("</dt><dd>")
          .append(Ui.esc(WHEN.format(clock.instant().plusSeconds(d.ttlCap())))).append("</dd>");
    }
    b.append("</dl>");
  }

  /** The rule in the visitor's language. */
  static String ruleText(Ui ui, PolicyDecision d) {
    String key = "pub.rule." + d.rule();
    String text = ui.t(key, d.detail());
    return text.equals(key) ? d.rule().replace('-', ' ') : text;
  }

  /** A category's name in the visitor's language (the taxonomy id when not translated). */
  static String categoryName(Ui ui, String category) {
    String key = "category." + category;
    String t = ui.t(key);
    return t.equals(key) ? category.replace('_', ' ') : t;
  }

  private String policyName(Ui ui, PolicyDecision d) {
    Profile p = d.profile();
    String name = p.name() == null || p.name().isBlank() ? p.id() : p.name();
    if (d.client() != null && d.client().subscriberId() != null) {
      return ui.t("pub.policy.household", name);
    }
    if (d.client() != null && d.client().networkId() != null) {
      return ui.t("pub.policy.venue", name);
    }
    return ui.t("pub.policy.network", name);
  }

  /** When the list version behind a verdict was put in force (null if not known). */
  private Instant inForceSince(String listId, String version) {
    if (lists == null) {
      return null;
    }
    for (ListCatalog.Status st : lists.status()) {
      if (st.id().equals(listId) && st.version().equals(version)) {
        return st.lastUpdate();
      }
    }
    return null;
  }

  private static String appealLink(String name, String reason) {
    return "/appeal?name=" + url(name) + "&amp;reason=" + url(reason);
  }

  static String url(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }

  private static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "…" : s;
  }

  // --- /blocked?reason= ---

  /**
   * A reason id (from an EDE text or a block page) in words: {@code rule:list@version#location}
   * or {@code rule:profile}. Works without the name, so it can be shared in an appeal or a
   * support call; a locked list's id gives the legal wording only.
   */
  private void reason(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    String id = ctx.queryParam("reason");
    StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/blocked\">")
        .append(ui.input("reason", "pub.reason.field", id == null ? "" : id, "text", null,
            "required maxlength=\"300\""))
        .append(ui.submit("pub.reason.submit"));
    if (id != null && !id.isBlank()) {
      Reason r = Reason.parse(id.trim());
      if (r == null) {
        ctx.status(400);
        b.append(Ui.notice("error", ui.t("pub.reason.invalid")));
      } else {
        Operator op = stage.engine().policy().operator();
        String org = op.organisation() == null ? ui.t("pub.operator.unnamed") : op.organisation();
        b.append("<dl class=\"why\"><dt>").append(ui.te("pub.why.by")).append("</dt><dd>")
            .append(Ui.esc(org)).append("</dd><dt>").append(ui.te("pub.why.rule"))
            .append("</dt><dd>").append(Ui.esc(ruleText(ui, r.asDecisionRule()))).append("</dd>");
        if (r.list() != null) {
          ListCatalog.Status st = status(r.list());
          b.append("<dt>").append(ui.te("pub.why.list")).append("</dt><dd>")
              .append(Ui.esc(r.list())).append("</dd>");
          if (st != null && st.category() != null) {
            b.append("<dt>").append(ui.te("pub.why.category")).append("</dt><dd>")
                .append(Ui.esc(categoryName(ui, st.category()))).append("</dd>");
          }
          if (!"locked-list".equals(r.rule())) {
            if (r.version() != null) {
              b.append("<dt>").append(ui.te("pub.why.versionlabel")).append("</dt><dd>")
                  .append(Ui.esc(r.version()));
              if (st != null && r.version().equals(st.version()) && st.lastUpdate() != null) {
                b.append(' ').append(ui.te("pub.why.current", WHEN.format(st.lastUpdate())));
              } else if (st != null) {
                b.append(' ').append(ui.te("pub.why.notcurrent"));
              }
              b.append("</dd>");
            }
            if (r.location() != null) {
              b.append("<dt>").append(ui.te("pub.why.location")).append("</dt><dd>")
                  .append(Ui.esc(r.location())).append("</dd>");
            }
          }
        } else if (r.profile() != null) {
          b.append("<dt>").append(ui.te("pub.why.profile")).append("</dt><dd>")
              .append(Ui.esc(r.profile())).append("</dd>");
        }
        b.append("</dl>");
        if ("locked-list".equals(r.rule())) {
          b.append("<p>").append(ui.te("pub.reason.locked")).append(" <a href=\"")
              .append(IWF_COMPLAINTS).append("\">complaints@iwf.org.uk</a></p>");
        } else {
          b.append("<p><a href=\"/appeal?reason=").append(url(id.trim())).append("\">")
              .append(ui.te("pub.block.appeal")).append("</a></p>");
        }
      }
    }
    ctx.html(ui.page(ui.t("pub.reason.title"), NAV, b.toString()));
  }

  private ListCatalog.Status status(String listId) {
    if (lists == null) {
      return null;
    }
    for (ListCatalog.Status st : lists.status()) {
      if (st.id().equals(listId)) {
        return st;
      }
    }
    return null;
  }

  /** A parsed reason id; {@code list} or {@code profile} is null. */
  record Reason(String rule, String list, String version, String location, String profile) {
    private static final Set<String> LIST_RULES = Set.of("locked-list", "protected",
        "profile-allow", "profile-block", "category", "baseline-list", "list-exception",
        "not-blocked", "budget");
    private static final Set<String> PROFILE_RULES = Set.of("pause", "schedule", "bypass",
        "grant", "not-listed");

    /** Null when {@code id} is not a reason id. */
    static Reason parse(String id) {
      if (id.length() > 300 || !id.matches("[a-z-]+:[^\\s<>\"&]+")) {
        return null;
      }
      int colon = id.indexOf(':');
      String rule = id.substring(0, colon);
      String rest = id.substring(colon + 1);
      if (PROFILE_RULES.contains(rule)) {
        return new Reason(rule, null, null, null, rest);
      }
      if (!LIST_RULES.contains(rule)) {
        return null;
      }
      String location = null;
      int hash = rest.indexOf('#');
      if (hash >= 0) {
        location = rest.substring(hash + 1);
        rest = rest.substring(0, hash);
      }
      String version = null;
      int at = rest.lastIndexOf('@');
      if (at >= 0) {
        version = rest.substring(at + 1);
        rest = rest.substring(0, at);
      }
      return new Reason(rule, rest, version, location, null);
    }

    PolicyDecision asDecisionRule() {
      return new PolicyDecision(true, rule, null, null, null, 0, BlockAction.NXDOMAIN,
          List.of(), -1, "");
    }
  }

  // --- /about ---

  private void about(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    PolicySnapshot policy = stage.engine().policy();
    Operator op = policy.operator();
    String org = op.organisation() == null ? ui.t("pub.operator.unnamed") : op.organisation();
    StringBuilder b = new StringBuilder("<p>").append(ui.te("pub.about.intro", org))
        .append("</p><h2>").append(ui.te("pub.about.what")).append("</h2><ul>");
    boolean locked = false;
    boolean security = false;
    for (var l : stage.engine().operatorLists()) {
      locked |= l.info().locked();
      security |= !l.info().locked() && l.info().category() == null;
    }
    if (locked) {
      b.append("<li>").append(ui.te("pub.about.legal")).append("</li>");
    }
    if (security) {
      b.append("<li>").append(ui.te("pub.about.security")).append("</li>");
    }
    Profile def = policy.defaultProfile();
    b.append("<li>").append(ui.te("pub.about.default", categories(ui, def))).append("</li>");
    b.append("<li>").append(ui.te("pub.about.households")).append("</li></ul>")
        .append("<h2>").append(ui.te("pub.about.notwhat")).append("</h2><p>")
        .append(ui.te("pub.about.limits")).append("</p>")
        .append("<h2>").append(ui.te("pub.about.wrong")).append("</h2><p>")
        .append(ui.te("pub.about.appeal", hours(settings.decideWithin()))).append("</p><ul>");
    for (String[] item : NAV.subList(1, NAV.size())) {
      b.append("<li><a href=\"").append(item[0]).append("\">").append(ui.te(item[1]))
          .append("</a></li>");
    }
    b.append("</ul><p class=\"hint\"><a href=\"/login\">").append(ui.te("pub.about.staff"))
        .append("</a></p>");
    contacts(ui, b, op);
    ctx.html(ui.page(ui.t("pub.about.title"), NAV, b.toString()));
  }

  static long hours(java.time.Duration d) {
    return Math.max(1, d.toHours());
  }

  private static String categories(Ui ui, Profile p) {
    if (p.everyCategory()) {
      return ui.t("pub.categories.all");
    }
    if (p.blockedCategories().isEmpty()) {
      return ui.t("pub.categories.none");
    }
    List<String> names = new ArrayList<>();
    p.blockedCategories().stream().sorted().forEach(c -> names.add(categoryName(ui, c)));
    return String.join(", ", names);
  }

  // --- /check ---

  /**
   * "Is this name blocked, and why?" under the policies the public meets: the default policy of
   * unidentified clients, each venue network's policy, and the standard presets. Households'
   * own choices are private and not shown. Locked legal lists are left out of every answer.
   */
  private void check(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    String raw = ctx.queryParam("name");
    String name = null;
    String error = null;
    if (raw != null && !raw.isBlank()) {
      try {
        name = DomainNames.normalize(DomainNames.hostOf(raw.trim()));
      } catch (IllegalArgumentException e) {
        error = ui.t("pub.check.invalid", e.getMessage());
      }
    }
    StringBuilder b = new StringBuilder("<form method=\"get\" action=\"/check\">")
        .append(ui.input("name", "pub.check.field", raw == null ? "" : raw, "text", error,
            "required maxlength=\"2000\" autocomplete=\"off\""))
        .append(ui.submit("pub.check.submit"));
    b.append("<p class=\"hint\">").append(ui.te("pub.check.locked")).append(" <a href=\"")
        .append(IWF_COMPLAINTS).append("\">complaints@iwf.org.uk</a></p>");
    if (error != null) {
      ctx.status(400);
    } else if (name != null) {
      Instant now = clock.instant();
      var engine = stage.engine();
      b.append("<table><caption>").append(ui.te("pub.check.caption", name))
          .append("</caption><thead><tr><th scope=\"col\">").append(ui.te("pub.check.policy"))
          .append("</th><th scope=\"col\">").append(ui.te("pub.check.result"))
          .append("</th><th scope=\"col\">").append(ui.te("pub.check.why"))
          .append("</th><th scope=\"col\">").append(ui.te("pub.check.since"))
          .append("</th></tr></thead><tbody>");
      boolean anyBlock = false;
      String firstReason = null;
      for (Map.Entry<String, Profile> e : publicProfiles(ui).entrySet()) {
        PolicyDecision d = engine.decidePublicly(e.getValue(), name, now);
        anyBlock |= d.block();
        if (d.block() && firstReason == null) {
          firstReason = d.reasonId();
        }
        b.append("<tr><th scope=\"row\">").append(Ui.esc(e.getKey())).append("</th><td>")
            .append(ui.te(d.block() ? "pub.check.blocked" : "pub.check.notblocked"))
            .append("</td><td>");
        if (d.block()) {
          var v = d.verdict();
          b.append(Ui.esc(ruleText(ui, d)));
          if (v != null && !v.isNone() && v.list() != null) {
            b.append(v.list().category() == null ? "" : "; " + Ui.esc(ui.t("pub.why.category"))
                + ": " + Ui.esc(categoryName(ui, v.list().category())))
                .append("; ").append(Ui.esc(ui.t("pub.why.list"))).append(": ")
                .append(Ui.esc(v.listName()));
          }
          b.append(" <code>").append(Ui.esc(d.reasonId())).append("</code>");
        }
        b.append("</td><td>");
        var v = d.verdict();
        Instant since = d.block() && v != null && !v.isNone() && v.list() != null
            ? inForceSince(v.listName(), v.list().version()) : null;
        b.append(since == null ? "" : Ui.esc(WHEN.format(since))).append("</td></tr>");
      }
      b.append("</tbody></table>");
      if (anyBlock) {
        b.append("<p><a href=\"").append(appealLink(name, firstReason)).append("\">")
            .append(ui.te("pub.block.appeal")).append("</a></p>");
      }
      b.append("<p class=\"hint\">").append(ui.te("pub.check.households")).append("</p>");
    }
    ctx.html(ui.page(ui.t("pub.check.title"), NAV, b.toString()));
  }

  /** Label → profile, in the order shown: default, venues' policies, presets. */
  private Map<String, Profile> publicProfiles(Ui ui) {
    PolicySnapshot policy = stage.engine().policy();
    Map<String, Profile> out = new LinkedHashMap<>();
    Profile def = policy.defaultProfile();
    out.put(ui.t("pub.check.default"), def);
    java.util.Set<String> seen = new java.util.HashSet<>(Set.of(def.id()));
    for (Network n : policy.directory().networks().values()) {
      Profile p = policy.profiles().get(n.profileId());
      if (p != null && seen.add(p.id())) {
        out.put(ui.t("pub.policy.venue", p.name() == null || p.name().isBlank() ? p.id()
            : p.name()), p);
      }
    }
    for (Preset pr : presets.get()) {
      out.put(ui.t("pub.check.preset", pr.name()), new Profile(pr.id(), pr.name(),
          pr.categories(), false, List.of(), List.of(), pr.blockBypass(), BlockAnswer.NXDOMAIN));
    }
    return out;
  }

  // --- /lists ---

  private void listsPage(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    StringBuilder b = new StringBuilder("<p>").append(ui.te("pub.lists.intro")).append("</p>");
    List<ListCatalog.Status> all = lists == null ? List.of() : lists.status();
    if (all.isEmpty()) {
      b.append("<p>").append(ui.te("pub.lists.none")).append("</p>");
    } else {
      b.append("<table><caption>").append(ui.te("pub.lists.caption"))
          .append("</caption><thead><tr>");
      for (String col : List.of("pub.lists.id", "pub.why.category", "pub.lists.kind",
          "pub.lists.owner", "pub.lists.entries", "pub.lists.refresh", "pub.lists.updated")) {
        b.append("<th scope=\"col\">").append(ui.te(col)).append("</th>");
      }
      b.append("</tr></thead><tbody>");
      for (ListCatalog.Status st : all) {
        var about = st.about() == null ? dev.hearth.blocklists.ListSource.About.NONE
            : st.about();
        b.append("<tr><th scope=\"row\">").append(Ui.esc(about.name() == null ? st.id()
            : about.name() + " (" + st.id() + ")")).append("</th><td>")
            .append(st.category() == null ? ui.te("pub.lists.operator")
                : Ui.esc(categoryName(ui, st.category())))
            .append("</td><td>")
            .append(ui.te(st.locked() ? "pub.lists.legal" : "pub.lists.searchable"));
        if (about.legalBasis() != null) {
          b.append("<br>").append(ui.te("pub.lists.basis", about.legalBasis()));
        }
        b.append("</td><td>").append(Ui.esc(about.owner() == null ? "" : about.owner()));
        if (about.licence() != null) {
          b.append("<br>").append(ui.te("pub.lists.licence", about.licence()));
        }
        if (about.appeal() != null) {
          b.append("<br><a href=\"").append(Ui.esc(about.appeal())).append("\">")
              .append(ui.te("pub.lists.appeal")).append("</a>");
        }
        b.append("</td><td>").append(st.entries()).append("</td><td>")
            .append(st.refresh() == null ? "" : Ui.esc(every(ui, st.refresh())))
            .append("</td><td>")
            .append(st.lastUpdate() == null ? "" : Ui.esc(WHEN.format(st.lastUpdate())))
            .append(st.locked() || st.version() == null ? "" : " (" + Ui.esc(st.version()) + ")")
            .append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    var overrides = stage.engine().policy().appealOverrides();
    b.append("<h2>").append(ui.te("pub.lists.overrides")).append("</h2>");
    if (overrides.isEmpty()) {
      b.append("<p>").append(ui.te("pub.lists.overrides.none")).append("</p>");
    } else {
      b.append("<table><caption>").append(ui.te("pub.lists.overrides")).append("</caption>"
          + "<thead><tr><th scope=\"col\">").append(ui.te("pub.lists.name"))
          .append("</th><th scope=\"col\">").append(ui.te("pub.lists.override"))
          .append("</th><th scope=\"col\">").append(ui.te("appeal.ticket"))
          .append("</th></tr></thead><tbody>");
      for (var o : overrides) {
        b.append("<tr><th scope=\"row\">").append(Ui.esc(o.name()))
            .append(o.subdomains() ? Ui.esc(" " + ui.t("pub.lists.andsub")) : "")
            .append("</th><td>").append(o.category() == null ? ui.te("pub.lists.unblocked")
                : ui.te("pub.lists.recategorised", categoryName(ui, o.category())))
            .append("</td><td>").append(Ui.esc(o.ticket())).append("</td></tr>");
      }
      b.append("</tbody></table>");
    }
    ctx.html(ui.page(ui.t("pub.lists.title"), NAV, b.toString()));
  }

  // --- /stats ---

  static final int STATS_DAYS = 30;

  private void stats(Context ctx) throws dev.hearth.admin.store.StoreException {
    Ui ui = Ui.of(ctx, null);
    StringBuilder b = new StringBuilder("<p>").append(ui.te("pub.stats.intro", STATS_DAYS))
        .append(" <a href=\"/stats.csv\">CSV</a> · <a href=\"/stats.json\">JSON</a></p>");
    if (appeals != null) {
      var st = appeals.stats();
      b.append("<h2>").append(ui.te("pub.stats.appeals")).append("</h2><dl class=\"why\">");
      stat(ui, b, "pub.stats.received", Integer.toString(st.received()));
      stat(ui, b, "pub.stats.upheld", Integer.toString(st.upheld()));
      stat(ui, b, "pub.stats.rejected", Integer.toString(st.rejected()));
      stat(ui, b, "pub.stats.referred", Integer.toString(st.referred()));
      stat(ui, b, "pub.stats.open", Integer.toString(st.open()));
      stat(ui, b, "pub.stats.median", st.medianToDecision() == null ? "-"
          : ui.t("pub.stats.hours", String.format(java.util.Locale.ROOT, "%.1f",
              st.medianToDecision().toMinutes() / 60.0)));
      stat(ui, b, "pub.stats.intime", ui.t("pub.stats.share", Math.round(
          st.decidedWithinDeadline() * 100), hours(settings.decideWithin())));
      b.append("</dl>");
    }
    if (daily != null) {
      var days = daily.lastDays(STATS_DAYS);
      java.util.SortedSet<String> cats = new java.util.TreeSet<>();
      days.values().forEach(m -> cats.addAll(m.keySet()));
      b.append("<h2>").append(ui.te("pub.stats.blocks")).append("</h2>");
      if (days.isEmpty()) {
        b.append("<p>").append(ui.te("pub.stats.noblocks")).append("</p>");
      } else {
        b.append("<table><caption>").append(ui.te("pub.stats.blocks")).append("</caption>"
            + "<thead><tr><th scope=\"col\">").append(ui.te("pub.stats.day")).append("</th>");
        for (String c : cats) {
          b.append("<th scope=\"col\">").append(Ui.esc(categoryName(ui, c))).append("</th>");
        }
        b.append("</tr></thead><tbody>");
        for (var d : days.entrySet()) {
          b.append("<tr><th scope=\"row\">").append(Ui.esc(d.getKey())).append("</th>");
          for (String c : cats) {
            b.append("<td>").append(d.getValue().getOrDefault(c, 0L)).append("</td>");
          }
          b.append("</tr>");
        }
        b.append("</tbody></table>");
      }
    }
    ctx.html(ui.page(ui.t("pub.stats.title"), NAV, b.toString()));
  }

  private static void stat(Ui ui, StringBuilder b, String key, String value) {
    b.append("<dt>").append(ui.te(key)).append("</dt><dd>").append(Ui.esc(value))
        .append("</dd>");
  }

  private void statsJson(Context ctx) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var root = json.createObjectNode();
    root.put("generated_at", clock.instant().toString());
    Operator op = stage.engine().policy().operator();
    root.put("operator", op.organisation());
    if (appeals != null) {
      var st = appeals.stats();
      root.putObject("appeals").put("received", st.received()).put("upheld", st.upheld())
          .put("rejected", st.rejected()).put("referred", st.referred()).put("open", st.open())
          .put("overdue", st.overdue())
          .put("median_hours_to_decision", st.medianToDecision() == null ? null
              : st.medianToDecision().toMinutes() / 60.0)
          .put("decided_within_deadline", st.decidedWithinDeadline())
          .put("deadline_hours", hours(settings.decideWithin()));
    }
    var blocks = root.putArray("blocks_per_day");
    if (daily != null) {
      for (var d : daily.lastDays(STATS_DAYS).entrySet()) {
        var day = blocks.addObject().put("day", d.getKey());
        var byCat = day.putObject("categories");
        d.getValue().forEach(byCat::put);
      }
    }
    ctx.contentType("application/json").result(json.writeValueAsString(root));
  }

  private void statsCsv(Context ctx) throws dev.hearth.admin.store.StoreException {
    StringBuilder b = new StringBuilder("day,category,blocks\r\n");
    if (daily != null) {
      for (var d : daily.lastDays(STATS_DAYS).entrySet()) {
        for (var c : d.getValue().entrySet()) {
          b.append(d.getKey()).append(',').append(csv(c.getKey())).append(',')
              .append(c.getValue()).append("\r\n");
        }
      }
    }
    if (appeals != null) {
      var st = appeals.stats();
      b.append("\r\nappeals_received,appeals_upheld,appeals_rejected,appeals_referred,"
          + "appeals_open,median_hours_to_decision,decided_within_deadline\r\n")
          .append(st.received()).append(',').append(st.upheld()).append(',')
          .append(st.rejected()).append(',').append(st.referred()).append(',')
          .append(st.open()).append(',').append(st.medianToDecision() == null ? ""
              : String.format(java.util.Locale.ROOT, "%.2f",
                  st.medianToDecision().toMinutes() / 60.0)).append(',')
          .append(String.format(java.util.Locale.ROOT, "%.3f", st.decidedWithinDeadline()))
          .append("\r\n");
    }
    ctx.contentType("text/csv; charset=utf-8")
        .header("Content-Disposition", "attachment; filename=\"hearth-transparency.csv\"")
        .result(b.toString());
  }

  /** A CSV field: quoted when needed, and never starting a formula in a spreadsheet. */
  static String csv(String s) {
    String v = s == null ? "" : s;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    return v.contains(",") || v.contains("\"") || v.contains("\n")
        ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  static String every(Ui ui, java.time.Duration d) {
    long s = d.getSeconds();
    if (s % 86_400 == 0) {
      return ui.t("pub.every.days", s / 86_400);
    }
    if (s % 3600 == 0) {
      return ui.t("pub.every.hours", s / 3600);
    }
    if (s % 60 == 0) {
      return ui.t("pub.every.minutes", s / 60);
    }
    return ui.t("pub.every.seconds", s);
  }

  // --- /privacy ---

  /** The privacy statement, generated from the running configuration (RFC 8932's points). */
  private void privacy(Context ctx) {
    Ui ui = Ui.of(ctx, null);
    PublicSettings.Privacy p = settings.privacy();
    Operator op = stage.engine().policy().operator();
    String org = op.organisation() == null ? ui.t("pub.operator.unnamed") : op.organisation();
    StringBuilder b = new StringBuilder("<p>").append(ui.te("pub.privacy.intro", org))
        .append("</p><h2>").append(ui.te("pub.privacy.kept")).append("</h2><ul>")
        .append("<li>").append(ui.te(p.queryLog() ? "pub.privacy.querylog.on"
            : "pub.privacy.querylog.off")).append("</li>")
        .append("<li>").append(ui.te("pub.privacy.cache", p.cacheMaxTtl())).append("</li>")
        .append("<li>").append(ui.te("pub.privacy.counters")).append("</li>")
        .append("<li>").append(ui.te("pub.privacy.activity", p.activityRetentionDays()))
        .append("</li>")
        .append("<li>").append(ui.te("pub.privacy.appeals", p.appealRetentionDays()))
        .append("</li></ul><h2>").append(ui.te("pub.privacy.shared")).append("</h2><p>");
    if (p.upstreams().isEmpty()) {
      b.append(ui.te("pub.privacy.upstreams.none"));
    } else {
      b.append(ui.te(p.encryptedUpstreams() ? "pub.privacy.upstreams.encrypted"
          : "pub.privacy.upstreams.plain", String.join(", ", p.upstreams())));
    }
    b.append(' ').append(ui.te("pub.privacy.ecs")).append("</p><h2>")
        .append(ui.te("pub.privacy.children")).append("</h2><p>")
        .append(ui.te("pub.privacy.children.text")).append("</p>");
    contacts(ui, b, op);
    ctx.html(ui.page(ui.t("pub.privacy.title"), NAV, b.toString()));
  }
}
