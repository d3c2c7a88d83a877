package dev.hearth.resolver.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Address literals only: anything else must be refused before it could reach a name lookup. */
class PrefixParseTest {
  @Test
  void dottedQuads_areCheckedPartByPart() {
    assertEquals("192.0.2.17/32", Prefix.parse("192.0.2.17").toString());
    assertEquals("10.0.0.0/8", Prefix.parse("10.1.2.3/8").toString());
    assertEquals("0.0.0.0/0", Prefix.parse("0.0.0.0/0").toString());
    for (String bad : new String[] {"1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.", ".1.2.3",
        "1.2.3.256", "1.2.3.1000", "1.2.3.-1", "1.2.3.a", "1.2.3.４", "", " / "}) {
      assertThrows(IllegalArgumentException.class, () -> Prefix.parse(bad), bad);
    }
  }

  @Test
  void ipv6Literals_onlyHexDigitsColonsAndDots() {
    assertEquals("2001:db8:0:0:0:0:0:0/56", Prefix.parse("2001:db8::/56").toString());
    assertEquals(32, Prefix.parse("::ffff:192.0.2.1").length(), "mapped IPv4 becomes IPv4");
    for (String bad : new String[] {"2001:db8::g", "2001:db8::%eth0", "fe80::١", "::1/129"}) {
      assertThrows(IllegalArgumentException.class, () -> Prefix.parse(bad), bad);
    }
  }
}
