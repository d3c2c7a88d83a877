package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved lists from earlier versions keep serving after an upgrade: a restart must not need the
 * network, and a source that is down has only its saved copy. The files in
 * {@code stored-v6/} were saved by the code of commit a640a98 (format {@code HRTHLST6}, tables of
 * a power-of-two size) from the source lists next to them; {@code urls-locked.hbl} is
 * {@code urls.txt} as a locked list, keyed with the bytes 0..31.
 */
class StoredFormatsTest {
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)+");

  @TempDir
  Path dir;

  @Test
  void listsSavedInFormat6_readBackWithTheSameEntriesAndVerdicts() throws Exception {
    check("adblock.hbl", "adblock.txt",
        ListLoader.load(resource("adblock.txt"), Format.ADBLOCK, 0.5).list(), null);
    check("policy.hbl", "policy.rpz",
        ListLoader.load(resource("policy.rpz"), Format.RPZ, 0.5).list(), null);
    NameHasher keyed = NameHasher.keyed(key());
    ListInfo iwf = new ListInfo("iwf-urls", "csam", true, false, "v1", List.of());
    check("urls-locked.hbl", "urls.txt",
        ListLoader.load(iwf, keyed, Format.URLS, resource("urls.txt"), 0.5).list(), keyed);
  }

  /** {@code saved} reads back as {@code fresh}, {@code source} compiled by today's code. */
  private void check(String saved, String source, CompiledList fresh, NameHasher keyed)
      throws Exception {
    CompiledList back = ListStore.read(resource(saved), NameHasher.PLAIN, keyed);
    assertTrue(back.sameEntries(fresh), saved);
    assertTrue(fresh.sameEntries(back), saved);
    assertEquals(fresh.counts(), back.counts(), saved);
    assertEquals(CompiledList.capacityFor(back.counts().names()), back.slots(),
        saved + ": laid out again in a table of today's size");
    String text = Files.readString(resource(source));
    Set<String> names = new LinkedHashSet<>();
    List<String> urls = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("http")) {
        urls.add(line);
      }
      Matcher m = NAME.matcher(line.replace("http://", " "));
      while (m.find()) {
        if (!DomainNames.isIpv4Literal(m.group())) {
          names.add(m.group());
        }
      }
    }
    assertTrue(names.size() > 100, saved + ": names " + names.size());
    int blocked = 0;
    for (String n : names) {
      for (String q : List.of(n, "www." + n, "a.b." + n)) {
        Verdict want = fresh.match(q);
        Verdict got = back.match(q);
        assertEquals(want.describe(), got.describe(), saved + ": " + q);
        blocked += got.isBlock() ? 1 : 0;
      }
    }
    assertTrue(blocked > 0 || !urls.isEmpty(), saved + ": something blocked");
    for (String u : urls) {
      for (String q : List.of(u, u + "x", u.replace("http://", "http://www."))) {
        assertEquals(fresh.matchUrl(q).describe(), back.matchUrl(q).describe(), saved + ": " + q);
      }
    }
  }

  /** A table with no empty slot would make a lookup of a name it does not hold go round forever. */
  @Test
  void aSavedTableWithoutAFreeSlot_isRefused() throws Exception {
    CompiledList l = CompiledList.build("full", List.of(Rule.block("a.example"),
        Rule.block("b.example"), Rule.block("c.example")));
    Path saved = dir.resolve("full.hbl");
    ListStore.write(l, saved);
    byte[] bytes = Files.readAllBytes(saved);
    int first = 0;
    while (l.keyAt(first) == 0) {
      first++;
    }
    int keys = indexOf(bytes, l.keyAt(first)) - 8 * first;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    for (int i = 0; i < l.slots(); i++) {
      if (l.keyAt(i) == 0) {
        b.putLong(keys + 8 * i, 0x5EED_0000_0000_0001L + i);
      }
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    b.putLong(bytes.length - 8, crc.getValue());
    Files.write(saved, bytes);
    IOException e = assertThrows(IOException.class,
        () -> ListStore.read(saved, NameHasher.PLAIN, null));
    assertTrue(e.getMessage().contains("without a free slot"), e.getMessage());
  }

  private static int indexOf(byte[] bytes, long value) {
    byte[] want = java.nio.ByteBuffer.allocate(8).putLong(value).array();
    outer:
    for (int i = 0; i + 8 <= bytes.length; i++) {
      for (int j = 0; j < 8; j++) {
        if (bytes[i + j] != want[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("key not found in the saved file");
  }

  private static byte[] key() {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) {
      k[i] = (byte) i;
    }
    return k;
  }

  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    if (!Files.exists(p)) {
      try (InputStream in = StoredFormatsTest.class.getResourceAsStream("stored-v6/" + name)) {
        if (in == null) {
          throw new IOException("no test resource stored-v6/" + name);
        }
        Files.copy(in, p);
      }
    }
    return p;
  }
}
