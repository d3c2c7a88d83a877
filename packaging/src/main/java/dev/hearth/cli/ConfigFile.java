package dev.hearth.cli;

import dev.hearth.blocklists.DomainNames;
import dev.hearth.blocklists.Format;
import dev.hearth.blocklists.ListLoader;
import dev.hearth.blocklists.ListSource;
import dev.hearth.blocklists.SafetyPolicy;
import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads the YAML config file into a {@link Settings.Builder}. It walks the composed node tree
 * rather than letting SnakeYAML build maps, because nodes keep their line numbers: every error
 * names {@code file:line: key.path:}, unknown keys are errors (a typo must not silently fall
 * back to a default), and nothing is ever constructed from YAML tags.
 */
final class ConfigFile {
  private static final List<String> TOP_KEYS =
      List.of("dns", "upstream", "cache", "http", "data_dir", "lists", "policy", "appeals",
          "mail", "activity", "encrypted", "metrics", "logging", "query_log", "dnstap", "store",
          "fleet");
  private static final List<String> METRICS_KEYS = List.of("enabled", "allow");
  private static final List<String> LOGGING_KEYS = List.of("format");
  private static final List<String> QUERY_LOG_KEYS = List.of("enabled", "clients", "retention",
      "child_profiles");
  private static final List<String> DNSTAP_KEYS = List.of("socket");
  private static final List<String> STORE_KEYS = List.of("url", "user", "password_file");
  private static final List<String> FLEET_KEYS =
      List.of("policy_from", "node_token_file", "poll_interval");
  private static final List<String> ENCRYPTED_KEYS = List.of("dot", "doh", "cert", "key",
      "hostname", "max_connections_per_client", "idle_timeout", "max_request_size",
      "max_streams");
  private static final List<String> ACTIVITY_KEYS = List.of("retention_days");
  private static final List<String> LISTS_KEYS =
      List.of("sources", "never_block", "max_shrink", "max_grow", "max_invalid");
  private static final List<String> SOURCE_KEYS = List.of("id", "path", "url", "format", "category",
      "categories", "locked", "legal_override", "refresh", "sha256", "signature_url", "public_key",
      "ca_file", "name", "owner", "licence", "legal_basis", "appeal");
  private static final String FRACTION = "a fraction such as 0.5 or a percentage such as 50%";
  private static final List<String> DNS_KEYS =
      List.of("listen", "allow", "refused_action", "rate_limit", "threads", "edns_udp_size", "tcp");
  private static final List<String> TCP_KEYS =
      List.of("idle_timeout", "max_connections", "max_connections_per_client");
  private static final List<String> UPSTREAM_KEYS = List.of("servers", "timeout", "resolution_timeout",
      "max_in_flight");
  private static final List<String> SERVER_KEYS = List.of("address", "validating", "tls_name", "ca_file");
  private static final List<String> CACHE_KEYS = List.of("size", "min_ttl", "max_ttl", "negative_max_ttl",
      "prefetch", "serve_stale", "stale_max_age", "stale_answer_ttl");
  private static final List<String> HTTP_KEYS =
      List.of("listen", "hostnames", "block_page", "public_url");
  private static final List<String> MAIL_KEYS =
      List.of("smtp", "from", "starttls", "username", "password_file");
  private static final List<String> APPEALS_KEYS =
      List.of("acknowledge_within", "decide_within", "keep_closed", "per_address_per_hour");

  private static final String SECONDS = "a whole number of seconds";

  private final String source;
  private final Settings.Builder into;

  private ConfigFile(String source, Settings.Builder into) {
    this.source = source;
    this.into = into;
  }

  /** What errors name as the file. */
  String source() {
    return source;
  }

  /** Reads {@code file} and applies every setting it contains to {@code into}. */
  static void read(Path file, Settings.Builder into) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": config file not found");
    } catch (CharacterCodingException e) {
      throw new ConfigException(file + ": config file is not valid UTF-8");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
    }
    parse(text, file.toString(), into);
  }

  /** Parses YAML {@code text}; {@code source} names it in error messages. */
  static void parse(String text, String source, Settings.Builder into) throws ConfigException {
    new ConfigFile(source, into).root(compose(text, source));
  }

  /** A reader for another YAML source (e.g. a built-in resource) that sets no settings. */
  static ConfigFile detached(String source) {
    return new ConfigFile(source, Settings.builder());
  }

  /** The YAML node tree of {@code text}, with line numbers; errors name {@code source:line}. */
  static Node compose(String text, String source) throws ConfigException {
    try {
      LoaderOptions options = new LoaderOptions();
      // SnakeYAML stops at 3 MB by default; an ISP's policy section (100,000 subscribers) is
      // about 8 MB. The file is the operator's own, read once at start.
      options.setCodePointLimit(64 << 20);
      return new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String line = mark == null ? "" : ":" + (mark.getLine() + 1);
      String problem = e.getProblem() != null ? e.getProblem() : e.getContext();
      throw new ConfigException(source + line + ": invalid YAML: " + problem);
    } catch (YAMLException e) {
      throw new ConfigException(source + ": invalid YAML: " + e.getMessage());
    }
  }

  private void root(Node node) throws ConfigException {
    if (node == null) {
      return; // an empty file (or only comments): all defaults
    }
    if (!(node instanceof MappingNode)) {
      throw error(node, "(top level)", "expected a mapping of settings such as 'dns:' and 'cache:', got "
          + describe(node));
    }
    Map<String, Node> top = mapping(node, "", TOP_KEYS);
    PublicSiteConfig site = PublicSiteConfig.DEFAULTS;
    if (top.containsKey("dns")) {
      dns(top.get("dns"));
    }
    if (top.containsKey("upstream")) {
      upstream(top.get("upstream"));
    }
    if (top.containsKey("cache")) {
      cache(top.get("cache"));
    }
    if (top.containsKey("http")) {
      Map<String, Node> http = mapping(top.get("http"), "http", HTTP_KEYS);
      if (http.containsKey("listen")) {
        into.httpListen(value(http.get("listen"), "http.listen", "HOST:PORT or off",
            t -> t.trim().equalsIgnoreCase("off") ? Settings.HTTP_OFF : HostPort.parseListen(t)));
      }
      if (http.containsKey("hostnames")) {
        site = site.withHostnames(nonEmptyList(http.get("hostnames"), "http.hostnames",
            "host name", ConfigFile::hostName));
      }
      if (http.containsKey("public_url")) {
        site = site.withPublicUrl(value(http.get("public_url"), "http.public_url",
            "an http:// or https:// URL", ConfigFile::publicUrl));
      }
      if (http.containsKey("block_page")) {
        into.blockPageListen(value(http.get("block_page"), "http.block_page", "HOST:PORT",
            HostPort::parseListen));
      }
    }
    if (top.containsKey("appeals")) {
      Map<String, Node> a = mapping(top.get("appeals"), "appeals", APPEALS_KEYS);
      site = site.withAppeals(
          a.containsKey("acknowledge_within") ? value(a.get("acknowledge_within"),
              "appeals.acknowledge_within", "a duration such as 24h", Values::duration)
              : site.acknowledgeWithin(),
          a.containsKey("decide_within") ? value(a.get("decide_within"),
              "appeals.decide_within", "a duration such as 48h", Values::duration)
              : site.decideWithin(),
          a.containsKey("keep_closed") ? value(a.get("keep_closed"), "appeals.keep_closed",
              "a duration such as 90d", Values::duration) : site.keepClosed());
      if (a.containsKey("per_address_per_hour")) {
        site = site.withPerAddressPerHour(number(a.get("per_address_per_hour"),
            "appeals.per_address_per_hour", 1, "a whole number of appeals, at least 1"));
      }
      if (site.acknowledgeWithin().compareTo(site.decideWithin()) > 0) {
        throw error(a.get("acknowledge_within") != null ? a.get("acknowledge_within")
            : a.get("decide_within"), "appeals", "acknowledge_within ("
            + site.acknowledgeWithin().toHours() + "h) must not be longer than decide_within ("
            + site.decideWithin().toHours() + "h)");
      }
    }
    if (top.containsKey("mail")) {
      Map<String, Node> m = mapping(top.get("mail"), "mail", MAIL_KEYS);
      if (!m.containsKey("smtp") || !m.containsKey("from")) {
        throw error(top.get("mail"), "mail", "needs smtp (HOST:PORT) and from (an address)");
      }
      java.net.InetSocketAddress smtp = value(m.get("smtp"), "mail.smtp", "HOST:PORT",
          t -> {
            int colon = t.lastIndexOf(':');
            if (colon <= 0) {
              throw new IllegalArgumentException("expected HOST:PORT, got \"" + t + "\"");
            }
            int port = Values.wholeNumber(t.substring(colon + 1), 1, 65535, "a port");
            String host = t.substring(0, colon).replace("[", "").replace("]", "").trim();
            return java.net.InetSocketAddress.createUnresolved(
                dev.hearth.blocklists.DomainNames.isIpLiteral(host) ? host : hostName(host),
                port);
          });
      String from = value(m.get("from"), "mail.from", "an e-mail address", t -> {
        if (!t.trim().matches("[^@\\s<>\"]+@[^@\\s<>\"]+")) {
          throw new IllegalArgumentException("expected an e-mail address, got \"" + t + "\"");
        }
        return t.trim();
      });
      boolean tls = !m.containsKey("starttls") || value(m.get("starttls"), "mail.starttls",
          "true or false", Values::bool);
      String user = m.containsKey("username") ? value(m.get("username"), "mail.username",
          "a user name", String::trim) : null;
      java.nio.file.Path pw = m.containsKey("password_file") ? value(m.get("password_file"),
          "mail.password_file", "a file path", ConfigFile::path) : null;
      if (user != null && pw == null) {
        throw error(m.get("username"), "mail", "username needs password_file");
      }
      site = site.withMail(new PublicSiteConfig.Mail(smtp.getHostString(), smtp.getPort(), from,
          tls, user, pw));
    }
    into.publicSite(site);
    if (top.containsKey("lists")) {
      lists(top.get("lists"));
    }
    if (top.containsKey("policy")) {
      var policy = PolicyConfig.read(this, top.get("policy"));
      into.policy(policy);
      into.policyCompiler(new StorePolicyCompiler(this, top.get("policy"), policy));
    }
    if (top.containsKey("activity")) {
      Map<String, Node> activity = mapping(top.get("activity"), "activity", ACTIVITY_KEYS);
      if (activity.containsKey("retention_days")) {
        into.activityRetentionDays(value(activity.get("retention_days"),
            "activity.retention_days", "a whole number of days from 1 to 400",
            t -> Values.wholeNumber(t, 1, 400, "a whole number of days from 1 to 400")));
      }
    }
    if (top.containsKey("encrypted")) {
      encrypted(top.get("encrypted"));
    }
    observability(top);
    if (top.containsKey("store")) {
      Map<String, Node> st = mapping(top.get("store"), "store", STORE_KEYS);
      if (!st.containsKey("url")) {
        throw error(top.get("store"), "store", "needs url (postgresql://HOST[:PORT]/DATABASE);"
            + " leave the section out to keep the admin store in the data directory");
      }
      String url = value(st.get("url"), "store.url", "postgresql://HOST[:PORT]/DATABASE",
          t -> {
            dev.hearth.admin.store.AdminStore.PostgresLocation.jdbcUrl(t);
            return t.trim();
          });
      String user = st.containsKey("user") ? value(st.get("user"), "store.user",
          "a PostgreSQL role name", String::trim) : null;
      Path pw = st.containsKey("password_file") ? value(st.get("password_file"),
          "store.password_file", "a file path", ConfigFile::path) : null;
      into.fleet(into.fleet().withStore(url, user, pw));
    }
    if (top.containsKey("fleet")) {
      Map<String, Node> f = mapping(top.get("fleet"), "fleet", FLEET_KEYS);
      if (f.containsKey("policy_from")) {
        into.fleet(into.fleet().withPolicyFrom(value(f.get("policy_from"), "fleet.policy_from",
            "the admin's snapshot URL", FleetConfig::snapshotUrl)));
      }
      if (f.containsKey("node_token_file")) {
        into.fleet(into.fleet().withNodeTokenFile(value(f.get("node_token_file"),
            "fleet.node_token_file", "a file path", ConfigFile::path)));
      }
      if (f.containsKey("poll_interval")) {
        into.fleet(into.fleet().withPollInterval(value(f.get("poll_interval"),
            "fleet.poll_interval", "a duration from 100ms to 1h, such as 1s", t -> {
              java.time.Duration d = Values.duration(t);
              if (d.compareTo(java.time.Duration.ofMillis(100)) < 0
                  || d.compareTo(java.time.Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("expected a duration from 100ms to 1h, got \""
                    + t + "\"");
              }
              return d;
            })));
      }
    }
    if (top.containsKey("data_dir")) {
      into.dataDir(value(top.get("data_dir"), "data_dir", "a directory path", ConfigFile::path));
    }
  }

  /** {@code metrics:}, {@code logging:}, {@code query_log:} and {@code dnstap:}. */
  private void observability(Map<String, Node> top) throws ConfigException {
    ObservabilityConfig o = into.observability();
    if (top.containsKey("metrics")) {
      Map<String, Node> m = mapping(top.get("metrics"), "metrics", METRICS_KEYS);
      boolean enabled = !m.containsKey("enabled")
          || value(m.get("enabled"), "metrics.enabled", Values.BOOLEAN, Values::bool);
      ClientNetworks allow = o.metricsAllow();
      if (m.containsKey("allow")) {
        allow = new ClientNetworks(nonEmptyList(m.get("allow"), "metrics.allow", "CIDR",
            Values::prefix));
      }
      o = o.withMetrics(enabled, allow);
    }
    if (top.containsKey("logging")) {
      Map<String, Node> l = mapping(top.get("logging"), "logging", LOGGING_KEYS);
      if (l.containsKey("format")) {
        o = o.withJsonLogs(value(l.get("format"), "logging.format", "json or text",
            Values::jsonLogFormat));
      }
    }
    if (top.containsKey("query_log")) {
      Map<String, Node> q = mapping(top.get("query_log"), "query_log", QUERY_LOG_KEYS);
      boolean on = q.containsKey("enabled")
          && value(q.get("enabled"), "query_log.enabled", Values.BOOLEAN, Values::bool);
      ObservabilityConfig.ClientAddresses clients = q.containsKey("clients")
          ? value(q.get("clients"), "query_log.clients", "truncate or pseudonymise", t -> {
            switch (t.trim().toLowerCase(java.util.Locale.ROOT)) {
              case "truncate":
                return ObservabilityConfig.ClientAddresses.TRUNCATE;
              case "pseudonymise":
              case "pseudonymize":
                return ObservabilityConfig.ClientAddresses.PSEUDONYMISE;
              default:
                throw new IllegalArgumentException("expected truncate or pseudonymise, got \""
                    + t.trim() + "\"");
            }
          }) : o.queryLogClients();
      Duration retention = q.containsKey("retention") ? value(q.get("retention"),
          "query_log.retention", "a duration from 1h to 31d such as 24h", t -> {
            Duration d = Values.duration(t);
            if (d.compareTo(Duration.ofHours(1)) < 0 || d.compareTo(Duration.ofDays(31)) > 0) {
              throw new IllegalArgumentException("expected a duration from 1h to 31d, got \""
                  + t.trim() + "\"");
            }
            return d;
          }) : o.queryLogRetention();
      java.util.Set<String> children = q.containsKey("child_profiles")
          ? new java.util.LinkedHashSet<>(nonEmptyList(q.get("child_profiles"),
              "query_log.child_profiles", "profile id", String::trim))
          : o.queryLogChildProfiles();
      o = o.withQueryLog(on, clients, retention, children);
    }
    if (top.containsKey("dnstap")) {
      Map<String, Node> d = mapping(top.get("dnstap"), "dnstap", DNSTAP_KEYS);
      if (d.containsKey("socket")) {
        o = o.withDnstap(value(d.get("socket"), "dnstap.socket", "a unix socket path",
            ConfigFile::path));
      }
    }
    into.observability(o);
  }

  /** An optional one-line text of a list's description, at most {@code max} characters. */
  private String text(Map<String, Node> m, String key, String path, int max)
      throws ConfigException {
    if (!m.containsKey(key)) {
      return null;
    }
    return value(m.get(key), path + "." + key, "a line of text", t -> {
      String v = t.strip();
      if (v.isEmpty() || v.length() > max || v.chars().anyMatch(c -> c < 0x20)) {
        throw new IllegalArgumentException("expected one line of text of at most " + max
            + " characters");
      }
      return v;
    });
  }

  private static String appealRoute(String text) {
    String t = text.trim();
    if (t.startsWith("mailto:") && t.indexOf('@') > 7 && !t.contains(" ")) {
      return t;
    }
    if (t.startsWith("https://") || t.startsWith("http://")) {
      return publicUrl(t);
    }
    throw new IllegalArgumentException("expected an https:// URL or a mailto: address, got \""
        + text + "\"");
  }

  private static String publicUrl(String text) {
    String t = text.trim();
    if (!(t.startsWith("http://") || t.startsWith("https://"))) {
      throw new IllegalArgumentException("expected an http:// or https:// URL, got \"" + text
          + "\"");
    }
    try {
      java.net.URI u = new java.net.URI(t);
      if (u.getHost() == null || u.getQuery() != null || u.getFragment() != null) {
        throw new IllegalArgumentException("expected a URL such as https://filter.example.net,"
            + " got \"" + text + "\"");
      }
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a URL: " + e.getReason());
    }
    return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
  }

  private static String hostName(String text) {
    try {
      return dev.hearth.blocklists.DomainNames.normalize(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a host name: "
          + e.getMessage());
    }
  }

  private void dns(Node node) throws ConfigException {
    Map<String, Node> dns = mapping(node, "dns", DNS_KEYS);
    if (dns.containsKey("listen")) {
      into.dnsListen(nonEmptyList(dns.get("listen"), "dns.listen", "HOST:PORT", HostPort::parseListen));
    }
    if (dns.containsKey("allow")) {
      List<Prefix> prefixes = nonEmptyList(dns.get("allow"), "dns.allow", "CIDR", Values::prefix);
      into.allowedClients(new ClientNetworks(prefixes));
    }
    if (dns.containsKey("refused_action")) {
      into.dropRefused(value(dns.get("refused_action"), "dns.refused_action", "refuse or drop",
          ConfigFile::refusedAction));
    }
    if (dns.containsKey("rate_limit")) {
      into.rateLimitPerClient(number(dns.get("rate_limit"), "dns.rate_limit", 0,
          "a whole number of responses per second (0 turns limiting off)"));
    }
    if (dns.containsKey("threads")) {
      into.threads(number(dns.get("threads"), "dns.threads", 1, "a whole number of threads, at least 1"));
    }
    if (dns.containsKey("edns_udp_size")) {
      String bytes = "a number of bytes between 512 and 4096";
      into.ednsUdpSize(value(dns.get("edns_udp_size"), "dns.edns_udp_size", bytes,
          t -> Values.wholeNumber(t, 512, 4096, bytes)));
    }
    if (dns.containsKey("tcp")) {
      Map<String, Node> tcp = mapping(dns.get("tcp"), "dns.tcp", TCP_KEYS);
      ResolverConfig.Tcp t = into.tcp();
      Duration idle = tcp.containsKey("idle_timeout")
          ? value(tcp.get("idle_timeout"), "dns.tcp.idle_timeout", Values.DURATION, Values::duration)
          : t.idleTimeout();
      int max = tcp.containsKey("max_connections")
          ? number(tcp.get("max_connections"), "dns.tcp.max_connections", 1, "a whole number, at least 1")
          : t.maxConnections();
      int perClient = tcp.containsKey("max_connections_per_client")
          ? number(tcp.get("max_connections_per_client"), "dns.tcp.max_connections_per_client", 1,
              "a whole number, at least 1")
          : t.maxConnectionsPerClient();
      into.tcp(new ResolverConfig.Tcp(idle, max, perClient));
    }
  }

  /** The {@code encrypted:} section: DoT and DoH listeners, their certificate and limits. */
  private void encrypted(Node node) throws ConfigException {
    Map<String, Node> e = mapping(node, "encrypted", ENCRYPTED_KEYS);
    if (e.containsKey("dot")) {
      into.dot(nonEmptyList(e.get("dot"), "encrypted.dot", "HOST:PORT", HostPort::parseListen));
    }
    if (e.containsKey("doh")) {
      into.doh(nonEmptyList(e.get("doh"), "encrypted.doh", "HOST:PORT", HostPort::parseListen));
    }
    if (e.containsKey("cert")) {
      into.tlsCert(readableFile(e.get("cert"), "encrypted.cert", "a PEM certificate file"));
    }
    if (e.containsKey("key")) {
      into.tlsKey(readableFile(e.get("key"), "encrypted.key", "a PEM private key file"));
    }
    if (e.containsKey("hostname")) {
      into.encryptedHostname(value(e.get("hostname"), "encrypted.hostname",
          "the host name the certificate covers", ConfigFile::hostName));
    }
    String atLeastOne = "a whole number, at least 1";
    String bytes = "a number of bytes from 12 to 65535";
    into.encryptedLimits(
        e.containsKey("max_connections_per_client") ? number(e.get("max_connections_per_client"),
            "encrypted.max_connections_per_client", 1, atLeastOne) : null,
        e.containsKey("idle_timeout") ? value(e.get("idle_timeout"), "encrypted.idle_timeout",
            Values.DURATION, t -> positive(Values.duration(t), t)) : null,
        e.containsKey("max_request_size") ? value(e.get("max_request_size"),
            "encrypted.max_request_size", bytes, t -> Values.wholeNumber(t, 12, 65535, bytes))
            : null,
        e.containsKey("max_streams") ? number(e.get("max_streams"), "encrypted.max_streams", 1,
            atLeastOne) : null);
  }

  private static Duration positive(Duration d, String text) {
    if (d.isZero() || d.isNegative()) {
      throw Values.expected("a duration above zero", text);
    }
    return d;
  }

  private Path readableFile(Node node, String path, String what) throws ConfigException {
    Path file = value(node, path, what, t -> path(t.trim()));
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw error(node, path, "cannot read " + file + " (missing or no permission)");
    }
    return file;
  }

  private void upstream(Node node) throws ConfigException {
    Map<String, Node> up = mapping(node, "upstream", UPSTREAM_KEYS);
    if (up.containsKey("servers")) {
      Node list = up.get("servers");
      List<Node> items = items(list, "upstream.servers", "a list of upstream servers");
      if (items.isEmpty()) {
        throw error(list, "upstream.servers", "expected at least one server, got an empty list"
            + " (leave upstream.servers out to use the system resolvers from /etc/resolv.conf)");
      }
      List<UpstreamSpec> servers = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        servers.add(server(items.get(i), "upstream.servers[" + i + "]"));
      }
      into.upstreams(servers);
    }
    Duration perTry = into.upstreamTimeout();
    Duration total = into.resolutionTimeout();
    if (up.containsKey("timeout")) {
      perTry = value(up.get("timeout"), "upstream.timeout", Values.DURATION, Values::duration);
    }
    if (up.containsKey("resolution_timeout")) {
      total = value(up.get("resolution_timeout"), "upstream.resolution_timeout", Values.DURATION,
          Values::duration);
    }
    if (perTry.compareTo(total) > 0) {
      String key = up.containsKey("timeout") ? "timeout" : "resolution_timeout";
      throw error(up.get(key), "upstream." + key, "upstream.timeout (" + Values.format(perTry)
          + ") must not be longer than upstream.resolution_timeout (" + Values.format(total) + ")");
    }
    into.timeouts(perTry, total);
    if (up.containsKey("max_in_flight")) {
      into.maxInFlight(number(up.get("max_in_flight"), "upstream.max_in_flight", 1,
          "a whole number of questions, at least 1"));
    }
  }

  /**
   * {@code "192.0.2.1:53"}, {@code "tls://dns.example+validating"} or
   * {@code {address: ..., validating: true, tls_name: ..., ca_file: ...}}.
   */
  private UpstreamSpec server(Node node, String path) throws ConfigException {
    if (node instanceof MappingNode) {
      Map<String, Node> m = mapping(node, path, SERVER_KEYS);
      if (!m.containsKey("address")) {
        throw error(node, path, "the 'address' key is missing");
      }
      UpstreamSpec spec = value(m.get("address"), path + ".address", Values.UPSTREAM_FORMS,
          Values::upstream);
      boolean validating = spec.validating() || m.containsKey("validating")
          && value(m.get("validating"), path + ".validating", Values.BOOLEAN, Values::bool);
      String tlsName = null;
      Path caFile = null;
      for (String key : List.of("tls_name", "ca_file")) {
        if (m.containsKey(key) && !spec.encrypted()) {
          throw error(m.get(key), path + "." + key, key + " only applies to tls:// and https://"
              + " upstreams, and " + Values.format(spec) + " is plain DNS");
        }
      }
      if (m.containsKey("tls_name")) {
        tlsName = value(m.get("tls_name"), path + ".tls_name", "a host name or IP address",
            Values::tlsName);
      }
      if (m.containsKey("ca_file")) {
        caFile = value(m.get("ca_file"), path + ".ca_file", "a PEM file of CA certificates",
            Values::caFile);
      }
      return new UpstreamSpec(spec.transport(), spec.address(), spec.host(), spec.path(), tlsName,
          caFile, validating);
    }
    return value(node, path, Values.UPSTREAM_FORMS + ", or {address: ..., validating: true,"
        + " tls_name: ..., ca_file: ...}", Values::upstream);
  }

  private void cache(Node node) throws ConfigException {
    Map<String, Node> c = mapping(node, "cache", CACHE_KEYS);
    ResolverConfig.Cache d = into.cache();
    long size = c.containsKey("size") ? value(c.get("size"), "cache.size", Values.SIZE, Values::size) : d.maxBytes();
    int minTtl = seconds(c, "min_ttl", d.minTtl());
    int maxTtl = seconds(c, "max_ttl", d.maxTtl());
    int negativeMaxTtl = seconds(c, "negative_max_ttl", d.negativeMaxTtl());
    boolean prefetch = c.containsKey("prefetch")
        ? value(c.get("prefetch"), "cache.prefetch", Values.BOOLEAN, Values::bool) : d.prefetch();
    boolean serveStale = c.containsKey("serve_stale")
        ? value(c.get("serve_stale"), "cache.serve_stale", Values.BOOLEAN, Values::bool) : d.serveStale();
    int staleMaxAge = seconds(c, "stale_max_age", d.staleMaxAge());
    int staleAnswerTtl = seconds(c, "stale_answer_ttl", d.staleAnswerTtl());
    if (minTtl > maxTtl) {
      String key = c.containsKey("min_ttl") ? "min_ttl" : "max_ttl";
      throw error(c.get(key), "cache." + key, "cache.min_ttl (" + minTtl
          + ") must not be more than cache.max_ttl (" + maxTtl + ")");
    }
    into.cache(new ResolverConfig.Cache(size, minTtl, maxTtl, negativeMaxTtl, prefetch, serveStale,
        staleMaxAge, staleAnswerTtl));
  }

  private void lists(Node node) throws ConfigException {
    Map<String, Node> l = mapping(node, "lists", LISTS_KEYS);
    SafetyPolicy d = into.listSafety();
    List<String> neverBlock = l.containsKey("never_block")
        ? nonEmptyList(l.get("never_block"), "lists.never_block", "domain name",
            ConfigFile::domainName)
        : d.neverBlock();
    double shrink = l.containsKey("max_shrink")
        ? value(l.get("max_shrink"), "lists.max_shrink", FRACTION, t -> fraction(t, 1.0))
        : d.maxShrink();
    double grow = l.containsKey("max_grow")
        ? value(l.get("max_grow"), "lists.max_grow", FRACTION, t -> fraction(t, 1000.0))
        : d.maxGrow();
    double invalid = l.containsKey("max_invalid")
        ? value(l.get("max_invalid"), "lists.max_invalid", FRACTION, t -> fraction(t, 1.0))
        : d.maxInvalidRatio();
    into.listSafety(new SafetyPolicy(neverBlock, shrink, grow, invalid));
    if (l.containsKey("sources")) {
      List<ListSource> out = new ArrayList<>();
      java.util.Set<String> ids = new java.util.HashSet<>();
      List<Node> items = items(l.get("sources"), "lists.sources", "a list of list sources");
      for (int i = 0; i < items.size(); i++) {
        for (ListSource src : source(items.get(i), "lists.sources[" + i + "]").lists()) {
          if (!ids.add(src.id())) {
            throw error(items.get(i), "lists.sources[" + i + "]", "id " + src.id()
                + " is used twice");
          }
          out.add(src);
        }
      }
      into.listSources(out);
    }
  }

  /**
   * One {@code lists.sources} entry: its id (given, or derived from the file name) and the lists
   * it defines (one, or one per category of a UT1 directory, with ids {@code <id>/<category>}).
   */
  record SourceEntry(String id, List<ListSource> lists) {}

  /** Where a stored source document's errors start their key path (stripped for the API). */
  static final String STORED_SOURCE = "source";

  /**
   * Reads a list source stored at run time (a JSON document with the keys of a
   * {@code lists.sources} entry) with the same rules as the config file. Its invalid lines are
   * never quoted: such a source may name any file or URL the service can reach.
   *
   * @throws ConfigException with {@link ConfigException#path()} {@value #STORED_SOURCE} or
   *     {@code source.KEY...} naming the field at fault
   */
  static SourceEntry storedSource(com.fasterxml.jackson.databind.JsonNode doc)
      throws ConfigException {
    SourceEntry e = detached("list source").source(JsonToYaml.node(doc), STORED_SOURCE);
    return new SourceEntry(e.id(), e.lists().stream().map(ListSource::withWithheldLines)
        .toList());
  }

  /** One source entry; a UT1 directory expands to one list per chosen category. */
  private SourceEntry source(Node node, String path) throws ConfigException {
    Map<String, Node> m = mapping(node, path, SOURCE_KEYS);
    if (m.containsKey("path") == m.containsKey("url")) {
      throw error(node, path, "give exactly one of 'path' (a file or directory) or 'url'");
    }
    String location = m.containsKey("path")
        ? value(m.get("path"), path + ".path", "a file path", t -> path(t).toString())
        : value(m.get("url"), path + ".url", "an http:// or https:// URL", ConfigFile::httpUrl);
    String formatText = m.containsKey("format")
        ? value(m.get("format"), path + ".format", "a list format", t -> t.trim()) : "auto";
    boolean ut1 = formatText.equals("ut1");
    Format format;
    try {
      format = ut1 ? Format.DOMAINS : Format.valueOf(formatText.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw error(m.get("format"), path + ".format", "expected auto, domains, hosts, adblock,"
          + " rpz, urls or ut1, got \"" + formatText + "\"");
    }
    String id;
    if (m.containsKey("id")) {
      id = value(m.get("id"), path + ".id", LIST_ID, ConfigFile::listId);
    } else {
      // The id defaults to the file name; a location without one (the root directory, found by
      // fuzzing) needs an explicit id.
      Path name = Path.of(location.replaceAll("^https?://", "")).getFileName();
      if (name == null) {
        throw error(node, path, "give the list an 'id': its location \"" + location
            + "\" has no file name to take one from");
      }
      id = ListSource.idFor(name.toString());
    }
    String category = m.containsKey("category")
        ? value(m.get("category"), path + ".category", "a category name", String::trim) : null;
    boolean locked = m.containsKey("locked")
        && value(m.get("locked"), path + ".locked", Values.BOOLEAN, Values::bool);
    boolean override = m.containsKey("legal_override")
        && value(m.get("legal_override"), path + ".legal_override", Values.BOOLEAN, Values::bool);
    if (locked && override) {
      throw error(m.get("legal_override"), path + ".legal_override", "a list cannot be locked"
          + " and a legal override at once");
    }
    Duration refresh = m.containsKey("refresh")
        ? value(m.get("refresh"), path + ".refresh", Values.DURATION, ConfigFile::refresh)
        : location.startsWith("http") ? Duration.ofHours(6) : Duration.ofSeconds(10);
    String sha = m.containsKey("sha256")
        ? value(m.get("sha256"), path + ".sha256", "64 hex digits", ConfigFile::sha256) : null;
    String sigUrl = m.containsKey("signature_url") ? value(m.get("signature_url"),
        path + ".signature_url", "an http:// or https:// URL", ConfigFile::httpUrl) : null;
    String key = m.containsKey("public_key") ? value(m.get("public_key"), path + ".public_key",
        "a PEM public key", String::trim) : null;
    if ((sigUrl == null) != (key == null)) {
      String missing = sigUrl == null ? "signature_url" : "public_key";
      throw error(node, path + "." + missing, "a signature needs both signature_url and"
          + " public_key");
    }
    String caFile = m.containsKey("ca_file") ? caFile(m.get("ca_file"), path + ".ca_file",
        location) : null;
    if (m.containsKey("categories") && !ut1) {
      throw error(m.get("categories"), path + ".categories", "only for format: ut1");
    }
    ListSource.About about = new ListSource.About(text(m, "name", path, 200),
        text(m, "owner", path, 200), text(m, "licence", path, 200),
        text(m, "legal_basis", path, 500), m.containsKey("appeal") ? value(m.get("appeal"),
            path + ".appeal", "an https:// URL or a mailto: address", ConfigFile::appealRoute)
            : null);
    try {
      if (!ut1) {
        return new SourceEntry(id, List.of(new ListSource(id, location, format, category, locked,
            override, refresh, sha, sigUrl, key, caFile).withAbout(about)));
      }
      if (location.startsWith("http")) {
        throw error(node, path, "a UT1 category directory must be a local 'path'");
      }
      List<String> cats = m.containsKey("categories")
          ? nonEmptyList(m.get("categories"), path + ".categories", "category name", String::trim)
          : ListLoader.categories(Path.of(location));
      if (cats.isEmpty()) {
        throw error(node, path, location + " has no category directories (with a 'domains' or"
            + " 'urls' file)");
      }
      List<ListSource> out = new ArrayList<>();
      for (String cat : cats) {
        Path dir = Path.of(location, cat);
        if (!Files.isDirectory(dir)) {
          throw error(m.get("categories"), path + ".categories", "no category directory " + dir);
        }
        out.add(new ListSource(id + "/" + ListSource.idFor(cat), dir.toString(), Format.DOMAINS,
            cat, locked, override, refresh, sha, sigUrl, key).withAbout(about));
      }
      return new SourceEntry(id, out);
    } catch (IllegalArgumentException e) {
      throw error(node, path, e.getMessage());
    } catch (IOException e) {
      throw error(node, path, "cannot read " + location + ": " + e.getMessage());
    }
  }

  /**
   * {@code ca_file}: a PEM bundle whose CAs an {@code https://} source trusts instead of the JDK's
   * default store. Checked now (readable, at least one certificate) so a typo fails at start.
   */
  private String caFile(Node node, String path, String location) throws ConfigException {
    String file = value(node, path, "a PEM file path", t -> path(t.trim()).toString());
    if (!location.regionMatches(true, 0, "https://", 0, 8)) {
      throw error(node, path, "only for https:// sources");
    }
    try {
      dev.hearth.blocklists.TrustedCas.read(Path.of(file));
    } catch (IOException e) {
      throw error(node, path, e.getMessage());
    }
    return file;
  }

  private static final String LIST_ID = "a list id: lower-case letters, digits, '.', '_', '-'"
      + " and '/' (at most 100 characters)";
  private static final java.util.regex.Pattern LIST_ID_PATTERN =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

  private static String listId(String text) {
    String t = text.trim();
    if (!LIST_ID_PATTERN.matcher(t).matches() || t.length() > 100) {
      throw Values.expected(LIST_ID, text);
    }
    return t;
  }

  private static Duration refresh(String text) {
    Duration d = Values.duration(text);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw Values.expected("a refresh interval of at least 1s", text);
    }
    return d;
  }

  private static String sha256(String text) {
    String t = text.trim();
    if (!t.matches("[0-9a-fA-F]{64}")) {
      throw Values.expected("a SHA-256 of 64 hex digits", text);
    }
    return t;
  }

  private static String domainName(String text) {
    return DomainNames.normalize(text);
  }

  private static String httpUrl(String text) {
    String t = text.trim();
    try {
      java.net.URI u = new java.net.URI(t);
      if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("http")
          || u.getScheme().equalsIgnoreCase("https")) || u.getHost() == null) {
        throw Values.expected("an http:// or https:// URL", text);
      }
      return t;
    } catch (java.net.URISyntaxException e) {
      throw Values.expected("an http:// or https:// URL", text);
    }
  }

  private static double fraction(String text, double max) {
    String t = text.trim();
    double v;
    try {
      v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
          : Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw Values.expected(FRACTION, text);
    }
    if (!(v > 0) || v > max) {
      throw Values.expected("a fraction above 0 and at most " + max, text);
    }
    return v;
  }

  private int seconds(Map<String, Node> section, String key, int fallback) throws ConfigException {
    if (!section.containsKey(key)) {
      return fallback;
    }
    return number(section.get(key), "cache." + key, 0, SECONDS);
  }

  // --- generic node handling -------------------------------------------------------------

  /**
   * The entries of a mapping section; a section left empty ({@code cache:}) counts as empty.
   * {@code known} lists the allowed keys, or is null for free keys (e.g. category names).
   */
  Map<String, Node> mapping(Node node, String path, List<String> known) throws ConfigException {
    String label = path.isEmpty() ? "(top level)" : path;
    if (isNull(node)) {
      return Map.of();
    }
    if (!(node instanceof MappingNode)) {
      throw error(node, label, "expected a mapping" + (known == null ? ""
          : " with keys " + String.join(", ", known)) + ", got " + describe(node));
    }
    Map<String, Node> out = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode) || isNull(keyNode)) {
        throw error(keyNode, label, "expected a plain key, got " + describe(keyNode));
      }
      String key = ((ScalarNode) keyNode).getValue();
      String keyPath = path.isEmpty() ? key : path + "." + key;
      if (known != null && !known.contains(key)) {
        String hint = suggestion(key, known);
        throw error(keyNode, keyPath, "unknown key" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
            + "; known keys" + (path.isEmpty() ? "" : " under " + path) + ": " + String.join(", ", known));
      }
      if (out.containsKey(key)) {
        throw error(keyNode, keyPath, "duplicate key (first set on line " + lines.get(key) + ")");
      }
      out.put(key, tuple.getValueNode());
      lines.put(key, line(keyNode));
    }
    return out;
  }

  /** A list's items; a single scalar is accepted as a one-item list. */
  List<Node> items(Node node, String path, String expected) throws ConfigException {
    if (node instanceof SequenceNode) {
      return ((SequenceNode) node).getValue();
    }
    if (node instanceof ScalarNode && !isNull(node)) {
      return List.of(node);
    }
    throw error(node, path, "expected " + expected + ", got " + describe(node));
  }

  <T> List<T> nonEmptyList(Node node, String path, String itemName,
      Function<String, T> parse) throws ConfigException {
    List<Node> items = items(node, path, "a list of " + itemName);
    if (items.isEmpty()) {
      throw error(node, path, "expected at least one " + itemName + ", got an empty list");
    }
    List<T> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(value(items.get(i), path + "[" + i + "]", itemName, parse));
    }
    return out;
  }

  int number(Node node, String path, int min, String what) throws ConfigException {
    return value(node, path, what, t -> Values.wholeNumber(t, min, Integer.MAX_VALUE, what));
  }

  /**
   * Parses one scalar. {@code expected} is only used when the node is not a scalar at all;
   * otherwise the parser's own message (which already quotes the bad text) is used.
   */
  <T> T value(Node node, String path, String expected, Function<String, T> parse)
      throws ConfigException {
    if (!(node instanceof ScalarNode) || isNull(node)) {
      throw error(node, path, "expected " + expected + ", got " + describe(node));
    }
    try {
      return parse.apply(((ScalarNode) node).getValue());
    } catch (IllegalArgumentException e) {
      throw error(node, path, e.getMessage());
    }
  }

  ConfigException error(Node node, String path, String message) {
    return new ConfigException(source + ":" + line(node) + ": " + path + ": " + message, path,
        message);
  }

  private static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static String describe(Node node) {
    if (node instanceof SequenceNode) {
      return "a list";
    }
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (isNull(node)) {
      return "nothing";
    }
    return "\"" + ((ScalarNode) node).getValue() + "\"";
  }

  private static boolean refusedAction(String text) {
    switch (text.trim()) {
      case "refuse":
        return false;
      case "drop":
        return true;
      default:
        throw Values.expected("refuse or drop", text);
    }
  }

  private static Path path(String text) {
    if (text.isBlank()) {
      throw Values.expected("a directory path", text);
    }
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw Values.expected("a directory path", text);
    }
  }

  /** The known key closest to a typo, if it is close enough to be a likely intent. */
  private static String suggestion(String key, List<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(key.toLowerCase(java.util.Locale.ROOT).replace('-', '_'), k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 2) ? best : null;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
