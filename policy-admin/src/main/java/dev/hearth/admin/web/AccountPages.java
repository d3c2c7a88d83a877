package dev.hearth.admin.web;

import dev.hearth.admin.auth.Accounts;
import dev.hearth.admin.auth.Principal;
import dev.hearth.admin.auth.Role;
import dev.hearth.admin.policy.PolicyService;
import dev.hearth.admin.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accounts in the console (users, API tokens, parent sign-up codes) and the public sign-up page
 * where a parent turns a code from their provider into an account for their household. Codes
 * and tokens are shown once, on the page that creates them, and never again.
 */
final class AccountPages {
  private final WebPages pages;
  private final Accounts accounts;
  private final PolicyService policy;
  private final LoginThrottle throttle;

  AccountPages(WebPages pages, Accounts accounts, PolicyService policy, LoginThrottle throttle) {
    this.pages = pages;
    this.accounts = accounts;
    this.policy = policy;
    this.throttle = throttle;
  }

  void register(JavalinConfig config) {
    config.routes.get("/admin/users", ctx -> users(ctx, null, null));
    config.routes.post("/admin/users", this::createUser);
    config.routes.post("/admin/tokens", this::createToken);
    config.routes.post("/admin/users/delete", this::deleteUser);
    config.routes.post("/admin/tokens/revoke", this::revokeToken);
    config.routes.post("/admin/signup-codes", this::issueCode);
    config.routes.get("/signup", ctx -> signupForm(ctx, null, 200));
    config.routes.post("/signup", this::signup);
  }

  private void users(Context ctx, String error, String shownOnce) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    StringBuilder b = new StringBuilder(Ui.notice("error", error));
    if (shownOnce != null) {
      b.append("<p class=\"notice ok\" role=\"status\">").append(ui.te("shown.once"))
          .append(" <code>").append(Ui.esc(shownOnce)).append("</code></p>");
    }
    b.append("<table><caption>").append(ui.te("users.caption")).append("</caption><thead><tr>");
    for (String c : List.of("login.username", "users.role", "users.household", "users.locked")) {
      b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (Map<String, Object> u : accounts.users()) {
      b.append("<tr><td>").append(Ui.esc((String) u.get("username"))).append("</td><td>")
          .append(Ui.esc((String) u.get("role"))).append("</td><td>")
          .append(Ui.esc(u.get("household") == null ? "" : (String) u.get("household")))
          .append("</td><td>").append(ui.te(Boolean.TRUE.equals(u.get("locked")) ? "yes" : "no"))
          .append("</td></tr>");
    }
    b.append("</tbody></table>");
    List<String[]> roles = new ArrayList<>();
    for (Role r : Role.values()) {
      roles.add(new String[] {r.id(), r.id()});
    }
    b.append("<h2>").append(ui.te("users.new")).append("</h2><form method=\"post\"")
        .append(" action=\"/admin/users\">").append(ui.csrfField())
        .append(ui.input("username", "login.username", "", "text", null, "required"))
        .append(ui.select("role", "users.role", roles, "support"))
        .append(ui.input("household", "users.household.hint", "", "text", null, null))
        .append(ui.input("password", "users.password", "", "password", null,
            "autocomplete=\"new-password\" required minlength=\"12\""))
        .append(ui.submit("users.create"));
    b.append("<form method=\"post\" action=\"/admin/users/delete\">").append(ui.csrfField())
        .append(ui.input("remove", "users.remove.name", "", "text", null, "required"))
        .append(ui.submit("users.remove"));
    b.append("<h2>").append(ui.te("tokens.title")).append("</h2><table><caption>")
        .append(ui.te("tokens.caption")).append("</caption><thead><tr>");
    for (String c : List.of("tokens.id", "tokens.name", "users.role", "tokens.revoked")) {
      b.append("<th scope=\"col\">").append(ui.te(c)).append("</th>");
    }
    b.append("</tr></thead><tbody>");
    for (Map<String, Object> t : accounts.tokens()) {
      b.append("<tr><td>").append(Ui.esc((String) t.get("id"))).append("</td><td>")
          .append(Ui.esc((String) t.get("name"))).append("</td><td>")
          .append(Ui.esc((String) t.get("role"))).append("</td><td>")
          .append(Ui.esc(t.get("revoked_at") == null ? "" : (String) t.get("revoked_at")))
          .append("</td></tr>");
    }
    b.append("</tbody></table><form method=\"post\" action=\"/admin/tokens\">")
        .append(ui.csrfField())
        .append(ui.input("name", "tokens.name", "", "text", null, "required"))
        .append(ui.select("role", "users.role", roles, "administrator"))
        .append("<p><button type=\"submit\">").append(ui.te("tokens.create"))
        .append("</button></p></form><form method=\"post\" action=\"/admin/tokens/revoke\">")
        .append(ui.csrfField())
        .append(ui.input("id", "tokens.id", "", "text", null, "required"))
        .append(ui.submit("tokens.revoke"));
    ctx.status(error == null ? 200 : 400).html(ui.page(ui.t("users.title"),
        WebPages.CONSOLE_NAV, b.toString()));
  }

  private void createUser(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = blankToNull(ctx.formParam("household"));
    try {
      Role role = Role.parse(ctx.formParam("role"));
      if (household != null && policy.current().directory().subscriber(household) == null) {
        throw new IllegalArgumentException(ui.t("error.nohousehold", household));
      }
      String password = ctx.formParam("new") == null ? "" : ctx.formParam("new");
      accounts.createUser(s.principal, ctx.formParam("username"), role, household,
          password.toCharArray(), true);
    } catch (IllegalArgumentException e) {
      users(ctx, e.getMessage(), null);
      return;
    }
    users(ctx, null, null);
  }

  private void deleteUser(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String name = ctx.formParam("remove") == null ? "" : ctx.formParam("remove").trim();
    try {
      if (("user:" + Accounts.username(name)).equals(s.principal.name())) {
        users(ctx, ui.t("users.remove.self"), null);
        return;
      }
      if (!accounts.deleteUser(s.principal, name)) {
        users(ctx, ui.t("users.remove.none", name), null);
        return;
      }
    } catch (IllegalArgumentException e) {
      users(ctx, e.getMessage(), null);
      return;
    }
    pages.endSessionsOf("user:" + Accounts.username(name));
    users(ctx, null, null);
  }

  private void createToken(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    String token;
    try {
      token = accounts.createToken(s.principal, ctx.formParam("name"),
          Role.parse(ctx.formParam("role")), null);
    } catch (IllegalArgumentException e) {
      users(ctx, e.getMessage(), null);
      return;
    }
    users(ctx, null, token);
  }

  private void revokeToken(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String id = ctx.formParam("id") == null ? "" : ctx.formParam("id").trim();
    if (!accounts.revokeToken(s.principal, id)) {
      users(ctx, ui.t("tokens.none", id), null);
      return;
    }
    users(ctx, null, null);
  }

  private void issueCode(Context ctx) throws StoreException {
    Sessions.Session s = pages.require(ctx, Set.of(Role.ADMINISTRATOR));
    if (s == null) {
      return;
    }
    Ui ui = Ui.of(ctx, s);
    String household = blankToNull(ctx.formParam("household"));
    if (household == null || policy.current().directory().subscriber(household) == null) {
      users(ctx, ui.t("error.nohousehold", household == null ? "" : household), null);
      return;
    }
    users(ctx, null, accounts.issueSignupCode(s.principal, household));
  }

  private void signupForm(Context ctx, String error, int status) {
    Ui ui = Ui.of(ctx, null);
    String body = "<p>" + ui.te("signup.intro") + "</p>" + Ui.notice("error", error)
        + "<form method=\"post\" action=\"/signup\">"
        + ui.input("code", "signup.code", "", "text", null,
            "required autocomplete=\"one-time-code\"")
        + ui.input("username", "login.username", "", "text", null,
            "required autocomplete=\"username\"")
        + ui.newPasswordFields() + ui.submit("signup.submit");
    ctx.status(status).html(ui.page(ui.t("signup.title"), List.of(), body));
  }

  /**
   * Redeems a code. No session exists yet, so CSRF is moot (there is nothing to ride on);
   * guessing codes is throttled per address like logins.
   */
  private void signup(Context ctx) throws StoreException {
    Ui ui = Ui.of(ctx, null);
    String ip = ctx.ip();
    if (throttle.blocked(ip)) {
      signupForm(ctx, ui.t("login.throttled"), 429);
      return;
    }
    String password = ctx.formParam("new") == null ? "" : ctx.formParam("new");
    if (!password.equals(ctx.formParam("confirm"))) {
      signupForm(ctx, ui.t("password.mismatch"), 400);
      return;
    }
    Principal p;
    try {
      p = accounts.redeemSignupCode(ctx.formParam("code"), ctx.formParam("username"),
          password.toCharArray());
    } catch (IllegalArgumentException e) {
      throttle.failed(ip);
      signupForm(ctx, e.getMessage(), 400);
      return;
    }
    throttle.succeeded(ip);
    pages.startSession(ctx, p, false);
    ctx.redirect("/family");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
