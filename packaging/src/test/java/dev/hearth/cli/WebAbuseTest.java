package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resource abuse of the web side, each bounded by a limit, over real HTTP: many appeals at once
 * from one address (the per-address hourly limit holds under concurrency, the rest get 429 with
 * Retry-After, nothing fails), a password-guessing run on one account (locked after five
 * failures, even for the right password) and across accounts (the address gets 429), and
 * request bodies beyond the size limit (413, before anything reads them).
 */
class WebAbuseTest {
  @TempDir Path dir;
  HostileWebFixture f;
  static final Pattern FORM_TOKEN = Pattern.compile("name=\"_form\" value=\"([^\"]+)\"");

  @BeforeEach
  void start() throws Exception {
    f = new HostileWebFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void manyConcurrentAppeals_fromOneAddress_stopAtTheHourlyLimit() throws Exception {
    int n = 30;
    List<HostileWebFixture.Visitor> people = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HostileWebFixture.Visitor v = f.new Visitor();
      v.get("/appeal");
      Matcher m = FORM_TOKEN.matcher(v.lastPage);
      assertTrue(m.find(), v.lastPage);
      people.add(v);
      tokens.add(m.group(1));
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> sent = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        HostileWebFixture.Visitor v = people.get(i);
        String token = tokens.get(i);
        int k = i;
        sent.add(pool.submit(() -> {
          go.await();
          return v.post("/appeal", "_form", token, "name", "site" + k + ".example", "reason",
              "wrongly blocked", "role", "webmaster", "email", "owner" + k + "@site.example",
              "message", "please check", "category", "");
        }));
      }
      go.countDown();
      Map<Integer, Integer> byStatus = new TreeMap<>();
      for (Future<HttpResponse<String>> r : sent) {
        HttpResponse<String> resp = r.get(60, TimeUnit.SECONDS);
        byStatus.merge(resp.statusCode(), 1, Integer::sum);
        if (resp.statusCode() == 429) {
          assertEquals("3600", resp.headers().firstValue("Retry-After").orElse(""));
        }
      }
      int limit = dev.hearth.admin.web.PublicSettings.DEFAULTS.appealsPerAddressPerHour();
      assertEquals(Map.of(201, limit, 429, n - limit), byStatus);
    } finally {
      pool.shutdownNow();
    }
    assertEquals(10, f.web.appeals().recent(100).size(), "exactly the limit was stored");
  }

  @Test
  void passwordGuessing_locksTheAccount_andThenTheAddress() throws Exception {
    HostileWebFixture.Visitor attacker = f.new Visitor();
    for (int i = 0; i < 5; i++) {
      assertEquals(401, attacker.login("support-user", "guess number " + i).statusCode());
    }
    HttpResponse<String> right = attacker.login("support-user", HostileWebFixture.PASSWORD);
    assertTrue(right.statusCode() == 401 || right.statusCode() == 429,
        "locked: even the right password is refused: " + right.statusCode());
    // Other accounts still sign in from elsewhere... and from here until the address limit.
    int last = 0;
    for (int i = 0; i < 6; i++) {
      last = attacker.login("user" + i, "guess " + i).statusCode();
    }
    assertEquals(429, last, "ten failures from one address: 429 for any account");
    assertEquals(429, attacker.login("parent-user", HostileWebFixture.PASSWORD).statusCode());
  }

  @Test
  void oversizedBodies_areRefusedBeforeTheyAreRead() throws Exception {
    // Only the request head is sent, declaring 2 MiB: the answer must come without the body.
    String form = headOnly("POST /appeal", "Content-Type: application/x-www-form-urlencoded");
    assertTrue(form.startsWith("HTTP/1.1 413"), form);
    assertTrue(form.contains("too large"), form);
    String api = headOnly("PUT /api/v1/profiles/big", "Content-Type: application/json",
        "Authorization: Bearer " + f.tokens.get(dev.hearth.admin.auth.Role.ADMINISTRATOR));
    assertTrue(api.startsWith("HTTP/1.1 413"), api);
    assertTrue(api.contains("too large (over 1 MiB)"), api);
    assertEquals(200, f.new Visitor().get("/healthz").statusCode(), "still serving");
  }

  private String headOnly(String requestLine, String... headers) throws Exception {
    return HeadOnlyRequest.send(f.web.port(), 2 << 20, requestLine, headers);
  }
}
