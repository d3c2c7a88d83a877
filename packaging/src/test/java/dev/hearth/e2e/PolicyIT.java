package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Profiles end to end: `dig -b 127.0.0.x` from different loopback addresses is different
 * subscribers and venues, `dig +ednsopt` adds the MAC and CPE-id options a dnsmasq router would,
 * and the answers and EDE texts say which profile and rule decided.
 */
@Timeout(120)
class PolicyIT {
  private static Nsd nsd;
  private static HearthProcess hearth;
  @TempDir static Path dir;
  private static Path config;
  /** A second listener that believes only source addresses (a hotspot's, say). */
  private static int addressOnlyPort;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
    Files.writeString(dir.resolve("adult.txt"), "target.e2e.test\n");
    Files.writeString(dir.resolve("gambling.txt"), "fail5.e2e.test\n");
    Files.writeString(dir.resolve("security.txt"), "fail6.e2e.test\n");
    config = dir.resolve("hearth.yaml");
    // Wall-clock windows relative to now (UTC): one open for the next hour, one opening in one to
    // two minutes.
    java.time.LocalTime now = java.time.LocalTime.now(java.time.ZoneOffset.UTC)
        .truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    String openFrom = now.minusHours(1).toString();
    String openTo = now.plusHours(1).toString();
    String soonFrom = now.plusMinutes(2).toString();
    String soonTo = now.plusMinutes(30).toString();
    addressOnlyPort = E2e.freePort();
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "    - {id: gambling, path: " + dir.resolve("gambling.txt") + ", category: gambling}",
        "    - {id: security, path: " + dir.resolve("security.txt") + "}",
        "policy:",
        "  organisation: Hearth E2E ISP",
        "  contacts: ['mailto:abuse@isp.example']",
        "  protected: [nodata.e2e.test]",
        "  profiles:",
        "    - {id: kids, preset: young-child, block: [fail4.e2e.test], allow: [fail5.e2e.test]}",
        "    - {id: grown-ups, preset: adult, block_answer: null-address}",
        "    - {id: public, preset: public-venue}",
        "    - id: night",
        "      schedules: [{name: bedtime, days: daily, from: '" + openFrom + "', to: '" + openTo
            + "', block: all, allow: [mail.e2e.test]}]",
        "    - id: soon",
        "      schedules: [{name: bedtime, days: daily, from: '" + soonFrom + "', to: '" + soonTo
            + "', block: all}]",
        "  subscribers:",
        "    - id: house-2",
        "      profile: kids",
        "      timezone: Europe/London",
        "      addresses: [127.0.0.2/32]",
        "      devices: [{mac: '02:00:00:00:00:01', profile: grown-ups}]",
        "    - {id: house-9, profile: kids, cpe_id: router-9}",
        "    - {id: house-4, profile: soon, timezone: UTC, addresses: [127.0.0.4/32]}",
        "    - {id: house-5, profile: night, timezone: UTC, addresses: [127.0.0.5/32]}",
        "  networks:",
        "    - {id: cafe, profile: public, addresses: [127.0.0.64/26]}",
        "  listeners:",
        "    - {listen: '127.0.0.1:" + addressOnlyPort + "', identify: [address]}",
        "  structured_errors_option: 65500",
        ""));
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config", config.toString(),
        "--dns", "127.0.0.1:" + addressOnlyPort));
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

  static Result dig(String source, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "-b";
    all[1] = source;
    System.arraycopy(args, 0, all, 2, args.length);
    return Dig.dig(hearth.port(), all);
  }

  static List<String> rdata(Result r, String type) {
    return r.answers(type).stream().map(Dig.Rr::rdata).toList();
  }

  static String cpe(String id) {
    return "+ednsopt=65074:" + HexFormat.of().formatHex(id.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void householdProfileBlocksItsCategories_withEde17NamingListAndProfile() {
    Result r = dig("127.0.0.2", "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r + hearth.describe());
    assertTrue(r.edeCodes().contains(17), () -> "Filtered: the household chose it\n" + r);
    String text = String.join(" ", r.edeTexts());
    assertTrue(text.contains("blocked by list adult (category adult): target.e2e.test"), text);
    assertTrue(text.contains("profile kids"), text);
    assertTrue(text.contains("[category:adult@"), text);
  }

  @Test
  void clientsAskingForStructuredErrors_getDraftJson() {
    Result r = dig("127.0.0.2", "+ednsopt=15", "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    String text = String.join(" ", r.edeTexts());
    assertTrue(text.contains("{\"c\":[\"mailto:abuse@isp.example\"],\"j\":\"blocked by list adult"),
        text);
    assertTrue(text.contains("\"o\":\"Hearth E2E ISP\",\"l\":\"en\"}"), text);
  }

  @Test
  void unidentifiedClient_getsOnlyTheOperatorBaseline() {
    Result r = dig("127.0.0.3", "target.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> r.toString());
    assertEquals(List.of("192.0.2.30"), rdata(r, "A"), () -> r.toString());
    Result sec = dig("127.0.0.3", "fail6.e2e.test", "A");
    assertEquals("NXDOMAIN", sec.status(), () -> sec.toString());
    assertTrue(sec.edeCodes().contains(15), () -> "operator list: Blocked\n" + sec);
  }

  @Test
  void venueNetwork_usesItsProfile_withEde15() {
    Result r = dig("127.0.0.70", "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    assertTrue(r.edeCodes().contains(15), () -> "a venue's policy is the operator's\n" + r);
    assertTrue(String.join(" ", r.edeTexts()).contains("profile public"), () -> r.toString());
  }

  @Test
  void deviceMacFromTheRouter_selectsTheDeviceProfile() {
    Result r = dig("127.0.0.2", "+ednsopt=65001:020000000001", "target.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> r.toString());
    assertEquals(List.of("192.0.2.30"), rdata(r, "A"), () -> r.toString());
    // Another MAC in the same household gets the household profile.
    Result other = dig("127.0.0.2", "+ednsopt=65001:020000000002", "target.e2e.test", "A");
    assertEquals("NXDOMAIN", other.status(), () -> other.toString());
    // The device's profile answers blocks with a null address.
    Result sec = dig("127.0.0.2", "+ednsopt=65001:020000000001", "fail6.e2e.test", "A");
    assertEquals("NOERROR", sec.status(), () -> sec.toString());
    assertEquals(List.of("0.0.0.0"), rdata(sec, "A"), () -> sec.toString());
  }

  @Test
  void cpeIdFromTheRouter_identifiesTheHousehold() {
    Result r = dig("127.0.0.3", cpe("router-9"), "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    assertTrue(String.join(" ", r.edeTexts()).contains("profile kids"), () -> r.toString());
    Result unknown = dig("127.0.0.3", cpe("router-404"), "target.e2e.test", "A");
    assertEquals("NOERROR", unknown.status(), () -> unknown.toString());
  }

  @Test
  void profileOwnBlocksAndExceptions_andTheProtectedAllowlist() {
    Result own = dig("127.0.0.2", "fail4.e2e.test", "A");
    assertEquals("NXDOMAIN", own.status(), () -> own.toString());
    assertTrue(String.join(" ", own.edeTexts()).contains("[profile-block:profile:kids:block#1]"),
        () -> own.toString());
    Result exception = dig("127.0.0.2", "fail5.e2e.test", "A");
    assertEquals("NOERROR", exception.status(), () -> "the profile's exception beats its"
        + " gambling category\n" + exception);
    Result other = dig("127.0.0.70", "fail5.e2e.test", "A");
    assertEquals("NOERROR", other.status(), () -> "public-venue does not block gambling\n"
        + other);
  }

  @Test
  void bedtimeBlocksAllButItsAllowlist_withTheScheduleInTheEdeText() {
    Result r = dig("127.0.0.5", "www.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    assertTrue(r.edeCodes().contains(17), () -> r.toString());
    assertTrue(String.join(" ", r.edeTexts()).contains("blocked by schedule bedtime; profile night"),
        () -> r.toString());
    Result allowed = dig("127.0.0.5", "mail.e2e.test", "A");
    assertEquals("NOERROR", allowed.status(), () -> allowed.toString());
  }

  @Test
  void answersBeforeBedtime_areCachedByClientsOnlyUntilItStarts() {
    Result other = dig("127.0.0.3", "www.e2e.test", "A");
    assertEquals("NOERROR", other.status(), () -> other.toString());
    assertTrue(other.answers("A").get(0).ttl() > 200, () -> "zone TTL 300 counts down\n" + other);
    Result r = dig("127.0.0.4", "www.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> r.toString());
    long ttl = r.answers("A").get(0).ttl();
    assertTrue(ttl <= 120, () -> "bedtime starts within two minutes, so the TTL is capped: " + r);
  }

  @Test
  void bypassCanary_nxdomainForProfilesThatBlockBypasses() {
    Result r = dig("127.0.0.2", "use-application-dns.net", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    assertTrue(r.edeCodes().contains(17), () -> r.toString());
    Result relay = dig("127.0.0.2", "mask.icloud.com", "AAAA");
    assertEquals("NXDOMAIN", relay.status(), () -> relay.toString());
  }

  @Test
  void explainCommand_showsClientProfileAndEveryStep() throws Exception {
    var out = HearthProcess.cli("explain", "--config", config.toString(), "--data-dir",
        hearth.dataDir().toString(), "--client", "127.0.0.2", "--name", "target.e2e.test");
    assertEquals(0, out.exit(), out::output);
    String text = out.output();
    assertTrue(text.contains("subscriber house-2, profile kids (by address"), text);
    assertTrue(text.contains("9. operator lists and chosen categories: blocked by list adult"),
        text);
    assertTrue(text.contains("=> blocked (category, EDE 17)"), text);
    var mac = HearthProcess.cli("explain", "--config", config.toString(), "--data-dir",
        hearth.dataDir().toString(), "--client", "127.0.0.2", "--mac", "02:00:00:00:00:01",
        "--name", "target.e2e.test");
    assertTrue(mac.output().contains("profile grown-ups (by mac 02:00:00:xx:xx:xx)"),
        mac::output);
    assertTrue(mac.output().contains("=> resolves"), mac::output);
    assertFalse(mac.output().contains("02:00:00:00:00:01"), "the full MAC is never printed");
    var aaaa = HearthProcess.cli("explain", "--config", config.toString(), "--data-dir",
        hearth.dataDir().toString(), "--client", "127.0.0.2", "--mac", "02:00:00:00:00:01",
        "--name", "fail6.e2e.test", "--type", "AAAA");
    assertTrue(aaaa.output().contains("query: fail6.e2e.test AAAA from 127.0.0.2"),
        aaaa::output);
    assertTrue(aaaa.output().contains("answer: AAAA ::, EDE 15"), aaaa::output);
    Result dug = dig("127.0.0.2", "+ednsopt=65001:020000000001", "fail6.e2e.test", "AAAA");
    assertEquals(List.of("::"), rdata(dug, "AAAA"), "the resolver answers what explain says");
    var badType = HearthProcess.cli("explain", "--config", config.toString(), "--client",
        "127.0.0.2", "--name", "x.test", "--type", "NOPE");
    assertEquals(2, badType.exit(), badType::output);
    assertTrue(badType.output().contains("--type: 'NOPE' is not a DNS record type"),
        badType::output);
  }

  @Test
  void aListenerThatBelievesOnlyAddresses_ignoresTheMacOption() throws Exception {
    String mac = "+ednsopt=65001:020000000001";
    Result trusted = dig("127.0.0.2", mac, "target.e2e.test", "A");
    assertEquals("NOERROR", trusted.status(), () -> "the device's grown-ups profile\n" + trusted);
    Result r = Dig.dig(addressOnlyPort, "-b", "127.0.0.2", mac, "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r + hearth.describe());
    assertTrue(String.join(" ", r.edeTexts()).contains("profile kids"),
        () -> "house-2 by its address, the MAC ignored\n" + r);
    var explained = HearthProcess.cli("explain", "--config", config.toString(), "--data-dir",
        hearth.dataDir().toString(), "--client", "127.0.0.2", "--mac", "02:00:00:00:00:01",
        "--listener", "127.0.0.1:" + addressOnlyPort, "--name", "target.e2e.test");
    assertEquals(0, explained.exit(), explained::output);
    assertTrue(explained.output().contains("rules address; skipped: mac 02:00:00:xx:xx:xx (off on"
        + " this listener)"), explained::output);
    assertTrue(explained.output().contains("subscriber house-2, profile kids (by address"),
        explained::output);
  }

  @Test
  void theConfiguredRequestOption_asksForStructuredErrorsToo() {
    Result r = dig("127.0.0.2", "+ednsopt=65500", "target.e2e.test", "A");
    assertEquals("NXDOMAIN", r.status(), () -> r.toString());
    String text = String.join(" ", r.edeTexts());
    assertTrue(text.contains("{\"c\":[\"mailto:abuse@isp.example\"],\"j\":"), text);
    Result plain = dig("127.0.0.2", "target.e2e.test", "A");
    String sentence = String.join(" ", plain.edeTexts());
    assertTrue(sentence.contains("blocked by list adult"), sentence);
    assertFalse(sentence.contains("{\"c\""), sentence);
  }
}
