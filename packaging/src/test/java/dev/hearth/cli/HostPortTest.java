package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {

  @Test
  void parsesIpv4AndBracketedIpv6ListenAddresses() throws Exception {
    assertEquals(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5335),
        HostPort.parseListen("127.0.0.1:5335"));
    assertEquals(new InetSocketAddress(InetAddress.getByName("::1"), 5335), HostPort.parseListen("[::1]:5335"));
    assertEquals(0, HostPort.parseListen("0.0.0.0:0").getPort());
    assertTrue(HostPort.parseListen("[::]:53").getAddress().isAnyLocalAddress());
  }

  @Test
  void serverPortDefaultsAndBareIpv6() throws Exception {
    assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 53), HostPort.parseServer("192.0.2.1", 53));
    assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 53),
        HostPort.parseServer("2001:db8::1", 53));
    assertEquals(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 53),
        HostPort.parseServer("[2001:db8::1]", 53));
    assertEquals(5353, HostPort.parseServer("[2001:db8::1]:5353", 53).getPort());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "localhost:53", "::1:53", "[::1]", "1.2.3:53", "300.1.1.1:53",
      "1.2.3.04:53", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:x", ":53", "[1.2.3.4]:53",
      "[::1:53", "[fe80::1%eth0]:53", "127.0.0.1:53:53", ""})
  void rejectsBadListenAddressesWithoutLookingAnythingUp(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostPort.parseListen(text));
    assertTrue(e.getMessage().startsWith("expected HOST:PORT"), e.getMessage());
    assertTrue(e.getMessage().contains("got \"" + text + "\""), e.getMessage());
  }

  @Test
  void serverPortZeroIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostPort.parseServer("192.0.2.1:0", 53));
    assertTrue(e.getMessage().contains("between 1 and 65535"), e.getMessage());
  }

  @Test
  void hostNamesAreNamedAsSuch() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HostPort.parseListen("localhost:53"));
    assertTrue(e.getMessage().contains("host names are not accepted"), e.getMessage());
  }

  @Test
  void formatsIpv6Compactly() throws Exception {
    assertEquals("::1", HostPort.format(InetAddress.getByName("::1")));
    assertEquals("::", HostPort.format(InetAddress.getByName("::")));
    assertEquals("2001:db8::1", HostPort.format(InetAddress.getByName("2001:0db8:0:0:0:0:0:1")));
    assertEquals("2001:db8:0:1:1:1:1:1", HostPort.format(InetAddress.getByName("2001:db8:0:1:1:1:1:1")));
    assertEquals("2001:0:0:1::1", HostPort.format(InetAddress.getByName("2001:0:0:1:0:0:0:1")));
    assertEquals("fe80::", HostPort.format(InetAddress.getByName("fe80::")));
  }

  @Test
  void formatRoundTrips() {
    for (String s : new String[] {"127.0.0.1:5335", "[::1]:53", "[2001:db8::1]:8080"}) {
      assertEquals(s, HostPort.format(HostPort.parseListen(s)));
    }
  }
}
