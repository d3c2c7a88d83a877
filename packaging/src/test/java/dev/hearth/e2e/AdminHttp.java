package dev.hearth.e2e;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The admin API with a bearer token, and the public appeal form sent as a visitor would. */
final class AdminHttp {
  private static final Pattern FORM_TOKEN = Pattern.compile("name=\"_form\" value=\"([^\"]+)\"");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private AdminHttp() {}

  /** One API call; {@code body} (JSON) may be null. Generous timeout: CI machines are shared. */
  static HttpResponse<String> api(String base, String token, String method, String path,
      String body) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    if (body != null) {
      r.header("Content-Type", "application/json");
    }
    r.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Fetches the appeal form in a fresh cookie session and sends it for {@code site}; the answer
   * to the POST (201 with the ticket when filed).
   */
  static HttpResponse<String> appeal(String base, String site)
      throws IOException, InterruptedException {
    HttpClient visitor = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .connectTimeout(Duration.ofSeconds(5)).build();
    String form = visitor.send(HttpRequest.newBuilder(URI.create(base + "/appeal"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = FORM_TOKEN.matcher(form);
    if (!m.find()) {
      throw new IOException("no appeal form at " + base + "/appeal: " + E2e.tail(form, 500));
    }
    String body = String.join("&", List.of(
        "_form=" + enc(m.group(1)), "name=" + enc(site), "reason=" + enc("wrongly blocked"),
        "role=webmaster", "email=" + enc("owner@" + site), "message=" + enc("please check"),
        "category="));
    return visitor.send(HttpRequest.newBuilder(URI.create(base + "/appeal"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
