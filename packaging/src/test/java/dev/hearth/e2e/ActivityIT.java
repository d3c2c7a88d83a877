package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in activity summary end to end with the built jar: `dig -b` from a household that
 * opted in shows up as counts per category on its parent's summary page and in admin.db (stored
 * again at shutdown), a household that did not opt in has nothing stored, and the public status
 * page, asked from each household's address, says whether reporting is on.
 */
@Timeout(180)
class ActivityIT {
  @TempDir Path dir;

  static String token(HearthProcess hearth) throws Exception {
    var t = HearthProcess.cli("admin", "create-token", "--data-dir", hearth.dataDir().toString(),
        "--name", "activity", "--role", "administrator");
    assertEquals(0, t.exit(), t.output());
    return t.output().lines().filter(l -> l.startsWith("hth_")).findFirst().orElseThrow();
  }

  static void put(String base, String token, String path, String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(base + path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.body());
  }

  /** GET {@code path} with the connection's source address bound to {@code source}. */
  static String getFrom(String source, int port, String path) throws Exception {
    try (Socket s = new Socket()) {
      s.bind(new InetSocketAddress(source, 0));
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  /** A parent signed in over HTTP: the login form's token, then the session cookie. */
  static HttpClient signIn(String base, String user, String password) throws Exception {
    HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
    String form = http.send(HttpRequest.newBuilder(URI.create(base + "/login")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("name=\"_login\" value=\"([^\"]+)\"").matcher(form);
    assertTrue(m.find(), form);
    String body = "_login=" + m.group(1) + "&username=" + URLEncoder.encode(user,
        StandardCharsets.UTF_8) + "&password=" + URLEncoder.encode(password,
        StandardCharsets.UTF_8);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(302, r.statusCode(), r.body());
    return http;
  }

  /** household/profile/category -> "allowed/blocked", read from admin.db directly. */
  static List<String> stored(Path db) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        PreparedStatement ps = c.prepareStatement("SELECT household, profile, category, allowed,"
            + " blocked FROM activity_daily ORDER BY household, profile, category");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3) + " "
            + rs.getLong(4) + "/" + rs.getLong(5));
      }
    }
    return out;
  }

  @Test
  void anOptedInHousehold_getsCountsPerCategory_anotherHasNothingStored() throws Exception {
    try (AdminServerFixture server = AdminServerFixture.start(dir)) {
      HearthProcess hearth = server.hearth();
      String base = server.base();
      String token = token(hearth);
      put(base, token, "/api/v1/profiles/kids", "{\"preset\": \"young-child\"}");
      put(base, token, "/api/v1/subscribers/house-51", "{\"profile\": \"kids\", \"addresses\":"
          + " [\"127.0.0.51/32\"], \"activity_summary\": true}");
      put(base, token, "/api/v1/subscribers/house-52", "{\"profile\": \"kids\", \"addresses\":"
          + " [\"127.0.0.52/32\"]}");
      var parent = HearthProcess.cliWithInput("the parent's password\n", "admin", "create-user",
          "--data-dir", hearth.dataDir().toString(), "--username", "parent51", "--role",
          "parent", "--household", "house-51", "--password-stdin");
      assertEquals(0, parent.exit(), parent.output());

      for (String source : List.of("127.0.0.51", "127.0.0.52")) {
        for (int i = 0; i < 3; i++) {
          assertEquals("NXDOMAIN", Dig.dig(hearth.port(), "-b", source, "target.e2e.test", "A")
              .status());
        }
        assertEquals("NOERROR", Dig.dig(hearth.port(), "-b", source, "www.e2e.test", "A")
            .status());
      }

      HttpClient http = signIn(base, "parent51", "the parent's password");
      String page = http.send(HttpRequest.newBuilder(URI.create(base + "/family/activity"))
          .header("Accept-Language", "en").build(), HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(page.contains("Blocked lookups per category and day"), page);
      assertTrue(Pattern.compile("<th scope=\"row\">adult</th>(<td>\\d+</td>)*<td>3</td></tr>")
          .matcher(page).find(), page);
      assertTrue(Pattern.compile("<th scope=\"row\">Not in any category</th>(<td>\\d+</td>)*"
          + "<td>1</td></tr>").matcher(page).find(), page);
      assertFalse(page.contains("e2e.test") || page.contains("127.0.0.5"), page);

      String on = getFrom("127.0.0.51", server.httpPort(), "/status");
      assertTrue(on.startsWith("HTTP/1.1 200"), on);
      assertTrue(on.contains("Activity reporting is on"), on);
      assertFalse(on.contains("house-51"), on);
      String off = getFrom("127.0.0.52", server.httpPort(), "/status");
      assertTrue(off.contains("Activity reporting is off"), off);
      String none = getFrom("127.0.0.53", server.httpPort(), "/status");
      assertTrue(none.contains("standard filtering"), none);

      // More lookups after the page's flush are stored when the server stops.
      assertEquals("NXDOMAIN", Dig.dig(hearth.port(), "-b", "127.0.0.51", "target.e2e.test",
          "A").status());
      hearth.stop();
      List<String> rows = stored(hearth.dataDir().resolve("admin.db"));
      assertEquals(List.of("house-51/kids/(other) 1/0", "house-51/kids/adult 0/4"), rows);
    }
  }
}
