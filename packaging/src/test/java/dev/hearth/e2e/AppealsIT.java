package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.hearth.e2e.Dig.Result;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * An appeal's whole life against the built jar: a wrongly blocked name answers the block-page
 * address with its reason id in the EDE text ({@code dig}); headless Chromium, sent to the block
 * page as the answer sends a browser, follows "Report a wrong block", files the appeal, confirms
 * it through the link mailed to a real SMTP server (GreenMail); a reviewer signs in to the
 * console and upholds it; then {@code dig} resolves the name. Also: hostile input in every
 * field comes back escaped, the honeypot and the rate limit hold, a legal list's appeal goes to
 * the IWF.
 */
@Timeout(240)
class AppealsIT {
  private static Nsd nsd;
  private static HearthProcess hearth;
  private static GreenMail smtp;
  @TempDir static Path dir;
  private static int httpPort;
  private static final String NAME = "target.e2e.test";

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
    int smtpPort = E2e.freePort();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    Files.writeString(dir.resolve("adult.txt"), NAME + "\nother-blocked.e2e.test\n"
        + "third-blocked.e2e.test\nwww.e2e.test\n");
    Files.writeString(dir.resolve("legal.txt"), "legal-blocked.e2e.test\n");
    httpPort = E2e.freePort();
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "    - {id: legal, path: " + dir.resolve("legal.txt") + ", category: csam, locked: true}",
        "http:",
        "  public_url: http://127.0.0.1:" + httpPort,
        "mail:",
        "  smtp: 127.0.0.1:" + smtpPort,
        "  from: appeals@isp.example",
        "  starttls: false",
        "policy:",
        "  organisation: Hearth E2E ISP",
        "  block_page: {ipv4: 127.0.0.1}",
        "  default_profile: public",
        "  profiles:",
        "    - {id: public, name: Public Wi-Fi, preset: public-venue, block_answer: block-page}",
        ""));
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config", config.toString(),
        "--http", "127.0.0.1:" + httpPort));
    E2e.waitForPort(httpPort, hearth::describe);
    var reviewer = HearthProcess.cliWithInput("a reviewer's long password\n", "admin",
        "create-user", "--data-dir", hearth.dataDir().toString(), "--username", "rita",
        "--role", "appeals-reviewer", "--password-stdin");
    assertEquals(0, reviewer.exit(), reviewer.output());
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
    if (smtp != null) {
      smtp.stop();
    }
  }

  /** The first mail to {@code to} whose subject contains {@code subject}, waiting up to 20 s. */
  static MimeMessage mailTo(String to, String subject) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      for (MimeMessage m : smtp.getReceivedMessagesForDomain(to)) {
        if (m.getAllRecipients()[0].toString().equals(to) && m.getSubject().contains(subject)) {
          return m;
        }
      }
      E2e.sleep(100);
    }
    throw new AssertionError("no mail to " + to + " about '" + subject + "'; got "
        + smtp.getReceivedMessages().length + " messages\n" + hearth.describe());
  }

  /** A raw HTTP/1.0 exchange with the web listener (the form posts carry their cookie). */
  static RawHttp.Response http(String method, String path, String cookie, String form)
      throws IOException {
    return RawHttp.exchange(httpPort, method, "127.0.0.1", path, cookie, form);
  }

  /** Files an appeal through the public form (its cookie and token); returns the response. */
  static RawHttp.Response file(String name, String email, String message, String website)
      throws IOException {
    RawHttp.Response form = http("GET", "/appeal?name=" + URLEncoder.encode(name,
        StandardCharsets.UTF_8), null, null);
    Matcher c = Pattern.compile("(?i)Set-Cookie: (hearth_form=[^;]+)").matcher(form.headers());
    Matcher f = Pattern.compile("name=\"_form\" value=\"([^\"]+)\"").matcher(form.body());
    assertTrue(c.find() && f.find(), form.headers());
    String body = "_form=" + enc(f.group(1)) + "&name=" + enc(name) + "&role=user&email="
        + enc(email) + "&message=" + enc(message) + "&website=" + enc(website);
    return http("POST", "/appeal", c.group(1), body);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String ticketIn(String body) {
    Matcher m = Pattern.compile("HA-[0-9A-Z]{10}").matcher(body);
    assertTrue(m.find(), body);
    return m.group();
  }

  @Test
  void theWholeLifecycle_blockPageAppealMailConfirmationReviewerUpholds_thenDigResolves()
      throws Exception {
    Result before = Dig.dig(hearth.port(), NAME, "A");
    assertEquals(List.of("127.0.0.1"), before.answers("A").stream().map(Dig.Rr::rdata).toList(),
        before::toString);
    String reason = String.join(" ", before.edeTexts()).replaceAll(".*\\[([^\\]]+)\\].*", "$1");
    assertTrue(reason.startsWith("category:adult@"), reason);

    try (Browser b = Browser.start(Browser.WAIT, List.of(
        "--host-resolver-rules=MAP " + NAME + " 127.0.0.1:" + httpPort))) {
      b.open("http://" + NAME + "/a/page");
      b.waitForText("This site is blocked on this network");
      assertTrue(b.pageText().contains(reason), b.pageText());
      b.driver().findElement(By.linkText("Report a wrong block")).click();
      b.waitForText("Report a wrong block");
      b.fill("Blocked site (name or web address)", NAME);
      b.fill("You are", "the site's owner or webmaster");
      b.fill("Your e-mail address (for the decision; never shown to anyone)",
          "webmaster@site.example");
      b.fill("Why is the block wrong?", "This is a school's site <b>not</b> adult content.");
      b.click("Send the report");
      b.waitForText("We sent you an e-mail");
      String ticket = ticketIn(b.pageText());
      List<String> problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      assertTrue(problems.isEmpty(), String.join("\n", problems));

      MimeMessage confirm = mailTo("webmaster@site.example", "Confirm your appeal " + ticket);
      Matcher link = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/appeal/confirm\\?token=[\\w-]+)")
          .matcher(GreenMailUtil.getBody(confirm).replace("=\r\n", ""));
      assertTrue(link.find(), GreenMailUtil.getBody(confirm));
      b.open(link.group(1));
      b.click("Confirm");
      b.waitForText("your address is confirmed and the report is in the review queue");
      assertTrue(b.pageText().contains("in the review queue"), b.pageText());
      assertTrue(b.pageText().contains(ticket), b.pageText());
      assertFalse(b.pageText().contains("webmaster@site.example"),
          "the status page never shows the address: " + b.pageText());
      mailTo("webmaster@site.example", "Your appeal " + ticket + " is in the queue");

      // The reviewer signs in, finds it in the queue, takes it and upholds it.
      String base = "http://127.0.0.1:" + httpPort;
      b.open(base + "/login?lang=en");
      b.fill("Username", "rita");
      b.fill("Password", "a reviewer's long password");
      b.click("Sign in");
      // The sign-in's redirect must land before the next address is opened, or it wins the race.
      b.waitForText("Signed in as rita");
      b.open(base + "/admin/appeals");
      b.waitForText(ticket);
      b.driver().findElement(By.linkText(ticket)).click();
      b.waitForText("This is a school's site <b>not</b> adult content.");
      b.click("Take into review");
      b.waitForText("being reviewed");
      b.fill("Decision", "upheld: the site is no longer blocked");
      b.fill("Why (the person reporting reads this)", "A school, wrongly listed.");
      b.click("Record the decision");
      b.waitForText("A school, wrongly listed.");
      problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      assertTrue(problems.isEmpty(), String.join("\n", problems));
      mailTo("webmaster@site.example", "Decision on your appeal " + ticket);

      // In force for the next query, and published.
      Result after = Dig.dig(hearth.port(), NAME, "A");
      assertEquals("NOERROR", after.status(), after::toString);
      assertEquals(List.of("192.0.2.30"), after.answers("A").stream().map(Dig.Rr::rdata)
          .toList(), after::toString);
      // A list update (the list file changes and is reloaded) does not undo it.
      Files.writeString(dir.resolve("adult.txt"), NAME + "\nother-blocked.e2e.test\n"
          + "third-blocked.e2e.test\nwww.e2e.test\nalias1.e2e.test\n");
      long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
      while (!Dig.dig(hearth.port(), "alias1.e2e.test", "A").answers("A").stream()
          .map(Dig.Rr::rdata).toList().equals(List.of("127.0.0.1"))) {
        assertTrue(System.nanoTime() < deadline, "the list was not reloaded\n"
            + hearth.describe());
        E2e.sleep(250);
      }
      assertEquals(List.of("192.0.2.30"), Dig.dig(hearth.port(), NAME, "A").answers("A")
          .stream().map(Dig.Rr::rdata).toList());
      String lists = http("GET", "/lists", null, null).body();
      assertTrue(lists.contains(NAME) && lists.contains(ticket), lists);
      String stats = http("GET", "/stats.json", null, null).body();
      assertTrue(stats.contains("\"upheld\":1"), stats);
      String status = http("GET", "/appeal/" + ticket, null, null).body();
      assertTrue(status.contains("A school, wrongly listed."), status);
    }
  }

  @Test
  void hostileInput_isEscapedEverywhere_andTheHoneypotDropsBots() throws Exception {
    String xss = "<script>alert('x')</script>";
    RawHttp.Response r = file("other-blocked.e2e.test", "person@site.example", xss, "");
    assertEquals(201, r.status(), r.body());
    String ticket = ticketIn(r.body());
    MimeMessage m = mailTo("person@site.example", "Confirm your appeal " + ticket);
    assertTrue(GreenMailUtil.getBody(m).contains("other-blocked.e2e.test"));

    String prefilled = http("GET", "/appeal?name=" + enc(xss) + "&reason=" + enc("\">" + xss),
        null, null).body();
    assertFalse(prefilled.contains("<script>"), prefilled);
    assertTrue(prefilled.contains("value=\"&quot;&gt;&lt;script&gt;"), prefilled);
    RawHttp.Response bad = file(xss, "x@site.example", "why", "");
    assertEquals(400, bad.status());
    assertFalse(bad.body().contains("<script>alert"), bad.body());
    assertTrue(bad.body().contains("&lt;script&gt;"), bad.body());
    RawHttp.Response badMail = file("third-blocked.e2e.test", "not an address\r\nBcc: x@y.z", "why", "");
    assertEquals(400, badMail.status());
    assertTrue(badMail.body().contains("give an e-mail address"), badMail.body());

    RawHttp.Response bot = file("third-blocked.e2e.test", "bot@site.example", "spam", "http://spam");
    assertEquals(201, bot.status());
    String botTicket = ticketIn(bot.body());
    assertEquals(404, http("GET", "/appeal/" + botTicket, null, null).status());

    // Without the form's cookie the post is refused.
    RawHttp.Response forged = http("POST", "/appeal", null, "name=x.example&role=user&email=a%40b.cd"
        + "&message=m");
    assertEquals(403, forged.status());
  }

  @Test
  void aSiteOwnerWhoPublishesTheTxtRecord_isProven_andReviewedFirst() throws Exception {
    RawHttp.Response filed = file("www.e2e.test", "owner@site.example", "my site", "");
    String ticket = ticketIn(filed.body());
    MimeMessage m = mailTo("owner@site.example", "Confirm your appeal " + ticket);
    Matcher token = Pattern.compile("token=([\\w-]+)").matcher(GreenMailUtil.getBody(m)
        .replace("=\r\n", ""));
    assertTrue(token.find());
    assertEquals(303, http("POST", "/appeal/confirm", null, "token=" + token.group(1)).status());
    RawHttp.Response status = http("GET", "/appeal/" + ticket, null, null);
    Matcher txt = Pattern.compile("TXT <code>(hearth-verify=[0-9a-f]{32})</code>")
        .matcher(status.body());
    assertTrue(txt.find(), status.body());
    Matcher c = Pattern.compile("(?i)Set-Cookie: (hearth_form=[^;]+)").matcher(status.headers());
    Matcher f = Pattern.compile("name=\"_form\" value=\"([^\"]+)\"").matcher(status.body());
    assertTrue(c.find() && f.find());
    // Not published yet: not proven.
    RawHttp.Response early = http("POST", "/appeal/" + ticket + "/prove", c.group(1),
        "_form=" + enc(f.group(1)));
    assertEquals(303, early.status());
    assertTrue(early.headers().contains("proof=no"), early.headers());
    // The owner publishes the record in their zone; the check finds it through the upstream.
    nsd.addRecords("_hearth-challenge.www IN TXT \"" + txt.group(1) + "\"");
    RawHttp.Response proven = http("POST", "/appeal/" + ticket + "/prove", c.group(1),
        "_form=" + enc(f.group(1)));
    assertEquals(303, proven.status());
    assertFalse(proven.headers().contains("proof=no"), proven.headers());
    String after = http("GET", "/appeal/" + ticket, null, null).body();
    assertTrue(after.contains("Proven: you run this site"), after);
  }

  @Test
  void aLegalListsAppeal_isReferredToTheIwf() throws Exception {
    Result r = Dig.dig(hearth.port(), "legal-blocked.e2e.test", "A");
    String reason = String.join(" ", r.edeTexts()).replaceAll(".*\\[([^\\]]+)\\].*", "$1");
    assertEquals("locked-list:legal", reason);
    RawHttp.Response form = http("GET", "/appeal?name=legal-blocked.e2e.test&reason=" + enc(reason),
        null, null);
    Matcher c = Pattern.compile("(?i)Set-Cookie: (hearth_form=[^;]+)").matcher(form.headers());
    Matcher f = Pattern.compile("name=\"_form\" value=\"([^\"]+)\"").matcher(form.body());
    assertTrue(c.find() && f.find());
    assertTrue(form.body().contains("value=\"locked-list:legal\""), form.body());
    RawHttp.Response filed = http("POST", "/appeal", c.group(1), "_form=" + enc(f.group(1))
        + "&name=legal-blocked.e2e.test&reason=" + enc(reason) + "&role=webmaster&email="
        + enc("legal@site.example") + "&message=mine&website=");
    String ticket = ticketIn(filed.body());
    MimeMessage m = mailTo("legal@site.example", "Confirm your appeal " + ticket);
    Matcher token = Pattern.compile("token=([\\w-]+)").matcher(GreenMailUtil.getBody(m)
        .replace("=\r\n", ""));
    assertTrue(token.find());
    RawHttp.Response confirmed = http("POST", "/appeal/confirm", null, "token=" + token.group(1));
    assertEquals(303, confirmed.status(), confirmed.headers());
    String status = http("GET", "/appeal/" + ticket, null, null).body();
    assertTrue(status.contains("referred"), status);
    assertTrue(status.contains("complaints@iwf.org.uk"), status);
    mailTo("legal@site.example", "is for the Internet Watch Foundation");
  }
}
