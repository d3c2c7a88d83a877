package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.InvalidPolicyException;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.StoreException;
import dev.hearth.resolver.encrypted.EncryptedConfig;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Set;

/**
 * A device's encrypted-DNS setup in the parent portal: its personal DoH URL and DoT host name
 * (which carry the device's token, so the resolver applies the device's profile wherever the
 * device is), short steps for Android, Apple devices (a generated configuration profile),
 * Windows 11, Chrome and Firefox, and a way to regenerate the token when a device is lost or
 * handed on (the old settings then get the network's default, like any unknown token).
 *
 * <p>Devices are addressed by their position in the parent's own household document, so no URL
 * can name another household's device; the token never appears in a URL of the portal itself
 * (only in the DNS URLs it shows). Only parents reach these pages: operator roles, support
 * included, see devices masked in the console and never a token.
 */
final class DeviceSetupPages {
  private static final Set<Role> PARENT = Set.of(Role.PARENT);
  private final WebPages pages;
  private final PolicyService policy;
  private volatile EncryptedConfig encrypted = EncryptedConfig.NONE;

  DeviceSetupPages(WebPages pages, PolicyService policy) {
    this.pages = pages;
    this.policy = policy;
  }

  /** The listeners and public name the resolver runs with (none until told). */
  void use(EncryptedConfig config) {
    this.encrypted = config == null ? EncryptedConfig.NONE : config;
  }

  void register(JavalinConfig config) {
    config.routes.get("/family/devices/{n}/setup", this::setup);
    config.routes.get("/family/devices/{n}/hearth.mobileconfig", this::mobileConfig);
    config.routes.post("/family/devices/{n}/token", this::newToken);
  }

  /** Whether the portal has anything to show: a public name and at least one listener. */
  private boolean available(EncryptedConfig e) {
    return e.enabled() && e.hostname() != null;
  }

  /** The device at {@code {n}} of the parent's own stored household, or null (404 sent). */
  private ObjectNode device(Context ctx, Sessions.Session s, Ui ui) {
    JsonNode sub = pages.household(s);
    int n;
    try {
      n = Integer.parseInt(ctx.pathParam("n"));
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (sub != null && sub.get("devices") instanceof ArrayNode devices && n >= 0
        && n < devices.size() && devices.get(n) instanceof ObjectNode d) {
      return d;
    }
    ctx.status(404).html(ui.page(ui.t("notfound.title"), pages.familyNav(),
        "<p>" + ui.te("setup.notfound") + "</p><p><a href=\"/family\">"
            + ui.te("setup.back") + "</a></p>"));
    return null;
  }

  private void setup(Context ctx) {
    Sessions.Session s = pages.require(ctx, PARENT);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    ObjectNode d = device(ctx, s, ui);
    if (d != null) {
      render(ctx, ui, d, null);
    }
  }

  private void render(Context ctx, Ui ui, JsonNode d, String ok) {
    String n = ctx.pathParam("n");
    String name = d.path("name").asText("");
    String token = d.path("token").asText("");
    EncryptedConfig e = encrypted;
    StringBuilder b = new StringBuilder(Ui.notice("ok", ok));
    b.append("<p><a href=\"/family\">").append(ui.te("setup.back")).append("</a></p>");
    if (!available(e)) {
      b.append("<p>").append(ui.te("setup.off")).append("</p>");
      ctx.html(ui.page(ui.t("setup.title", name), pages.familyNav(), b.toString()));
      return;
    }
    String action = "/family/devices/" + Ui.esc(n) + "/token";
    if (token.isEmpty()) {
      b.append("<p>").append(ui.te("setup.notoken")).append("</p>")
          .append("<form method=\"post\" action=\"").append(action).append("\">")
          .append(ui.csrfField()).append(hiddenName(name)).append(ui.submit("setup.create"));
      ctx.html(ui.page(ui.t("setup.title", name), pages.familyNav(), b.toString()));
      return;
    }
    String doh = e.dohUrl(token);
    String dot = e.dotHost(token);
    b.append("<p>").append(ui.te("setup.intro")).append("</p>");
    b.append("<section aria-labelledby=\"h-addresses\"><h2 id=\"h-addresses\">")
        .append(ui.te("setup.addresses")).append("</h2>");
    if (doh != null) {
      b.append(copyField("doh-url", ui.te("setup.doh"), doh));
    }
    if (dot != null) {
      b.append(copyField("dot-host", ui.te("setup.dot"), dot));
      if (e.dotPort() != 853) {
        b.append("<p class=\"hint\">").append(ui.te("setup.dot.port", String.valueOf(e.dotPort()))).append("</p>");
      }
    }
    b.append("<p>").append(ui.te("setup.secret")).append("</p></section>");

    b.append(section("android", ui.te("setup.android"), dot == null
        ? "<p>" + ui.te("setup.android.nodot") + "</p>"
        : steps(ui.te("setup.android.1"), ui.te("setup.android.2"),
            ui.te("setup.android.3", dot))));
    b.append(section("apple", ui.te("setup.apple"), steps(
        ui.te("setup.apple.1") + " <a href=\"/family/devices/" + Ui.esc(n)
            + "/hearth.mobileconfig\" download>" + ui.te("setup.apple.download") + "</a>",
        ui.te("setup.apple.2"), ui.te("setup.apple.3"))));
    if (doh != null) {
      b.append(section("windows", ui.te("setup.windows"), steps(ui.te("setup.windows.1"),
          ui.te("setup.windows.2", e.hostname()), ui.te("setup.windows.3", doh))));
      b.append(section("chrome", ui.te("setup.chrome"), steps(ui.te("setup.chrome.1"),
          ui.te("setup.chrome.2", doh))));
      b.append(section("firefox", ui.te("setup.firefox"), steps(ui.te("setup.firefox.1"),
          ui.te("setup.firefox.2", doh))));
    } else {
      b.append("<p>").append(ui.te("setup.nodoh")).append("</p>");
    }
    b.append("<section aria-labelledby=\"h-regenerate\"><h2 id=\"h-regenerate\">")
        .append(ui.te("setup.regenerate.title")).append("</h2><p>")
        .append(ui.te("setup.regenerate.text")).append("</p><form method=\"post\" action=\"")
        .append(action).append("\">").append(ui.csrfField()).append(hiddenName(name))
        .append(ui.submit("setup.regenerate")).append("</section>");
    ctx.html(ui.page(ui.t("setup.title", name), pages.familyNav(), b.toString()));
  }

  private static String hiddenName(String name) {
    return "<input type=\"hidden\" name=\"device\" value=\"" + Ui.esc(name) + "\">";
  }

  /** A read-only field (select all and copy) with its label. */
  private static String copyField(String id, String label, String value) {
    return "<div class=\"field\"><label for=\"" + id + "\">" + label + "</label><input type=\"text\""
        + " id=\"" + id + "\" class=\"copy\" readonly spellcheck=\"false\" value=\""
        + Ui.esc(value) + "\"></div><p><code>" + Ui.esc(value) + "</code></p>";
  }

  private static String section(String id, String title, String body) {
    return "<section aria-labelledby=\"h-" + id + "\"><h2 id=\"h-" + id + "\">" + title
        + "</h2>" + body + "</section>";
  }

  private static String steps(String... items) {
    StringBuilder b = new StringBuilder("<ol>");
    for (String i : items) {
      b.append("<li>").append(i).append("</li>");
    }
    return b.append("</ol>").toString();
  }

  private void mobileConfig(Context ctx) {
    Sessions.Session s = pages.require(ctx, PARENT);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    ObjectNode d = device(ctx, s, ui);
    if (d == null) {
      return;
    }
    EncryptedConfig e = encrypted;
    String token = d.path("token").asText("");
    if (!available(e) || token.isEmpty()) {
      ctx.status(404).html(ui.page(ui.t("notfound.title"), pages.familyNav(),
          "<p>" + ui.te(token.isEmpty() ? "setup.notoken" : "setup.off") + "</p>"));
      return;
    }
    String name = d.path("name").asText("");
    String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        .replaceAll("(^-+|-+$)", "");
    String body = MobileConfig.profile(token, e.dohUrl(token), e.dotHost(token), e.hostname(),
        ui.t("setup.apple.display", name), ui.t("setup.apple.description", name, e.hostname()));
    ctx.header("Content-Disposition", "attachment; filename=\"hearth-dns-"
        + (slug.isEmpty() ? "device" : slug) + ".mobileconfig\"")
        .header("Cache-Control", "no-store")
        .contentType(MobileConfig.CONTENT_TYPE).result(body);
  }

  /**
   * A new token for the device (its first, for a device known by MAC only): the old one stops
   * selecting the profile as soon as the policy is published. The form names the device too, so
   * a page left open while the list changed cannot regenerate another device's token.
   */
  private void newToken(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, PARENT);
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    ObjectNode d = device(ctx, s, ui);
    if (d == null) {
      return;
    }
    String name = d.path("name").asText("");
    if (!name.equals(ctx.formParam("device"))) {
      ctx.status(409).html(ui.page(ui.t("setup.title", name), pages.familyNav(),
          Ui.notice("error", ui.t("setup.changed")) + "<p><a href=\"/family\">"
              + ui.te("setup.back") + "</a></p>"));
      return;
    }
    ObjectNode subDoc = ((ObjectNode) pages.household(s)).deepCopy();
    ObjectNode copy = (ObjectNode) subDoc.get("devices").get(Integer.parseInt(ctx.pathParam("n")));
    boolean first = !copy.hasNonNull("token");
    copy.put("token", DeviceTokens.generate());
    try {
      policy.put(s.principal, Kind.SUBSCRIBER, s.principal.household(), subDoc);
    } catch (InvalidPolicyException e) {
      ctx.status(400).html(ui.page(ui.t("setup.title", name), pages.familyNav(),
          Ui.notice("error", PolicyService.describe(e))));
      return;
    }
    render(ctx, ui, copy, ui.t(first ? "setup.created" : "setup.regenerated", name));
  }

  /** Rows of the family page's device table: a link to the device's setup page. */
  static String link(Ui ui, int index) {
    return "<a href=\"/family/devices/" + index + "/setup\">" + ui.te("devices.setup") + "</a>";
  }

}
