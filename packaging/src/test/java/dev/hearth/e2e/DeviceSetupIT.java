package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.testing.TestCa;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parent portal's encrypted-DNS setup with the built jar serving DoH under a certificate
 * from a test CA: a parent adds a device through the portal over real HTTP, reads the device's
 * DoH URL from its setup page, and {@code curl --doh-url} with exactly that URL gets the
 * device's profile (a name the profile blocks does not resolve) while the same name through
 * plain {@code /dns-query} does; {@code kdig +https} agrees on the answer codes, Python's
 * plistlib reads the generated {@code .mobileconfig}, and after regenerating the token the old
 * URL gets the network default.
 */
@Timeout(180)
class DeviceSetupIT {
  @TempDir Path dir;

  record Run(int exit, String output) {}

  static Run run(String stdin, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish within 30 s");
    }
    return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8));
  }

  static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Language", "en")
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(HttpClient http, String url, String... fields)
      throws Exception {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < fields.length; i += 2) {
      parts.add(URLEncoder.encode(fields[i], StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
    }
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept-Language", "en")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(String.join("&", parts))).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String csrf(String page) {
    Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
    assertTrue(m.find(), page);
    return m.group(1);
  }

  static String dohUrl(String setupPage) {
    Matcher m = Pattern.compile("id=\"doh-url\"[^>]* value=\"([^\"]+)\"").matcher(setupPage);
    assertTrue(m.find(), setupPage);
    return m.group(1);
  }

  @Test
  void aDeviceAddedInThePortal_getsItsProfileThroughItsOwnDohUrl() throws Exception {
    Path curl = E2e.requireTool("curl", "/usr/bin/curl");
    Path kdig = E2e.requireTool("kdig", "/usr/bin/kdig");
    Path python = E2e.requireTool("python3", "/usr/bin/python3");
    TestCa ca = new TestCa(Files.createDirectories(dir.resolve("ca")));
    TestCa.Issued cert = ca.issue("doh", "ec", "localhost", "127.0.0.1");
    int dohPort = E2e.freePort();
    // ns1.e2e.test is 127.0.0.1 upstream: resolved, curl reaches Hearth's own /healthz.
    try (AdminServerFixture server = AdminServerFixture.start(dir,
        "target.e2e.test\nns1.e2e.test\n", "encrypted:\n  hostname: localhost\n",
        List.of("--doh", "127.0.0.1:" + dohPort, "--tls-cert", cert.cert().toString(),
            "--tls-key", cert.key().toString()))) {
      HearthProcess hearth = server.hearth();
      String base = server.base();
      String api = ActivityIT.token(hearth);
      ActivityIT.put(base, api, "/api/v1/profiles/home", "{\"block\": [\"x.test\"]}");
      ActivityIT.put(base, api, "/api/v1/subscribers/house-61", "{\"profile\": \"home\","
          + " \"addresses\": [\"127.0.0.61/32\"]}");
      var parent = HearthProcess.cliWithInput("the parent's password\n", "admin", "create-user",
          "--data-dir", hearth.dataDir().toString(), "--username", "parent61", "--role",
          "parent", "--household", "house-61", "--password-stdin");
      assertEquals(0, parent.exit(), parent.output());

      HttpClient http = ActivityIT.signIn(base, "parent61", "the parent's password");
      String family = get(http, base + "/family").body();
      HttpResponse<String> added = post(http, base + "/family/devices", "_csrf", csrf(family),
          "device_name", "Tablet", "mac", "", "preset", "young-child");
      assertEquals(200, added.statusCode(), added.body());
      Matcher link = Pattern.compile("href=\"(/family/devices/\\d+/setup)\"")
          .matcher(added.body());
      assertTrue(link.find(), added.body());
      HttpResponse<String> setup = get(http, base + link.group(1));
      assertEquals(200, setup.statusCode(), setup.body());
      String url = dohUrl(setup.body());
      String plain = "https://localhost:" + dohPort + "/dns-query";
      assertTrue(url.matches(Pattern.quote(plain) + "/[a-z2-7]{26}"), url);

      String target = "http://ns1.e2e.test:" + server.httpPort() + "/healthz";
      Run viaDevice = run(null, curl.toString(), "-sS", "--max-time", "10", "--cacert",
          ca.caFile().toString(), "--doh-url", url, target);
      assertEquals(6, viaDevice.exit(), "the device's profile blocks the name (curl: could not"
          + " resolve host): " + viaDevice.output() + "\n" + hearth.log());
      Run viaPlain = run(null, curl.toString(), "-sS", "--max-time", "10", "--cacert",
          ca.caFile().toString(), "--doh-url", plain, target);
      assertEquals(0, viaPlain.exit(), viaPlain.output() + "\n" + hearth.log());

      String token = url.substring(url.lastIndexOf('/') + 1);
      assertEquals("NXDOMAIN", kdigStatus(kdig, ca, dohPort, "/dns-query/" + token));
      assertEquals("NOERROR", kdigStatus(kdig, ca, dohPort, "/dns-query"));

      // The iOS/macOS profile, read by a real property-list parser.
      HttpResponse<byte[]> profile = http.send(HttpRequest.newBuilder(URI.create(base
          + link.group(1).replace("/setup", "/hearth.mobileconfig"))).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, profile.statusCode());
      assertTrue(profile.headers().firstValue("Content-Type").orElse("")
          .startsWith("application/x-apple-aspen-config"), profile.headers().toString());
      Run plist = run(new String(profile.body(), StandardCharsets.UTF_8), python.toString(), "-c",
          "import plistlib, sys\n"
              + "p = plistlib.loads(sys.stdin.buffer.read())\n"
              + "c = p['PayloadContent'][0]\n"
              + "print(p['PayloadType'], c['PayloadType'], c['DNSSettings']['DNSProtocol'],"
              + " c['DNSSettings']['ServerURL'], p['PayloadVersion'])\n");
      assertEquals("Configuration com.apple.dnsSettings.managed HTTPS " + url + " 1",
          plist.output().strip());

      // Regenerated: the old URL gets the network default, the new one the device's profile.
      HttpResponse<String> regen = post(http, base + link.group(1).replace("/setup", "/token"),
          "_csrf", csrf(setup.body()), "device", "Tablet");
      assertEquals(200, regen.statusCode(), regen.body());
      String fresh = dohUrl(regen.body());
      assertNotEquals(url, fresh);
      assertEquals(0, run(null, curl.toString(), "-sS", "--max-time", "10", "--cacert",
          ca.caFile().toString(), "--doh-url", url, target).exit());
      assertEquals(6, run(null, curl.toString(), "-sS", "--max-time", "10", "--cacert",
          ca.caFile().toString(), "--doh-url", fresh, target).exit());
    }
  }

  /** The answer's status (NOERROR, NXDOMAIN...) for target.e2e.test A over DoH at {@code path}. */
  static String kdigStatus(Path kdig, TestCa ca, int port, String path) throws Exception {
    Run r = run(null, kdig.toString(), "@127.0.0.1", "-p", String.valueOf(port), "+https=" + path,
        "+tls-ca=" + ca.caFile(), "+tls-hostname=localhost", "+timeout=5", "target.e2e.test",
        "A");
    Matcher m = Pattern.compile("status: ([A-Z]+)").matcher(r.output());
    assertTrue(m.find(), r.output());
    return m.group(1);
  }
}
