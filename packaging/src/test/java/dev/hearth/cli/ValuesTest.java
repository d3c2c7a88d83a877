package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.upstream.UpstreamSpec;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

  @Test
  void sizes() {
    assertEquals(65_536, Values.size("65536"));
    assertEquals(512 * 1024, Values.size("512k"));
    assertEquals(64L << 20, Values.size("64m"));
    assertEquals(64L << 20, Values.size("64MB"));
    assertEquals(2L << 30, Values.size("2g"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0", "-1", "64t", "1.5m", "99999999999g", "m"})
  void badSizes(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.size(text));
    assertEquals("expected " + Values.SIZE + ", got \"" + text + "\"", e.getMessage());
  }

  @Test
  void durations() {
    assertEquals(Duration.ofMillis(800), Values.duration("800ms"));
    assertEquals(Duration.ofSeconds(10), Values.duration("10s"));
    assertEquals(Duration.ofMinutes(5), Values.duration("5m"));
    assertEquals(Duration.ofHours(1), Values.duration("1h"));
    assertEquals(Duration.ofDays(90), Values.duration("90d"));
    assertEquals("800ms", Values.format(Duration.ofMillis(800)));
    assertEquals("2500ms", Values.format(Duration.ofMillis(2500)));
    assertEquals("10s", Values.format(Duration.ofSeconds(10)));
    assertEquals("1h", Values.format(Duration.ofMinutes(60)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"800", "0s", "1w", "-1s", "1.5s", "s", "ten seconds"})
  void badDurations(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.duration(text));
    assertTrue(e.getMessage().startsWith("expected " + Values.DURATION), e.getMessage());
    assertTrue(e.getMessage().endsWith("got \"" + text + "\""), e.getMessage());
  }

  @Test
  void wholeNumbers() {
    assertEquals(0, Values.wholeNumber("0", 0, 10, "x"));
    assertEquals(Integer.MAX_VALUE, Values.wholeNumber("2147483647", 0, Integer.MAX_VALUE, "x"));
    assertThrows(IllegalArgumentException.class, () -> Values.wholeNumber("2147483648", 0, Integer.MAX_VALUE, "x"));
    assertThrows(IllegalArgumentException.class, () -> Values.wholeNumber("-1", 0, 10, "x"));
    assertThrows(IllegalArgumentException.class, () -> Values.wholeNumber("1e3", 0, 10_000, "x"));
    assertEquals("expected a whole number of seconds, got \"abc\"",
        assertThrows(IllegalArgumentException.class,
            () -> Values.wholeNumber("abc", 0, 10, "a whole number of seconds")).getMessage());
  }

  @Test
  void booleans() {
    assertTrue(Values.bool("true"));
    assertTrue(Values.bool("Yes"));
    assertFalse(Values.bool("off"));
    assertThrows(IllegalArgumentException.class, () -> Values.bool("maybe"));
  }

  @Test
  void upstreams() throws Exception {
    UpstreamSpec u = Values.upstream("9.9.9.9:53+validating");
    assertTrue(u.validating());
    assertEquals(53, u.address().getPort());
    UpstreamSpec plain = Values.upstream("192.0.2.1");
    assertFalse(plain.validating());
    assertEquals(53, plain.address().getPort());
    assertEquals("[2001:db8::1]:5353+validating", Values.format(Values.upstream("[2001:db8::1]:5353+validating")));
    assertTrue(Values.upstream("2001:db8::1+validating").validating());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Values.upstream("9.9.9.9:53+validate"));
    assertTrue(e.getMessage().contains("+validating"), e.getMessage());
  }

  @Test
  void encryptedUpstreams() {
    UpstreamSpec dot = Values.upstream("tls://192.0.2.5");
    assertEquals(UpstreamSpec.Transport.TLS, dot.transport());
    assertEquals(853, dot.address().getPort());
    assertEquals("192.0.2.5", dot.verifyName());
    assertEquals("tls://192.0.2.5:853", Values.format(dot));
    UpstreamSpec doh = Values.upstream("https://[2001:db8::5]:8443+validating");
    assertEquals(UpstreamSpec.Transport.HTTPS, doh.transport());
    assertEquals("/dns-query", doh.path());
    assertTrue(doh.validating());
    assertEquals("https://[2001:db8::5]:8443/dns-query+validating", Values.format(doh));
    assertEquals("/resolve", Values.upstream("HTTPS://192.0.2.6/resolve").path());
    assertEquals(443, Values.upstream("https://192.0.2.6/resolve").address().getPort());
    // A name is resolved at start, and is what the certificate must match.
    UpstreamSpec named = Values.upstream("tls://localhost:8853");
    assertEquals("localhost", named.verifyName());
    assertTrue(named.address().getAddress().isLoopbackAddress());
    assertEquals("tls://localhost:8853", Values.format(named));
    for (String bad : new String[] {"quic://192.0.2.1", "tls://192.0.2.1/x", "tls://", "tls://2001:db8::1",
        "https://192.0.2.1:0", "tls://300.1.1.1", "https://192.0.2.1/a b", "tls://bad_host!.example",
        "tls://192.0.2.1+validate"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.upstream(bad));
      assertTrue(e.getMessage().startsWith("expected HOST[:PORT], tls://HOST[:PORT] or https://"),
          e.getMessage());
      assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Values.upstream("tls://no-such-host.invalid"));
    assertTrue(e.getMessage().contains("cannot resolve upstream host name 'no-such-host.invalid'"),
        e.getMessage());
    assertEquals("dns.example", Values.tlsName("DNS.example"));
    assertEquals("2001:db8::1", Values.tlsName("[2001:db8::1]"));
    assertThrows(IllegalArgumentException.class, () -> Values.tlsName("a b"));
  }

  @Test
  void prefixes() {
    assertEquals("10.0.0.0/8", Values.prefix("10.1.2.3/8").toString());
    assertEquals(128, Values.prefix("::1").length());
    for (String bad : new String[] {"10.0.0.0/33", "300.1.1.1/8", "example.com/8", "10.0.0.0/x", "1.2.3/24"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Values.prefix(bad));
      assertTrue(e.getMessage().startsWith("expected an IP network"), e.getMessage());
      assertTrue(e.getMessage().contains("got \"" + bad + "\""), e.getMessage());
    }
  }
}
