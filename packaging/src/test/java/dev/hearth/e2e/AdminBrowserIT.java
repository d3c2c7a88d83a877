package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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
 * The console and the parent portal in real headless Chromium against the built jar: the
 * operator signs in with the one-time password (and must replace it), creates a profile from a
 * preset, adds a subscriber and binds a second address; a parent signs in, blocks a name and
 * sets a bedtime that is on now; `dig -b` from the household's addresses shows each change.
 */
@Timeout(240)
class AdminBrowserIT {
  private static AdminServerFixture server;
  private static HearthProcess hearth;
  private static String base;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = AdminServerFixture.start(dir);
    hearth = server.hearth();
    base = server.base();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Result dig(String source, String name) {
    return Dig.dig(hearth.port(), "-b", source, name, "A");
  }

  @Test
  void operatorThenParent_changeWhatTheHouseholdGets() throws Exception {
    Matcher m = Pattern.compile("one-time password ([A-Za-z0-9]{20})").matcher(hearth.log());
    assertTrue(m.find(), hearth.log());
    String oneTime = m.group(1);
    assertEquals("NOERROR", dig("127.0.0.31", "target.e2e.test").status());

    try (Browser b = Browser.start()) {
      b.open(base + "/admin");
      b.waitForText("Sign in");
      b.fill("Username", "admin");
      b.fill("Password", oneTime);
      b.click("Sign in");
      b.waitForText("choose your own");
      b.fill("Current password", oneTime);
      b.fill("New password (at least 12 characters)", "operator's own password");
      b.fill("New password again", "operator's own password");
      b.click("Change password");
      b.waitForText("Policy in force");

      b.open(base + "/admin/profiles");
      b.fill("Id", "kids");
      b.fill("Start from", "Young child (under 9)");
      b.click("Create");
      b.waitForText("Profile kids");
      assertTrue(b.driver().findElement(By.id("cat-adult")).isSelected(),
          "the preset's categories start ticked");

      b.open(base + "/admin/subscribers");
      b.fill("Id", "house-31");
      b.fill("Profile", "kids");
      b.fill("Addresses", "127.0.0.31/32");
      b.click("Save");
      b.waitForText("Saved");
      b.fill("Address or network", "127.0.0.32");
      b.fill("Subscriber id", "house-31");
      b.click("Bind");
      b.waitForText("Bound");
    }
    Result kids = dig("127.0.0.31", "target.e2e.test");
    assertEquals("NXDOMAIN", kids.status(), kids::toString);
    assertTrue(String.join(" ", kids.edeTexts()).contains("profile kids"), kids::toString);
    assertEquals("NXDOMAIN", dig("127.0.0.32", "target.e2e.test").status(), "bound address");
    assertEquals("NOERROR", dig("127.0.0.31", "www.e2e.test").status());

    var parent = HearthProcess.cliWithInput("the parent's password\n", "admin", "create-user",
        "--data-dir", hearth.dataDir().toString(), "--username", "parent31", "--role", "parent",
        "--household", "house-31", "--password-stdin");
    assertEquals(0, parent.exit(), parent.output());

    LocalTime now = LocalTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    try (Browser b = Browser.start()) {
      b.open(base + "/login?lang=en");
      b.fill("Username", "parent31");
      b.fill("Password", "the parent's password");
      b.click("Sign in");
      b.waitForText("What this filter does not cover");
      b.fill("Always block these names", "www.e2e.test");
      for (String day : List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun")) {
        b.driver().findElement(By.id("day-" + day)).click();
      }
      // Time inputs are locale-dependent widgets; set their values as the widget would.
      ((org.openqa.selenium.JavascriptExecutor) b.driver()).executeScript(
          "document.getElementById('f-bedtime_from').value = arguments[0];"
          + "document.getElementById('f-bedtime_to').value = arguments[1];",
          now.minusHours(1).toString(), now.plusHours(1).toString());
      b.fill("Still allowed at bedtime", "mail.e2e.test");
      b.click("Save");
      b.waitForText("Saved");
    }
    Result bedtime = dig("127.0.0.31", "www.e2e.test");
    assertEquals("NXDOMAIN", bedtime.status(), bedtime::toString);
    Result other = dig("127.0.0.32", "ns1.e2e.test");
    assertEquals("NXDOMAIN", other.status(), () -> "bedtime blocks everything\n" + other);
    assertTrue(String.join(" ", other.edeTexts()).contains("bedtime"), other::toString);
    assertEquals("NOERROR", dig("127.0.0.31", "mail.e2e.test").status(),
        "allowed at bedtime");
  }
}
