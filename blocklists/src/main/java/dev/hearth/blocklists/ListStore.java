package dev.hearth.blocklists;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads compiled lists, so that a restart serves the last good version at once without
 * parsing or fetching anything. The file holds only hashes (keyed ones for locked lists) plus the
 * list's id, category and version: no entry is ever written in plain text. A CRC32C trailer
 * catches truncated or corrupted files; files are written to a temporary name, synced and renamed,
 * so a crash leaves either the old or the new file, never half of one.
 *
 * <p>The hash table is stored as the query path reads it (two little-endian longs per slot, 8-byte
 * aligned), so {@link #read} checks the file once and then maps the table read-only instead of
 * copying it to the heap. A file is never changed in place (every write is a rename), so a mapping
 * keeps the version it was read from for as long as a list uses it.
 */
public final class ListStore {
  private static final byte[] MAGIC = "HRTHLST8".getBytes(StandardCharsets.US_ASCII);
  /**
   * The format before mapped tables: keys, locations and flags in three big-endian runs; read
   * into the heap.
   */
  private static final byte[] MAGIC_7 = "HRTHLST7".getBytes(StandardCharsets.US_ASCII);
  /**
   * The format before tables of any size: the same fields, with slots chosen for power-of-two
   * tables; read and laid out again ({@link CompiledList#relaid}).
   */
  private static final byte[] MAGIC_6 = "HRTHLST6".getBytes(StandardCharsets.US_ASCII);
  /**
   * The format before per-role rule locations: read as a list whose roles share one location
   * (and laid out again, as version 6).
   */
  private static final byte[] MAGIC_5 = "HRTHLST5".getBytes(StandardCharsets.US_ASCII);

  private ListStore() {}

  /**
   * Atomically replaces {@code file} with {@code list}. Written through a 1 MiB buffer, so saving
   * a 10-million-name list needs no second copy of its tables in memory.
   */
  public static void write(CompiledList list, Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    removeAbandonedCopies(file);
    Path tmp = temporaryCopyOf(file);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        Out out = new Out(ch);
        ByteBuffer b = out.buf;
        out.room(MAGIC.length);
        b.put(MAGIC);
        ListInfo info = list.info;
        out.string(info.id());
        out.string(info.category() == null ? "" : info.category());
        out.room(1);
        b.put((byte) ((info.locked() ? 1 : 0) | (info.legalOverride() ? 2 : 0)
            | (list.mostSpecificWins ? 4 : 0)));
        out.string(info.version());
        out.room(4);
        b.putInt(info.files().size());
        for (String f : info.files()) {
          out.string(f);
        }
        out.string(list.hasher.id());
        CompiledList.Counts c = list.counts;
        out.room(6 * 4 + 8 + 4);
        for (int v : new int[] {c.names(), c.blockNames(), c.exactNames(), c.allowNames(), c.urls(),
            c.urlHosts()}) {
          b.putInt(v);
        }
        b.putLong(list.labelMask);
        int slots = list.slots();
        b.putInt(slots);
        int pad = (int) (-out.position() & 7);
        out.room(pad);
        b.put(new byte[pad]);
        b.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < slots; i++) {
          out.room(16);
          b.putLong(list.keyAt(i));
          b.putLong(list.metaAt(i));
        }
        b.order(ByteOrder.BIG_ENDIAN);
        out.room(4);
        b.putInt(list.urls.length);
        for (long v : list.urls) {
          out.room(8);
          b.putLong(v);
        }
        for (int v : list.urlLocations) {
          out.room(4);
          b.putInt(v);
        }
        out.room(4);
        b.putInt(list.urlsPerHost.size());
        for (Map.Entry<Long, Integer> e : list.urlsPerHost.entrySet()) {
          out.room(12);
          b.putLong(e.getKey());
          b.putInt(e.getValue());
        }
        out.room(4);
        b.putInt(list.localData.size());
        for (Map.Entry<Long, List<String>> e : list.localData.entrySet()) {
          out.room(12);
          b.putLong(e.getKey());
          b.putInt(e.getValue().size());
          for (String r : e.getValue()) {
            out.string(r);
          }
        }
        out.room(4);
        b.putInt(list.roleLocations.size());
        for (Map.Entry<Long, Integer> e : list.roleLocations.entrySet()) {
          out.room(12);
          b.putLong(e.getKey());
          b.putInt(e.getValue());
        }
        out.finish();
        ch.force(true);
      }
    } catch (IOException | RuntimeException e) {
      // A half-written copy (a full disk, most often) would only take the room that is
      // missing; the file in place is untouched.
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Where this process writes {@code file} before renaming it into place: a name of its own, as
   * `hearth lists rollback` may save the same list while the server does, and two writers of one
   * temporary file would interleave their bytes.
   */
  static Path temporaryCopyOf(Path file) {
    return file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
  }

  /**
   * Deletes temporary copies of {@code file} left by processes that are gone (a crash or a power
   * cut in the middle of a save), and the single temporary name of builds before format 8. A copy
   * whose process still runs is another writer's, and is left alone.
   */
  static void removeAbandonedCopies(Path file) {
    String prefix = file.getFileName() + ".";
    Path dir = file.toAbsolutePath().getParent();
    try (var entries = Files.newDirectoryStream(dir, prefix + "*tmp")) {
      for (Path p : entries) {
        String middle = p.getFileName().toString();
        middle = middle.substring(prefix.length(), middle.length() - "tmp".length());
        boolean abandoned;
        if (middle.isEmpty()) {
          abandoned = true; // "<file>.tmp": the name used before the process id was added
        } else if (middle.endsWith(".") && middle.length() > 1
            && middle.chars().limit(middle.length() - 1L).allMatch(Character::isDigit)) {
          abandoned = ProcessHandle.of(Long.parseLong(middle, 0, middle.length() - 1, 10))
              .map(h -> !h.isAlive()).orElse(true);
        } else {
          continue; // not a name this class makes
        }
        if (abandoned) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Best effort: a leftover copy only takes disk space, and the save goes on.
    }
  }

  /** A buffered channel writer that keeps a CRC32C of everything written. */
  private static final class Out {
    final FileChannel ch;
    final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    final CRC32C crc = new CRC32C();
    long flushed;

    Out(FileChannel ch) {
      this.ch = ch;
    }

    /** Offset in the file of the next byte put. */
    long position() {
      return flushed + buf.position();
    }

    void room(int n) throws IOException {
      if (buf.remaining() < n) {
        flush();
      }
    }

    void string(String s) throws IOException {
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      if (u.length + 4 > buf.capacity()) {
        throw new IOException("string too long to store");
      }
      room(4 + u.length);
      buf.putInt(u.length);
      buf.put(u);
    }

    void flush() throws IOException {
      buf.flip();
      crc.update(buf.array(), 0, buf.limit());
      flushed += buf.limit();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      buf.clear();
    }

    void finish() throws IOException {
      flush();
      buf.putLong(crc.getValue());
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  /**
   * Reads a list written by {@link #write}. {@code hasher} must be the one the list was built
   * with (the key of locked lists); a list hashed otherwise is refused, never matched wrongly.
   *
   * @throws IOException with a readable reason for a missing, truncated, corrupt or foreign file
   */
  public static CompiledList read(Path file, NameHasher plain, NameHasher keyed)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < MAGIC.length + 8) {
        throw new IOException(file + ": not a compiled Hearth list");
      }
      In b = new In(ch, size - 8);
      byte[] magic = new byte[MAGIC.length];
      b.need(MAGIC.length);
      b.buf.get(magic);
      int format = Arrays.equals(magic, MAGIC) ? 8 : Arrays.equals(magic, MAGIC_7) ? 7
          : Arrays.equals(magic, MAGIC_6) ? 6 : Arrays.equals(magic, MAGIC_5) ? 5 : 0;
      if (format == 0) {
        throw new IOException(file + ": not a compiled Hearth list (or one from an older version)");
      }
      CompiledList list = null;
      IOException parseError = null;
      try {
        list = parse(file, ch, b, plain, keyed, format);
      } catch (IOException e) {
        parseError = e; // reported only if the checksum is right: corruption explains it otherwise
      }
      b.drain();
      ByteBuffer trailer = ByteBuffer.allocate(8);
      while (trailer.hasRemaining() && ch.read(trailer, size - 8 + trailer.position()) > 0) {
        // read the stored checksum
      }
      if (trailer.hasRemaining() || b.crc.getValue() != trailer.flip().getLong()) {
        throw new IOException(file + ": checksum mismatch (truncated or corrupted)");
      }
      if (parseError != null) {
        throw parseError;
      }
      return list;
    }
  }

  /** Whether an empty table, or one with at least one zero key (every {@code step}-th long). */
  private static boolean hasFreeSlot(long[] table, int step) {
    if (table.length == 0) {
      return true;
    }
    for (int i = 0; i < table.length; i += step) {
      if (table[i] == 0) {
        return true;
      }
    }
    return false;
  }

  /** The list's fields; a malformed file throws (its checksum is checked after). */
  private static CompiledList parse(Path file, FileChannel ch, In b, NameHasher plain,
      NameHasher keyed, int format) throws IOException {
    boolean withRoleLocations = format >= 6;
    boolean olderLayout = format <= 6;
    try {
      String id = getString(b);
      String category = getString(b);
      int flags = b.get();
      String version = getString(b);
      int nFiles = b.getInt();
      List<String> files = new ArrayList<>();
      for (int i = 0; i < nFiles; i++) {
        files.add(getString(b));
      }
      String hasherId = getString(b);
      NameHasher hasher;
      if (hasherId.equals(plain.id())) {
        hasher = plain;
      } else if (keyed != null && hasherId.equals(keyed.id())) {
        hasher = keyed;
      } else {
        throw new IOException(file + ": hashed with " + hasherId
            + ", which is not the key in use; it must be rebuilt from its source");
      }
      CompiledList.Counts counts = new CompiledList.Counts(b.getInt(), b.getInt(), b.getInt(),
          b.getInt(), b.getInt(), b.getInt());
      long labelMask = b.getLong();
      int cap = checkedLength(b.getInt(), b, 14);
      SavedTable saved = null;
      long[] table = null;
      if (format >= 8) {
        saved = readTable(ch, b, cap);
      } else {
        table = new long[2 * cap];
        for (int i = 0; i < cap; i++) {
          table[2 * i] = b.getLong();
        }
        for (int i = 0; i < cap; i++) {
          table[2 * i + 1] = CompiledList.meta(b.getInt(), 0);
        }
        for (int i = 0; i < cap; i++) {
          long meta = table[2 * i + 1];
          table[2 * i + 1] = CompiledList.meta(CompiledList.locationOfMeta(meta), b.getShort());
        }
      }
      long[] urls = new long[checkedLength(b.getInt(), b, 12)];
      for (int i = 0; i < urls.length; i++) {
        urls[i] = b.getLong();
      }
      int[] urlLocations = new int[urls.length];
      for (int i = 0; i < urls.length; i++) {
        urlLocations[i] = b.getInt();
      }
      int nHosts = checkedLength(b.getInt(), b, 12);
      Map<Long, Integer> perHost = new HashMap<>();
      for (int i = 0; i < nHosts; i++) {
        perHost.put(b.getLong(), b.getInt());
      }
      int nData = checkedLength(b.getInt(), b, 12);
      Map<Long, List<String>> data = new HashMap<>();
      for (int i = 0; i < nData; i++) {
        long k = b.getLong();
        int n = checkedLength(b.getInt(), b, 4);
        List<String> recs = new ArrayList<>();
        for (int j = 0; j < n; j++) {
          recs.add(getString(b));
        }
        data.put(k, List.copyOf(recs));
      }
      Map<Long, Integer> roleLocations = new HashMap<>();
      if (withRoleLocations) {
        int nRoles = checkedLength(b.getInt(), b, 12);
        for (int i = 0; i < nRoles; i++) {
          roleLocations.put(b.getLong(), b.getInt());
        }
      }
      if (olderLayout) {
        table = CompiledList.relaid(table);
        long[] urlSlots = new long[2 * urls.length];
        for (int i = 0; i < urls.length; i++) {
          urlSlots[2 * i] = urls[i];
          urlSlots[2 * i + 1] = urlLocations[i];
        }
        urlSlots = CompiledList.relaid(urlSlots);
        urls = new long[urlSlots.length / 2];
        urlLocations = new int[urls.length];
        for (int i = 0; i < urls.length; i++) {
          urls[i] = urlSlots[2 * i];
          urlLocations[i] = (int) urlSlots[2 * i + 1];
        }
      }
      if (saved == null) {
        saved = SavedTable.onHeap(table);
      }
      if (!saved.anyFree() || !hasFreeSlot(urls, 1)) {
        throw new IOException(file + ": a table without a free slot"); // a lookup would not end
      }
      ListInfo info = new ListInfo(id, category.isEmpty() ? null : category, (flags & 1) != 0,
          (flags & 2) != 0, version, files);
      if (saved.mapping() != null) {
        return new CompiledList(info, hasher, saved.mapping(), saved.fingerprints(),
            saved.anyImportant(), Map.copyOf(data), Map.copyOf(roleLocations), urls,
            urlLocations, Map.copyOf(perHost), counts, (flags & 4) != 0, labelMask);
      }
      return new CompiledList(info, hasher, saved.heap(), Map.copyOf(data),
          Map.copyOf(roleLocations), urls, urlLocations, Map.copyOf(perHost), counts,
          (flags & 4) != 0, labelMask);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new IOException(file + ": malformed compiled list");
    }
  }

  /**
   * A saved table as read: mapped, with what the lookups need from the heap (its fingerprints
   * and {@code $important} flag), or on the {@link #heap} (older formats; an empty table; one too
   * big for one mapping, over ~130 million slots). Either way, whether it has a free slot.
   */
  private record SavedTable(long[] heap, ByteBuffer mapping, byte[] fingerprints,
      boolean anyImportant, boolean anyFree) {
    static SavedTable onHeap(long[] table) {
      return new SavedTable(table, null, null, false, hasFreeSlot(table, 2));
    }
  }

  /**
   * Reads a format-8 table once, through {@code b} (so the checksum covers it), for its
   * fingerprints and flags, then maps it. Reading through the buffer and not the mapping keeps
   * the mapping's pages out of this process until lookups touch them.
   */
  private static SavedTable readTable(FileChannel ch, In b, int cap) throws IOException {
    while ((b.position() & 7) != 0) {
      b.get();
    }
    long offset = b.position();
    long bytes = 16L * cap;
    if (bytes > b.remaining()) {
      throw new IOException("malformed compiled list (bad length " + cap + ")");
    }
    boolean inHeap = cap == 0 || bytes > Integer.MAX_VALUE;
    long[] heap = inHeap ? new long[2 * cap] : null;
    byte[] fp = inHeap ? null : new byte[cap];
    boolean important = false;
    boolean anyFree = cap == 0;
    b.buf.order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (int i = 0; i < cap; i++) {
        b.need(16);
        long key = b.buf.getLong();
        long meta = b.buf.getLong();
        if (inHeap) {
          heap[2 * i] = key;
          heap[2 * i + 1] = meta;
        } else if (key == 0) {
          anyFree = true;
        } else {
          fp[i] = CompiledList.fingerprint(key);
          important |= CompiledList.isImportant(meta);
        }
      }
    } finally {
      b.buf.order(ByteOrder.BIG_ENDIAN);
    }
    if (inHeap) {
      return SavedTable.onHeap(heap);
    }
    ByteBuffer mapping = ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes);
    return new SavedTable(null, mapping, fp, important, anyFree);
  }

  /** Reads the data part of a saved list through a 1 MiB buffer, keeping its CRC32C. */
  private static final class In {
    final FileChannel ch;
    final long end;
    final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    final CRC32C crc = new CRC32C();
    long readPos;

    In(FileChannel ch, long end) {
      this.ch = ch;
      this.end = end;
      buf.limit(0);
    }

    /** Makes {@code n} bytes available or throws BufferUnderflowException. */
    void need(int n) throws IOException {
      if (buf.remaining() >= n) {
        return;
      }
      buf.compact();
      while (buf.position() < n && readPos < end) {
        int start = buf.position();
        buf.limit((int) Math.min(buf.capacity(), start + (end - readPos)));
        int r = ch.read(buf, readPos);
        if (r <= 0) {
          break;
        }
        crc.update(buf.array(), start, r);
        readPos += r;
      }
      buf.flip();
      if (buf.remaining() < n) {
        throw new java.nio.BufferUnderflowException();
      }
    }

    /** Bytes not yet consumed. */
    long remaining() {
      return (end - readPos) + buf.remaining();
    }

    /** Offset in the file of the next byte to consume. */
    long position() {
      return readPos - buf.remaining();
    }

    int getInt() throws IOException {
      need(4);
      return buf.getInt();
    }

    long getLong() throws IOException {
      need(8);
      return buf.getLong();
    }

    short getShort() throws IOException {
      need(2);
      return buf.getShort();
    }

    byte get() throws IOException {
      need(1);
      return buf.get();
    }

    /** Reads (and checksums) whatever the parser did not consume. */
    void drain() throws IOException {
      buf.clear();
      while (readPos < end) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - readPos));
        int r = ch.read(buf, readPos);
        if (r <= 0) {
          break;
        }
        crc.update(buf.array(), 0, r);
        readPos += r;
      }
    }
  }

  private static int checkedLength(int n, In b, int bytesEach) throws IOException {
    if (n < 0 || (long) n * bytesEach > b.remaining()) {
      throw new IOException("malformed compiled list (bad length " + n + ")");
    }
    return n;
  }

  private static String getString(In b) throws IOException {
    int n = b.getInt();
    if (n < 0 || n > b.remaining() || n > (1 << 20) - 8) {
      throw new IOException("malformed compiled list (bad string length)");
    }
    byte[] u = new byte[n];
    b.need(n);
    b.buf.get(u);
    return new String(u, StandardCharsets.UTF_8);
  }
}
