package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.policy.BlockAnswer;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.policy.StructuredErrors;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config file's policy section: what it builds, and errors that name file:line and key. */
class PolicyConfigTest {
  @TempDir Path dir;

  private PolicySnapshot load(String yaml) throws Exception {
    Path file = dir.resolve("hearth.yaml");
    Files.writeString(file, yaml);
    Settings.Builder b = Settings.builder();
    ConfigFile.read(file, b);
    return b.build().policy();
  }

  private void assertError(String yaml, int line, String key, String fragment) throws Exception {
    Path file = dir.resolve("hearth.yaml");
    Files.writeString(file, yaml);
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigFile.read(file, Settings.builder()));
    String prefix = file + ":" + line + ": " + key + ": ";
    assertTrue(e.getMessage().startsWith(prefix), "expected '" + prefix + "' in: "
        + e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: "
        + e.getMessage());
  }

  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void noPolicySection_everyListForEveryone() throws Exception {
    PolicySnapshot p = load("dns:\n  listen: 127.0.0.1:5335\n");
    assertTrue(p.defaultProfile().everyCategory());
  }

  @Test
  void presetsAdjustmentsSubscribersAndNetworksLoad() throws Exception {
    PolicySnapshot p = load(String.join("\n",
        "policy:",
        "  protected: [ChildLine.org.uk.]",
        "  block_page: {ipv4: 192.0.2.80, ipv6: '2001:db8::80'}",
        "  profiles:",
        "    - id: kids",
        "      preset: teen",
        "      block_categories: [games]",
        "      allow_categories: [dating]",
        "      allow: [school.example]",
        "      block_answer: block-page",
        "    - {id: public, preset: public-venue, block_bypass: true}",
        "  subscribers:",
        "    - id: house-1",
        "      profile: kids",
        "      timezone: Europe/Paris",
        "      addresses: [192.0.2.0/28, '2001:db8:1::/56']",
        "      cpe_id: cpe-1",
        "      tokens: [tok-house-1]",
        "      devices: [{mac: 02-00-00-00-00-0A, profile: public, token: tok-device-1}]",
        "  networks:",
        "    - {id: cafe, profile: public, addresses: [10.20.0.0/16]}",
        "  listeners:",
        "    - {listen: '0.0.0.0:5336', profile: public}",
        ""));
    Profile kids = p.profiles().get("kids");
    assertTrue(kids.blockedCategories().contains("adult"), "from the teen preset");
    assertTrue(kids.blockedCategories().contains("games"));
    assertFalse(kids.blockedCategories().contains("dating"));
    assertTrue(kids.blockBypass(), "the teen preset blocks bypasses");
    assertEquals(BlockAnswer.BLOCK_PAGE, kids.blockAnswer());
    assertEquals("Teen (13 to 17)", kids.name());
    assertTrue(p.profiles().get("public").blockBypass(), "set over the preset");
    assertEquals("default", p.directory().defaultProfileId());
    assertFalse(p.defaultProfile().everyCategory(), "unidentified: baseline only");
    assertEquals(java.util.List.of("childline.org.uk"), p.protectedNames());
    var dir = p.directory();
    assertEquals("house-1", dir.identify(null, ClientOptions.NONE, ip("192.0.2.9"), null)
        .subscriberId());
    assertEquals("house-1", dir.identify(null, ClientOptions.NONE,
        ip("2001:db8:1:ff::1"), null).subscriberId());
    assertEquals("cafe", dir.identify(null, ClientOptions.NONE, ip("10.20.3.4"), null)
        .networkId());
    ClientIdentity byDevice = dir.identify("tok-device-1", ClientOptions.NONE, ip("10.0.0.1"),
        null);
    assertEquals("public", byDevice.profileId());
    assertEquals(ClientIdentity.Source.TOKEN, byDevice.source());
    ClientIdentity byMac = dir.identify(null, new ClientOptions(0x02000000000AL, null, null),
        ip("192.0.2.1"), null);
    assertEquals("public", byMac.profileId());
    ClientIdentity byCpe = dir.identify(null, new ClientOptions(-1, "cpe-1", null),
        ip("10.0.0.1"), null);
    assertEquals("house-1", byCpe.subscriberId());
    assertEquals(java.time.ZoneId.of("Europe/Paris"), dir.subscriber("house-1").zone());
    ClientIdentity byListener = dir.identify(null, ClientOptions.NONE, ip("172.16.0.9"), null,
        new java.net.InetSocketAddress("192.0.2.1", 5336));
    assertEquals("public", byListener.profileId(), "a wildcard listen matches every address");
    assertEquals("default", dir.identify(null, ClientOptions.NONE, ip("172.16.0.9"), null,
        new java.net.InetSocketAddress("192.0.2.1", 53)).profileId());
  }

  @Test
  void errorsNameFileLineAndKey() throws Exception {
    assertError("policy:\n  profiles:\n    - {id: kids, preset: toddler}\n", 3,
        "policy.profiles[0].preset", "unknown preset 'toddler'; presets: young-child, pre-teen");
    assertError("policy:\n  subscribers:\n    - {id: h1, profile: nobody}\n", 3,
        "policy.subscribers[0].profile", "no profile 'nobody'");
    assertError("policy:\n  profiles: [{id: a}]\n  subscribers:\n"
        + "    - {id: h1, profile: a, devices: [{mac: '02:00', profile: a}]}\n", 4,
        "policy.subscribers[0].devices[0].mac", "is not a MAC address");
    assertError("policy:\n  profiles: [{id: a}]\n  subscribers:\n"
        + "    - {id: h1, profile: a, timezone: Mars/Olympus}\n", 4,
        "policy.subscribers[0].timezone", "is not a time zone");
    assertError("policy:\n  profiles:\n    - {id: a}\n    - {id: a}\n", 4,
        "policy.profiles[1].id", "used twice");
    assertError("policy:\n  profiles:\n    - {id: a, block_answer: null}\n", 3,
        "policy.profiles[0].block_answer", "write null-address");
    assertError("policy:\n  profiles:\n    - {id: a, block_answer: block-page}\n", 3,
        "policy.profiles", "policy.block_page gives no address");
    assertError("policy:\n  profiles: [{id: a}]\n  subscribers:\n"
        + "    - {id: h1, profile: a, tokens: [short]}\n", 4, "policy.subscribers[0].tokens[0]",
        "is not a token");
    assertError("policy:\n  default_profile: missing\n", 2, "policy.default_profile",
        "no profile 'missing'");
    assertError("policy:\n  profiles: [{id: a}]\n  subscribers:\n    - {id: h1, profile: a}\n"
        + "  networks:\n    - {id: h1, profile: a, addresses: [10.0.0.0/8]}\n", 6,
        "policy.networks[0].id", "duplicate subscriber or network id 'h1'");
    assertError("policy:\n  profiles:\n    - {id: a, allow: ['bad name!']}\n", 3,
        "policy.profiles[0].allow[0]", "");
    assertError("policy:\n  profle: []\n", 2, "policy.profle", "did you mean 'profiles'");
  }

  @Test
  void schedulesBudgetsAndTimezoneLoad() throws Exception {
    PolicySnapshot p = load(String.join("\n",
        "policy:",
        "  timezone: America/New_York",
        "  profiles:",
        "    - id: kids",
        "      schedules:",
        "        - {name: bedtime, days: [sun, mon, tue, wed, thu], from: '20:00', to: '7:00',",
        "           block: all, allow: [childline.org.uk]}",
        "        - {name: homework, days: weekdays, from: '16:00', to: '18:00',",
        "           block_categories: [games]}",
        "      budgets: {games: 2h, social_networks: 45m}",
        "      safe_search: moderate",
        ""));
    assertEquals(java.time.ZoneId.of("America/New_York"), p.zone());
    Profile kids = p.profiles().get("kids");
    var bed = kids.schedules().get(0);
    assertTrue(bed.blockAll() && bed.overnight());
    assertEquals(java.time.LocalTime.of(7, 0), bed.to());
    assertEquals(5, bed.days().size());
    assertEquals(java.util.List.of("childline.org.uk"), bed.allowNames());
    var homework = kids.schedules().get(1);
    assertEquals(java.util.Set.of("games"), homework.categories());
    assertEquals(java.util.Map.of("games", 120, "social_networks", 45), kids.budgetMinutes());
    assertEquals(dev.hearth.resolver.policy.SafeSearch.Mode.MODERATE, kids.safeSearch());
  }

  @Test
  void scheduleAndBudgetErrorsNameFileLineAndKey() throws Exception {
    String head = "policy:\n  profiles:\n    - id: kids\n      schedules:\n";
    assertError(head + "        - {days: [funday], from: '20:00', to: '07:00', block: all}\n", 5,
        "policy.profiles[0].schedules[0].days", "'funday' is not a day");
    assertError(head + "        - {days: daily, from: '25:00', to: '07:00', block: all}\n", 5,
        "policy.profiles[0].schedules[0].from", "is not a time of day");
    assertError(head + "        - {days: daily, from: '20:00', to: '20:00', block: all}\n", 5,
        "policy.profiles[0].schedules[0]", "at least one minute");
    assertError(head + "        - {days: daily, from: '20:00', to: '07:00'}\n", 5,
        "policy.profiles[0].schedules[0]", "give either 'block: all'");
    assertError(head + "        - {days: daily, from: '20:00', to: '07:00',"
        + " block_categories: [games], allow: [a.example]}\n", 5,
        "policy.profiles[0].schedules[0].allow", "only with 'block: all'");
    assertError("policy:\n  profiles:\n    - {id: kids, budgets: {games: 90s}}\n", 3,
        "policy.profiles[0].budgets.games", "not a daily budget");
    assertError("policy:\n  timezone: Moon/Base\n", 2, "policy.timezone", "is not a time zone");
    assertError("policy:\n  contacts: ['https://isp.example/abuse']\n", 2, "policy",
        "must be a mailto: or tel: URI");
    assertError("policy:\n  profiles:\n    - {id: kids, safe_search: very}\n", 3,
        "policy.profiles[0].safe_search", "is not a SafeSearch level");
  }

  @Test
  void everyBuiltInPresetLoads() throws Exception {
    var presets = PolicyConfig.presets();
    assertEquals(java.util.List.of("young-child", "pre-teen", "teen", "adult", "public-venue"),
        java.util.List.copyOf(presets.keySet()));
    // Younger presets block at least what older ones do (over-blocking grows with age only down).
    assertTrue(presets.get("young-child").categories().containsAll(
        presets.get("pre-teen").categories()));
    assertTrue(presets.get("pre-teen").categories().containsAll(
        presets.get("teen").categories()));
    assertTrue(presets.get("teen").categories().containsAll(presets.get("adult").categories()));
    assertTrue(presets.get("public-venue").categories().contains("adult"),
        "Friendly WiFi minimum");
  }

  @Test
  void listenerIdentificationRules_andStructuredErrorSettingsLoad() throws Exception {
    PolicySnapshot p = load(String.join("\n",
        "policy:",
        "  trusted_forwarders: [192.0.2.53/32]",
        "  structured_errors_option: 65500",
        "  profiles: [{id: public, preset: public-venue}, {id: kids, preset: young-child}]",
        "  subscribers:",
        "    - id: house-1",
        "      profile: public",
        "      addresses: [198.51.100.0/24]",
        "      devices: [{mac: '02:00:00:00:00:01', profile: kids}]",
        "  listeners:",
        "    - {listen: '0.0.0.0:5353', profile: public, identify: [address]}",
        "    - listen: '192.0.2.1:53'",
        "      identify: [address, mac, cpe_id, client_subnet]",
        "    - {listen: '192.0.2.2:53', identify: []}",
        ""));
    var dir = p.directory();
    var tablet = new ClientOptions(0x020000000001L, null, null);
    var hotspot = new java.net.InetSocketAddress("192.0.2.9", 5353);
    ClientIdentity onHotspot = dir.identify(null, tablet, ip("198.51.100.7"), null, hotspot);
    assertEquals("house-1", onHotspot.subscriberId());
    assertEquals("public", onHotspot.profileId(), "the MAC is ignored on the wildcard listener");
    assertEquals("kids", dir.identify(null, tablet, ip("198.51.100.7"), null,
        new java.net.InetSocketAddress("192.0.2.9", 53)).profileId(), "not configured: every rule");
    assertEquals(java.util.Set.of(ClientIdentity.Source.MAC, ClientIdentity.Source.CPE_ID,
        ClientIdentity.Source.CLIENT_SUBNET, ClientIdentity.Source.ADDRESS),
        dir.listenerRuleSets().get(new java.net.InetSocketAddress("192.0.2.1", 53)));
    assertEquals(java.util.Set.of(),
        dir.listenerRuleSets().get(new java.net.InetSocketAddress("192.0.2.2", 53)));
    assertEquals("default", dir.identify(null, tablet, ip("198.51.100.7"), null,
        new java.net.InetSocketAddress("192.0.2.2", 53)).profileId(), "no rules: the default");
    assertEquals(new StructuredErrors(StructuredErrors.Mode.ON_REQUEST, 65500),
        p.structuredErrors());
    assertEquals(StructuredErrors.DEFAULT, load("policy:\n  protected: [a.example]\n")
        .structuredErrors(), "default: on request, by the EDE option only");
    assertEquals(StructuredErrors.Mode.ALWAYS,
        load("policy:\n  structured_errors: always\n").structuredErrors().mode());
    assertEquals(StructuredErrors.Mode.NEVER,
        load("policy:\n  structured_errors: never\n").structuredErrors().mode());
  }

  @Test
  void listenerAndStructuredErrorMistakes_nameFileLineAndKey() throws Exception {
    assertError("policy:\n  listeners:\n    - listen: '127.0.0.1:53'\n"
        + "      identify: [address, macs]\n", 4, "policy.listeners[0].identify",
        "unknown rule 'macs'; rules: token, mac, cpe_id, client_subnet, address");
    assertError("policy:\n  listeners:\n    - {listen: '127.0.0.1:53', profile: default}\n"
        + "    - {listen: '127.0.0.1:54',\n       identify: address}\n", 5,
        "policy.listeners[1].identify", "expected a list of rules (token, mac, cpe_id,");
    assertError("policy:\n  listeners:\n    - {listen: '127.0.0.1:53'}\n", 3,
        "policy.listeners[0]", "give a 'profile', 'identify' rules or both");
    assertError("policy:\n  structured_errors: sometimes\n", 2, "policy.structured_errors",
        "'sometimes' is not always, on_request or never");
    assertError("policy:\n  structured_errors_option: 70000\n", 2,
        "policy.structured_errors_option", "an EDNS option code from 0 to 65535");
  }

  @Test
  void theShippedExamplesCommentedPolicyLoads() throws Exception {
    String text;
    try (java.io.InputStream in = PolicyConfigTest.class.getResourceAsStream(
        "/hearth.example.yaml")) {
      text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    StringBuilder policy = new StringBuilder();
    boolean in = false;
    for (String line : text.split("\n")) {
      if (line.equals("# policy:")) {
        in = true;
      } else if (in && !line.startsWith("#   ")) {
        break;
      }
      if (in) {
        policy.append(line.substring(2)).append('\n');
      }
    }
    PolicySnapshot p = load(policy.toString());
    assertTrue(p.profiles().containsKey("kids"), policy::toString);
    assertEquals(java.util.Set.of(ClientIdentity.Source.ADDRESS), p.directory().listenerRuleSets()
        .get(new java.net.InetSocketAddress("10.20.0.1", 53)));
    assertEquals(new StructuredErrors(StructuredErrors.Mode.ON_REQUEST, 65500),
        p.structuredErrors());
  }
}
