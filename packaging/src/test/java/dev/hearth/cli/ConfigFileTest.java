package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.access.ClientNetworks;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private Settings load(String yaml) throws Exception {
    Settings.Builder b = Settings.builder();
    ConfigFile.read(write(yaml), b);
    return b.build();
  }

  /** Asserts the error names the file and line, then the key, and contains {@code fragment}. */
  private void assertError(String yaml, int line, String key, String fragment) throws Exception {
    Path file = write(yaml);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(file, Settings.builder()));
    String prefix = file + ":" + line + ": " + key + ": ";
    assertTrue(e.getMessage().startsWith(prefix), "expected prefix '" + prefix + "' in: " + e.getMessage());
    assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
  }

  @Test
  void encryptedUpstreams_withTlsNameAndCaFile() throws Exception {
    Path ca = Files.createTempFile("hearth-ca-", ".pem");
    dev.hearth.resolver.testing.UpstreamCa made =
        dev.hearth.resolver.testing.UpstreamCa.create(ca.getParent(), "cfg" + System.nanoTime());
    Settings s = load(String.join("\n",
        "upstream:",
        "  servers:",
        "    - tls://192.0.2.1",
        "    - {address: \"https://192.0.2.2/dns-query\", tls_name: dns.example, ca_file: \""
            + made.certificate() + "\", validating: true}",
        ""));
    var ups = s.resolver().upstreams();
    assertEquals(List.of("tls://192.0.2.1:853", "https://192.0.2.2:443/dns-query+validating"),
        ups.stream().map(Values::format).toList());
    assertEquals("dns.example", ups.get(1).verifyName());
    assertEquals(made.certificate(), ups.get(1).caFile());
    Files.writeString(ca, "not a certificate\n");
    assertError("upstream:\n  servers:\n    - {address: tls://192.0.2.1, ca_file: " + ca + "}\n", 3,
        "upstream.servers[0].ca_file", "certificate");
  }

  @Test
  void fullExampleFromTheIssueLoads() throws Exception {
    Settings s = load(String.join("\n",
        "dns:",
        "  listen: [\"127.0.0.1:5335\", \"[::1]:5335\"]",
        "  allow: [\"127.0.0.0/8\", \"10.0.0.0/8\"]",
        "  refused_action: drop",
        "  rate_limit: 50",
        "  threads: 2",
        "  edns_udp_size: 1400",
        "  tcp: { idle_timeout: 15s, max_connections: 200, max_connections_per_client: 8 }",
        "upstream:",
        "  servers: [\"192.0.2.1:53\", {address: \"192.0.2.2:5353\", validating: true}, \"192.0.2.3+validating\"]",
        "  timeout: 500ms",
        "  resolution_timeout: 2s",
        "  max_in_flight: 2000",
        "cache:",
        "  size: 16m",
        "  min_ttl: 5",
        "  max_ttl: 3600",
        "  negative_max_ttl: 600",
        "  prefetch: false",
        "  serve_stale: no",
        "  stale_max_age: 7200",
        "  stale_answer_ttl: 10",
        "http:",
        "  listen: \"0.0.0.0:8081\"",
        "  hostnames: [Filter.ISP.example.]",
        "  block_page: \"192.0.2.80:80\"",
        "  public_url: https://filter.isp.example/",
        "mail: {smtp: \"mail.isp.example:587\", from: appeals@isp.example, username: hearth,"
            + " password_file: /etc/hearth/smtp-password}",
        "appeals:",
        "  acknowledge_within: 12h",
        "  decide_within: 2d",
        "  keep_closed: 30d",
        "data_dir: /var/lib/hearth",
        ""));
    ResolverConfig r = s.resolver();
    assertEquals(List.of("127.0.0.1:5335", "[::1]:5335"), r.dnsListen().stream().map(HostPort::format).toList());
    assertEquals(List.of("192.0.2.1:53", "192.0.2.2:5353+validating", "192.0.2.3:53+validating"),
        r.upstreams().stream().map(Values::format).toList());
    assertEquals("[127.0.0.0/8, 10.0.0.0/8]", r.allowedClients().toString());
    assertFalse(r.allowedClients().contains(InetAddress.getByName("192.168.1.1")));
    assertTrue(r.dropRefused());
    assertEquals(50, r.rateLimitPerClient());
    assertEquals(2, r.threads());
    assertEquals(1400, r.ednsUdpSize());
    assertEquals(new ResolverConfig.Tcp(Duration.ofSeconds(15), 200, 8), r.tcp());
    assertEquals(Duration.ofMillis(500), r.upstreamTimeout());
    assertEquals(Duration.ofSeconds(2), r.resolutionTimeout());
    assertEquals(2000, r.maxInFlight());
    assertEquals(new ResolverConfig.Cache(16L << 20, 5, 3600, 600, false, false, 7200, 10), r.cache());
    assertEquals("0.0.0.0:8081", HostPort.format(s.httpListen()));
    assertEquals("192.0.2.80:80", HostPort.format(s.blockPageListen()));
    assertEquals(new PublicSiteConfig(List.of("filter.isp.example"), Duration.ofHours(12),
        Duration.ofDays(2), Duration.ofDays(30), "https://filter.isp.example",
        new PublicSiteConfig.Mail("mail.isp.example", 587, "appeals@isp.example", true,
            "hearth", Path.of("/etc/hearth/smtp-password")), 10), s.publicSite());
    assertEquals(Path.of("/var/lib/hearth"), s.dataDir());
  }

  @Test
  void shippedExampleLoadsAndMatchesTheDefaults() throws Exception {
    String text;
    try (InputStream in = ConfigFileTest.class.getResourceAsStream("/hearth.example.yaml")) {
      assertNotNull(in, "hearth.example.yaml is on the class path");
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(text, "hearth.example.yaml", b);
    assertFalse(b.hasUpstreams(), "the example leaves upstreams to resolv.conf");
    Settings fromExample = b.build();
    Settings defaults = Settings.builder().build();
    // ClientNetworks has no equals(); the record's text shows every value.
    assertEquals(defaults.toString(), fromExample.toString());
    assertEquals(ClientNetworks.privateDefaults().toString(), fromExample.resolver().allowedClients().toString());
  }

  @Test
  void storeAndFleet_areReadAndChecked() throws Exception {
    assertEquals(FleetConfig.NONE, load("").fleet());
    Settings admin = load(String.join("\n",
        "store:",
        "  url: postgresql://db.example.net:5433/hearth",
        "  user: hearth",
        "  password_file: /etc/hearth/db-password",
        "fleet:",
        "  node_token_file: /etc/hearth/node-token",
        ""));
    assertTrue(admin.fleet().postgres());
    assertFalse(admin.fleet().node());
    assertEquals("postgresql://db.example.net:5433/hearth", admin.fleet().storeUrl());
    assertEquals(Path.of("/etc/hearth/db-password"), admin.fleet().storePasswordFile());
    Settings node = load(String.join("\n",
        "fleet:",
        "  policy_from: http://10.0.0.5:8080",
        "  node_token_file: /etc/hearth/node-token",
        "  poll_interval: 250ms",
        ""));
    assertTrue(node.fleet().node());
    assertEquals("http://10.0.0.5:8080/api/v1/fleet/snapshot",
        node.fleet().policyFrom().toString(), "a bare admin address gets the snapshot path");
    assertEquals(java.time.Duration.ofMillis(250), node.fleet().pollInterval());

    assertError("store:\n  url: mysql://db/hearth\n", 2, "store.url",
        "expected postgresql://HOST[:PORT]/DATABASE");
    assertError("store:\n  url: postgresql://u:pw@db/hearth\n", 2, "store.url",
        "user and password are separate settings");
    assertError("store:\n  user: hearth\n", 2, "store", "needs url");
    assertError("fleet:\n  policy_from: ftp://admin/x\n", 2, "fleet.policy_from",
        "expected the admin's snapshot URL");
    assertError("fleet:\n  poll_interval: 10ms\n", 2, "fleet.poll_interval",
        "from 100ms to 1h");
    assertError("fleet:\n  pol_interval: 1s\n", 2, "fleet.pol_interval", "unknown key");
    ConfigException noToken = assertThrows(ConfigException.class, () -> load(
        "fleet:\n  policy_from: http://10.0.0.5:8080/api/v1/fleet/snapshot\n"));
    assertTrue(noToken.getMessage().contains("needs fleet.node_token_file"),
        noToken.getMessage());
    ConfigException both = assertThrows(ConfigException.class, () -> load(String.join("\n",
        "store: {url: 'postgresql://db/hearth'}",
        "fleet: {policy_from: 'http://admin:8080', node_token_file: /t}", "")));
    assertTrue(both.getMessage().contains("exclude each other"), both.getMessage());
  }

  @Test
  void activityRetention_isReadAndChecked() throws Exception {
    assertEquals(Settings.DEFAULT_ACTIVITY_RETENTION_DAYS, load("").activityRetentionDays());
    assertEquals(7, load("activity:\n  retention_days: 7\n").activityRetentionDays());
    Path file = write("activity:\n  retention_days: 0\n");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigFile.read(file, Settings.builder()));
    assertTrue(e.getMessage().startsWith(file + ":2: activity.retention_days: "),
        e.getMessage());
    Path unknown = write("activity:\n  keep_domains: true\n");
    e = assertThrows(ConfigException.class, () -> ConfigFile.read(unknown, Settings.builder()));
    assertTrue(e.getMessage().contains("activity.keep_domains"), e.getMessage());
  }

  @Test
  void partialSectionsKeepOtherDefaults() throws Exception {
    Settings s = load("cache:\n  max_ttl: 600\ndns:\n  tcp:\n    max_connections: 5\nupstream:\n");
    assertEquals(600, s.resolver().cache().maxTtl());
    assertEquals(ResolverConfig.Cache.defaults().maxBytes(), s.resolver().cache().maxBytes());
    assertEquals(5, s.resolver().tcp().maxConnections());
    assertEquals(ResolverConfig.Tcp.defaults().idleTimeout(), s.resolver().tcp().idleTimeout());
  }

  @Test
  void emptyFileMeansDefaults() throws Exception {
    assertEquals(Settings.builder().build().toString(), load("# nothing yet\n").toString());
  }

  @Test
  void scalarAcceptedAsSingleItemList() throws Exception {
    Settings s = load("dns:\n  listen: 127.0.0.1:0\n  allow: 10.0.0.0/8\n");
    assertEquals(1, s.resolver().dnsListen().size());
    assertEquals("[10.0.0.0/8]", s.resolver().allowedClients().toString());
  }

  @Test
  void badWholeNumberMatchesTheDocumentedMessage() throws Exception {
    Path file = write("# comment\ncache:\n  size: 64m\n  min_ttl: 0\n\n  # the next line is wrong\n  max_ttl: abc\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(file, Settings.builder()));
    assertEquals(file + ":7: cache.max_ttl: expected a whole number of seconds, got \"abc\"", e.getMessage());
  }

  @Test
  void unknownKeysAreErrorsWithSuggestions() throws Exception {
    assertError("dsn:\n  listen: [\"127.0.0.1:53\"]\n", 1, "dsn", "unknown key (did you mean 'dns'?)");
    assertError("dns:\n  tcp:\n    idle_timout: 5s\n", 3, "dns.tcp.idle_timout", "did you mean 'idle_timeout'?");
    assertError("cache:\n  size: 1m\n  colour: blue\n", 3, "cache.colour", "known keys under cache: size,");
    assertError("upstream:\n  servers:\n    - {address: 192.0.2.1, validate: true}\n", 3,
        "upstream.servers[0].validate", "did you mean 'validating'?");
  }

  @Test
  void badValuesNameFileLineAndKey() throws Exception {
    assertError("upstream:\n  timeout: 800\n", 2, "upstream.timeout", "expected a duration such as 800ms");
    assertError("dns:\n  tcp:\n    idle_timeout: soon\n", 3, "dns.tcp.idle_timeout", "got \"soon\"");
    assertError("cache:\n  prefetch: maybe\n", 2, "cache.prefetch", "expected true or false, got \"maybe\"");
    assertError("cache:\n  size: lots\n", 2, "cache.size", "expected a size in bytes");
    assertError("cache:\n  size: [1]\n", 2, "cache.size", "got a list");
    assertError("dns:\n  rate_limit:\n", 2, "dns.rate_limit", "got nothing");
    assertError("upstream:\n  max_in_flight: 0\n", 2, "upstream.max_in_flight", "at least 1");
    assertError("dns:\n  rate_limit: -1\n", 2, "dns.rate_limit", "got \"-1\"");
    assertError("dns:\n  threads: 0\n", 2, "dns.threads", "at least 1, got \"0\"");
    assertError("dns:\n  edns_udp_size: 100\n", 2, "dns.edns_udp_size", "between 512 and 4096, got \"100\"");
    assertError("dns:\n  refused_action: deny\n", 2, "dns.refused_action", "expected refuse or drop, got \"deny\"");
    assertError("dns:\n  tcp:\n    max_connections: 0\n", 3, "dns.tcp.max_connections", "got \"0\"");
    assertError("http:\n  listen: localhost:8080\n", 2, "http.listen", "host names are not accepted");
    assertError("data_dir: \"\"\n", 1, "data_dir", "expected a directory path");
    assertError("http:\n  hostnames: [\"bad name!\"]\n", 2, "http.hostnames[0]", "bad name!");
    assertError("appeals:\n  decide_within: soon\n", 2, "appeals.decide_within",
        "expected a duration");
    assertError("appeals:\n  acknowledge_within: 3d\n", 2, "appeals",
        "must not be longer than decide_within");
    assertError("appeals:\n  reply_within: 3d\n", 2, "appeals.reply_within", "unknown key");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, appeal: \"ftp://x\"}\n", 3,
        "lists.sources[0].appeal", "expected an https:// URL or a mailto: address");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, owner: \"\"}\n", 3,
        "lists.sources[0].owner", "one line of text");
    assertError("http:\n  public_url: filter.example\n", 2, "http.public_url",
        "expected an http:// or https:// URL");
    assertError("mail:\n  smtp: mail.example:25\n", 2, "mail", "needs smtp (HOST:PORT) and from");
    assertError("mail: {smtp: mail.example, from: a@b.c}\n", 1, "mail.smtp", "HOST:PORT");
    assertError("mail: {smtp: \"mail.example:25\", from: nobody}\n", 1, "mail.from",
        "expected an e-mail address");
  }

  @Test
  void badListItemsNameTheirIndexAndLine() throws Exception {
    assertError("dns:\n  listen:\n    - 127.0.0.1:5335\n    - \"::1:53\"\n", 4, "dns.listen[1]", "brackets");
    assertError("dns:\n  listen: []\n", 2, "dns.listen", "expected at least one HOST:PORT");
    assertError("dns:\n  allow:\n    - 10.0.0.0/8\n    - 10.0.0.0/33\n", 4, "dns.allow[1]", "10.0.0.0/33");
    assertError("dns:\n  allow: [300.1.1.1/8]\n", 2, "dns.allow[0]", "not an IPv4 address");
    assertError("upstream:\n  servers: []\n", 2, "upstream.servers", "leave upstream.servers out");
    assertError("upstream:\n  servers:\n    - {address: 192.0.2.1, tls_name: dns.example}\n", 3,
        "upstream.servers[0].tls_name", "only applies to tls:// and https:// upstreams");
    assertError("upstream:\n  servers:\n    - {address: tls://192.0.2.1, ca_file: /nonexistent/ca.pem}\n", 3,
        "upstream.servers[0].ca_file", "cannot read /nonexistent/ca.pem");
    assertError("upstream:\n  servers:\n    - {address: tls://192.0.2.1, tls_name: \"a b\"}\n", 3,
        "upstream.servers[0].tls_name", "expected a host name or IP address");
    assertError("upstream:\n  servers:\n    - udp://192.0.2.1\n", 3, "upstream.servers[0]",
        "only tls:// and https:// are supported");
    assertError("upstream:\n  servers:\n    - 192.0.2.1\n    - {validating: true}\n", 4, "upstream.servers[1]",
        "the 'address' key is missing");
    assertError("upstream:\n  servers:\n    - 192.0.2.1:0\n", 3, "upstream.servers[0]", "between 1 and 65535");
    assertError("upstream:\n  servers:\n    - {address: 192.0.2.1, validating: perhaps}\n", 3,
        "upstream.servers[0].validating", "expected true or false");
  }

  @Test
  void aListAtTheRootDirectory_needsAnId() throws Exception {
    // Found by fuzzing (the committed input list-path-root-without-id): the id defaults to the
    // file name, and "/" has none; it was a NullPointerException.
    assertError("lists:\n  sources:\n    - {path: /}\n", 3, "lists.sources[0]",
        "give the list an 'id'");
  }

  @Test
  void inconsistentValuesAreReportedAtTheirLine() throws Exception {
    assertError("cache:\n  min_ttl: 90000\n", 2, "cache.min_ttl", "must not be more than cache.max_ttl (86400)");
    assertError("cache:\n  max_ttl: 60\n  min_ttl: 120\n", 3, "cache.min_ttl", "must not be more than");
    assertError("upstream:\n  resolution_timeout: 500ms\n", 2, "upstream.resolution_timeout",
        "upstream.timeout (800ms) must not be longer than upstream.resolution_timeout (500ms)");
  }

  @Test
  void structuralProblems() throws Exception {
    assertError("dns:\n  listen: [\"127.0.0.1:53\"]\ndns:\n  threads: 2\n", 3, "dns", "duplicate key (first set on line 1)");
    assertError("- dns\n- cache\n", 1, "(top level)", "expected a mapping");
    assertError("dns: yes\n", 1, "dns", "expected a mapping with keys listen, allow");
    assertError("cache:\n  - size: 1m\n", 2, "cache", "got a list");
  }

  @Test
  void yamlSyntaxErrorsNameTheLine() throws Exception {
    Path file = write("dns:\n  listen: [\"127.0.0.1:53\"\n  threads: 2\nhttp: {\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(file, Settings.builder()));
    assertTrue(e.getMessage().matches("\\Q" + file + "\\E:\\d+: invalid YAML: .+"), e.getMessage());

    Path tabs = write("dns:\n\tthreads: 2\n");
    e = assertThrows(ConfigException.class, () -> ConfigFile.read(tabs, Settings.builder()));
    assertTrue(e.getMessage().startsWith(tabs + ":2: invalid YAML: "), e.getMessage());

    Path twoDocs = write("dns:\n  threads: 2\n---\ncache:\n  size: 1m\n");
    e = assertThrows(ConfigException.class, () -> ConfigFile.read(twoDocs, Settings.builder()));
    assertTrue(e.getMessage().startsWith(twoDocs + ":3: invalid YAML: "), e.getMessage());
  }

  @Test
  void unreadableFiles() throws Exception {
    Path missing = dir.resolve("nope.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.read(missing, Settings.builder()));
    assertEquals(missing + ": config file not found", e.getMessage());
    e = assertThrows(ConfigException.class, () -> ConfigFile.read(dir, Settings.builder()));
    assertTrue(e.getMessage().startsWith(dir + ": cannot read config file"), e.getMessage());
    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, new byte[] {'d', 'a', 't', 'a', '_', 'd', 'i', 'r', ':', ' ', (byte) 0xe9, '\n'});
    e = assertThrows(ConfigException.class, () -> ConfigFile.read(latin1, Settings.builder()));
    assertEquals(latin1 + ": config file is not valid UTF-8", e.getMessage());
  }

  @Test
  void listsSection_sourcesSafetyAndUt1Expansion() throws Exception {
    Path ut1 = dir.resolve("ut1");
    for (String cat : List.of("adult", "gambling", "bank")) {
      Files.createDirectories(ut1.resolve(cat));
      Files.writeString(ut1.resolve(cat).resolve("domains"), cat + ".example\n");
    }
    Settings s = load(String.join("\n",
        "lists:",
        "  never_block: [Isp.Example.]",
        "  max_shrink: 30%",
        "  max_grow: 1.5",
        "  sources:",
        "    - {id: iwf, url: \"https://lists.example/iwf.csv?token=x\", format: urls,"
            + " category: csam, locked: true, refresh: 1h}",
        "    - {id: ut1, path: " + ut1 + ", format: ut1, categories: [adult, gambling]}",
        "    - {path: /etc/hearth/My List.txt}"));
    assertEquals(List.of("isp.example"), s.listSafety().neverBlock());
    assertEquals(0.3, s.listSafety().maxShrink(), 1e-9);
    assertEquals(1.5, s.listSafety().maxGrow(), 1e-9);
    List<String> ids = s.listSources().stream().map(dev.hearth.blocklists.ListSource::id).toList();
    assertEquals(List.of("iwf", "ut1/adult", "ut1/gambling", "my-list.txt"), ids);
    assertTrue(s.listSources().get(0).locked() && s.listSources().get(0).isHttp());
    assertEquals(Duration.ofHours(1), s.listSources().get(0).refresh());
    assertEquals("gambling", s.listSources().get(2).category());
    assertEquals(Duration.ofSeconds(10), s.listSources().get(3).refresh());
  }

  @Test
  void listsSection_errorsNameTheLine() throws Exception {
    assertError("lists:\n  sources:\n    - {id: a, path: /x, format: csv}\n", 3,
        "lists.sources[0].format", "expected auto, domains, hosts, adblock, rpz, urls or ut1");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, url: \"http://h/x\"}\n", 3,
        "lists.sources[0]", "exactly one of 'path'");
    assertError("lists:\n  sources:\n    - {id: a, path: /x}\n    - {id: a, path: /y}\n", 4,
        "lists.sources[1]", "id a is used twice");
    assertError("lists:\n  sources:\n    - {id: a, url: \"ftp://h/x\"}\n", 3,
        "lists.sources[0].url", "http:// or https://");
    assertError("lists:\n  sources:\n    - {id: Bad Id, path: /x}\n", 3,
        "lists.sources[0].id", "a list id");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, locked: true,"
        + " legal_override: true}\n", 3, "lists.sources[0].legal_override", "cannot be locked");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, refresh: 10ms}\n", 3,
        "lists.sources[0].refresh", "at least 1s");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, sha256: abc}\n", 3,
        "lists.sources[0].sha256", "64 hex digits");
    assertError("lists:\n  sources:\n    - {id: a, url: \"https://h/x\","
        + " signature_url: \"https://h/x.sig\"}\n", 3, "lists.sources[0].public_key",
        "both signature_url and public_key");
    assertError("lists:\n  never_block: [\"bad..name\"]\n", 2, "lists.never_block[0]",
        "empty label");
    assertError("lists:\n  max_shrink: 150%\n", 2, "lists.max_shrink", "at most 1.0");
  }

  @Test
  void listsSection_caFileForAnHttpsSource() throws Exception {
    // Any real CA certificate will do: take one from the JDK's own store, as PEM.
    java.security.KeyStore jdk = java.security.KeyStore.getInstance(
        Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toFile(),
        (char[]) null);
    java.security.cert.Certificate cert = jdk.getCertificate(jdk.aliases().nextElement());
    Path pem = Files.writeString(dir.resolve("ca.pem"), "# our internal CA\n"
        + "-----BEGIN CERTIFICATE-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    Settings s = load("lists:\n  sources:\n    - {id: m, url: \"https://mirror.internal/l.txt\","
        + " ca_file: " + pem + "}\n    - {id: n, url: \"https://lists.example/l.txt\"}\n");
    assertEquals(pem.toString(), s.listSources().get(0).caFile());
    assertEquals(null, s.listSources().get(1).caFile(), "the JDK's store by default");

    Path missing = dir.resolve("missing.pem");
    assertError("lists:\n  sources:\n    - {id: a, url: \"https://h/x\"}\n"
        + "    - id: b\n      url: \"https://h/y\"\n      ca_file: " + missing + "\n", 6,
        "lists.sources[1].ca_file", "cannot read " + missing + ": no such file");
    Path key = Files.writeString(dir.resolve("key.pem"),
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n");
    assertError("lists:\n  sources:\n    - {id: a, url: \"https://h/x\", ca_file: " + key
        + "}\n", 3, "lists.sources[0].ca_file", "no certificate in " + key);
    assertError("lists:\n  sources:\n    - {id: a, url: \"http://h/x\", ca_file: " + pem
        + "}\n", 3, "lists.sources[0].ca_file", "only for https:// sources");
    assertError("lists:\n  sources:\n    - {id: a, path: /x, ca_file: " + pem + "}\n", 3,
        "lists.sources[0].ca_file", "only for https:// sources");
  }

  @Test
  void encryptedSection() throws Exception {
    Path cert = Files.writeString(dir.resolve("fullchain.pem"), "x");
    Path key = Files.writeString(dir.resolve("privkey.pem"), "x");
    Settings s = load("encrypted:\n  dot: 127.0.0.1:853\n  doh: [\"127.0.0.1:443\", \"[::1]:8443\"]\n"
        + "  cert: " + cert + "\n  key: " + key + "\n  hostname: DNS.Example.NET.\n"
        + "  max_connections_per_client: 4\n  idle_timeout: 5s\n  max_request_size: 1024\n"
        + "  max_streams: 10\n");
    var e = s.encrypted();
    assertEquals(List.of(HostPort.parseListen("127.0.0.1:853")), e.dot());
    assertEquals(2, e.doh().size());
    assertEquals(cert, e.cert());
    assertEquals(key, e.key());
    assertEquals("dns.example.net", e.hostname());
    assertEquals(4, e.maxConnectionsPerClient());
    assertEquals(Duration.ofSeconds(5), e.idleTimeout());
    assertEquals(1024, e.maxRequestSize());
    assertEquals(10, e.maxStreams());
    assertEquals("https://dns.example.net/dns-query/abcdefgh12", e.dohUrl("abcdefgh12"));
    assertEquals("abcdefgh12.dns.example.net", e.dotHost("abcdefgh12"));
    assertFalse(load("dns:\n  threads: 1\n").encrypted().enabled(), "off by default");

    assertError("encrypted:\n  dot: 127.0.0.1:853\n  cert: " + dir.resolve("nope.pem") + "\n", 3,
        "encrypted.cert", "cannot read " + dir.resolve("nope.pem"));
    assertError("encrypted:\n  doh: localhost:443\n", 2, "encrypted.doh[0]", "IP address");
    assertError("encrypted:\n  max_streams: 0\n", 2, "encrypted.max_streams", "at least 1");
    assertError("encrypted:\n  max_request_size: 70000\n", 2, "encrypted.max_request_size",
        "12 to 65535");
    assertError("encrypted:\n  idle: 5s\n", 2, "encrypted.idle", "unknown key");
    ConfigException missing = assertThrows(ConfigException.class,
        () -> load("encrypted:\n  doh: 127.0.0.1:443\n"));
    assertTrue(missing.getMessage().contains("--tls-cert"), missing.getMessage());
  }
}
