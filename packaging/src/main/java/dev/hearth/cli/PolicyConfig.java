package dev.hearth.cli;

import dev.hearth.admin.policy.PolicyDocuments;
import dev.hearth.blocklists.DomainNames;
import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientDirectory;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.client.Network;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.policy.BlockAnswer;
import dev.hearth.resolver.policy.PolicySnapshot;
import dev.hearth.resolver.policy.Profile;
import dev.hearth.resolver.policy.SafeSearch;
import dev.hearth.resolver.policy.Schedule;
import dev.hearth.resolver.policy.StructuredErrors;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/**
 * The {@code policy:} section of the config file: profiles (from presets or from scratch),
 * subscribers with their addresses, CPE id, devices and tokens, venue networks, the protected
 * allowlist and how blocks are answered. Until the admin store (issue 5) produces snapshots, this
 * is how an operator states policy; every error names {@code file:line: policy.path:}.
 *
 * <pre>
 * policy:
 *   default_profile: public          # unidentified clients (default: the operator baseline only)
 *   protected: [childline.org.uk]    # never blocked except by a locked legal list
 *   profiles:
 *     - {id: kids, preset: young-child, allow: [school.example], block_answer: nxdomain}
 *     - {id: public, preset: public-venue}
 *   subscribers:
 *     - id: house-17
 *       profile: kids
 *       timezone: Europe/London
 *       addresses: [192.0.2.17/32, 2001:db8:17::/56]
 *       cpe_id: router-17
 *       devices: [{mac: "02:00:00:00:00:01", profile: teen}]
 *       activity_summary: false      # daily counts per category for the parents (opt-in)
 *       query_log_children: false    # children's profiles may appear in the query log (opt-in)
 *   networks:
 *     - {id: cafe, profile: public, addresses: [10.20.0.0/16]}
 *   listeners:                       # per listen address: default profile, identification rules
 *     - {listen: 0.0.0.0:5353, profile: public, identify: [address]}
 *   structured_errors: on_request    # always, on_request (EDE option or the one below) or never
 *   structured_errors_option: 65500
 * </pre>
 */
final class PolicyConfig {
  private static final List<String> KEYS = List.of("default_profile", "timezone", "block_ttl",
      "block_page", "protected", "bypass_names", "trusted_forwarders", "profiles", "subscribers",
      "networks", "organisation", "contacts", "language", "listeners", "structured_errors",
      "structured_errors_option");
  private static final List<String> LISTENER_KEYS = List.of("listen", "profile", "identify");
  /** Identification rule names in {@code identify:}, in their fixed order of precedence. */
  static final Map<String, ClientIdentity.Source> RULES = ruleNames();
  private static final List<String> PROFILE_KEYS = List.of("id", "name", "preset",
      "block_categories", "allow_categories", "allow", "block", "block_bypass", "block_answer",
      "schedules", "budgets", "safe_search");
  private static final List<String> SCHEDULE_KEYS =
      List.of("name", "days", "from", "to", "block", "block_categories", "allow");
  private static final String DAYS = "days such as [mon, tue], weekdays, weekends or daily";
  private static final List<String> PRESET_KEYS =
      List.of("name", "block_bypass", "block_categories");
  /** A stored preset's keys: the built-in file's, and the id the store adds. */
  private static final List<String> STORED_PRESET_KEYS =
      List.of("id", "name", "block_bypass", "block_categories");
  private static final List<String> SUBSCRIBER_KEYS =
      List.of("id", "profile", "timezone", "addresses", "cpe_id", "devices", "tokens",
          "activity_summary", "query_log_children");
  private static final List<String> DEVICE_KEYS = List.of("mac", "profile", "name", "token");
  private static final List<String> NETWORK_KEYS = List.of("id", "profile", "addresses");
  private static final List<String> BLOCK_PAGE_KEYS = List.of("ipv4", "ipv6");
  static final String PRESETS_RESOURCE = "presets.yaml";
  // Compiled once: an ISP's policy checks 100,000 ids per compile.
  private static final java.util.regex.Pattern ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final java.util.regex.Pattern TOKEN =
      java.util.regex.Pattern.compile("[A-Za-z0-9_-]{8,64}");

  /** A preset as read from {@value #PRESETS_RESOURCE}. */
  record Preset(String id, String name, boolean blockBypass, Set<String> categories) {}

  private final ConfigFile cf;
  private final Map<String, Preset> presets;

  private PolicyConfig(ConfigFile cf, Map<String, Preset> presets) {
    this.cf = cf;
    this.presets = presets;
  }

  static PolicySnapshot read(ConfigFile cf, Node node) throws ConfigException {
    return read(cf, node, PolicyDocuments.EMPTY);
  }

  /**
   * The config's policy section ({@code node}, null if there is none) together with the admin
   * store's documents. A stored document's errors name it by path ({@code profiles/ID.field});
   * an id the config file already uses is refused, since the file cannot be edited from the API.
   */
  static PolicySnapshot read(ConfigFile cf, Node node, PolicyDocuments stored)
      throws ConfigException {
    return read(cf, node, stored, new SubscriberCache(Map.of(), new HashMap<>()));
  }

  /**
   * Stored subscriber documents already read, by their JSON text: {@code previous} from the
   * last compile is consulted, {@code next} collects what this compile used.
   */
  record SubscriberCache(Map<String, ParsedSubscriber> previous,
      Map<String, ParsedSubscriber> next) {}

  static PolicySnapshot read(ConfigFile cf, Node node, PolicyDocuments stored,
      SubscriberCache cache) throws ConfigException {
    Map<String, Preset> presets = presets(stored);
    return new PolicyConfig(cf, presets).policy(node, stored,
        new PolicyConfig(ConfigFile.detached(STORE), presets), cache);
  }

  /** How errors in stored documents name their source. */
  static final String STORE = "admin store";

  /** The built-in presets, by id, in file order. */
  static Map<String, Preset> presets() throws ConfigException {
    String text;
    try (InputStream in = PolicyConfig.class.getResourceAsStream(PRESETS_RESOURCE)) {
      if (in == null) {
        throw new ConfigException("built-in " + PRESETS_RESOURCE + " is missing from the jar");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read built-in " + PRESETS_RESOURCE + ": " + e.getMessage());
    }
    ConfigFile pf = ConfigFile.detached(PRESETS_RESOURCE);
    Node root = ConfigFile.compose(text, PRESETS_RESOURCE);
    Map<String, Node> top = pf.mapping(root, "", List.of("presets"));
    Map<String, Preset> out = new LinkedHashMap<>();
    Node list = top.get("presets");
    for (var tuple : ((org.yaml.snakeyaml.nodes.MappingNode) list).getValue()) {
      String id = ((org.yaml.snakeyaml.nodes.ScalarNode) tuple.getKeyNode()).getValue();
      out.put(id, preset(pf, id, tuple.getValueNode(), "presets." + id, PRESET_KEYS));
    }
    return out;
  }

  /**
   * The built-in presets with the admin store's presets on top: a stored preset whose id is a
   * built-in's replaces it in place, any other is added after the built-ins. A stored preset is
   * read by the same rules as the built-in file (plus its id); its errors are named by path
   * ({@code presets/ID.field}).
   */
  static Map<String, Preset> presets(PolicyDocuments stored) throws ConfigException {
    Map<String, Preset> out = presets();
    ConfigFile api = ConfigFile.detached(STORE);
    for (Map.Entry<String, String> e : stored.presets().entrySet()) {
      String path = "presets/" + e.getKey();
      Node n = JsonToYaml.parse(e.getValue(), STORE + " " + path);
      String id = e.getKey();
      try {
        id(id);
      } catch (IllegalArgumentException bad) {
        throw api.error(n, path + ".id", bad.getMessage());
      }
      out.put(id, preset(api, id, n, path, STORED_PRESET_KEYS));
    }
    return out;
  }

  private static Preset preset(ConfigFile pf, String id, Node node, String path,
      List<String> keys) throws ConfigException {
    Map<String, Node> m = pf.mapping(node, path, keys);
    String name = m.containsKey("name")
        ? pf.value(m.get("name"), path + ".name", "a name", String::trim) : id;
    if (name.isEmpty()) {
      throw pf.error(m.get("name"), path + ".name", "the name is empty");
    }
    boolean bypass = m.containsKey("block_bypass") && pf.value(m.get("block_bypass"),
        path + ".block_bypass", Values.BOOLEAN, Values::bool);
    Set<String> cats = new LinkedHashSet<>();
    if (m.containsKey("block_categories")) {
      List<String> given = pf.nonEmptyList(m.get("block_categories"),
          path + ".block_categories", "category name", String::trim);
      for (int i = 0; i < given.size(); i++) {
        if (given.get(i).isEmpty()) {
          throw pf.error(m.get("block_categories"), path + ".block_categories[" + i + "]",
              "the category name is empty");
        }
        cats.add(given.get(i));
      }
    }
    return new Preset(id, name, bypass, cats);
  }

  private PolicySnapshot policy(Node node, PolicyDocuments stored, PolicyConfig api,
      SubscriberCache cache) throws ConfigException {
    Map<String, Node> p = node == null ? Map.of() : cf.mapping(node, "policy", KEYS);
    Map<String, Profile> profiles = new LinkedHashMap<>();
    Map<String, Node> profileNodes = new HashMap<>();
    if (p.containsKey("profiles")) {
      List<Node> items = cf.items(p.get("profiles"), "policy.profiles", "a list of profiles");
      for (int i = 0; i < items.size(); i++) {
        String path = "policy.profiles[" + i + "]";
        Profile prof = profile(items.get(i), path);
        if (profiles.put(prof.id(), prof) != null) {
          throw cf.error(items.get(i), path + ".id", "profile id '" + prof.id() + "' is used twice");
        }
        profileNodes.put(prof.id(), items.get(i));
      }
    }
    for (Map.Entry<String, String> e : stored.profiles().entrySet()) {
      String path = "profiles/" + e.getKey();
      Node n = JsonToYaml.parse(e.getValue(), STORE + " " + path);
      Profile prof = api.profile(n, path);
      if (profiles.put(prof.id(), prof) != null) {
        throw api.cf.error(n, path + ".id", "profile '" + prof.id() + "' is defined in the config"
            + " file, which the admin store cannot change; use another id");
      }
    }
    String defaultProfile = PolicySnapshot.DEFAULT_PROFILE;
    if (p.containsKey("default_profile")) {
      defaultProfile = cf.value(p.get("default_profile"), "policy.default_profile", "a profile id",
          String::trim);
      requireProfile(profiles, defaultProfile, p.get("default_profile"), "policy.default_profile");
    } else if (!profiles.containsKey(defaultProfile)) {
      // Unidentified clients get the operator's baseline: legal and uncategorised operator lists.
      profiles.put(defaultProfile, Profile.baselineOnly(defaultProfile));
    }
    ClientDirectory.Builder dir = ClientDirectory.builder(defaultProfile);
    if (p.containsKey("trusted_forwarders")) {
      dir.trustedForwarders(new ClientNetworks(cf.nonEmptyList(p.get("trusted_forwarders"),
          "policy.trusted_forwarders", "IP network", Values::prefix)));
    }
    if (p.containsKey("subscribers")) {
      List<Node> items = cf.items(p.get("subscribers"), "policy.subscribers",
          "a list of subscribers");
      for (int i = 0; i < items.size(); i++) {
        subscriber(items.get(i), "policy.subscribers[" + i + "]", profiles, dir);
      }
    }
    for (Map.Entry<String, String> e : stored.subscribers().entrySet()) {
      String path = "subscribers/" + e.getKey();
      // An unchanged document is not read again (100,000 households, one change).
      ParsedSubscriber parsed = cache.previous().get(e.getValue());
      if (parsed == null) {
        parsed = api.parseSubscriber(JsonToYaml.parse(e.getValue(), STORE + " " + path), path);
      }
      cache.next().put(e.getValue(), parsed);
      api.applySubscriber(parsed, profiles, dir);
    }
    if (p.containsKey("listeners")) {
      List<Node> items = cf.items(p.get("listeners"), "policy.listeners",
          "a list of listeners with their default profile");
      for (int i = 0; i < items.size(); i++) {
        String lp = "policy.listeners[" + i + "]";
        Map<String, Node> l = cf.mapping(items.get(i), lp, LISTENER_KEYS);
        var listen = required(l, items.get(i), lp, "listen", "HOST:PORT", HostPort::parseListen);
        if (!l.containsKey("profile") && !l.containsKey("identify")) {
          throw cf.error(items.get(i), lp, "give a 'profile', 'identify' rules or both");
        }
        if (l.containsKey("profile")) {
          String profile = cf.value(l.get("profile"), lp + ".profile", "a profile id",
              String::trim);
          requireProfile(profiles, profile, l.get("profile"), lp + ".profile");
          dir.listenerProfile(listen, profile);
        }
        if (l.containsKey("identify")) {
          dir.listenerRules(listen, rules(l.get("identify"), lp + ".identify"));
        }
      }
    }
    if (p.containsKey("networks")) {
      List<Node> items = cf.items(p.get("networks"), "policy.networks", "a list of networks");
      for (int i = 0; i < items.size(); i++) {
        network(items.get(i), "policy.networks[" + i + "]", profiles, dir);
      }
    }
    for (Map.Entry<String, String> e : stored.networks().entrySet()) {
      String path = "networks/" + e.getKey();
      api.network(JsonToYaml.parse(e.getValue(), STORE + " " + path), path, profiles, dir);
    }
    List<String> protectedNames = p.containsKey("protected")
        ? cf.nonEmptyList(p.get("protected"), "policy.protected", "domain name", PolicyConfig::name)
        : List.of();
    List<String> bypass = p.containsKey("bypass_names")
        ? cf.nonEmptyList(p.get("bypass_names"), "policy.bypass_names", "domain name",
            PolicyConfig::name)
        : PolicySnapshot.DEFAULT_BYPASS_NAMES;
    int ttl = p.containsKey("block_ttl")
        ? cf.value(p.get("block_ttl"), "policy.block_ttl", "a whole number of seconds",
            t -> Values.wholeNumber(t, 0, 86_400, "a whole number of seconds up to 86400"))
        : PolicySnapshot.DEFAULT_BLOCK_TTL;
    InetAddress v4 = null;
    InetAddress v6 = null;
    if (p.containsKey("block_page")) {
      Map<String, Node> bp = cf.mapping(p.get("block_page"), "policy.block_page", BLOCK_PAGE_KEYS);
      if (bp.containsKey("ipv4")) {
        v4 = cf.value(bp.get("ipv4"), "policy.block_page.ipv4", "an IPv4 address",
            t -> address(t, 4));
      }
      if (bp.containsKey("ipv6")) {
        v6 = cf.value(bp.get("ipv6"), "policy.block_page.ipv6", "an IPv6 address",
            t -> address(t, 16));
      }
    }
    for (Profile prof : profiles.values()) {
      if (prof.blockAnswer() == BlockAnswer.BLOCK_PAGE && v4 == null && v6 == null) {
        Node pn = profileNodes.get(prof.id());
        if (pn == null) {
          throw api.cf.error(null, "profiles/" + prof.id() + ".block_answer", "the block page"
              + " has no address (policy.block_page in the config file)");
        }
        throw cf.error(pn, "policy.profiles",
            "profile '" + prof.id() + "' answers blocks with the block page, but"
                + " policy.block_page gives no address");
      }
    }
    ZoneId zone = p.containsKey("timezone")
        ? cf.value(p.get("timezone"), "policy.timezone", "a time zone such as Europe/London",
            PolicyConfig::zone)
        : ZoneId.of("UTC");
    dev.hearth.resolver.policy.Operator operator;
    try {
      operator = new dev.hearth.resolver.policy.Operator(
          p.containsKey("organisation") ? cf.value(p.get("organisation"), "policy.organisation",
              "a name", String::trim) : null,
          p.containsKey("contacts") ? cf.nonEmptyList(p.get("contacts"), "policy.contacts",
              "mailto: or tel: URI", String::trim) : List.of(),
          p.containsKey("language") ? cf.value(p.get("language"), "policy.language",
              "a language tag", String::trim) : "en");
    } catch (IllegalArgumentException e) {
      throw cf.error(p.getOrDefault("contacts", p.getOrDefault("language", node)), "policy",
          e.getMessage());
    }
    StructuredErrors.Mode structuredMode = p.containsKey("structured_errors")
        ? cf.value(p.get("structured_errors"), "policy.structured_errors",
            "always, on_request or never", PolicyConfig::structuredMode)
        : StructuredErrors.Mode.ON_REQUEST;
    int structuredOption = p.containsKey("structured_errors_option")
        ? cf.value(p.get("structured_errors_option"), "policy.structured_errors_option",
            "an EDNS option code", t -> Values.wholeNumber(t, 0, 65535,
                "an EDNS option code from 0 to 65535"))
        : -1;
    try {
      return new PolicySnapshot(profiles, dir.build(), protectedNames, bypass, ttl, v4, v6, zone,
          operator, new StructuredErrors(structuredMode, structuredOption));
    } catch (IllegalArgumentException e) {
      throw cf.error(node, "policy", e.getMessage());
    }
  }

  private Profile profile(Node node, String path) throws ConfigException {
    Map<String, Node> m = cf.mapping(node, path, PROFILE_KEYS);
    if (!m.containsKey("id")) {
      throw cf.error(node, path, "a profile needs an 'id'");
    }
    String id = cf.value(m.get("id"), path + ".id", "a profile id", PolicyConfig::id);
    String name = m.containsKey("name")
        ? cf.value(m.get("name"), path + ".name", "a name", String::trim) : null;
    Set<String> categories = new LinkedHashSet<>();
    boolean bypass = false;
    if (m.containsKey("preset")) {
      String presetId = cf.value(m.get("preset"), path + ".preset", "a preset", String::trim);
      Preset preset = presets.get(presetId);
      if (preset == null) {
        throw cf.error(m.get("preset"), path + ".preset", "unknown preset '" + presetId
            + "'; presets: " + String.join(", ", presets.keySet()));
      }
      categories.addAll(preset.categories());
      bypass = preset.blockBypass();
      name = name == null ? preset.name() : name;
    }
    if (m.containsKey("block_categories")) {
      categories.addAll(cf.nonEmptyList(m.get("block_categories"), path + ".block_categories",
          "category name", String::trim));
    }
    if (m.containsKey("allow_categories")) {
      categories.removeAll(cf.nonEmptyList(m.get("allow_categories"),
          path + ".allow_categories", "category name", String::trim));
    }
    if (m.containsKey("block_bypass")) {
      bypass = cf.value(m.get("block_bypass"), path + ".block_bypass", Values.BOOLEAN,
          Values::bool);
    }
    List<String> allow = m.containsKey("allow")
        ? cf.nonEmptyList(m.get("allow"), path + ".allow", "domain name", PolicyConfig::name)
        : List.of();
    List<String> block = m.containsKey("block")
        ? cf.nonEmptyList(m.get("block"), path + ".block", "domain name", PolicyConfig::name)
        : List.of();
    Node answerNode = m.get("block_answer");
    if (answerNode instanceof org.yaml.snakeyaml.nodes.ScalarNode sn
        && sn.getValue().equals("null")) {
      throw cf.error(answerNode, path + ".block_answer", "write null-address (a bare null is"
          + " YAML's empty value)");
    }
    BlockAnswer answer = answerNode != null
        ? cf.value(answerNode, path + ".block_answer",
            "nxdomain, nodata, null-address or block-page", BlockAnswer::parse)
        : BlockAnswer.NXDOMAIN;
    List<Schedule> schedules = new ArrayList<>();
    if (m.containsKey("schedules")) {
      List<Node> items = cf.items(m.get("schedules"), path + ".schedules", "a list of schedules");
      for (int i = 0; i < items.size(); i++) {
        schedules.add(schedule(items.get(i), path + ".schedules[" + i + "]", i));
      }
    }
    Map<String, Integer> budgets = new LinkedHashMap<>();
    if (m.containsKey("budgets")) {
      Node bn = m.get("budgets");
      Map<String, Node> entries = cf.mapping(bn, path + ".budgets", null);
      for (Map.Entry<String, Node> e : entries.entrySet()) {
        budgets.put(e.getKey(), cf.value(e.getValue(), path + ".budgets." + e.getKey(),
            "a daily time such as 2h or 45m", PolicyConfig::minutes));
      }
    }
    SafeSearch.Mode safe = m.containsKey("safe_search")
        ? cf.value(m.get("safe_search"), path + ".safe_search", "strict, moderate or off",
            PolicyConfig::safeSearch)
        : SafeSearch.Mode.OFF;
    return new Profile(id, name, categories, false, allow, block, bypass, answer, schedules,
        budgets, safe);
  }

  private Schedule schedule(Node node, String path, int index) throws ConfigException {
    Map<String, Node> m = cf.mapping(node, path, SCHEDULE_KEYS);
    String name = m.containsKey("name")
        ? cf.value(m.get("name"), path + ".name", "a name", PolicyConfig::id)
        : "schedule-" + (index + 1);
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (!m.containsKey("days")) {
      throw cf.error(node, path, "'days' is required (" + DAYS + ")");
    }
    for (Node d : cf.items(m.get("days"), path + ".days", DAYS)) {
      days.addAll(cf.value(d, path + ".days", DAYS, PolicyConfig::days));
    }
    LocalTime from = required(m, node, path, "from", "a time such as 20:00", PolicyConfig::time);
    LocalTime to = required(m, node, path, "to", "a time such as 07:00", PolicyConfig::time);
    boolean all = false;
    if (m.containsKey("block")) {
      String what = cf.value(m.get("block"), path + ".block", "all", String::trim);
      if (!what.equals("all")) {
        throw cf.error(m.get("block"), path + ".block", "expected 'all' (or use block_categories)");
      }
      all = true;
    }
    Set<String> cats = m.containsKey("block_categories")
        ? new LinkedHashSet<>(cf.nonEmptyList(m.get("block_categories"),
            path + ".block_categories", "category name", String::trim))
        : Set.of();
    if (all == !cats.isEmpty()) {
      throw cf.error(node, path, "give either 'block: all' (bedtime) or 'block_categories'"
          + " (e.g. homework time)");
    }
    List<String> allow = m.containsKey("allow")
        ? cf.nonEmptyList(m.get("allow"), path + ".allow", "domain name", PolicyConfig::name)
        : List.of();
    if (!allow.isEmpty() && !all) {
      throw cf.error(m.get("allow"), path + ".allow", "only with 'block: all'");
    }
    try {
      return new Schedule(name, days, from, to, all, cats, allow);
    } catch (IllegalArgumentException e) {
      throw cf.error(node, path, e.getMessage());
    }
  }

  private static Map<String, ClientIdentity.Source> ruleNames() {
    Map<String, ClientIdentity.Source> m = new LinkedHashMap<>();
    for (ClientIdentity.Source s : ClientIdentity.Source.values()) {
      if (s != ClientIdentity.Source.DEFAULT) {
        m.put(s.name().toLowerCase(java.util.Locale.ROOT), s);
      }
    }
    return m;
  }

  /** {@code identify: [...]}: a subset of the rules, possibly empty (only the default applies). */
  private Set<ClientIdentity.Source> rules(Node node, String path) throws ConfigException {
    Set<ClientIdentity.Source> out = EnumSet.noneOf(ClientIdentity.Source.class);
    String valid = String.join(", ", RULES.keySet());
    if (!(node instanceof org.yaml.snakeyaml.nodes.SequenceNode)) {
      throw cf.error(node, path, "expected a list of rules (" + valid + ")");
    }
    for (Node item : cf.items(node, path, "a list of rules (" + valid + ")")) {
      out.add(cf.value(item, path, "a rule (" + valid + ")", t -> {
        ClientIdentity.Source r = RULES.get(t.trim().toLowerCase(java.util.Locale.ROOT));
        if (r == null) {
          throw new IllegalArgumentException("unknown rule '" + t + "'; rules: " + valid);
        }
        return r;
      }));
    }
    return out;
  }

  static StructuredErrors.Mode structuredMode(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "always":
        return StructuredErrors.Mode.ALWAYS;
      case "on_request":
        return StructuredErrors.Mode.ON_REQUEST;
      case "never":
        return StructuredErrors.Mode.NEVER;
      default:
        throw new IllegalArgumentException("'" + text + "' is not always, on_request or never");
    }
  }

  static SafeSearch.Mode safeSearch(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "strict":
        return SafeSearch.Mode.STRICT;
      case "moderate":
        return SafeSearch.Mode.MODERATE;
      case "off":
      case "false":
        return SafeSearch.Mode.OFF;
      default:
        throw new IllegalArgumentException("'" + text + "' is not a SafeSearch level (strict,"
            + " moderate or off)");
    }
  }

  static Set<DayOfWeek> days(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    switch (t) {
      case "daily":
      case "every day":
        return EnumSet.allOf(DayOfWeek.class);
      case "weekdays":
        return EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
      case "weekends":
        return EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
      default:
        for (DayOfWeek d : DayOfWeek.values()) {
          String full = d.name().toLowerCase(java.util.Locale.ROOT);
          if (t.equals(full) || t.equals(full.substring(0, 3))) {
            return EnumSet.of(d);
          }
        }
        throw new IllegalArgumentException("'" + text + "' is not a day (mon ... sun, weekdays,"
            + " weekends or daily)");
    }
  }

  static LocalTime time(String text) {
    try {
      return LocalTime.parse(text.trim().length() == 4 ? "0" + text.trim() : text.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time of day (expected HH:MM,"
          + " e.g. 20:00)");
    }
  }

  static int minutes(String text) {
    java.time.Duration d = Values.duration(text);
    if (d.toSeconds() % 60 != 0 || d.toMinutes() > 1440) {
      throw new IllegalArgumentException("'" + text + "' is not a daily budget (whole minutes, at"
          + " most 24h, e.g. 2h or 45m)");
    }
    return (int) d.toMinutes();
  }

  /**
   * A subscriber entry read and checked on its own: everything but its references to profiles,
   * which depend on the rest of the policy. Immutable, so the admin store's compiler can reuse it
   * for an unchanged document instead of reading it again.
   */
  record ParsedSubscriber(String id, String profile, Node profileNode, ZoneId zone,
      Map<Long, String> deviceProfiles, List<Node> deviceProfileNodes,
      List<String[]> deviceTokens, List<Prefix> prefixes, String cpeId, List<String> tokens,
      Node idNode, String path, boolean activitySummary, boolean queryLogChildren) {}

  private void subscriber(Node node, String path, Map<String, Profile> profiles,
      ClientDirectory.Builder dir) throws ConfigException {
    applySubscriber(parseSubscriber(node, path), profiles, dir);
  }

  ParsedSubscriber parseSubscriber(Node node, String path) throws ConfigException {
    Map<String, Node> m = cf.mapping(node, path, SUBSCRIBER_KEYS);
    String id = required(m, node, path, "id", "a subscriber id", PolicyConfig::id);
    String profile = required(m, node, path, "profile", "a profile id", String::trim);
    ZoneId zone = m.containsKey("timezone")
        ? cf.value(m.get("timezone"), path + ".timezone", "a time zone such as Europe/London",
            PolicyConfig::zone)
        : ZoneId.of("UTC");
    Map<Long, String> deviceProfiles = new HashMap<>();
    List<Node> deviceProfileNodes = new ArrayList<>();
    List<String[]> deviceTokens = new ArrayList<>();
    if (m.containsKey("devices")) {
      List<Node> items = cf.items(m.get("devices"), path + ".devices", "a list of devices");
      for (int i = 0; i < items.size(); i++) {
        String dp = path + ".devices[" + i + "]";
        Map<String, Node> d = cf.mapping(items.get(i), dp, DEVICE_KEYS);
        String devProfile = required(d, items.get(i), dp, "profile", "a profile id", String::trim);
        deviceProfileNodes.add(d.get("profile"));
        if (!d.containsKey("mac") && !d.containsKey("token")) {
          throw cf.error(items.get(i), dp, "a device needs a 'mac' or a 'token' to be recognised");
        }
        if (d.containsKey("mac")) {
          long mac = cf.value(d.get("mac"), dp + ".mac", "a MAC address", PolicyConfig::mac);
          if (deviceProfiles.put(mac, devProfile) != null) {
            throw cf.error(d.get("mac"), dp + ".mac", "MAC address listed twice");
          }
        }
        if (d.containsKey("token")) {
          deviceTokens.add(new String[] {cf.value(d.get("token"), dp + ".token", "a token",
              PolicyConfig::token), devProfile});
        }
      }
    }
    List<Prefix> prefixes = m.containsKey("addresses")
        ? cf.nonEmptyList(m.get("addresses"), path + ".addresses", "IP network", Values::prefix)
        : List.of();
    String cpeId = m.containsKey("cpe_id") ? cf.value(m.get("cpe_id"), path + ".cpe_id",
        "a CPE identifier", PolicyConfig::cpeId) : null;
    List<String> tokens = m.containsKey("tokens") ? cf.nonEmptyList(m.get("tokens"),
        path + ".tokens", "token", PolicyConfig::token) : List.of();
    boolean activity = m.containsKey("activity_summary") && cf.value(m.get("activity_summary"),
        path + ".activity_summary", Values.BOOLEAN, Values::bool);
    return new ParsedSubscriber(id, profile, m.get("profile"), zone, Map.copyOf(deviceProfiles),
        List.copyOf(deviceProfileNodes), List.copyOf(deviceTokens), List.copyOf(prefixes),
        cpeId, List.copyOf(tokens), m.get("id"), path, activity,
        m.containsKey("query_log_children") && cf.value(m.get("query_log_children"),
            path + ".query_log_children", Values.BOOLEAN, Values::bool));
  }

  void applySubscriber(ParsedSubscriber p, Map<String, Profile> profiles,
      ClientDirectory.Builder dir) throws ConfigException {
    requireProfile(profiles, p.profile(), p.profileNode(), p.path() + ".profile");
    int i = 0;
    for (Node n : p.deviceProfileNodes()) {
      String devProfile = ((org.yaml.snakeyaml.nodes.ScalarNode) n).getValue().trim();
      requireProfile(profiles, devProfile, n, p.path() + ".devices[" + i++ + "].profile");
    }
    try {
      dir.subscriber(new Subscriber(p.id(), p.profile(), p.zone(), p.deviceProfiles(),
          p.activitySummary(), p.queryLogChildren()));
    } catch (IllegalArgumentException e) {
      throw cf.error(p.idNode(), p.path() + ".id", e.getMessage());
    }
    for (Prefix pr : p.prefixes()) {
      dir.prefix(pr, p.id());
    }
    if (p.cpeId() != null) {
      dir.cpeId(p.cpeId(), p.id());
    }
    for (String t : p.tokens()) {
      dir.token(t, p.id(), p.profile());
    }
    for (String[] t : p.deviceTokens()) {
      dir.token(t[0], p.id(), t[1]);
    }
  }

  private void network(Node node, String path, Map<String, Profile> profiles,
      ClientDirectory.Builder dir) throws ConfigException {
    Map<String, Node> m = cf.mapping(node, path, NETWORK_KEYS);
    String id = required(m, node, path, "id", "a network id", PolicyConfig::id);
    String profile = required(m, node, path, "profile", "a profile id", String::trim);
    requireProfile(profiles, profile, m.get("profile"), path + ".profile");
    try {
      dir.network(new Network(id, profile));
    } catch (IllegalArgumentException e) {
      throw cf.error(m.get("id"), path + ".id", e.getMessage());
    }
    if (!m.containsKey("addresses")) {
      throw cf.error(node, path, "a network needs 'addresses'");
    }
    for (Prefix pr : cf.nonEmptyList(m.get("addresses"), path + ".addresses", "IP network",
        Values::prefix)) {
      dir.prefix(pr, id);
    }
  }

  private <T> T required(Map<String, Node> m, Node node, String path, String key, String what,
      java.util.function.Function<String, T> parse) throws ConfigException {
    if (!m.containsKey(key)) {
      throw cf.error(node, path, "'" + key + "' is required");
    }
    return cf.value(m.get(key), path + "." + key, what, parse);
  }

  private void requireProfile(Map<String, Profile> profiles, String id, Node node, String path)
      throws ConfigException {
    if (!profiles.containsKey(id)) {
      throw cf.error(node, path, "no profile '" + id + "' (profiles: "
          + String.join(", ", profiles.keySet()) + ")");
    }
  }

  static String id(String text) {
    String t = text.trim();
    if (!ID.matcher(t).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an id (letters, digits, '.', '_'"
          + " and '-', at most 64)");
    }
    return t;
  }

  static String token(String text) {
    String t = text.trim();
    if (!TOKEN.matcher(t).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a token (8 to 64 letters, digits,"
          + " '_' or '-': it appears in DoH paths and DoT host names)");
    }
    return t;
  }

  static String cpeId(String text) {
    String t = text.trim();
    if (t.isEmpty() || t.length() > 64 || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("'" + text + "' is not a CPE id (1 to 64 printable ASCII"
          + " characters, as dnsmasq --add-cpe-id sends)");
    }
    return t;
  }

  static long mac(String text) {
    long v = ClientOptions.parseMac(text);
    if (v < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a MAC address (expected e.g."
          + " 02:00:5e:10:00:01)");
    }
    return v;
  }

  static String name(String text) {
    return DomainNames.normalize(text);
  }

  static ZoneId zone(String text) {
    try {
      return ZoneId.of(text.trim());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a time zone (expected a region"
          + " such as Europe/London)");
    }
  }

  /** One address (not a network) of {@code bytes} length, or of either family when 0. */
  static InetAddress address(String text, int bytes) {
    Prefix p = Prefix.parse(text);
    byte[] a = p.network();
    if (text.contains("/") || (bytes != 0 && a.length != bytes)) {
      throw new IllegalArgumentException("'" + text + "' is not an "
          + (bytes == 0 ? "IP" : bytes == 4 ? "IPv4" : "IPv6") + " address");
    }
    try {
      return InetAddress.getByAddress(a);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
