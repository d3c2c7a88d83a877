package dev.hearth.admin.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** Device tokens are DNS-label-safe and distinct; the .mobileconfig is well-formed and stable. */
class DeviceTokensTest {

  @Test
  void tokens_are128BitLowerCaseBase32_andDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String t = DeviceTokens.generate();
      assertTrue(t.matches("[a-z2-7]{26}"), t);
      assertTrue(seen.add(t), "no repeats");
    }
  }

  @Test
  void base32_matchesRfc4648() {
    // RFC 4648 section 10 test vectors, lower-case and without padding.
    assertEquals("", DeviceTokens.base32(new byte[0]));
    assertEquals("my", DeviceTokens.base32("f".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("mzxw6yq", DeviceTokens.base32("foob".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("mzxw6ytboi", DeviceTokens.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
  }

  static Document parse(String xml) throws Exception {
    var f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(
        xml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void mobileConfig_isAnXmlPlist_withStableUuidsAndEscapedNames() throws Exception {
    String a = MobileConfig.profile("tok1", "https://dns.example/dns-query/tok1", null,
        "dns.example", "Hearth DNS: <Sam & Jo>", "desc");
    assertEquals(a, MobileConfig.profile("tok1", "https://dns.example/dns-query/tok1", null,
        "dns.example", "Hearth DNS: <Sam & Jo>", "desc"), "same token, same profile");
    Document d = parse(a);
    assertEquals("plist", d.getDocumentElement().getTagName());
    assertTrue(a.contains("<string>Hearth DNS: &lt;Sam &amp; Jo&gt;</string>"), a);
    assertTrue(a.contains("<key>DNSProtocol</key>\n<string>HTTPS</string>"), a);
    assertTrue(a.contains("<string>" + MobileConfig.uuid("profile", "tok1") + "</string>"), a);
    assertFalse(MobileConfig.uuid("profile", "tok1").equals(MobileConfig.uuid("profile", "tok2")));
    String dot = MobileConfig.profile("tok1", null, "tok1.dns.example", "dns.example", "x", "y");
    parse(dot);
    assertTrue(dot.contains("<key>DNSProtocol</key>\n<string>TLS</string>\n"
        + "<key>ServerName</key>\n<string>tok1.dns.example</string>"), dot);
  }
}
