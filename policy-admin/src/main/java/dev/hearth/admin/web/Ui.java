package dev.hearth.admin.web;

import io.javalin.http.Context;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * What a page needs to render for one request: the visitor's language (a {@code lang} query
 * parameter or cookie, else Accept-Language; English and Spanish), their session, and the page
 * frame. Every string comes from the {@code messages} bundle and every value goes through
 * {@link #esc}: pages are built from escaped text only, so user input cannot become markup.
 */
final class Ui {
  static final List<String> LANGUAGES = List.of("en", "es");
  private static final String BUNDLE = "dev.hearth.admin.web.messages";

  final String lang;
  final ResourceBundle messages;
  final Sessions.Session session;

  private Ui(String lang, Sessions.Session session) {
    this.lang = lang;
    this.messages = ResourceBundle.getBundle(BUNDLE, Locale.forLanguageTag(lang),
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_DEFAULT));
    this.session = session;
  }

  static Ui of(Context ctx, Sessions.Session session) {
    String lang = ctx.queryParam("lang");
    if (lang != null && LANGUAGES.contains(lang)) {
      ctx.cookie(new io.javalin.http.Cookie("hearth_lang", lang, "/", 365 * 24 * 3600,
          Sessions.secure(ctx), true, null, io.javalin.http.SameSite.LAX));
    } else {
      lang = ctx.cookie("hearth_lang");
      if (lang == null || !LANGUAGES.contains(lang)) {
        lang = fromHeader(ctx.header("Accept-Language"));
      }
    }
    return new Ui(lang, session);
  }

  static String fromHeader(String header) {
    if (header != null) {
      try {
        for (Locale.LanguageRange r : Locale.LanguageRange.parse(header)) {
          String l = r.getRange().split("-")[0].toLowerCase(Locale.ROOT);
          if (LANGUAGES.contains(l)) {
            return l;
          }
        }
      } catch (IllegalArgumentException ignored) {
        // A malformed header gets the default language.
      }
    }
    return "en";
  }

  /** The translated text for {@code key}, with {@code args} put in (escaped by the caller). */
  String t(String key, Object... args) {
    String pattern;
    try {
      pattern = messages.getString(key);
    } catch (MissingResourceException e) {
      pattern = key;
    }
    return args.length == 0 ? pattern : new MessageFormat(pattern, Locale.forLanguageTag(lang))
        .format(args);
  }

  /** {@link #t} escaped for HTML. */
  String te(String key, Object... args) {
    return esc(t(key, args));
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** The hidden CSRF field every form carries. */
  String csrfField() {
    return session == null ? "" : "<input type=\"hidden\" name=\"_csrf\" value=\""
        + esc(session.csrf) + "\">";
  }

  /**
   * A whole page: skip link, header with the signed-in user and a logout button, navigation for
   * the area ({@code nav} pairs of href and message key), one {@code main} landmark.
   */
  String page(String title, List<String[]> nav, String body) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html>\n<html lang=\"").append(lang).append("\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>").append(esc(title)).append(" · Hearth</title>")
        .append("<link rel=\"stylesheet\" href=\"/static/hearth.css\"></head><body>")
        .append("<a class=\"skip\" href=\"#main\">").append(te("skip")).append("</a>")
        .append("<header><span class=\"brand\">Hearth</span>");
    if (nav != null && !nav.isEmpty()) {
      b.append("<nav aria-label=\"").append(te("nav.label")).append("\"><ul>");
      for (String[] item : nav) {
        b.append("<li><a href=\"").append(esc(item[0])).append("\">").append(te(item[1]))
            .append("</a></li>");
      }
      b.append("</ul></nav>");
    }
    if (session != null) {
      b.append("<form class=\"logout\" method=\"post\" action=\"/logout\">").append(csrfField())
          .append("<span>").append(te("signed.in.as", session.principal.name()
              .replaceFirst("^user:", ""))).append("</span> <button type=\"submit\">")
          .append(te("logout")).append("</button></form>");
    }
    b.append("<p class=\"lang\">");
    for (String l : LANGUAGES) {
      b.append("<a href=\"?lang=").append(l).append("\" lang=\"").append(l).append("\"")
          .append(l.equals(lang) ? " aria-current=\"true\"" : "").append(">")
          .append(l.equals("en") ? "English" : "Español").append("</a> ");
    }
    b.append("</p></header><main id=\"main\"><h1>").append(esc(title)).append("</h1>")
        .append(body).append("</main></body></html>");
    return b.toString();
  }

  /** A labelled text input; {@code error} (may be null) is announced with the field. */
  String input(String name, String labelKey, String value, String type, String error,
      String extra) {
    String id = "f-" + name;
    StringBuilder b = new StringBuilder("<p class=\"field\"><label for=\"").append(id)
        .append("\">").append(te(labelKey)).append("</label> ");
    b.append("<input id=\"").append(id).append("\" name=\"").append(esc(name))
        .append("\" type=\"").append(type).append("\" value=\"").append(esc(value)).append("\"");
    if (error != null) {
      b.append(" aria-invalid=\"true\" aria-describedby=\"").append(id).append("-err\"");
    }
    b.append(extra == null ? "" : " " + extra).append(">");
    if (error != null) {
      b.append(" <span class=\"error\" id=\"").append(id).append("-err\">").append(esc(error))
          .append("</span>");
    }
    return b.append("</p>").toString();
  }

  /** A labelled text area with one item per line. */
  String textarea(String name, String labelKey, List<String> lines, String hintKey) {
    String id = "f-" + name;
    return "<p class=\"field\"><label for=\"" + id + "\">" + te(labelKey) + "</label> "
        + (hintKey == null ? "" : "<span class=\"hint\" id=\"" + id + "-hint\">" + te(hintKey)
            + "</span>")
        + "<textarea id=\"" + id + "\" name=\"" + esc(name) + "\" rows=\"4\""
        + (hintKey == null ? "" : " aria-describedby=\"" + id + "-hint\"") + ">"
        + esc(String.join("\n", lines)) + "</textarea></p>";
  }

  /** A labelled select; options are value and label pairs (labels already translated). */
  String select(String name, String labelKey, List<String[]> options, String selected) {
    String id = "f-" + name;
    StringBuilder b = new StringBuilder("<p class=\"field\"><label for=\"").append(id)
        .append("\">").append(te(labelKey)).append("</label> <select id=\"").append(id)
        .append("\" name=\"").append(esc(name)).append("\">");
    for (String[] o : options) {
      b.append("<option value=\"").append(esc(o[0])).append("\"")
          .append(o[0].equals(selected) ? " selected" : "").append(">").append(esc(o[1]))
          .append("</option>");
    }
    return b.append("</select></p>").toString();
  }

  /** The "new password" and "again" fields of the password change and sign-up forms. */
  String newPasswordFields() {
    return input("new", "password.new", "", "password", null,
        "autocomplete=\"new-password\" required minlength=\"12\"")
        + input("confirm", "password.confirm", "", "password", null,
            "autocomplete=\"new-password\" required minlength=\"12\"");
  }

  /** A form's submit button and the end of the form. */
  String submit(String labelKey) {
    return "<p><button type=\"submit\">" + te(labelKey) + "</button></p></form>";
  }

  /** A message box: {@code kind} is "error" (role alert) or "ok" (role status). */
  static String notice(String kind, String text) {
    if (text == null) {
      return "";
    }
    return "<p class=\"notice " + kind + "\" role=\"" + ("error".equals(kind) ? "alert" : "status")
        + "\">" + esc(text) + "</p>";
  }
}
