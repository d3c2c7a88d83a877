package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The week grid of the parent portal in real headless Chromium: a drag across the grid fills
 * the bedtime days and times, the keyboard fills homework time, the server stores what the
 * fields say and the grid of the saved page shows it; axe finds nothing wrong with the
 * enhanced page. Also that the fields alone, without the grid, do the same.
 */
@Timeout(240)
class WeekGridBrowserIT {
  private static AdminServerFixture server;
  private static String base;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = AdminServerFixture.start(dir);
    base = server.base();
    HearthProcess hearth = server.hearth();
    String token = ActivityIT.token(hearth);
    ActivityIT.put(base, token, "/api/v1/profiles/kids", "{\"preset\": \"young-child\"}");
    ActivityIT.put(base, token, "/api/v1/subscribers/house-61", "{\"profile\": \"kids\","
        + " \"addresses\": [\"127.0.0.61/32\"]}");
    var parent = HearthProcess.cliWithInput("the parent's password\n", "admin", "create-user",
        "--data-dir", hearth.dataDir().toString(), "--username", "parent61", "--role", "parent",
        "--household", "house-61", "--password-stdin");
    assertEquals(0, parent.exit(), parent.output());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static WebElement cell(Browser b, String day, int hour) {
    return b.driver().findElement(By.cssSelector("tr[data-day=" + day + "] td[data-hour=\""
        + hour + "\"]"));
  }

  static Object js(Browser b, String script) {
    return ((JavascriptExecutor) b.driver()).executeScript(script);
  }

  static String checkedDays(Browser b, String kind) {
    return String.valueOf(js(b, "return [...document.querySelectorAll('input[name=" + kind
        + "_days]:checked')].map(e => e.value).join(',')"));
  }

  static String value(Browser b, String name) {
    return String.valueOf(js(b, "return document.querySelector('[name=" + name + "]').value"));
  }

  void signIn(Browser b) {
    b.open(base + "/login?lang=en");
    b.fill("Username", "parent61");
    b.fill("Password", "the parent's password");
    b.click("Sign in");
    b.waitForText("Week at a glance");
  }

  @Test
  void theGridFillsTheFields_theServerStoresThem_andTheSavedGridShowsThem() throws Exception {
    try (Browser b = Browser.start()) {
      b.driver().manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(30));
      signIn(b);
      b.waitFor("the grid to be enhanced", x -> "grid".equals(b.driver().findElement(
          By.cssSelector("table.week-grid")).getAttribute("role")));

      // Bedtime by mouse: from Monday 20:00 down to Friday's 06:00 hour.
      new Actions(b.driver()).moveToElement(cell(b, "mon", 20)).clickAndHold()
          .moveToElement(cell(b, "wed", 12)).moveToElement(cell(b, "fri", 6)).release()
          .perform();
      assertEquals("mon,tue,wed,thu,fri", checkedDays(b, "bedtime"));
      assertEquals("20:00", value(b, "bedtime_from"));
      assertEquals("07:00", value(b, "bedtime_to"));
      b.waitForText("Bedtime: Monday, Tuesday, Wednesday, Thursday, Friday, 20:00 to 07:00."
          + " Save to apply.");
      assertTrue(cell(b, "tue", 6).getText().contains("B"), "the grid previews the fields");

      // Homework by keyboard: Saturday 10:00 to the end of the 12:00 hour.
      b.driver().findElement(By.xpath("//label[normalize-space()='Homework time' and"
          + " ancestor::fieldset[contains(@class,'grid-pick')]]")).click();
      js(b, "document.querySelector('tr[data-day=mon] td[data-hour=\"0\"]').focus()");
      Actions keys = new Actions(b.driver());
      for (int i = 0; i < 5; i++) {
        keys.sendKeys(Keys.ARROW_DOWN);
      }
      for (int i = 0; i < 10; i++) {
        keys.sendKeys(Keys.ARROW_RIGHT);
      }
      keys.sendKeys(Keys.ENTER).perform();
      b.waitForText("Start: Saturday 10:00.");
      new Actions(b.driver()).sendKeys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ENTER).perform();
      b.waitForText("Homework time: Saturday, 10:00 to 13:00. Save to apply.");
      assertEquals("sat", checkedDays(b, "homework"));
      assertEquals("10:00", value(b, "homework_from"));
      assertEquals("13:00", value(b, "homework_to"));
      b.driver().findElement(By.id("hw-cat-adult")).click();

      List<String> problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      if (!problems.isEmpty()) {
        fail("the enhanced grid page: " + String.join("\n", problems));
      }

      b.click("Save");
      b.waitForText("Saved");
      b.waitForText("Bedtime: Monday, Tuesday, Wednesday, Thursday, Friday from 20:00 to 07:00"
          + " the next morning");
      b.waitForText("Homework time: Saturday from 10:00 to 13:00; blocked then: adult.");
      if (System.getProperty("hearth.e2e.screenshots") != null) {
        js(b, "document.querySelector('.week').scrollIntoView()");
        b.screenshot(Path.of(System.getProperty("hearth.e2e.screenshots"), "week-grid.png"));
      }
      assertTrue(cell(b, "mon", 20).getText().contains("B"));
      assertTrue(cell(b, "sat", 6).getText().contains("B"), "Friday's bedtime runs into Saturday");
      assertTrue(cell(b, "sat", 12).getText().contains("H"));
      assertEquals("", cell(b, "sat", 13).getText());
      problems = AccessibilityIT.violations(b, AccessibilityIT.axeSource());
      if (!problems.isEmpty()) {
        fail("the saved page: " + String.join("\n", problems));
      }

      // The fields alone: Sunday bedtime typed in, the grid follows, the server agrees.
      b.driver().findElement(By.id("day-sun")).click();
      js(b, "const f = document.querySelector('[name=bedtime_from]'); f.value = '21:00';"
          + "f.dispatchEvent(new Event('change', {bubbles: true}));");
      assertTrue(cell(b, "sun", 21).getText().contains("B"), "the grid follows the fields");
      b.click("Save");
      b.waitForText("Saved");
      b.waitForText("Sunday from 21:00 to 07:00 the next morning");
      assertTrue(cell(b, "mon", 6).getText().contains("B"), "Sunday night runs into Monday");
    }
  }
}
