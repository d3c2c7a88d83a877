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
 * a power-of-two size) from the source lists in that directory; those in {@code stored-v7/} by
 * the code of commit 1c6638e (format {@code HRTHLST7}: keys, locations and flags in three
 * big-endian runs) from the same sources. {@code urls-locked.hbl} is {@code urls.txt} as a
 * locked list, keyed with the bytes 0..31. Today's format is mapped instead of read into the heap.
 */
class StoredFormatsTest {
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)+");

  @TempDir
  Path dir;

  @Test
  void listsSavedInFormat6_readBackWithTheSameEntriesAndVerdicts() throws Exception {
    checkAll(name -> resource("stored-v6/" + name), false, true);
  }

  @Test
  void listsSavedInFormat7_readBackWithTheSameEntriesAndVerdicts() throws Exception {
    checkAll(name -> resource("stored-v7/" + name), false, false);
  }

  /** The same lists saved by today's code come back with a mapped table and the same verdicts. */
  @Test
  void listsSavedNow_areMappedAndReadBackWithTheSameEntriesAndVerdicts() throws Exception {
    NameHasher keyed = NameHasher.keyed(key());
    for (String[] f : new String[][] {{"adblock.hbl", "adblock.txt"},
        {"policy.hbl", "policy.rpz"}, {"urls-locked.hbl", "urls.txt"}}) {
      CompiledList fresh = compile(f[1], keyed);
      ListStore.write(fresh, dir.resolve("now-" + f[0]));
    }
    checkAll(name -> name.endsWith(".hbl") ? dir.resolve("now-" + name)
        : resource("stored-v6/" + name), true, false);
  }

  private interface SavedFiles {
    Path get(String name) throws IOException;
  }

  /**
   * @param relaid whether the tables were saved with another slot rule, so they come back laid
   *     out again in a table of today's size
   */
  private void checkAll(SavedFiles files, boolean mapped, boolean relaid) throws Exception {
    NameHasher keyed = NameHasher.keyed(key());
    check(files, "adblock.hbl", "adblock.txt", keyed, mapped, relaid);
    check(files, "policy.hbl", "policy.rpz", keyed, mapped, relaid);
    check(files, "urls-locked.hbl", "urls.txt", keyed, mapped, relaid);
  }

  /** {@code source} (in {@code stored-v6/}) compiled by today's code. */
  private CompiledList compile(String source, NameHasher keyed) throws Exception {
    Path src = resource("stored-v6/" + source);
    if (source.equals("urls.txt")) {
      ListInfo iwf = new ListInfo("iwf-urls", "csam", true, false, "v1", List.of());
      return ListLoader.load(iwf, keyed, Format.URLS, src, 0.5).list();
    }
    return ListLoader.load(src, source.endsWith(".rpz") ? Format.RPZ : Format.ADBLOCK, 0.5)
        .list();
  }

  /** {@code saved} reads back as {@code source} compiled by today's code. */
  private void check(SavedFiles files, String saved, String source, NameHasher keyed,
      boolean mapped, boolean relaid) throws Exception {
    CompiledList fresh = compile(source, keyed);
    CompiledList back = ListStore.read(files.get(saved), NameHasher.PLAIN, keyed);
    assertEquals(mapped, back.isMapped(), saved + ": mapped");
    assertEquals(mapped ? 16L * back.slots() : 0, back.mappedBytes(), saved);
    assertTrue(back.sameEntries(fresh), saved);
    assertTrue(fresh.sameEntries(back), saved);
    assertEquals(fresh.counts(), back.counts(), saved);
    assertEquals(relaid ? CompiledList.capacityFor(back.counts().names()) : fresh.slots(),
        back.slots(), saved + ": slots");
    String text = Files.readString(resource("stored-v6/" + source));
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

  /**
   * Whether a list has {@code $important} rules is taken while a saved file is read, not from
   * the mapped table: it must still let such a block beat an allow on a parent.
   */
  @Test
  void anImportantBlock_stillBeatsAnAllowOnceTheTableIsMapped() throws Exception {
    Path src = Files.writeString(dir.resolve("important.txt"),
        "@@||ok.example^\n||ads.ok.example^$important\n");
    CompiledList l = ListLoader.load(src, Format.ADBLOCK, 0.5).list();
    assertTrue(l.match("ads.ok.example").isBlock(), "as compiled");
    Path saved = dir.resolve("important.hbl");
    ListStore.write(l, saved);
    CompiledList back = ListStore.read(saved, NameHasher.PLAIN, null);
    assertTrue(back.isMapped());
    assertTrue(back.match("ads.ok.example").isBlock(), back.match("ads.ok.example").describe());
    assertTrue(back.match("www.ok.example").isAllow());
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
    // Today's table: a key and a metadata word per slot, little-endian.
    int keys = indexOf(bytes, l.keyAt(first)) - 16 * first;
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < l.slots(); i++) {
      if (l.keyAt(i) == 0) {
        b.putLong(keys + 16 * i, 0x5EED_0000_0000_0001L + i);
      }
    }
    b.order(java.nio.ByteOrder.BIG_ENDIAN);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, bytes.length - 8);
    b.putLong(bytes.length - 8, crc.getValue());
    Files.write(saved, bytes);
    IOException e = assertThrows(IOException.class,
        () -> ListStore.read(saved, NameHasher.PLAIN, null));
    assertTrue(e.getMessage().contains("without a free slot"), e.getMessage());
  }

  private static int indexOf(byte[] bytes, long value) {
    byte[] want = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putLong(value).array();
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
      Files.createDirectories(p.getParent());
      try (InputStream in = StoredFormatsTest.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IOException("no test resource " + name);
        }
        Files.copy(in, p);
      }
    }
    return p;
  }
}
