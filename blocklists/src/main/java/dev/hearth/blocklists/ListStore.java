package dev.hearth.blocklists;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes and reads compiled lists, so that a restart serves the last good version at once without
 * parsing or fetching anything. The file holds only hashes (keyed ones for locked lists) plus the
 * list's id, category and version: no entry is ever written in plain text. A SHA-256 trailer
 * catches truncated or corrupted files; files are written to a temporary name, synced and renamed,
 * so a crash leaves either the old or the new file, never half of one.
 */
public final class ListStore {
  private static final byte[] MAGIC = "HRTHLST4".getBytes(StandardCharsets.US_ASCII);

  private ListStore() {}

  /** Atomically replaces {@code file} with {@code list}. */
  public static void write(CompiledList list, Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size(list));
    b.put(MAGIC);
    ListInfo info = list.info;
    putString(b, info.id());
    putString(b, info.category() == null ? "" : info.category());
    b.put((byte) ((info.locked() ? 1 : 0) | (info.legalOverride() ? 2 : 0)
        | (list.mostSpecificWins ? 4 : 0)));
    putString(b, info.version());
    b.putInt(info.files().size());
    for (String f : info.files()) {
      putString(b, f);
    }
    putString(b, list.hasher.id());
    CompiledList.Counts c = list.counts;
    for (int v : new int[] {c.names(), c.blockNames(), c.exactNames(), c.allowNames(), c.urls(),
        c.urlHosts()}) {
      b.putInt(v);
    }
    b.putLong(list.labelMask);
    b.putInt(list.keys.length);
    b.asLongBuffer().put(list.keys);
    b.position(b.position() + 8 * list.keys.length);
    b.asIntBuffer().put(list.locations);
    b.position(b.position() + 4 * list.locations.length);
    b.asShortBuffer().put(list.flags);
    b.position(b.position() + 2 * list.flags.length);
    b.putInt(list.urls.length);
    b.asLongBuffer().put(list.urls);
    b.position(b.position() + 8 * list.urls.length);
    b.asIntBuffer().put(list.urlLocations);
    b.position(b.position() + 4 * list.urlLocations.length);
    b.putInt(list.urlsPerHost.size());
    for (Map.Entry<Long, Integer> e : list.urlsPerHost.entrySet()) {
      b.putLong(e.getKey());
      b.putInt(e.getValue());
    }
    b.putInt(list.localData.size());
    for (Map.Entry<Long, List<String>> e : list.localData.entrySet()) {
      b.putLong(e.getKey());
      b.putInt(e.getValue().size());
      for (String s : e.getValue()) {
        putString(b, s);
      }
    }
    MessageDigest sha = ListLoader.sha256();
    sha.update(b.array(), 0, b.position());
    b.put(sha.digest());
    b.flip();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
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
    byte[] all = Files.readAllBytes(file);
    if (all.length < MAGIC.length + 32
        || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
      throw new IOException(file + ": not a compiled Hearth list");
    }
    MessageDigest sha = ListLoader.sha256();
    sha.update(all, 0, all.length - 32);
    if (!MessageDigest.isEqual(sha.digest(), Arrays.copyOfRange(all, all.length - 32,
        all.length))) {
      throw new IOException(file + ": checksum mismatch (truncated or corrupted)");
    }
    ByteBuffer b = ByteBuffer.wrap(all, 0, all.length - 32);
    b.position(MAGIC.length);
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
      long[] keys = new long[cap];
      b.asLongBuffer().get(keys);
      b.position(b.position() + 8 * cap);
      int[] locations = new int[cap];
      b.asIntBuffer().get(locations);
      b.position(b.position() + 4 * cap);
      short[] fl = new short[cap];
      b.asShortBuffer().get(fl);
      b.position(b.position() + 2 * cap);
      long[] urls = new long[checkedLength(b.getInt(), b, 8)];
      b.asLongBuffer().get(urls);
      b.position(b.position() + 8 * urls.length);
      if (4L * urls.length > b.remaining()) {
        throw new IOException(file + ": malformed compiled list (URL locations)");
      }
      int[] urlLocations = new int[urls.length];
      b.asIntBuffer().get(urlLocations);
      b.position(b.position() + 4 * urls.length);
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
      if ((cap & (cap - 1)) != 0 || (urls.length & (urls.length - 1)) != 0) {
        throw new IOException(file + ": table size is not a power of two");
      }
      ListInfo info = new ListInfo(id, category.isEmpty() ? null : category, (flags & 1) != 0,
          (flags & 2) != 0, version, files);
      return new CompiledList(info, hasher, keys, locations, fl, Map.copyOf(data), urls,
          urlLocations,
          Map.copyOf(perHost), counts, (flags & 4) != 0, labelMask);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new IOException(file + ": malformed compiled list");
    }
  }

  private static int checkedLength(int n, ByteBuffer b, int bytesEach) throws IOException {
    if (n < 0 || (long) n * bytesEach > b.remaining()) {
      throw new IOException("malformed compiled list (bad length " + n + ")");
    }
    return n;
  }

  private static int size(CompiledList l) {
    long n = MAGIC.length + 64 + 4 * 8 + 32;
    ListInfo i = l.info;
    n += strSize(i.id()) + strSize(i.category() == null ? "" : i.category())
        + strSize(i.version()) + strSize(l.hasher.id());
    for (String f : i.files()) {
      n += strSize(f);
    }
    n += 14L * l.keys.length + 12L * l.urls.length + 12L * l.urlsPerHost.size();
    for (List<String> v : l.localData.values()) {
      n += 12;
      for (String s : v) {
        n += strSize(s);
      }
    }
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("list too large to store: " + n + " bytes");
    }
    return (int) n;
  }

  private static int strSize(String s) {
    return 4 + s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void putString(ByteBuffer b, String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    b.putInt(u.length);
    b.put(u);
  }

  private static String getString(ByteBuffer b) throws IOException {
    int n = b.getInt();
    if (n < 0 || n > b.remaining() || n > 1 << 20) {
      throw new IOException("malformed compiled list (bad string length)");
    }
    byte[] u = new byte[n];
    b.get(u);
    return new String(u, StandardCharsets.UTF_8);
  }
}
