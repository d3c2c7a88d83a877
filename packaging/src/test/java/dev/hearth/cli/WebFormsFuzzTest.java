package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.api.SilentCloseable;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hearth.admin.auth.Role;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the web forms and the API through a real in-process admin
 * server: the fuzzer picks a route from the router's own list and who calls it (nobody, or a
 * signed-in user / token of any role, with the session's CSRF token), and writes the path
 * parameters, the query string and the body (form fields or JSON). The property: bad input gets
 * a 4xx (or a page saying what is wrong), never a 5xx. Committed inputs:
 * {@code WebFormsFuzzTestInputs/anyRoute/}.
 */
class WebFormsFuzzTest {
  private static SilentCloseable loopbackOnly;
  private static Path dir;
  private static HostileWebFixture f;
  private static List<String> routes;
  private static final Role[] ROLES = Role.values();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("hearth-web-fuzz");
    f = new HostileWebFixture(dir);
    routes = f.web.routes().stream().filter(r -> !r.startsWith("HEAD ")
        && !r.equals("POST /logout") && !r.equals("POST /password")).sorted().toList();
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  @FuzzTest
  void anyRoute(FuzzedDataProvider in) throws Exception {
    allowLoopback();
    String route = routes.get(in.consumeInt(0, routes.size() - 1));
    int who = in.consumeInt(-1, ROLES.length - 1);
    Role role = who < 0 ? null : ROLES[who];
    boolean json = in.consumeBoolean();
    String method = route.substring(0, route.indexOf(' '));
    String path = route.substring(route.indexOf(' ') + 1);
    StringBuilder filled = new StringBuilder();
    for (String part : path.split("/", -1)) {
      if (filled.length() > 0 || !part.isEmpty()) {
        filled.append('/');
      }
      filled.append(part.startsWith("{")
          ? URLEncoder.encode(in.consumeString(40), StandardCharsets.UTF_8).replace("+", "%20")
          : part);
    }
    String query = in.consumeString(200);
    String target = (filled.length() == 0 ? "/" : filled.toString())
        + (query.isEmpty() ? "" : "?" + encodeQuery(query));
    HttpResponse<String> r;
    if (path.startsWith("/api/")) {
      String body = method.equals("POST") || method.equals("PUT")
          ? in.consumeRemainingAsString() : null;
      r = f.api(method, target, role, body);
    } else {
      HostileWebFixture.Visitor v = role == null ? f.new Visitor() : f.sessions.get(role);
      if (method.equals("POST")) {
        StringBuilder form = new StringBuilder();
        if (role != null) {
          String csrf = v.csrf(role == Role.PARENT ? "/family" : "/admin");
          form.append("_csrf=").append(csrf == null ? "" : csrf).append('&');
        }
        form.append(in.consumeRemainingAsString());
        r = v.send("POST", target, json ? "application/json" : "application/x-www-form-urlencoded",
            form.toString());
      } else {
        r = v.send(method, target, null, null);
      }
    }
    assertTrue(r.statusCode() < 500, route + " as " + role + " " + target + ": "
        + r.statusCode() + " " + r.body());
  }

  /** Keeps the fuzzer's '&' and '=' (structure) and percent-encodes the rest. */
  private static String encodeQuery(String q) {
    StringBuilder out = new StringBuilder();
    for (String pair : q.split("&", -1)) {
      if (out.length() > 0) {
        out.append('&');
      }
      int eq = pair.indexOf('=');
      out.append(eq < 0 ? URLEncoder.encode(pair, StandardCharsets.UTF_8)
          : URLEncoder.encode(pair.substring(0, eq), StandardCharsets.UTF_8) + "="
              + URLEncoder.encode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  /**
   * The target talks to its own servers on loopback; Jazzer's SSRF detector stays on for any
   * other address. Set on the first input: Jazzer's agent is not there before.
   */
  private static void allowLoopback() {
    if (loopbackOnly == null) {
      loopbackOnly = BugDetectors.allowNetworkConnections(
          (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
    }
  }
}
