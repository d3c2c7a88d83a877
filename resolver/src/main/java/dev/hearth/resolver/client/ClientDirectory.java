package dev.hearth.resolver.client;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything needed to tell who is asking: subscribers, networks, their address prefixes, CPE
 * identifiers, device MAC addresses, encrypted-DNS profile tokens and the forwarders whose EDNS
 * Client Subnet is believed. Immutable (part of a policy snapshot); the run-time
 * {@link AddressBindings} are passed in at lookup time because they change between snapshots.
 *
 * <p>Precedence: a known profile token; then a device MAC (within the household found by the
 * other rules, else anywhere); then the household by CPE id, by the Client Subnet of a trusted
 * forwarder, or by the source address (a run-time binding first, then the longest static prefix,
 * which may also be a venue network); then the default profile. An unknown token is ignored, never
 * an error: answering differently would tell a prober which tokens exist.
 *
 * <p>Each listener may switch rules off ({@link Builder#listenerRules}): options a client can forge
 * (a MAC, a CPE id) must not pick a profile on a listener the public can reach. The rules in force
 * are a bit mask per listener, resolved when the directory is built, so a query pays one lookup.
 */
public final class ClientDirectory {
  /** What a profile token selects. */
  public record TokenTarget(String subscriberId, String profileId) {}

  /** A device found by its MAC address anywhere (when the household is not otherwise known). */
  private record Device(String subscriberId, String profileId) {}

  private final Map<String, Subscriber> subscribers;
  private final Map<String, Network> networks;
  /** Prefix table values index this: a subscriber id or a network id, see {@link #ownerIsSubscriber}. */
  private final String[] owners;
  private final boolean[] ownerIsSubscriber;
  private final PrefixTable prefixes;
  private final Map<String, String> cpeIds;
  private final Map<String, TokenTarget> tokens;
  /**
   * Tokens by their lower-case form, for DoT: a token travels there as a host name label, which
   * TLS stacks lower-case. Tokens that differ only in case are left out (neither would be sure).
   */
  private final Map<String, String> foldedTokens;
  private final Map<Long, Device> devices;
  private final ClientNetworks trustedForwarders;
  private final String defaultProfileId;
  /** Default profiles of listeners (a venue's own port or address), by listen address. */
  private final Map<InetSocketAddress, String> listenerProfiles;
  /** Every rule on: listeners not configured otherwise, and lookups without a listener. */
  public static final int ALL_RULES = ruleBit(ClientIdentity.Source.TOKEN)
      | ruleBit(ClientIdentity.Source.MAC) | ruleBit(ClientIdentity.Source.CPE_ID)
      | ruleBit(ClientIdentity.Source.CLIENT_SUBNET) | ruleBit(ClientIdentity.Source.ADDRESS);

  /** What a listener changes: its default profile (or null) and its rules (a bit mask). */
  private record Listener(String profileId, int rules) {}

  /** Listeners with a default profile or their own rules, by exact listen address. */
  private final Map<InetSocketAddress, Listener> listeners;
  /** The wildcard (0.0.0.0 or ::) listeners among them, scanned by port without allocating. */
  private final Listener[] wildcards;
  private final int[] wildcardPorts;
  private final boolean[] wildcardV4;

  private ClientDirectory(Builder b) {
    this.listenerProfiles = Map.copyOf(b.listenerProfiles);
    Map<InetSocketAddress, Listener> ls = new HashMap<>();
    Set<InetSocketAddress> keys = new HashSet<>(b.listenerProfiles.keySet());
    keys.addAll(b.listenerRules.keySet());
    for (InetSocketAddress k : keys) {
      ls.put(k, new Listener(b.listenerProfiles.get(k),
          b.listenerRules.getOrDefault(k, ALL_RULES)));
    }
    this.listeners = Map.copyOf(ls);
    List<InetSocketAddress> wild = ls.keySet().stream()
        .filter(a -> a.getAddress() != null && a.getAddress().isAnyLocalAddress()).toList();
    this.wildcards = new Listener[wild.size()];
    this.wildcardPorts = new int[wild.size()];
    this.wildcardV4 = new boolean[wild.size()];
    for (int i = 0; i < wild.size(); i++) {
      wildcards[i] = ls.get(wild.get(i));
      wildcardPorts[i] = wild.get(i).getPort();
      wildcardV4[i] = wild.get(i).getAddress() instanceof java.net.Inet4Address;
    }
    this.subscribers = Map.copyOf(b.subscribers);
    this.networks = Map.copyOf(b.networks);
    this.owners = b.owners.toArray(new String[0]);
    this.ownerIsSubscriber = new boolean[owners.length];
    for (int i = 0; i < owners.length; i++) {
      ownerIsSubscriber[i] = b.ownerKinds.get(i);
    }
    this.prefixes = b.prefixes.build();
    this.cpeIds = Map.copyOf(b.cpeIds);
    this.tokens = Map.copyOf(b.tokens);
    Map<String, String> folded = new HashMap<>();
    java.util.Set<String> ambiguous = new java.util.HashSet<>();
    b.tokens.keySet().forEach(t -> {
      String f = t.toLowerCase(java.util.Locale.ROOT);
      if (folded.putIfAbsent(f, t) != null) {
        ambiguous.add(f);
      }
    });
    ambiguous.forEach(folded::remove);
    this.foldedTokens = Map.copyOf(folded);
    Map<Long, Device> d = new HashMap<>();
    for (Subscriber s : subscribers.values()) {
      s.deviceProfiles().forEach((mac, profile) -> d.put(mac, new Device(s.id(), profile)));
    }
    this.devices = Map.copyOf(d);
    this.trustedForwarders = b.trustedForwarders;
    this.defaultProfileId = b.defaultProfileId;
  }

  /** A directory that identifies nobody: every client gets {@code defaultProfileId}. */
  public static ClientDirectory empty(String defaultProfileId) {
    return builder(defaultProfileId).build();
  }

  public static Builder builder(String defaultProfileId) {
    return new Builder(defaultProfileId);
  }

  public String defaultProfileId() {
    return defaultProfileId;
  }

  public Subscriber subscriber(String id) {
    return subscribers.get(id);
  }

  public Map<String, Subscriber> subscribers() {
    return subscribers;
  }

  public Map<String, Network> networks() {
    return networks;
  }

  /** Listener default profiles, by listen address. */
  public Map<InetSocketAddress, String> listenerProfiles() {
    return listenerProfiles;
  }

  /** The bit of one rule in a rule mask ({@link #listenerRules}). */
  public static int ruleBit(ClientIdentity.Source rule) {
    if (rule == ClientIdentity.Source.DEFAULT) {
      throw new IllegalArgumentException("the default profile is not a rule that can be switched");
    }
    return 1 << rule.ordinal();
  }

  /** The rules in force for queries arriving on {@code listener} (all for null or unknown). */
  public int listenerRules(InetSocketAddress listener) {
    Listener l = listener(listener);
    return l == null ? ALL_RULES : l.rules();
  }

  /** Listeners with rules of their own (not all), by listen address. */
  public Map<InetSocketAddress, Set<ClientIdentity.Source>> listenerRuleSets() {
    Map<InetSocketAddress, Set<ClientIdentity.Source>> out = new HashMap<>();
    listeners.forEach((a, l) -> {
      if (l.rules() != ALL_RULES) {
        out.put(a, rules(l.rules()));
      }
    });
    return Map.copyOf(out);
  }

  /** A rule mask as the rules it enables, in order of precedence. */
  public static Set<ClientIdentity.Source> rules(int mask) {
    Set<ClientIdentity.Source> out = EnumSet.noneOf(ClientIdentity.Source.class);
    for (ClientIdentity.Source s : ClientIdentity.Source.values()) {
      if (s != ClientIdentity.Source.DEFAULT && (mask & ruleBit(s)) != 0) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * For explanations: the rules that {@code listener} switches off although the query carried what
   * they need (a token, a MAC, a CPE id, a trusted Client Subnet, or for the address rule always),
   * each with what it would have read. Empty when every rule is on.
   */
  public List<String> skippedRules(String token, ClientOptions options, InetAddress source,
      InetSocketAddress listener) {
    int rules = listenerRules(listener);
    List<String> out = new ArrayList<>();
    if (rules == ALL_RULES) {
      return out;
    }
    if (token != null && (rules & ruleBit(ClientIdentity.Source.TOKEN)) == 0) {
      out.add("token");
    }
    if (options.mac() >= 0 && (rules & ruleBit(ClientIdentity.Source.MAC)) == 0) {
      out.add("mac " + maskedMac(options.mac()));
    }
    if (options.cpeId() != null && (rules & ruleBit(ClientIdentity.Source.CPE_ID)) == 0) {
      out.add("cpe id " + options.cpeId());
    }
    Prefix ecs = options.clientSubnet();
    if (ecs != null && ecs.length() > 0 && trustedForwarders.contains(source)
        && (rules & ruleBit(ClientIdentity.Source.CLIENT_SUBNET)) == 0) {
      out.add("client subnet " + ecs);
    }
    if ((rules & ruleBit(ClientIdentity.Source.ADDRESS)) == 0) {
      out.add("address " + source.getHostAddress());
    }
    return out;
  }

  public int prefixCount() {
    return prefixes.size();
  }

  @Override
  public String toString() {
    return "ClientDirectory[default profile " + defaultProfileId + ", " + subscribers.size()
        + " subscribers, " + networks.size() + " networks, " + prefixes.size() + " prefixes, "
        + cpeIds.size() + " CPE ids, " + tokens.size() + " tokens, trusted forwarders "
        + trustedForwarders + "]";
  }

  /**
   * Identifies a client.
   *
   * @param token a profile token from encrypted DNS, or null
   * @param options the query's EDNS client options
   * @param source the packet's source address
   * @param bindings the run-time address bindings (may be null)
   */
  public ClientIdentity identify(String token, ClientOptions options, InetAddress source,
      AddressBindings bindings) {
    return identify(token, options, source, bindings, null);
  }

  /**
   * The token a DoT host-name label stands for: TLS stacks lower-case host names, so a token
   * with capitals arrives lower-cased. Returns the configured token whose lower-case form is
   * {@code label} (when only one is), else {@code label} itself. Elsewhere tokens match exactly.
   */
  public String tokenFromHostLabel(String label) {
    return label == null ? null
        : foldedTokens.getOrDefault(label.toLowerCase(java.util.Locale.ROOT), label);
  }

  /**
   * As {@link #identify(String, ClientOptions, InetAddress, AddressBindings)}, for a query that
   * arrived on {@code listener}: an otherwise unidentified client gets that listener's default
   * profile, if it has one.
   */
  public ClientIdentity identify(String token, ClientOptions options, InetAddress source,
      AddressBindings bindings, InetSocketAddress listener) {
    Listener on = listener(listener);
    int rules = on == null ? ALL_RULES : on.rules();
    if (token != null && (rules & TOKEN) != 0) {
      TokenTarget t = tokens.get(token);
      if (t != null) {
        return new ClientIdentity(t.subscriberId(), null, t.profileId(),
            ClientIdentity.Source.TOKEN, "");
      }
    }
    String household = null;
    String network = null;
    ClientIdentity.Source how = null;
    String detail = "";
    if (options.cpeId() != null && (rules & CPE_ID) != 0) {
      household = cpeIds.get(options.cpeId());
      if (household != null) {
        how = ClientIdentity.Source.CPE_ID;
        detail = options.cpeId();
      }
    }
    if (household == null) {
      InetAddress where = source;
      int maxLength = 128;
      ClientIdentity.Source by = ClientIdentity.Source.ADDRESS;
      Prefix ecs = options.clientSubnet();
      // A /0 subnet means "do not use my address" (RFC 7871 section 7.1.2): not an identity.
      if (ecs != null && ecs.length() > 0 && (rules & CLIENT_SUBNET) != 0
          && trustedForwarders.contains(source)) {
        where = toAddress(ecs.network());
        maxLength = ecs.length(); // only prefixes that hold the whole subnet
        by = ClientIdentity.Source.CLIENT_SUBNET;
        detail = ecs.toString();
      } else if ((rules & ADDRESS) == 0) {
        where = null;
      }
      String bound = bindings == null || where == null ? null : bindings.lookup(where, maxLength);
      if (bound != null && subscribers.containsKey(bound)) {
        household = bound;
        how = by;
      } else if (where != null) {
        int o = prefixes.lookup(where.getAddress(), maxLength);
        if (o >= 0) {
          how = by;
          if (ownerIsSubscriber[o]) {
            household = owners[o];
          } else {
            network = owners[o];
          }
        }
      }
    }
    if (options.mac() >= 0 && (rules & MAC) != 0) {
      Subscriber s = household == null ? null : subscribers.get(household);
      String profile = s == null ? null : s.deviceProfiles().get(options.mac());
      String owner = household;
      if (profile == null && s == null) {
        Device d = devices.get(options.mac());
        if (d != null) {
          profile = d.profileId();
          owner = d.subscriberId();
        }
      }
      if (profile != null) {
        return new ClientIdentity(owner, network, profile, ClientIdentity.Source.MAC,
            maskedMac(options.mac()));
      }
    }
    if (household != null) {
      return new ClientIdentity(household, null, subscribers.get(household).profileId(), how,
          detail);
    }
    if (network != null) {
      return new ClientIdentity(null, network, networks.get(network).profileId(), how, detail);
    }
    if (on != null && on.profileId() != null) {
      return new ClientIdentity(null, null, on.profileId(), ClientIdentity.Source.DEFAULT,
          "listener " + listener.getAddress().getHostAddress() + ":" + listener.getPort());
    }
    return new ClientIdentity(null, null, defaultProfileId, ClientIdentity.Source.DEFAULT, "");
  }

  private static final int TOKEN = 1 << ClientIdentity.Source.TOKEN.ordinal();
  private static final int MAC = 1 << ClientIdentity.Source.MAC.ordinal();
  private static final int CPE_ID = 1 << ClientIdentity.Source.CPE_ID.ordinal();
  private static final int CLIENT_SUBNET = 1 << ClientIdentity.Source.CLIENT_SUBNET.ordinal();
  private static final int ADDRESS = 1 << ClientIdentity.Source.ADDRESS.ordinal();

  /**
   * The listener's own settings: its exact address, else a wildcard listen on its port (same
   * family); null if none. Allocation-free: it runs for every query.
   */
  private Listener listener(InetSocketAddress listener) {
    if (listener == null || listeners.isEmpty()) {
      return null;
    }
    Listener l = listeners.get(listener);
    if (l == null && listener.getAddress() != null) {
      boolean v4 = listener.getAddress() instanceof java.net.Inet4Address;
      for (int i = 0; i < wildcards.length; i++) {
        if (wildcardPorts[i] == listener.getPort() && wildcardV4[i] == v4) {
          return wildcards[i];
        }
      }
    }
    return l;
  }

  /** The vendor half only: explanations and logs must not carry a device identifier. */
  static String maskedMac(long mac) {
    String full = ClientOptions.formatMac(mac);
    return full.substring(0, 8) + ":xx:xx:xx";
  }

  private static InetAddress toAddress(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e); // 4 or 16 bytes: never thrown
    }
  }

  /** Collects the directory; ids must be unique, and every reference must resolve. */
  public static final class Builder {
    private final String defaultProfileId;
    private final Map<String, Subscriber> subscribers = new HashMap<>();
    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, Integer> ownerIndex = new HashMap<>();
    private final List<String> owners = new ArrayList<>();
    private final List<Boolean> ownerKinds = new ArrayList<>();
    private final PrefixTable.Builder prefixes = new PrefixTable.Builder();
    private final Map<String, String> cpeIds = new HashMap<>();
    private final Map<String, TokenTarget> tokens = new HashMap<>();
    private ClientNetworks trustedForwarders = new ClientNetworks(List.of());
    private final Map<InetSocketAddress, String> listenerProfiles = new HashMap<>();
    private final Map<InetSocketAddress, Integer> listenerRules = new HashMap<>();

    private Builder(String defaultProfileId) {
      this.defaultProfileId = Objects.requireNonNull(defaultProfileId, "defaultProfileId");
    }

    public Builder subscriber(Subscriber s) {
      if (subscribers.putIfAbsent(s.id(), s) != null || networks.containsKey(s.id())) {
        throw new IllegalArgumentException("duplicate subscriber or network id '" + s.id() + "'");
      }
      owner(s.id(), true);
      return this;
    }

    public Builder network(Network n) {
      if (networks.putIfAbsent(n.id(), n) != null || subscribers.containsKey(n.id())) {
        throw new IllegalArgumentException("duplicate subscriber or network id '" + n.id() + "'");
      }
      owner(n.id(), false);
      return this;
    }

    private void owner(String id, boolean subscriber) {
      ownerIndex.put(id, owners.size());
      owners.add(id);
      ownerKinds.add(subscriber);
    }

    /** Adds a prefix of a subscriber or network already added. */
    public Builder prefix(Prefix p, String ownerId) {
      Integer o = ownerIndex.get(ownerId);
      if (o == null) {
        throw new IllegalArgumentException("prefix " + p + ": no subscriber or network '"
            + ownerId + "'");
      }
      prefixes.add(p, o);
      return this;
    }

    public Builder cpeId(String cpeId, String subscriberId) {
      requireSubscriber(subscriberId, "CPE id " + cpeId);
      cpeIds.put(cpeId, subscriberId);
      return this;
    }

    public Builder token(String token, String subscriberId, String profileId) {
      if (subscriberId != null) {
        requireSubscriber(subscriberId, "token");
      }
      tokens.put(token, new TokenTarget(subscriberId, profileId));
      return this;
    }

    /** Clients of this listener that nothing else identifies get {@code profileId}. */
    public Builder listenerProfile(InetSocketAddress listen, String profileId) {
      listenerProfiles.put(listen, Objects.requireNonNull(profileId));
      return this;
    }

    /**
     * Only {@code rules} identify clients of this listener (the order stays the fixed precedence);
     * listeners not given here use every rule.
     */
    public Builder listenerRules(InetSocketAddress listen,
        Set<ClientIdentity.Source> rules) {
      int mask = 0;
      for (ClientIdentity.Source r : rules) {
        mask |= ruleBit(r);
      }
      listenerRules.put(Objects.requireNonNull(listen), mask);
      return this;
    }

    public Builder trustedForwarders(ClientNetworks forwarders) {
      this.trustedForwarders = forwarders;
      return this;
    }

    private void requireSubscriber(String id, String what) {
      if (!subscribers.containsKey(id)) {
        throw new IllegalArgumentException(what + ": no subscriber '" + id + "'");
      }
    }

    public ClientDirectory build() {
      return new ClientDirectory(this);
    }
  }
}
