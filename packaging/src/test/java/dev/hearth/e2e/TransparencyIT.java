package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public side against the built jar: a name blocked with the block-page answer is looked up
 * with {@code dig} (its EDE text carries the reason id), then its block page is fetched with the
 * blocked site's Host header, as a browser sent there by that answer would; the block page, the
 * reason page and "check a domain" tell the same story; a locked legal list shows the IWF wording
 * and is no oracle on the check page; hostile Host headers and paths come back escaped.
 */
@Timeout(180)
class TransparencyIT {
  private static Nsd nsd;
  private static HearthProcess hearth;
  @TempDir static Path dir;
  private static int httpPort;
  private static int blockPort;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
    Files.writeString(dir.resolve("adult.txt"), "adult-site.e2e.test\n");
    Files.writeString(dir.resolve("legal.txt"), "abuse-site.e2e.test\n");
    Files.writeString(dir.resolve("security.txt"), "malware-site.e2e.test\n");
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "    - {id: legal, path: " + dir.resolve("legal.txt") + ", category: csam, locked: true,"
            + " name: IWF URL list, owner: Internet Watch Foundation, licence: IWF member"
            + " licence, legal_basis: Protection of Children Act 1978, refresh: 12h}",
        "    - {id: ads, path: " + dir.resolve("security.txt") + ", category: ads,"
            + " owner: Example Community, appeal: \"https://lists.example/appeal\"}",
        "    - {id: security, path: " + dir.resolve("security.txt") + "}",
        "http:",
        "  hostnames: [filter.isp.example]",
        "appeals:",
        "  decide_within: 36h",
        "policy:",
        "  organisation: Hearth E2E ISP",
        "  contacts: ['mailto:abuse@isp.example']",
        "  block_page: {ipv4: 127.0.0.1}",
        "  default_profile: public",
        "  profiles:",
        "    - {id: public, name: Public Wi-Fi, preset: public-venue, block_answer: block-page}",
        ""));
    httpPort = E2e.freePort();
    blockPort = E2e.freePort();
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config", config.toString(),
        "--http", "127.0.0.1:" + httpPort, "--block-page", "127.0.0.1:" + blockPort));
    // The web listeners start once DNS answers.
    E2e.waitForPort(httpPort, hearth::describe);
    E2e.waitForPort(blockPort, hearth::describe);
  }

  @AfterAll
  static void stop() {
    if (hearth != null) {
      try {
        hearth.stop();
      } finally {
        hearth.close();
      }
    }
    if (nsd != null) {
      nsd.close();
    }
  }

  static RawHttp.Response get(int port, String host, String path) throws IOException {
    return RawHttp.get(port, host, path);
  }

  /** The reason id at the end of an EDE text: "... [category:adult@v#1]". */
  static String reasonId(Result r) {
    String text = String.join(" ", r.edeTexts());
    Matcher m = Pattern.compile("\\[([^\\]]+)\\]").matcher(text);
    assertTrue(m.find(), () -> "no reason id in the EDE text: " + r);
    return m.group(1);
  }

  @Test
  void blockedName_digShowsTheBlockPageAddressAndReasonId_andTheBlockPageExplainsIt()
      throws Exception {
    Result r = Dig.dig(hearth.port(), "adult-site.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> r + hearth.describe());
    assertEquals(List.of("127.0.0.1"), r.answers("A").stream().map(Dig.Rr::rdata).toList(),
        r::toString);
    String reason = reasonId(r);
    assertTrue(reason.startsWith("category:adult@"), reason);

    RawHttp.Response page = get(blockPort, "adult-site.e2e.test", "/some/page?x=1");
    assertEquals(403, page.status(), page.body());
    assertTrue(page.body().contains("This site is blocked on this network"), page.body());
    assertTrue(page.body().contains("It was blocked by Hearth E2E ISP."), page.body());
    assertTrue(page.body().contains("adult content"), "the category in words: " + page.body());
    assertTrue(page.body().contains("<code>" + reason + "</code></a>"),
        "the same reason id as the EDE text: " + reason + "\n" + page.body());
    assertTrue(page.body().contains("the venue policy") || page.body().contains(
        "default policy &quot;Public Wi-Fi&quot;"), page.body());
    assertTrue(page.body().contains("/appeal?name=adult-site.e2e.test&amp;reason="), page.body());
    assertTrue(page.body().contains("mailto:abuse@isp.example"), page.body());
    assertTrue(page.body().contains("In force since"), "since when: " + page.body());

    // The same answer on the console's listener, for a Host that is not the server's own.
    RawHttp.Response shared = get(httpPort, "adult-site.e2e.test", "/");
    assertEquals(403, shared.status(), shared.body());
    assertTrue(shared.body().contains("<code>" + reason + "</code>"), shared.body());

    // The reason id alone (from a support call or an appeal) explains the same.
    RawHttp.Response why = get(httpPort, "127.0.0.1", "/blocked?reason="
        + java.net.URLEncoder.encode(reason, StandardCharsets.UTF_8));
    assertEquals(200, why.status(), why.body());
    assertTrue(why.body().contains("a category this policy blocks"), why.body());
    assertTrue(why.body().contains("the current version, in force since"), why.body());
    assertTrue(why.body().contains("adult content"), why.body());
  }

  @Test
  void aStoredProfilesBlock_saysSinceWhenItsSettingsChanged() throws Exception {
    var created = HearthProcess.cli("admin", "create-token", "--data-dir",
        hearth.dataDir().toString(), "--name", "e2e", "--role", "administrator");
    assertEquals(0, created.exit(), created.output());
    String token = created.output().lines().filter(l -> l.startsWith("hth_")).findFirst()
        .orElseThrow();
    var client = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + httpPort + "/api/v1/";
    for (String[] put : new String[][] {
        {"profiles/strict", "{\"block\": [\"own-block.e2e.test\"], \"block_answer\":"
            + " \"block-page\"}"},
        {"subscribers/house-7", "{\"profile\": \"strict\", \"addresses\": [\"127.0.0.1/32\"]}"}}) {
      var r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + put[0]))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(put[1])).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertTrue(r.statusCode() < 300, r.body());
    }
    try {
      RawHttp.Response page = get(blockPort, "own-block.e2e.test", "/");
      assertEquals(403, page.status(), page.body());
      assertTrue(page.body().contains("a name this policy blocks on purpose"), page.body());
      assertTrue(page.body().contains("its settings last changed on 20"), page.body());
      assertTrue(page.body().contains("a parent of the household can change them"),
          "a household's own choice says who can change it: " + page.body());
    } finally {
      client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
          + "subscribers/house-7")).header("Authorization", "Bearer " + token).DELETE().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void operatorSecurityList_blocksForEveryone_onTheBlockPageToo() throws Exception {
    RawHttp.Response page = get(blockPort, "malware-site.e2e.test", "/");
    assertEquals(403, page.status());
    assertTrue(page.body().contains("a list the operator applies to everyone"), page.body());
    assertTrue(page.body().contains("<code>baseline-list:security@"), page.body());
  }

  @Test
  void lockedLegalList_getsTheIwfWording403_neverTheEntry_andTheCheckPageIsNoOracle()
      throws Exception {
    Result r = Dig.dig(hearth.port(), "abuse-site.e2e.test", "A");
    // Answered with the block-page address: EDE 4 (Forged Answer), naming only list and category.
    assertTrue(r.edeCodes().contains(4), r::toString);
    assertTrue(String.join(" ", r.edeTexts()).endsWith("[locked-list:legal])")
        || String.join(" ", r.edeTexts()).contains("[locked-list:legal]"), r::toString);
    assertFalse(String.join(" ", r.edeTexts()).contains("abuse-site"), r::toString);
    RawHttp.Response page = get(blockPort, "abuse-site.e2e.test", "/images/1.jpg");
    assertEquals(403, page.status());
    assertTrue(page.body().contains("403: Access Denied"), page.body());
    assertTrue(page.body().contains("as identified by the Internet Watch Foundation. If you think"
        + " this page has been blocked in error please contact Hearth E2E ISP."), page.body());
    assertTrue(page.body().contains("mailto:complaints@iwf.org.uk"), page.body());
    assertTrue(page.body().contains("Stop It Now"), page.body());
    assertFalse(page.body().contains("abuse-site"), "never the entry: " + page.body());
    assertFalse(page.body().contains("1.jpg"), page.body());
    assertTrue(page.body().contains("<code>locked-list:legal</code></a>"), page.body());

    // "Check a domain" answers for a listed name exactly as for a name on no list.
    String listed = get(httpPort, "127.0.0.1", "/check?name=abuse-site.e2e.test").body();
    String unlisted = get(httpPort, "127.0.0.1", "/check?name=other-site.e2e.test").body();
    assertEquals(unlisted.replace("other-site", "abuse-site"), listed);
    assertTrue(listed.contains("does not cover legal lists"), listed);
    assertFalse(listed.contains("Blocked</td>"), listed);
  }

  @Test
  void checkADomain_showsDefaultPolicyAndPresets_withCategoryListAndAppealLink()
      throws Exception {
    RawHttp.Response r = get(httpPort, "127.0.0.1",
        "/check?name=" + java.net.URLEncoder.encode("https://Adult-Site.e2e.test/x?y",
            StandardCharsets.UTF_8));
    assertEquals(200, r.status(), r.body());
    String b = r.body();
    assertTrue(b.contains("How adult-site.e2e.test is treated on this network"), b);
    assertTrue(b.contains("Default policy"), b);
    assertTrue(b.contains("Standard preset &quot;Young child (under 9)&quot;"), b);
    assertTrue(b.contains("Standard preset &quot;Adult (security only)&quot;</th><td>Not blocked"),
        "the adult preset does not block adult content: " + b);
    assertTrue(b.contains("Blocked</td><td>a category this policy blocks; Category: adult content;"
        + " List: adult"), b);
    assertTrue(b.contains("/appeal?name=adult-site.e2e.test&amp;reason="), b);

    RawHttp.Response bad = get(httpPort, "127.0.0.1", "/check?name=%3Cscript%3Ealert(1)%3C/script%3E");
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("That is not a domain name"), bad.body());
    assertFalse(bad.body().contains("<script>alert"), bad.body());
    assertTrue(bad.body().contains("&lt;script&gt;alert(1)&lt;/script&gt;"), bad.body());
  }

  @Test
  void hostileHostHeadersAndPaths_comeBackEscaped_orAreRefused() throws Exception {
    RawHttp.Response path = get(blockPort, "adult-site.e2e.test", "/%3Cscript%3Ealert(1)%3C/script%3E");
    assertEquals(403, path.status());
    assertFalse(path.body().contains("<script>alert"), path.body());
    assertTrue(path.body().contains("/%3Cscript%3Ealert(1)%3C/script%3E"),
        "shown as sent: " + path.body());

    RawHttp.Response host = get(blockPort, "x\"><script>alert(1)</script>", "/");
    assertFalse(host.body().contains("<script>alert"), host.body());
    assertTrue(host.status() == 400 || host.status() == 403, host.headers());
  }

  @Test
  void ownHostNames_getTheServersPages_andTheBlockListenerHasNoConsole() throws Exception {
    RawHttp.Response about = get(httpPort, "filter.isp.example", "/");
    assertEquals(200, about.status(), about.body());
    assertTrue(about.body().contains("What this DNS filter blocks, and why"), about.body());
    assertTrue(about.body().contains("we decide within 36 hours"), about.body());
    assertEquals(200, get(httpPort, "127.0.0.1:" + httpPort, "/login").status());
    // A name that is not blocked reaching the console (an unconfigured host name) passes.
    assertEquals(200, get(httpPort, "hearth.lan", "/login").status());

    assertEquals(404, get(blockPort, "127.0.0.1", "/admin").status());
    assertEquals(404, get(blockPort, "127.0.0.1", "/api/v1/status").status());
    assertEquals(200, get(blockPort, "127.0.0.1", "/").status());
    // The public pages are served under a blocked site's Host too (the block page links there).
    assertEquals(200, get(blockPort, "adult-site.e2e.test", "/check?name=x.example").status());
    // A name that is not blocked now, on the block-page listener: said so, never fetched.
    RawHttp.Response notNow = get(blockPort, "fine-site.e2e.test", "/");
    assertTrue(notNow.body().contains("not blocked for you now"), notNow.body());
  }

  @Test
  void listsAndPrivacy_comeFromTheRunningConfiguration() throws Exception {
    String lists = get(httpPort, "127.0.0.1", "/lists").body();
    assertTrue(lists.contains("<th scope=\"row\">IWF URL list (legal)</th>"), lists);
    assertTrue(lists.contains("Internet Watch Foundation<br>Licence: IWF member licence"), lists);
    assertTrue(lists.contains("Legal basis: Protection of Children Act 1978"), lists);
    assertTrue(lists.contains("every 12 h"), lists);
    assertTrue(lists.contains("<a href=\"https://lists.example/appeal\">Appeal an entry"), lists);
    assertTrue(lists.contains("Legal list (not published, not searchable)"), lists);
    String privacy = get(httpPort, "127.0.0.1", "/privacy").body();
    assertTrue(privacy.contains("No log of individual lookups is kept"), privacy);
    assertTrue(privacy.contains(nsd.address()), "the upstream it forwards to: " + privacy);
    assertTrue(privacy.contains("Hearth E2E ISP"), privacy);
  }

  @Test
  void aRealBrowserSentToTheBlockPage_showsItInTheUsersLanguage_andPassesAxe() throws Exception {
    try (Browser b = Browser.start(Browser.WAIT, List.of(
        "--host-resolver-rules=MAP adult-site.e2e.test 127.0.0.1:" + blockPort))) {
      b.open("http://adult-site.e2e.test/some/page");
      b.waitForText("This site is blocked on this network");
      assertTrue(b.pageText().contains("adult content"), b.pageText());
      List<String> problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
      b.open("http://adult-site.e2e.test/some/page?lang=es");
      b.waitForText("Este sitio está bloqueado en esta red");
      assertTrue(b.pageText().contains("contenido para adultos"), b.pageText());
      b.open("http://adult-site.e2e.test/check?name=adult-site.e2e.test");
      b.waitForText("Cómo se trata adult-site.e2e.test en esta red");
      problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
  }
}
