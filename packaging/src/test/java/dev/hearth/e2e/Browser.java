package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium for the admin web UI tests, driven through Debian's own chromedriver
 * (both installed by .ci/run). Nothing is downloaded: the driver and browser paths are given
 * explicitly, so Selenium Manager never runs, and Chromium's background networking is off because
 * CI has no route to Google. Each instance has its own temporary profile, removed on close.
 *
 * <p>Fields are found the way a screen reader finds them, by their associated {@code <label>},
 * so the tests also check that the forms are accessible. Every lookup waits (bounded by
 * {@link #WAIT} unless started with another bound) for the page to render what it is asked for,
 * so tests need no sleeps.
 */
final class Browser implements AutoCloseable {
  /** The default bound on every wait: generous for a loaded 2-core CI machine, yet fails fast. */
  static final Duration WAIT = Duration.ofSeconds(15);

  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final String PACKAGES = "chromium chromium-driver";

  /**
   * The fields labelled {@code arguments[0]} (by a {@code <label>}, for= or wrapping, or by
   * aria-label), else the fields named so. Text inside a wrapping label's own controls (a select's
   * options) is not part of its label. Hidden inputs are never fields.
   */
  private static final String FIND_FIELDS = """
      const want = arguments[0];
      const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
      const labelText = l => {
        const c = l.cloneNode(true);
        c.querySelectorAll('input, select, textarea, button').forEach(e => e.remove());
        return norm(c.textContent);
      };
      const fields = [...document.querySelectorAll('input, select, textarea')]
          .filter(e => e.type !== 'hidden');
      const labelled = fields.filter(e => [...(e.labels || [])].some(l => labelText(l) === want)
          || norm(e.getAttribute('aria-label')) === want);
      return labelled.length ? labelled : fields.filter(e => e.name === want);
      """;

  /** Buttons (button, input type=submit/button, role=button) whose text or label is arguments[0]. */
  private static final String FIND_BUTTONS = """
      const want = arguments[0];
      const norm = s => (s || '').replace(/\\s+/g, ' ').trim();
      return [...document.querySelectorAll(
          'button, input[type=submit], input[type=button], [role=button]')]
          .filter(e => norm(e.getAttribute('aria-label')) === want
              || norm(e.tagName === 'INPUT' ? e.value : e.textContent) === want);
      """;

  private final Path dir;
  private final ChromeDriverService service;
  private final ChromeDriver driver;
  private final Duration wait;

  private Browser(Path dir, ChromeDriverService service, ChromeDriver driver, Duration wait) {
    this.dir = dir;
    this.service = service;
    this.driver = driver;
    this.wait = wait;
  }

  /** Starts headless Chromium with a new empty profile; skipped locally, failed in CI, if absent. */
  static Browser start() throws IOException {
    return start(WAIT);
  }

  /** As {@link #start()}, with {@code wait} bounding every wait and page load instead of WAIT. */
  static Browser start(Duration wait) throws IOException {
    return start(wait, List.of());
  }

  /**
   * As {@link #start(Duration)}, with more Chromium switches (e.g. {@code
   * --host-resolver-rules=MAP blocked.test 127.0.0.1:PORT} to send a site's name to a local port,
   * as Hearth's block-page answer does for a real browser).
   */
  static Browser start(Duration wait, List<String> extraArgs) throws IOException {
    Path chromium = require(CHROMIUM);
    Path chromedriver = require(CHROMEDRIVER);
    // Belt and braces: with the driver named, Selenium has nothing to look up or download.
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, chromedriver.toString());
    Path dir = Files.createTempDirectory("hearth-browser-");
    Path log = dir.resolve("chromedriver.log");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort()
        .withLogFile(log.toFile())
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")),
        "--window-size=1280,900",
        // Debian's wrapper adds this itself when /dev/shm is small, but its check can misfire
        // (seen here: a shell error); containers often have 64 MB there, which crashes tabs.
        "--disable-dev-shm-usage");
    options.addArguments(extraArgs);
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(wait);
      return new Browser(dir, service, driver, wait);
    } catch (WebDriverException e) {
      String chromedriverLog = E2e.tail(E2e.readQuietly(log), 10_000);
      service.stop();
      E2e.deleteTree(dir);
      throw new AssertionError("headless Chromium did not start: " + e.getMessage()
          + "\n--- chromedriver log ---\n" + chromedriverLog, e);
    }
  }

  private static Path require(String executable) {
    Path p = Path.of(executable);
    if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
      throw E2e.toolMissing("'" + executable + "' is not installed", PACKAGES);
    }
    return p;
  }

  /** Loads a URL and returns once its load event has fired. */
  void open(String url) {
    driver.get(url);
  }

  /**
   * Types {@code text} into the field whose {@code <label>} (or aria-label) reads
   * {@code labelOrName}, falling back to its name attribute; for a {@code <select>} it picks the
   * option with that visible text. Waits until exactly one such field is displayed and enabled.
   */
  void fill(String labelOrName, String text) {
    WebElement field = waitFor("exactly one enabled field labelled or named '" + labelOrName + "'",
        b -> b.single(FIND_FIELDS, labelOrName));
    if ("select".equalsIgnoreCase(field.getTagName())) {
      new Select(field).selectByVisibleText(text);
    } else {
      field.clear();
      field.sendKeys(text);
    }
  }

  /**
   * Clicks the button whose text (or aria-label, or value) is {@code text}, waiting until exactly
   * one such button is displayed and enabled.
   */
  void click(String text) {
    waitFor("exactly one enabled button '" + text + "'", b -> b.single(FIND_BUTTONS, text)).click();
  }

  /** The page's visible text, as a user would read it. */
  String pageText() {
    Object text = driver.executeScript("return document.body ? document.body.innerText : ''");
    return text == null ? "" : text.toString();
  }

  /** The address now shown, after any redirects or client-side navigation. */
  String currentUrl() {
    return driver.getCurrentUrl();
  }

  /** Waits (within the bound) until the visible page text contains {@code text}. */
  void waitForText(String text) {
    waitFor("page text containing '" + text + "'", b -> b.pageText().contains(text));
  }

  /**
   * Re-evaluates {@code condition} until it gives a value other than null or false, and returns
   * that value; fails after the bound with the URL, the page text and a screenshot path.
   * Exceptions from the condition count as "not yet" (the page may be re-rendering).
   */
  <T> T waitFor(String what, Function<Browser, T> condition) {
    WebDriverWait until = new WebDriverWait(driver, wait, Duration.ofMillis(50));
    until.ignoring(WebDriverException.class);
    try {
      return until.until(d -> condition.apply(this));
    } catch (TimeoutException e) {
      String shot = screenshotForFailure();
      fail("waited " + wait.toMillis() + " ms for " + what + " at " + currentUrl()
          + "\n--- page text ---\n" + E2e.tail(pageText(), 4_000) + "\n--- screenshot: " + shot);
      throw new AssertionError("unreachable");
    }
  }

  /** Saves a PNG of the viewport (parent directories are created) and returns its path. */
  Path screenshot(Path file) throws IOException {
    File png = driver.getScreenshotAs(OutputType.FILE);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return Files.move(png.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The underlying driver, for the rare step the helpers above do not cover. */
  WebDriver driver() {
    return driver;
  }

  /** Quits Chromium and chromedriver and removes the temporary profile. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      keepLogIfAsked();
      E2e.deleteTree(dir);
    }
  }

  /** -Dhearth.e2e.keepLogs=DIR keeps the chromedriver log, as HearthProcess keeps Hearth's. */
  private void keepLogIfAsked() {
    String keep = System.getProperty("hearth.e2e.keepLogs");
    Path log = dir.resolve("chromedriver.log");
    if (keep == null || !Files.exists(log)) {
      return;
    }
    try {
      Files.copy(log, Files.createDirectories(Path.of(keep))
          .resolve("chromedriver-" + dir.getFileName() + ".log"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException ignored) {
      // diagnostics only
    }
  }

  /**
   * The one displayed, enabled element among those the script finds, or null while there is not
   * exactly one (none yet, or an ambiguous page: two live controls with the same label).
   */
  private WebElement single(String script, String arg) {
    @SuppressWarnings("unchecked")
    List<WebElement> found = (List<WebElement>) ((JavascriptExecutor) driver).executeScript(script, arg);
    List<WebElement> live = found == null ? List.of()
        : found.stream().filter(e -> e.isDisplayed() && e.isEnabled()).toList();
    return live.size() == 1 ? live.get(0) : null;
  }

  /** A best-effort screenshot under target/browser-failures for a timed-out wait. */
  private String screenshotForFailure() {
    try {
      return screenshot(Path.of("target", "browser-failures",
          "wait-" + System.currentTimeMillis() + ".png")).toAbsolutePath().toString();
    } catch (IOException | WebDriverException e) {
      return "<none: " + e + ">";
    }
  }
}
