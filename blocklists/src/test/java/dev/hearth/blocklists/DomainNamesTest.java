package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DomainNamesTest {
  @Test
  void hostOf_takesTheHostOutOfAWebAddress_andLeavesANameAlone() {
    assertEquals("Host.example", DomainNames.hostOf("https://user:pw@Host.example:8443/p?q#f"));
    assertEquals("host.example", DomainNames.hostOf("host.example/path"));
    assertEquals("host.example", DomainNames.hostOf("host.example"));
    assertEquals("host.example", DomainNames.hostOf("http://host.example?x=1"));
    assertEquals("[2001:db8::1]", DomainNames.hostOf("http://[2001:db8::1]/"));
  }

  @Test
  void normalizesCaseSpaceAndTrailingDot() {
    assertEquals("www.example.com", DomainNames.normalize("  WWW.Example.COM. "));
    assertEquals("_dmarc.example.com", DomainNames.normalize("_dmarc.example.com"));
    assertEquals("-x-.example", DomainNames.normalize("-x-.example"));
    assertEquals("localhost", DomainNames.normalize("localhost"));
  }

  @Test
  void convertsIdnToPunycode() {
    assertEquals("xn--bcher-kva.example", DomainNames.normalize("bücher.example"));
    assertEquals("xn--bcher-kva.example", DomainNames.normalize("BÜCHER.example."));
    assertEquals("_x.xn--bcher-kva.example", DomainNames.normalize("_x.bücher.example"));
    assertEquals("xn--bcher-kva.example", DomainNames.normalize("bücher\u3002example"));
  }

  @Test
  void rejectsBadNamesWithReason() {
    assertReason("empty name", "  ");
    assertReason("empty name", ".");
    assertReason("empty label", "a..b");
    assertReason("empty label", ".a.b");
    assertReason("empty label", "a.b..");
    assertReason("label longer than 63", "a".repeat(64) + ".com");
    assertReason("name longer than 253", ("a".repeat(60) + ".").repeat(5) + "com");
    assertReason("invalid character '/'", "example.com/ads");
    assertReason("invalid character '*'", "*.example.com");
    assertReason("invalid character U+0020", "a b.com");
    assertReason("IP address", "10.0.0.1");
    assertReason("IP address", "999.1.1.1");
    assertReason("invalid character ':'", "::1");
  }

  @Test
  void acceptsMaximumLengths() {
    String label = "a".repeat(63);
    assertEquals(label + ".com", DomainNames.normalize(label + ".com"));
    String name = ("a".repeat(62) + ".").repeat(4) + "a"; // 4*63 + 1 = 253
    assertEquals(253, name.length());
    assertEquals(name, DomainNames.normalize(name));
  }

  @Test
  void ipLiterals() {
    assertTrue(DomainNames.isIpLiteral("0.0.0.0"));
    assertTrue(DomainNames.isIpLiteral("127.0.0.1"));
    assertTrue(DomainNames.isIpLiteral("::"));
    assertTrue(DomainNames.isIpLiteral("::1"));
    assertTrue(DomainNames.isIpLiteral("fe80::1%eth0"));
    assertFalse(DomainNames.isIpLiteral("256.0.0.1"));
    assertFalse(DomainNames.isIpLiteral("example.com"));
    assertFalse(DomainNames.isIpLiteral("1.2.3"));
  }

  @Test
  void wireRoundTrip() {
    byte[] w = DomainNames.toWire("www.example.com");
    assertArrayEquals(new byte[] {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c',
        'o', 'm', 0}, w);
    assertEquals("www.example.com", DomainNames.fromWire(w, 0));
    assertEquals("example.com", DomainNames.fromWire(w, 4));
  }

  private static void assertReason(String expected, String raw) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DomainNames.normalize(raw), raw);
    assertTrue(e.getMessage().startsWith(expected), () -> raw + " -> " + e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void idna2008Deviations_areNotMappedOntoOtherDomains() {
    org.junit.jupiter.api.Assertions.assertEquals("xn--fa-hia.de", DomainNames.normalize("faß.de"));
    org.junit.jupiter.api.Assertions.assertEquals("xn--fa-hia.de", DomainNames.normalize("FAß.DE"));
    org.junit.jupiter.api.Assertions.assertEquals("xn--3xaba.gr",
        DomainNames.normalize("σσς.gr"));
    org.junit.jupiter.api.Assertions.assertEquals("xn--mnchen-3ya.de",
        DomainNames.normalize("münchen.de"), "ordinary labels as before");
    org.junit.jupiter.api.Assertions.assertEquals("xn--bcher-kva.example",
        DomainNames.punycodeLabel("bücher") + ".example");
  }
}
