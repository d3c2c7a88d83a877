package dev.hearth.resolver.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.resolver.access.Prefix;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {
  static final long MAC_VALUE = 0xaabbccddeeffL;

  /** One EDNS option: code (u16), length (u16), data. */
  static byte[] opt(int code, byte[] data) {
    return optWithLength(code, data.length, data);
  }

  /** An option whose length field may lie about the data that follows. */
  static byte[] optWithLength(int code, int length, byte[] data) {
    byte[] b = new byte[4 + data.length];
    b[0] = (byte) (code >>> 8);
    b[1] = (byte) code;
    b[2] = (byte) (length >>> 8);
    b[3] = (byte) length;
    System.arraycopy(data, 0, b, 4, data.length);
    return b;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) v[i];
    }
    return b;
  }

  /** RFC 7871 option data: family, source prefix length, scope prefix length, address bytes. */
  static byte[] ecs(int family, int source, int scope, byte[] address) {
    return opt(ClientOptions.CLIENT_SUBNET,
        concat(bytes(family >>> 8, family, source, scope), address));
  }

  static byte[] binaryMac() {
    return opt(ClientOptions.MAC, bytes(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff));
  }

  static byte[] cpe(String id) {
    return opt(ClientOptions.CPE_ID, ascii(id));
  }

  static void assertNone(ClientOptions o, String what) {
    assertEquals(ClientOptions.NONE, o, what);
    assertEquals(-1, o.mac(), what);
    assertNull(o.cpeId(), what);
    assertNull(o.clientSubnet(), what);
  }

  // ----------------------------------------------------------------- valid

  @Test
  void nullOrEmptyOrTooShort_isNone() {
    assertSame(ClientOptions.NONE, ClientOptions.parse(null));
    assertSame(ClientOptions.NONE, ClientOptions.parse(new byte[0]));
    assertSame(ClientOptions.NONE, ClientOptions.parse(new byte[3]));
    assertNone(ClientOptions.parse(opt(12, new byte[0])), "an unrelated empty option");
  }

  @Test
  void binaryMac_sixRawBytes() {
    ClientOptions o = ClientOptions.parse(binaryMac());
    assertEquals(MAC_VALUE, o.mac());
    assertNull(o.cpeId());
    assertNull(o.clientSubnet());
  }

  @Test
  void binaryMac_allZeroAndAllOnes_areValidMacs() {
    assertEquals(0L, ClientOptions.parse(opt(ClientOptions.MAC, new byte[6])).mac());
    assertEquals(0xffffffffffffL,
        ClientOptions.parse(opt(ClientOptions.MAC, bytes(255, 255, 255, 255, 255, 255))).mac());
  }

  @Test
  void textMac_withColons_withoutSeparators_uppercase_dashes() {
    for (String text : new String[] {"aa:bb:cc:dd:ee:ff", "AABBCCDDEEFF", "aabbccddeeff",
        "AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff"}) {
      ClientOptions o = ClientOptions.parse(opt(ClientOptions.MAC, ascii(text)));
      assertEquals(MAC_VALUE, o.mac(), text);
      assertNull(o.cpeId(), text);
      assertNull(o.clientSubnet(), text);
    }
  }

  @Test
  void cpeId_string() {
    ClientOptions o = ClientOptions.parse(cpe("cpe-0042@router.example"));
    assertEquals("cpe-0042@router.example", o.cpeId());
    assertEquals(-1, o.mac());
    assertNull(o.clientSubnet());
  }

  @Test
  void cpeId_exactly64Bytes_isAccepted() {
    String id = "x".repeat(64);
    assertEquals(id, ClientOptions.parse(cpe(id)).cpeId());
  }

  @Test
  void ecs_ipv4Slash24_threeAddressBytes() {
    ClientOptions o = ClientOptions.parse(ecs(1, 24, 0, bytes(192, 0, 2)));
    assertEquals(Prefix.parse("192.0.2.0/24"), o.clientSubnet());
    assertTrue(o.clientSubnet().isIpv4());
    assertEquals(-1, o.mac());
    assertNull(o.cpeId());
  }

  @Test
  void ecs_ipv6Slash56_sevenAddressBytes() {
    ClientOptions o = ClientOptions.parse(
        ecs(2, 56, 0, bytes(0x20, 0x01, 0x0d, 0xb8, 0x00, 0x12, 0x34)));
    assertEquals(Prefix.parse("2001:db8:12:3400::/56"), o.clientSubnet());
    assertEquals(16, o.clientSubnet().network().length);
  }

  @Test
  void ecs_otherValidShapes() {
    assertEquals(Prefix.parse("0.0.0.0/0"),
        ClientOptions.parse(ecs(1, 0, 0, new byte[0])).clientSubnet(), "/0 has no address bytes");
    assertEquals(Prefix.parse("198.51.100.77/32"),
        ClientOptions.parse(ecs(1, 32, 0, bytes(198, 51, 100, 77))).clientSubnet());
    assertEquals(Prefix.parse("10.128.0.0/9"),
        ClientOptions.parse(ecs(1, 9, 0, bytes(10, 128))).clientSubnet());
    assertEquals(Prefix.parse("2001:db8::1/128"), ClientOptions.parse(
        ecs(2, 128, 0, HexFormat.of().parseHex("20010db8000000000000000000000001")))
        .clientSubnet());
  }

  @Test
  void ecs_addressBitsBeyondSourceLength_neverLeakIntoThePrefix() {
    // 192.0.255.x with source /20: the low 4 bits of the third byte are past /20 and must not
    // survive (RFC 7871 says they must be 0); the option may be dropped or masked, never kept.
    Prefix p = ClientOptions.parse(ecs(1, 20, 0, bytes(192, 0, 0xff))).clientSubnet();
    if (p != null) {
      assertEquals(Prefix.parse("192.0.240.0/20"), p);
      assertEquals((byte) 0xf0, p.network()[2]);
    }
    Prefix p6 = ClientOptions.parse(ecs(2, 57, 0, bytes(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0xff)))
        .clientSubnet();
    if (p6 != null) {
      assertEquals(Prefix.parse("2001:db8:0:80::/57"), p6);
    }
  }

  @Test
  void severalOptionsTogether_withUnrelatedOptionsInBetween() {
    byte[] wire = concat(
        opt(10, HexFormat.of().parseHex("0123456789abcdef")), // COOKIE
        opt(ClientOptions.CPE_ID, ascii("cpe-7")),
        opt(12, new byte[9]), // PADDING
        ecs(2, 56, 0, bytes(0x20, 0x01, 0x0d, 0xb8, 0x00, 0x12, 0x34)),
        opt(ClientOptions.MAC, ascii("aa:bb:cc:dd:ee:ff")),
        opt(0xfffe, new byte[0]));
    ClientOptions o = ClientOptions.parse(wire);
    assertEquals(MAC_VALUE, o.mac());
    assertEquals("cpe-7", o.cpeId());
    assertEquals(Prefix.parse("2001:db8:12:3400::/56"), o.clientSubnet());
    assertEquals(new ClientOptions(MAC_VALUE, "cpe-7", Prefix.parse("2001:db8:12:3400::/56")), o);
  }

  // ------------------------------------------------------------- malformed

  @Test
  void truncatedOptionList_keepsWhatWasReadBefore() {
    // MAC, then a CPE option claiming 20 bytes with only 3 present.
    byte[] wire = concat(binaryMac(), optWithLength(ClientOptions.CPE_ID, 20, ascii("abc")));
    ClientOptions o = ClientOptions.parse(wire);
    assertEquals(MAC_VALUE, o.mac());
    assertNull(o.cpeId());
    // A stray partial option header at the end.
    o = ClientOptions.parse(concat(cpe("cpe-1"), bytes(0xfd, 0xe9, 0x00)));
    assertEquals("cpe-1", o.cpeId());
    // The very first option truncated: nothing at all.
    assertNone(ClientOptions.parse(optWithLength(ClientOptions.MAC, 6, bytes(1, 2, 3))),
        "truncated MAC");
    assertNone(ClientOptions.parse(optWithLength(ClientOptions.CLIENT_SUBNET, 0xffff,
        bytes(0, 1, 24, 0, 192, 0, 2))), "ECS with a length of 65535");
  }

  @Test
  void ecs_wrongAddressLength_isIgnored() {
    assertNone(ClientOptions.parse(ecs(1, 24, 0, bytes(192, 0, 2, 0))), "/24 with 4 bytes");
    assertNone(ClientOptions.parse(ecs(1, 24, 0, bytes(192, 0))), "/24 with 2 bytes");
    assertNone(ClientOptions.parse(ecs(1, 0, 0, bytes(1))), "/0 with 1 byte");
    assertNone(ClientOptions.parse(ecs(2, 56, 0, new byte[8])), "/56 with 8 bytes");
    assertNone(ClientOptions.parse(ecs(2, 56, 0, new byte[16])), "/56 with 16 bytes");
    assertNone(ClientOptions.parse(opt(ClientOptions.CLIENT_SUBNET, bytes(0, 1, 24))),
        "ECS shorter than its fixed part");
    assertNone(ClientOptions.parse(opt(ClientOptions.CLIENT_SUBNET, new byte[0])), "empty ECS");
  }

  @Test
  void ecs_unknownFamily_isIgnored() {
    assertNone(ClientOptions.parse(ecs(3, 24, 0, bytes(192, 0, 2))), "family 3");
    assertNone(ClientOptions.parse(ecs(0, 24, 0, bytes(192, 0, 2))), "family 0");
    assertNone(ClientOptions.parse(ecs(0x0101, 24, 0, bytes(192, 0, 2))), "family 257");
  }

  @Test
  void ecs_sourceLongerThanTheFamily_isIgnored() {
    assertNone(ClientOptions.parse(ecs(1, 33, 0, bytes(192, 0, 2, 1, 0))), "IPv4 /33");
    assertNone(ClientOptions.parse(ecs(1, 255, 0, new byte[32])), "IPv4 /255");
    assertNone(ClientOptions.parse(ecs(2, 129, 0, new byte[17])), "IPv6 /129");
  }

  @Test
  void ecs_malformed_doesNotDisturbOtherOptions() {
    ClientOptions o = ClientOptions.parse(concat(cpe("cpe-9"), ecs(3, 24, 0, bytes(1, 2, 3)),
        binaryMac()));
    assertEquals("cpe-9", o.cpeId());
    assertEquals(MAC_VALUE, o.mac());
    assertNull(o.clientSubnet());
  }

  @Test
  void cpeId_withControlOrNonAsciiCharacters_isIgnored() {
    for (byte[] bad : new byte[][] {
        ascii("cpe\n1"), ascii("cpe\u00001"), ascii("cpe 1"), ascii("\tcpe"), ascii("cpe\u007f"),
        bytes('c', 'p', 'e', 0x80), bytes('c', 0xff), "café".getBytes(StandardCharsets.UTF_8)}) {
      assertNone(ClientOptions.parse(opt(ClientOptions.CPE_ID, bad)),
          HexFormat.of().formatHex(bad));
    }
  }

  @Test
  void cpeId_tooLongOrEmpty_isIgnored() {
    assertNone(ClientOptions.parse(cpe("x".repeat(65))), "65 bytes");
    assertNone(ClientOptions.parse(cpe("y".repeat(1000))), "1000 bytes");
    assertNone(ClientOptions.parse(cpe("")), "empty");
    // ...and the options after it are still read.
    assertEquals(MAC_VALUE, ClientOptions.parse(concat(cpe("z".repeat(65)), binaryMac())).mac());
  }

  @Test
  void mac_wrongSizesAndNonHexText_areIgnored() {
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, bytes(0xaa, 0xbb, 0xcc, 0xdd, 0xee))),
        "5 bytes");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, new byte[7])), "7 bytes");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, new byte[0])), "0 bytes");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, new byte[12])), "12 zero bytes");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, ascii("gg:bb:cc:dd:ee:ff"))), "non-hex");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, ascii("aa:bb:cc:dd:ee:f"))), "11 digits");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, ascii("aa:bb:cc:dd:ee:ff:0"))),
        "13 digits");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, ascii("aabb.ccdd.eeff"))), "dots");
    assertNone(ClientOptions.parse(opt(ClientOptions.MAC, ascii("aa:bb:cc:dd:ee:ff\n"))),
        "18 bytes");
  }

  @Test
  void everythingMalformed_isNone() {
    byte[] wire = concat(
        opt(ClientOptions.MAC, new byte[5]),
        cpe("bad id"),
        ecs(1, 40, 0, new byte[5]),
        optWithLength(ClientOptions.CPE_ID, 50, ascii("cut")));
    assertNone(ClientOptions.parse(wire), "all malformed");
  }

  // -------------------------------------------------------------------- fuzz

  @Test
  void randomBytes_neverThrow_andResultsStayInRange() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int n = 0; n < 20_000; n++) {
      byte[] wire;
      if (n % 2 == 0) {
        wire = new byte[r.nextInt(80)];
        r.nextBytes(wire);
      } else {
        wire = randomOptionList(r);
      }
      ClientOptions o;
      try {
        o = ClientOptions.parse(wire);
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + ", input #" + n + " "
            + HexFormat.of().formatHex(wire), e);
      }
      String why = "seed " + seed + ", input " + HexFormat.of().formatHex(wire);
      assertTrue(o.mac() >= -1 && o.mac() <= 0xffffffffffffL, why);
      if (o.cpeId() != null) {
        assertTrue(o.cpeId().length() >= 1 && o.cpeId().length() <= 64, why);
        assertTrue(o.cpeId().chars().allMatch(c -> c >= 0x21 && c <= 0x7e), why);
      }
      if (o.clientSubnet() != null) {
        Prefix p = o.clientSubnet();
        assertTrue(p.length() <= p.network().length * 8, why);
      }
      if (o.mac() == -1 && o.cpeId() == null && o.clientSubnet() == null) {
        assertSame(ClientOptions.NONE, o, why);
      }
    }
  }

  /** Option lists with plausible codes and sometimes-lying lengths, to reach the parsers. */
  private static byte[] randomOptionList(Random r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int count = 1 + r.nextInt(4);
    for (int i = 0; i < count; i++) {
      int code = switch (r.nextInt(5)) {
        case 0 -> ClientOptions.MAC;
        case 1 -> ClientOptions.CPE_ID;
        case 2 -> ClientOptions.CLIENT_SUBNET;
        case 3 -> r.nextInt(65536);
        default -> r.nextBoolean() ? ClientOptions.CLIENT_SUBNET : ClientOptions.MAC;
      };
      byte[] data;
      if (code == ClientOptions.CLIENT_SUBNET && r.nextBoolean()) {
        int family = r.nextInt(4);
        int source = r.nextInt(140);
        int addrLen = r.nextInt(4) == 0 ? r.nextInt(20) : (source + 7) / 8;
        byte[] addr = new byte[addrLen];
        r.nextBytes(addr);
        data = concat(bytes(0, family, source, r.nextInt(256)), addr);
      } else if (code == ClientOptions.MAC && r.nextBoolean()) {
        StringBuilder sb = new StringBuilder();
        String alphabet = "0123456789abcdefABCDEFgz:- \u00e9";
        int len = 10 + r.nextInt(10);
        for (int k = 0; k < len; k++) {
          sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        data = ascii(sb.toString());
      } else {
        data = new byte[r.nextInt(r.nextInt(10) == 0 ? 100 : 20)];
        r.nextBytes(data);
        if (code == ClientOptions.CPE_ID && r.nextBoolean()) {
          for (int k = 0; k < data.length; k++) {
            data[k] = (byte) (0x21 + r.nextInt(0x5e));
          }
        }
      }
      int length = r.nextInt(6) == 0 ? r.nextInt(65536) : data.length;
      out.writeBytes(optWithLength(code, length, data));
    }
    if (r.nextInt(5) == 0) {
      out.writeBytes(new byte[1 + r.nextInt(3)]);
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------ format and parse

  @Test
  void formatMac_isLowercaseColonSeparated() {
    assertEquals("aa:bb:cc:dd:ee:ff", ClientOptions.formatMac(MAC_VALUE));
    assertEquals("00:00:00:00:00:00", ClientOptions.formatMac(0));
    assertEquals("00:00:00:00:00:01", ClientOptions.formatMac(1));
    assertEquals("ff:ff:ff:ff:ff:ff", ClientOptions.formatMac(0xffffffffffffL));
    assertEquals("01:02:03:0a:0b:0c", ClientOptions.formatMac(0x0102030a0b0cL));
  }

  @Test
  void parseMac_acceptsTheDocumentedForms_andRejectsOthers() {
    assertEquals(MAC_VALUE, ClientOptions.parseMac("aa:bb:cc:dd:ee:ff"));
    assertEquals(MAC_VALUE, ClientOptions.parseMac("AA-BB-CC-DD-EE-FF"));
    assertEquals(MAC_VALUE, ClientOptions.parseMac("aabbccddeeff"));
    assertEquals(MAC_VALUE, ClientOptions.parseMac("  aa:bb:cc:dd:ee:ff  "));
    assertEquals(-1, ClientOptions.parseMac(""));
    assertEquals(-1, ClientOptions.parseMac("not a mac"));
    assertEquals(-1, ClientOptions.parseMac("aa:bb:cc:dd:ee"));
    assertEquals(-1, ClientOptions.parseMac("aa:bb:cc:dd:ee:ff:00"));
    assertEquals(-1, ClientOptions.parseMac("aa:bb:cc:dd:ee:fg"));
    assertEquals(-1, ClientOptions.parseMac("+a:bb:cc:dd:ee:ff"));
  }

  @Test
  void formatMacThenParseMac_roundTrips() {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      long mac = i < 2 ? (i == 0 ? 0 : 0xffffffffffffL) : r.nextLong() & 0xffffffffffffL;
      String text = ClientOptions.formatMac(mac);
      String why = "seed " + seed + ", mac " + Long.toHexString(mac);
      assertTrue(text.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), why + " -> " + text);
      assertEquals(mac, ClientOptions.parseMac(text), why);
      assertEquals(mac, ClientOptions.parseMac(text.toUpperCase(java.util.Locale.ROOT)), why);
      assertEquals(mac, ClientOptions.parseMac(text.replace(':', '-')), why);
      assertEquals(mac, ClientOptions.parseMac(text.replace(":", "")), why);
      // ...and through the wire, as text and as raw bytes.
      assertEquals(mac, ClientOptions.parse(opt(ClientOptions.MAC, ascii(text))).mac(), why);
      byte[] raw = new byte[6];
      for (int k = 0; k < 6; k++) {
        raw[k] = (byte) (mac >>> (40 - 8 * k));
      }
      assertEquals(mac, ClientOptions.parse(opt(ClientOptions.MAC, raw)).mac(), why);
    }
  }

  @Test
  void ecs_everySourceLength_isAcceptedExactlyUpToTheFamilyWidth() {
    for (int family = 1; family <= 2; family++) {
      int width = family == 1 ? 32 : 128;
      for (int source = 0; source <= 255; source++) {
        byte[] addr = new byte[(source + 7) / 8];
        java.util.Arrays.fill(addr, (byte) 0xff);
        Prefix p = ClientOptions.parse(ecs(family, source, 0, addr)).clientSubnet();
        String why = "family " + family + " /" + source;
        if (source <= width) {
          byte[] full = new byte[width / 8];
          java.util.Arrays.fill(full, (byte) 0xff);
          assertEquals(new Prefix(full, source), p, why);
        } else {
          assertNull(p, why);
        }
      }
    }
  }
}
