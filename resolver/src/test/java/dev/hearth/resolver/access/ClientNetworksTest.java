package dev.hearth.resolver.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientNetworksTest {
  static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void defaults_servePrivateRangesOnly() throws Exception {
    ClientNetworks n = ClientNetworks.privateDefaults();
    assertTrue(n.contains(ip("127.0.0.1")));
    assertTrue(n.contains(ip("10.200.3.4")));
    assertTrue(n.contains(ip("172.31.255.255")));
    assertFalse(n.contains(ip("172.32.0.1")));
    assertTrue(n.contains(ip("192.168.1.1")));
    assertTrue(n.contains(ip("::1")));
    assertTrue(n.contains(ip("fd12:3456::1")));
    assertFalse(n.contains(ip("8.8.8.8")));
    assertFalse(n.contains(ip("2001:4860::8888")));
    assertTrue(n.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped addresses match their IPv4 prefix");
  }

  @Test
  void prefixesOfDifferentLengthsOnTheSameNetworkDoNotCollide() throws Exception {
    ClientNetworks n = ClientNetworks.parse(List.of("10.0.0.0/16", "192.0.2.128/25"));
    assertTrue(n.contains(ip("10.0.255.1")));
    assertFalse(n.contains(ip("10.1.0.1")));
    assertTrue(n.contains(ip("192.0.2.200")));
    assertFalse(n.contains(ip("192.0.2.100")));
  }

  @Test
  void badPrefixes_areRejectedWithTheText() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Prefix.parse("10.0.0.0/33"));
    assertTrue(e.getMessage().contains("10.0.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Prefix.parse("example.com"));
    assertThrows(IllegalArgumentException.class, () -> Prefix.parse("10.0.0.0/x"));
    assertThrows(IllegalArgumentException.class, () -> Prefix.parse("300.1.1.1/8"));
    assertThrows(IllegalArgumentException.class, () -> Prefix.parse("dead.beef"));
    assertEquals("10.0.0.0/8", Prefix.parse("10.1.2.3/8").toString());
  }
}
