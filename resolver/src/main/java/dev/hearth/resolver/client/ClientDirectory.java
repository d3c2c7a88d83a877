package dev.hearth.resolver.client;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
  private final Map<Long, Device> devices;
  private final ClientNetworks trustedForwarders;
  private final String defaultProfileId;
  /** Default profiles of listeners (a venue's own port or address), by listen address. */
  private final Map<InetSocketAddress, String> listenerProfiles;

  private ClientDirectory(Builder b) {
    this.listenerProfiles = Map.copyOf(b.listenerProfiles);
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
   * As {@link #identify(String, ClientOptions, InetAddress, AddressBindings)}, for a query that
   * arrived on {@code listener}: an otherwise unidentified client gets that listener's default
   * profile, if it has one.
   */
  public ClientIdentity identify(String token, ClientOptions options, InetAddress source,
      AddressBindings bindings, InetSocketAddress listener) {
    if (token != null) {
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
    if (options.cpeId() != null) {
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
      if (ecs != null && ecs.length() > 0 && trustedForwarders.contains(source)) {
        where = toAddress(ecs.network());
        maxLength = ecs.length(); // only prefixes that hold the whole subnet
        by = ClientIdentity.Source.CLIENT_SUBNET;
        detail = ecs.toString();
      }
      String bound = bindings == null ? null : bindings.lookup(where, maxLength);
      if (bound != null && subscribers.containsKey(bound)) {
        household = bound;
        how = by;
      } else {
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
    if (options.mac() >= 0) {
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
    String byListener = listenerProfile(listener);
    if (byListener != null) {
      return new ClientIdentity(null, null, byListener, ClientIdentity.Source.DEFAULT,
          "listener " + listener.getAddress().getHostAddress() + ":" + listener.getPort());
    }
    return new ClientIdentity(null, null, defaultProfileId, ClientIdentity.Source.DEFAULT, "");
  }

  /** The listener's own default: its exact address, else a wildcard listen on its port. */
  private String listenerProfile(InetSocketAddress listener) {
    if (listener == null || listenerProfiles.isEmpty()) {
      return null;
    }
    String p = listenerProfiles.get(listener);
    if (p == null && listener.getAddress() != null) {
      boolean v4 = listener.getAddress() instanceof java.net.Inet4Address;
      p = listenerProfiles.get(new InetSocketAddress(v4 ? "0.0.0.0" : "::", listener.getPort()));
    }
    return p;
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
