package dev.hearth.resolver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.ClientNetworks;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientIdentity.Source;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientDirectoryTest {
  static final long ALICE_TABLET = 0xaabbcc000001L; // "aa:bb:cc:00:00:01"
  static final long BOB_CONSOLE = 0x112233445566L; // "11:22:33:44:55:66"
  static final long UNKNOWN_DEVICE = 0x0a0b0c0d0e0fL;

  // Sources.
  static final String ALICE_IP = "198.51.100.7"; // alice's static /32
  static final String BOB_IP = "198.51.100.8"; // bob's static /24
  static final String ALICE_IP6 = "2001:db8:a:5::1"; // alice's /48
  static final String BOB_IP6 = "2001:db8:a:1::1"; // bob's /64 inside alice's /48
  static final String CAFE_IP = "203.0.113.5"; // network cafe
  static final String CAROL_IP = "203.0.113.70"; // carol's /26 inside the cafe /24
  static final String NOBODY_IP = "100.64.0.1";
  static final String FORWARDER = "192.0.2.53"; // trusted
  static final String FORWARDER6 = "2001:db8:ff::53"; // trusted
  static final String UNTRUSTED_FORWARDER = "192.0.2.54";

  ClientDirectory dir;
  AddressBindings bindings;

  static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  static ClientOptions mac(long mac) {
    return new ClientOptions(mac, null, null);
  }

  static ClientOptions cpe(String id) {
    return new ClientOptions(-1, id, null);
  }

  static ClientOptions ecs(String prefix) {
    return new ClientOptions(-1, null, Prefix.parse(prefix));
  }

  @BeforeEach
  void setUp() {
    dir = builder().build();
    bindings = new AddressBindings();
  }

  /** The directory of these tests, before it is built. */
  static ClientDirectory.Builder builder() {
    return ClientDirectory.builder("default")
        .subscriber(new Subscriber("alice", "family", ZoneId.of("Europe/Berlin"),
            Map.of(ALICE_TABLET, "kids")))
        .subscriber(new Subscriber("bob", "adult", null, Map.of(BOB_CONSOLE, "teen")))
        .subscriber(new Subscriber("carol", "carol-profile", null, Map.of()))
        .network(new Network("cafe", "hotspot"))
        .prefix(Prefix.parse("198.51.100.7/32"), "alice")
        .prefix(Prefix.parse("198.51.100.0/24"), "bob")
        .prefix(Prefix.parse("2001:db8:a::/48"), "alice")
        .prefix(Prefix.parse("2001:db8:a:1::/64"), "bob")
        .prefix(Prefix.parse("203.0.113.0/24"), "cafe")
        .prefix(Prefix.parse("203.0.113.64/26"), "carol")
        .cpeId("cpe-alice", "alice")
        .cpeId("cpe-bob", "bob")
        .token("tok-alice", "alice", "strict")
        .token("tok-anon", null, "anon-profile")
        .trustedForwarders(ClientNetworks.parse(List.of(FORWARDER + "/32", FORWARDER6 + "/128")));
  }

  ClientIdentity id(String token, ClientOptions o, String source) throws Exception {
    return dir.identify(token, o, ip(source), bindings);
  }

  static void assertIdentity(String subscriber, String network, String profile, Source source,
      String detail, ClientIdentity actual) {
    assertEquals(new ClientIdentity(subscriber, network, profile, source, detail), actual);
  }

  static void assertIdentity(String subscriber, String network, String profile, Source source,
      String detail, ClientIdentity actual, String message) {
    assertEquals(new ClientIdentity(subscriber, network, profile, source, detail), actual, message);
  }

  // ----------------------------------------------------------------- token

  @Test
  void knownToken_beatsEverything() throws Exception {
    bindings.bind(Prefix.parse(BOB_IP + "/32"), "bob");
    // Bob's MAC, bob's CPE id, a trusted ECS pointing at bob, from bob's bound address.
    ClientOptions all = new ClientOptions(BOB_CONSOLE, "cpe-bob", Prefix.parse("198.51.100.0/24"));
    assertIdentity("alice", null, "strict", Source.TOKEN, "", id("tok-alice", all, BOB_IP));
    assertIdentity("alice", null, "strict", Source.TOKEN, "", id("tok-alice", all, FORWARDER));
    assertIdentity("alice", null, "strict", Source.TOKEN, "",
        id("tok-alice", ClientOptions.NONE, NOBODY_IP));
    assertIdentity("alice", null, "strict", Source.TOKEN, "",
        id("tok-alice", ClientOptions.NONE, CAFE_IP));
  }

  @Test
  void tokenWithoutSubscriber_selectsOnlyAProfile() throws Exception {
    assertIdentity(null, null, "anon-profile", Source.TOKEN, "",
        id("tok-anon", ClientOptions.NONE, ALICE_IP));
  }

  @Test
  void unknownToken_isIgnored_sameResultAsNoToken() throws Exception {
    bindings.bind(Prefix.parse("198.51.100.9/32"), "carol");
    List<ClientOptions> options = List.of(ClientOptions.NONE, mac(ALICE_TABLET), mac(BOB_CONSOLE),
        cpe("cpe-bob"), cpe("cpe-unknown"), ecs("198.51.100.0/24"), ecs("2001:db8:a:1::/64"));
    List<String> sources = List.of(ALICE_IP, BOB_IP, "198.51.100.9", ALICE_IP6, BOB_IP6, CAFE_IP,
        CAROL_IP, NOBODY_IP, FORWARDER, FORWARDER6, UNTRUSTED_FORWARDER);
    for (String token : new String[] {"tok-nobody", "", "TOK-NOBODY", "tok-alice "}) {
      for (ClientOptions o : options) {
        for (String source : sources) {
          assertEquals(id(null, o, source), id(token, o, source),
              "token '" + token + "', " + o + " from " + source);
        }
      }
    }
    assertEquals(Source.ADDRESS, id("tok-nobody", ClientOptions.NONE, ALICE_IP).source());
    assertEquals(Source.DEFAULT, id("tok-nobody", ClientOptions.NONE, NOBODY_IP).source());
  }

  // ------------------------------------------------------------------- MAC

  @Test
  void macWithinHouseholdFoundByAddress_givesDeviceProfile_withMaskedDetail() throws Exception {
    ClientIdentity i = id(null, mac(ALICE_TABLET), ALICE_IP);
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx", i);
    assertFalse(i.detail().contains("00:00:01"), "the device half of the MAC is never shown");
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx",
        id(null, mac(ALICE_TABLET), ALICE_IP6));
    assertIdentity("bob", null, "teen", Source.MAC, "11:22:33:xx:xx:xx",
        id(null, mac(BOB_CONSOLE), BOB_IP));
  }

  @Test
  void macWithinHouseholdFoundByCpeIdOrBindingOrEcs_givesDeviceProfile() throws Exception {
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx",
        id(null, new ClientOptions(ALICE_TABLET, "cpe-alice", null), NOBODY_IP));
    bindings.bind(Prefix.parse(NOBODY_IP), "bob");
    assertIdentity("bob", null, "teen", Source.MAC, "11:22:33:xx:xx:xx",
        id(null, mac(BOB_CONSOLE), NOBODY_IP));
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx", id(null,
        new ClientOptions(ALICE_TABLET, null, Prefix.parse("198.51.100.7/32")), FORWARDER));
  }

  @Test
  void macOfAnotherHouseholdsDevice_doesNotApply_whenTheHouseholdIsKnown() throws Exception {
    // From alice's address, bob's console MAC: alice's household profile wins.
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, mac(BOB_CONSOLE), ALICE_IP));
    assertIdentity("alice", null, "family", Source.CPE_ID, "cpe-alice",
        id(null, new ClientOptions(BOB_CONSOLE, "cpe-alice", null), BOB_IP));
    // Carol has no devices at all: still carol, not bob.
    assertIdentity("carol", null, "carol-profile", Source.ADDRESS, "",
        id(null, mac(BOB_CONSOLE), CAROL_IP));
  }

  @Test
  void unknownMac_withinKnownHousehold_givesHouseholdProfile() throws Exception {
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, mac(UNKNOWN_DEVICE), ALICE_IP));
  }

  @Test
  void macKnownGlobally_appliesWhenNoHouseholdIsFound() throws Exception {
    assertIdentity("bob", null, "teen", Source.MAC, "11:22:33:xx:xx:xx",
        id(null, mac(BOB_CONSOLE), NOBODY_IP));
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx",
        id(null, new ClientOptions(ALICE_TABLET, "cpe-unknown", null), NOBODY_IP));
    // A venue network is not a household: bob's console in the cafe is still bob's console.
    ClientIdentity inCafe = id(null, mac(BOB_CONSOLE), CAFE_IP);
    assertEquals("bob", inCafe.subscriberId());
    assertEquals("teen", inCafe.profileId());
    assertEquals(Source.MAC, inCafe.source());
    assertEquals("11:22:33:xx:xx:xx", inCafe.detail());
  }

  @Test
  void unknownMac_withNoHousehold_isDefault() throws Exception {
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        id(null, mac(UNKNOWN_DEVICE), NOBODY_IP));
    assertIdentity(null, "cafe", "hotspot", Source.ADDRESS, "",
        id(null, mac(UNKNOWN_DEVICE), CAFE_IP));
  }

  @Test
  void maskedMac_showsOnlyTheVendorHalf() {
    assertEquals("aa:bb:cc:xx:xx:xx", ClientDirectory.maskedMac(0xaabbccddeeffL));
    assertEquals("00:00:00:xx:xx:xx", ClientDirectory.maskedMac(0));
    assertEquals("01:02:03:xx:xx:xx", ClientDirectory.maskedMac(0x010203040506L));
  }

  // ---------------------------------------------------------------- CPE id

  @Test
  void cpeId_beatsAddress() throws Exception {
    assertIdentity("alice", null, "family", Source.CPE_ID, "cpe-alice",
        id(null, cpe("cpe-alice"), BOB_IP));
    assertIdentity("bob", null, "adult", Source.CPE_ID, "cpe-bob",
        id(null, cpe("cpe-bob"), ALICE_IP));
    assertIdentity("bob", null, "adult", Source.CPE_ID, "cpe-bob",
        id(null, cpe("cpe-bob"), CAFE_IP));
    bindings.bind(Prefix.parse(ALICE_IP), "carol");
    assertIdentity("bob", null, "adult", Source.CPE_ID, "cpe-bob",
        id(null, cpe("cpe-bob"), ALICE_IP));
  }

  @Test
  void cpeId_beatsTrustedEcs() throws Exception {
    assertIdentity("alice", null, "family", Source.CPE_ID, "cpe-alice",
        id(null, new ClientOptions(-1, "cpe-alice", Prefix.parse("198.51.100.0/24")), FORWARDER));
  }

  @Test
  void unknownCpeId_fallsThroughToAddress() throws Exception {
    assertIdentity("bob", null, "adult", Source.ADDRESS, "", id(null, cpe("cpe-carol"), BOB_IP));
    assertIdentity(null, null, "default", Source.DEFAULT, "", id(null, cpe("cpe-x"), NOBODY_IP));
  }

  // ------------------------------------------------------------------- ECS

  @Test
  void ecs_fromTrustedForwarder_identifiesTheSubnet() throws Exception {
    assertIdentity("bob", null, "adult", Source.CLIENT_SUBNET, "198.51.100.0/24",
        id(null, ecs("198.51.100.0/24"), FORWARDER));
    assertIdentity("alice", null, "family", Source.CLIENT_SUBNET, "198.51.100.7/32",
        id(null, ecs("198.51.100.7/32"), FORWARDER));
    assertIdentity("alice", null, "family", Source.CLIENT_SUBNET, "2001:db8:a:5:0:0:0:0/64",
        id(null, ecs("2001:db8:a:5::/64"), FORWARDER6));
    assertIdentity("bob", null, "adult", Source.CLIENT_SUBNET, "2001:db8:a:1:0:0:0:0/64",
        id(null, ecs("2001:db8:a:1::/64"), FORWARDER6));
    ClientIdentity cafe = id(null, ecs("203.0.113.0/25"), FORWARDER);
    assertEquals("cafe", cafe.networkId());
    assertEquals("hotspot", cafe.profileId());
    assertEquals(Source.CLIENT_SUBNET, cafe.source());
    // A trusted forwarder may also send IPv4 subnets over IPv6 and the other way round.
    assertEquals("bob", id(null, ecs("198.51.100.0/24"), FORWARDER6).subscriberId());
    assertEquals("alice", id(null, ecs("2001:db8:a:5::/64"), FORWARDER).subscriberId());
  }

  @Test
  void ecs_fromUntrustedSource_isIgnored() throws Exception {
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        id(null, ecs("198.51.100.0/24"), UNTRUSTED_FORWARDER));
    // From alice's own address, an ECS naming bob changes nothing.
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, ecs("198.51.100.0/24"), ALICE_IP));
    assertIdentity("bob", null, "adult", Source.ADDRESS, "",
        id(null, ecs("2001:db8:a:5::/64"), BOB_IP6));
    assertEquals(id(null, ClientOptions.NONE, CAROL_IP), id(null, ecs("198.51.100.7/32"), CAROL_IP));
  }

  @Test
  void ecs_fromTrustedForwarder_usesBindingsToo() throws Exception {
    bindings.bind(Prefix.parse("100.64.7.0/24"), "carol");
    assertIdentity("carol", null, "carol-profile", Source.CLIENT_SUBNET, "100.64.7.0/24",
        id(null, ecs("100.64.7.0/24"), FORWARDER));
  }

  /**
   * An ECS prefix says only "the client is somewhere in this subnet". Here the forwarder sends
   * 2001:db8:a::/56 (a common IPv6 ECS length), and dave owns just the first /64 of it
   * (2001:db8:a::/64). The only prefix known to hold the whole /56 is alice's /48, so the client
   * must be identified as alice (or at least not as dave). ClientDirectory.identify() turns the
   * ECS into its network address 2001:db8:a:: and looks that up as if it were a host, so it
   * matches dave's longer /64 and answers with dave's profile: every client of the /56 is treated
   * as dave. The same happens for IPv4 (ECS 198.51.100.0/24 matches a subscriber's
   * 198.51.100.0/28) and for run-time bindings.
   */
  @Test
  void ecs_isNotAttributedToAPrefixMoreSpecificThanTheSubnet() throws Exception {
    ClientDirectory d = ClientDirectory.builder("default")
        .subscriber(new Subscriber("alice", "family", null, Map.of()))
        .subscriber(new Subscriber("dave", "dave-profile", null, Map.of()))
        .subscriber(new Subscriber("erin", "erin-profile", null, Map.of()))
        .subscriber(new Subscriber("bob", "adult", null, Map.of()))
        .prefix(Prefix.parse("2001:db8:a::/48"), "alice")
        .prefix(Prefix.parse("2001:db8:a::/64"), "dave")
        .prefix(Prefix.parse("198.51.100.0/24"), "bob")
        .prefix(Prefix.parse("198.51.100.0/28"), "erin")
        .trustedForwarders(ClientNetworks.parse(List.of(FORWARDER + "/32")))
        .build();
    ClientIdentity v6 = d.identify(null, ecs("2001:db8:a::/56"), ip(FORWARDER), null);
    assertNotEquals("dave", v6.subscriberId(), v6.describe());
    assertEquals("alice", v6.subscriberId(), v6.describe());
    ClientIdentity v4 = d.identify(null, ecs("198.51.100.0/24"), ip(FORWARDER), null);
    assertNotEquals("erin", v4.subscriberId(), v4.describe());
    assertEquals("bob", v4.subscriberId(), v4.describe());
    AddressBindings b = new AddressBindings();
    b.bind(Prefix.parse("2001:db8:b::/48"), "alice");
    b.bind(Prefix.parse("2001:db8:b::/64"), "dave");
    ClientIdentity bound = d.identify(null, ecs("2001:db8:b::/56"), ip(FORWARDER), b);
    assertNotEquals("dave", bound.subscriberId(), bound.describe());
    assertEquals("alice", bound.subscriberId(), bound.describe());
  }

  // ------------------------------------------------------------- bindings

  @Test
  void binding_beatsStaticPrefix() throws Exception {
    assertEquals("alice", id(null, ClientOptions.NONE, ALICE_IP).subscriberId());
    bindings.bind(Prefix.parse(ALICE_IP + "/32"), "bob");
    assertIdentity("bob", null, "adult", Source.ADDRESS, "", id(null, ClientOptions.NONE, ALICE_IP));
    // Even a shorter binding beats a longer static prefix: bindings are looked up first.
    bindings.unbind(Prefix.parse(ALICE_IP + "/32"));
    bindings.bind(Prefix.parse("198.51.100.0/24"), "carol");
    assertIdentity("carol", null, "carol-profile", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, ALICE_IP));
    // A binding also beats a network prefix.
    bindings.bind(Prefix.parse(CAFE_IP), "alice");
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, CAFE_IP));
    // Unbinding restores the static answer at once.
    bindings.unbind(Prefix.parse("198.51.100.0/24"));
    assertEquals("alice", id(null, ClientOptions.NONE, ALICE_IP).subscriberId());
  }

  @Test
  void bindingToUnknownSubscriber_isIgnored() throws Exception {
    bindings.bind(Prefix.parse(ALICE_IP), "ghost");
    bindings.bind(Prefix.parse(NOBODY_IP), "ghost");
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, ALICE_IP));
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        id(null, ClientOptions.NONE, NOBODY_IP));
  }

  @Test
  void nullBindings_meansStaticPrefixesOnly() throws Exception {
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        dir.identify(null, ClientOptions.NONE, ip(ALICE_IP), null));
  }

  // ------------------------------------------------------ address, network

  @Test
  void longestStaticPrefix_wins() throws Exception {
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, ALICE_IP));
    assertIdentity("bob", null, "adult", Source.ADDRESS, "", id(null, ClientOptions.NONE, BOB_IP));
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, ALICE_IP6));
    assertIdentity("bob", null, "adult", Source.ADDRESS, "", id(null, ClientOptions.NONE, BOB_IP6));
    assertIdentity("carol", null, "carol-profile", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, CAROL_IP));
  }

  @Test
  void networkPrefix_givesNetworkIdAndNetworkProfile() throws Exception {
    ClientIdentity i = id(null, ClientOptions.NONE, CAFE_IP);
    assertIdentity(null, "cafe", "hotspot", Source.ADDRESS, "", i);
    assertEquals("network cafe, profile hotspot (by address)", i.describe());
    assertIdentity(null, "cafe", "hotspot", Source.ADDRESS, "",
        id(null, ClientOptions.NONE, "203.0.113.255"));
  }

  @Test
  void ipv4MappedSource_isIdentifiedAsIpv4() throws Exception {
    byte[] a = new byte[16];
    a[10] = (byte) 0xff;
    a[11] = (byte) 0xff;
    System.arraycopy(ip(ALICE_IP).getAddress(), 0, a, 12, 4);
    InetAddress mappedAlice = Inet6Address.getByAddress(null, a, -1);
    assertEquals(16, mappedAlice.getAddress().length, "precondition");
    assertEquals("alice", dir.identify(null, ClientOptions.NONE, mappedAlice, bindings)
        .subscriberId());
    System.arraycopy(ip(FORWARDER).getAddress(), 0, a, 12, 4);
    InetAddress mappedForwarder = Inet6Address.getByAddress(null, a, -1);
    assertEquals(Source.CLIENT_SUBNET,
        dir.identify(null, ecs("198.51.100.0/24"), mappedForwarder, bindings).source());
  }

  @Test
  void nothingMatched_isDefault() throws Exception {
    for (String source : List.of(NOBODY_IP, "2001:db9::1", FORWARDER, UNTRUSTED_FORWARDER, "::1")) {
      ClientIdentity i = id(null, ClientOptions.NONE, source);
      assertIdentity(null, null, "default", Source.DEFAULT, "", i);
      assertEquals("unidentified client, profile default (by default)", i.describe());
    }
  }

  @Test
  void emptyDirectory_givesEveryoneTheDefault() throws Exception {
    ClientDirectory empty = ClientDirectory.empty("base");
    assertEquals("base", empty.defaultProfileId());
    assertEquals(0, empty.prefixCount());
    assertTrue(empty.subscribers().isEmpty());
    ClientOptions everything =
        new ClientOptions(BOB_CONSOLE, "cpe-bob", Prefix.parse("198.51.100.0/24"));
    for (String token : new String[] {null, "tok-alice"}) {
      assertIdentity(null, null, "base", Source.DEFAULT, "",
          empty.identify(token, everything, ip(ALICE_IP), bindings));
    }
  }

  @Test
  void directoryAccessors() {
    assertEquals(6, dir.prefixCount());
    assertEquals("family", dir.subscriber("alice").profileId());
    assertEquals(ZoneId.of("Europe/Berlin"), dir.subscriber("alice").zone());
    assertEquals(ZoneId.of("UTC"), dir.subscriber("bob").zone(), "zone defaults to UTC");
    assertNull(dir.subscriber("cafe"));
    assertEquals(3, dir.subscribers().size());
    assertEquals(Map.of("cafe", new Network("cafe", "hotspot")), dir.networks());
  }

  // --------------------------------------------------------------- builder

  static void assertRejected(String mustName, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
    assertTrue(x.getMessage() != null && x.getMessage().contains(mustName),
        "message should name '" + mustName + "': " + x.getMessage());
  }

  @Test
  void builder_rejectsDuplicateIds() {
    assertRejected("alice", () -> ClientDirectory.builder("d")
        .subscriber(new Subscriber("alice", "p", null, Map.of()))
        .subscriber(new Subscriber("alice", "q", null, Map.of())));
    assertRejected("cafe", () -> ClientDirectory.builder("d")
        .network(new Network("cafe", "p"))
        .network(new Network("cafe", "q")));
    assertRejected("shared-id", () -> ClientDirectory.builder("d")
        .subscriber(new Subscriber("shared-id", "p", null, Map.of()))
        .network(new Network("shared-id", "q")));
    assertRejected("shared-id", () -> ClientDirectory.builder("d")
        .network(new Network("shared-id", "q"))
        .subscriber(new Subscriber("shared-id", "p", null, Map.of())));
  }

  @Test
  void builder_rejectsReferencesToUnknownOwners() {
    assertRejected("nobody", () -> ClientDirectory.builder("d")
        .subscriber(new Subscriber("alice", "p", null, Map.of()))
        .prefix(Prefix.parse("10.0.0.0/8"), "nobody"));
    assertRejected("nobody", () -> ClientDirectory.builder("d")
        .subscriber(new Subscriber("alice", "p", null, Map.of()))
        .cpeId("cpe-1", "nobody"));
    assertRejected("nobody", () -> ClientDirectory.builder("d")
        .subscriber(new Subscriber("alice", "p", null, Map.of()))
        .token("tok", "nobody", "p"));
    // A CPE id or token must name a subscriber; a network is not one.
    assertRejected("cafe", () -> ClientDirectory.builder("d")
        .network(new Network("cafe", "p"))
        .cpeId("cpe-1", "cafe"));
    assertRejected("cafe", () -> ClientDirectory.builder("d")
        .network(new Network("cafe", "p"))
        .token("tok", "cafe", "p"));
    // Order matters: a prefix before its owner is an unknown owner.
    assertRejected("later", () -> ClientDirectory.builder("d")
        .prefix(Prefix.parse("10.0.0.0/8"), "later"));
  }

  @Test
  void builder_acceptsPrefixesOfNetworksAndTokensWithoutSubscriber() throws Exception {
    ClientDirectory d = ClientDirectory.builder("d")
        .network(new Network("pool", "pool-profile"))
        .prefix(Prefix.parse("10.0.0.0/8"), "pool")
        .token("t", null, "token-profile")
        .build();
    assertIdentity(null, "pool", "pool-profile", Source.ADDRESS, "",
        d.identify(null, ClientOptions.NONE, ip("10.1.1.1"), null));
    assertIdentity(null, null, "token-profile", Source.TOKEN, "",
        d.identify("t", ClientOptions.NONE, ip("10.1.1.1"), null));
  }

  @Test
  void builder_requiresADefaultProfile() {
    assertThrows(NullPointerException.class, () -> ClientDirectory.builder(null));
  }

  // ----------------------------------------------------------------- per-listener rules

  static final InetSocketAddress ALL = new InetSocketAddress("192.0.2.1", 53);
  static final InetSocketAddress HOTSPOT = new InetSocketAddress("192.0.2.2", 53);
  static final InetSocketAddress ISP = new InetSocketAddress("192.0.2.3", 53);

  ClientIdentity on(InetSocketAddress listener, String token, ClientOptions o, String source)
      throws Exception {
    return dir.identify(token, o, ip(source), bindings, listener);
  }

  @Test
  void listenerWithAddressOnly_ignoresTokenMacCpeAndClientSubnet() throws Exception {
    dir = builder().listenerRules(HOTSPOT, Set.of(Source.ADDRESS)).build();
    ClientOptions everything =
        new ClientOptions(ALICE_TABLET, "cpe-alice", Prefix.parse("198.51.100.7/32"));
    assertIdentity("bob", null, "adult", Source.ADDRESS, "",
        on(HOTSPOT, "tok-alice", everything, BOB_IP));
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx",
        on(ALL, null, everything, BOB_IP), "another listener: the MAC still counts");
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        on(HOTSPOT, null, everything, FORWARDER), "the forwarder's own address matches nothing");
    bindings.bind(Prefix.parse(NOBODY_IP + "/32"), "carol");
    assertIdentity("carol", null, "carol-profile", Source.ADDRESS, "",
        on(HOTSPOT, null, mac(ALICE_TABLET), NOBODY_IP), "run-time bindings are the address rule");
  }

  @Test
  void eachRuleSwitchedOff_fallsToTheNextOne() throws Exception {
    InetSocketAddress noToken = new InetSocketAddress("192.0.2.10", 53);
    InetSocketAddress noMac = new InetSocketAddress("192.0.2.11", 53);
    InetSocketAddress noCpe = new InetSocketAddress("192.0.2.12", 53);
    InetSocketAddress noEcs = new InetSocketAddress("192.0.2.13", 53);
    InetSocketAddress noAddress = new InetSocketAddress("192.0.2.14", 53);
    Set<Source> all = ClientDirectory.rules(ClientDirectory.ALL_RULES);
    dir = builder()
        .listenerRules(noToken, without(all, Source.TOKEN))
        .listenerRules(noMac, without(all, Source.MAC))
        .listenerRules(noCpe, without(all, Source.CPE_ID))
        .listenerRules(noEcs, without(all, Source.CLIENT_SUBNET))
        .listenerRules(noAddress, without(all, Source.ADDRESS))
        .build();
    assertIdentity("bob", null, "adult", Source.ADDRESS, "",
        on(noToken, "tok-alice", ClientOptions.NONE, BOB_IP));
    assertIdentity("alice", null, "family", Source.ADDRESS, "",
        on(noMac, null, mac(ALICE_TABLET), ALICE_IP));
    assertIdentity("bob", null, "adult", Source.ADDRESS, "",
        on(noCpe, null, cpe("cpe-alice"), BOB_IP));
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        on(noEcs, null, ecs("198.51.100.0/24"), FORWARDER));
    assertIdentity("bob", null, "adult", Source.CLIENT_SUBNET, "198.51.100.0/24",
        on(noAddress, null, ecs("198.51.100.0/24"), FORWARDER), "ECS needs no address rule");
    assertIdentity(null, null, "default", Source.DEFAULT, "",
        on(noAddress, null, ClientOptions.NONE, ALICE_IP));
    assertIdentity("alice", null, "kids", Source.MAC, "aa:bb:cc:xx:xx:xx",
        on(noAddress, null, mac(ALICE_TABLET), NOBODY_IP), "a MAC anywhere, without a household");
    // Each listener keeps the rules it did not switch off.
    assertIdentity("alice", null, "strict", Source.TOKEN, "",
        on(noMac, "tok-alice", ClientOptions.NONE, BOB_IP));
  }

  @Test
  void noRules_leaveTheListenerDefault() throws Exception {
    dir = builder().listenerRules(HOTSPOT, Set.of()).listenerProfile(HOTSPOT, "hotspot").build();
    assertIdentity(null, null, "hotspot", Source.DEFAULT, "listener 192.0.2.2:53",
        on(HOTSPOT, "tok-alice", new ClientOptions(ALICE_TABLET, "cpe-alice", null), ALICE_IP));
  }

  @Test
  void listenerRules_matchExactThenWildcardOfTheSamePortAndFamily() throws Exception {
    InetSocketAddress wildcard = new InetSocketAddress("0.0.0.0", 5300);
    dir = builder().listenerRules(wildcard, Set.of(Source.ADDRESS))
        .listenerRules(new InetSocketAddress("192.0.2.1", 5300), Set.of(Source.MAC))
        .build();
    int address = ClientDirectory.ruleBit(Source.ADDRESS);
    assertEquals(address, dir.listenerRules(new InetSocketAddress("198.51.100.1", 5300)));
    assertEquals(address, dir.listenerRules(wildcard));
    assertEquals(ClientDirectory.ruleBit(Source.MAC),
        dir.listenerRules(new InetSocketAddress("192.0.2.1", 5300)), "exact beats wildcard");
    assertEquals(ClientDirectory.ALL_RULES,
        dir.listenerRules(new InetSocketAddress("198.51.100.1", 53)), "another port");
    assertEquals(ClientDirectory.ALL_RULES,
        dir.listenerRules(new InetSocketAddress("2001:db8::1", 5300)), "another family");
    assertEquals(ClientDirectory.ALL_RULES, dir.listenerRules(null));
    assertEquals(Map.of(wildcard, Set.of(Source.ADDRESS),
        new InetSocketAddress("192.0.2.1", 5300), Set.of(Source.MAC)), dir.listenerRuleSets());
  }

  @Test
  void skippedRules_nameWhatTheQueryCarriedButTheListenerIgnores() throws Exception {
    dir = builder().listenerRules(ISP, Set.of(Source.MAC, Source.ADDRESS)).build();
    ClientOptions o = new ClientOptions(ALICE_TABLET, "cpe-bob", Prefix.parse("198.51.100.0/24"));
    assertEquals(List.of("token", "cpe id cpe-bob", "client subnet 198.51.100.0/24"),
        dir.skippedRules("tok-alice", o, ip(FORWARDER), ISP));
    assertEquals(List.of("cpe id cpe-bob"), dir.skippedRules(null, o, ip(UNTRUSTED_FORWARDER), ISP),
        "ECS from an untrusted source is never a rule to skip");
    assertEquals(List.of(), dir.skippedRules("tok-alice", o, ip(FORWARDER), ALL));
    assertThrows(IllegalArgumentException.class, () -> ClientDirectory.ruleBit(Source.DEFAULT));
  }

  static Set<Source> without(Set<Source> all, Source off) {
    Set<Source> s = java.util.EnumSet.copyOf(all);
    s.remove(off);
    return s;
  }
}
