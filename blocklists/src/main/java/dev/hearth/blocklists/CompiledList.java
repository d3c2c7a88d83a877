package dev.hearth.blocklists;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one list in a form made for the query path: one open-addressing table of 64-bit
 * name hashes (at most 70 % full) with, per slot, the rule's source location and a few flag
 * bits; no Strings. A million names take 23 MB: on the heap when just compiled, in a read-only
 * mapping of the saved file when read back ({@link #isMapped}).
 *
 * <p>Since only hashes are stored, a name that is not listed matches by accident with probability
 * about n / 2^64 per suffix checked (n = listed names); for n = 10^6 that is ~5e-14, i.e. never in
 * practice. Locked lists use a {@link NameHasher#keyed keyed} hash, so their tables reveal nothing
 * without the key. Immutable and safe to share between threads.
 *
 * <p>URL entries (e.g. the IWF URL list) are kept as hashes of the normalised URL; their hosts are
 * marked so that a lookup of such a host returns a {@link Verdict.Action#URLS URL-level} verdict
 * instead of blocking the whole host.
 */
public final class CompiledList {
  static final int BLOCK_SELF = 1;
  static final int BLOCK_BELOW = 2;
  static final int ALLOW_SELF = 4;
  static final int ALLOW_BELOW = 8;
  static final int URL_HOST = 16;
  static final int SELF_ACTION_SHIFT = 5;
  static final int BELOW_ACTION_SHIFT = 7;
  static final int IMPORTANT_BLOCK = 1 << 9;
  static final int IMPORTANT_ALLOW = 1 << 10;
  /**
   * Some role of this slot (see {@link #ROLES}) came from another rule than the slot's first one:
   * its location is in {@link #roleLocations}. Rare (e.g. RPZ {@code name} and {@code *.name}),
   * so a hit on an ordinary slot never looks there.
   */
  static final int OTHER_LOCATIONS = 1 << 11;
  /** The flags whose rules a verdict can name; each keeps the line of the first rule that set it. */
  static final int[] ROLES = {BLOCK_SELF, BLOCK_BELOW, ALLOW_SELF, ALLOW_BELOW, URL_HOST};
  private static final BlockAction[] ACTIONS = BlockAction.values();
  private static final long BELOW_SALT = 0x5bd1e9955bd1e995L;

  final ListInfo info;
  final NameHasher hasher;
  /**
   * The hash table, two longs per slot so that a hit costs one memory read: {@code table[2i]} is
   * the key (0 = empty), {@code table[2i + 1]} the slot's metadata, the rule's location in the
   * upper 32 bits and its flags in the lower 16 ({@link #meta}).
   */
  final long[] table;
  /**
   * The same two words per slot, little-endian, in a read-only mapping of the saved file this
   * list was read from ({@link ListStore#read}); then {@link #table} is null. The kernel keeps
   * those pages in its page cache, shared and reclaimable, and the heap holds only
   * {@link #fingerprints}: a restart needs no copy of the table, and a full collection never
   * moves it.
   */
  final ByteBuffer mapped;
  /**
   * One byte per slot: 0 for empty, else 8 bits of the slot's key. Probing reads this 1.4 MB
   * array (per million names, mostly in CPU cache) and touches {@link #table} (23 MB, main memory)
   * only when the fingerprint matches, so an unlisted name rarely costs a memory round trip.
   */
  final byte[] fingerprints;
  final Map<Long, List<String>> localData;
  /**
   * For slots flagged {@link #OTHER_LOCATIONS}: the location of the rule behind one role, keyed by
   * {@link #roleKey}, where it differs from the slot's own (first rule's) location.
   */
  final Map<Long, Integer> roleLocations;
  final long[] urls;
  /** Source location of each URL in {@link #urls} (same slots). */
  final int[] urlLocations;
  final Map<Long, Integer> urlsPerHost;
  final Counts counts;
  /** RPZ semantics: the most specific matching rule decides, an allow on a parent does not. */
  final boolean mostSpecificWins;
  /**
   * Bit {@code min(labels, 63)} is set when some entry has that many labels: suffixes of other
   * lengths cannot match and are not probed (most lists have no one-label names, so the TLD of
   * every query is skipped, and so are long suffixes no entry has).
   */
  final long labelMask;
  /** Some rule is AdBlock {@code $important}: lookups then check every suffix. */
  final boolean anyImportant;

  /** What a list holds, counted once at build time. */
  public record Counts(int names, int blockNames, int exactNames, int allowNames, int urls,
      int urlHosts) {}

  CompiledList(ListInfo info, NameHasher hasher, long[] table,
      Map<Long, List<String>> localData, Map<Long, Integer> roleLocations, long[] urls,
      int[] urlLocations, Map<Long, Integer> urlsPerHost, Counts counts, boolean mostSpecificWins,
      long labelMask) {
    this(info, hasher, table, null, fingerprintsOf(table), anyImportant(table), localData,
        roleLocations, urls, urlLocations, urlsPerHost, counts, mostSpecificWins, labelMask);
  }

  /**
   * A list whose table is {@code mapped} (see {@link #mapped}), with its fingerprints and
   * {@code $important} flag taken while the file was read, so that nothing here touches the
   * mapping.
   */
  CompiledList(ListInfo info, NameHasher hasher, ByteBuffer mapped, byte[] fingerprints,
      boolean anyImportant, Map<Long, List<String>> localData,
      Map<Long, Integer> roleLocations, long[] urls, int[] urlLocations,
      Map<Long, Integer> urlsPerHost, Counts counts, boolean mostSpecificWins, long labelMask) {
    this(info, hasher, null, mapped.order(ByteOrder.LITTLE_ENDIAN), fingerprints, anyImportant,
        localData, roleLocations, urls, urlLocations, urlsPerHost, counts, mostSpecificWins,
        labelMask);
    if (mapped.capacity() != 16L * fingerprints.length) {
      throw new IllegalArgumentException("mapped table of the wrong size");
    }
  }

  private CompiledList(ListInfo info, NameHasher hasher, long[] table, ByteBuffer mapped,
      byte[] fingerprints, boolean anyImportant, Map<Long, List<String>> localData,
      Map<Long, Integer> roleLocations, long[] urls, int[] urlLocations,
      Map<Long, Integer> urlsPerHost, Counts counts, boolean mostSpecificWins, long labelMask) {
    this.roleLocations = roleLocations;
    this.labelMask = labelMask;
    this.urlLocations = urlLocations;
    this.mostSpecificWins = mostSpecificWins;
    this.fingerprints = fingerprints;
    this.anyImportant = anyImportant;
    this.info = info;
    this.hasher = hasher;
    this.table = table;
    this.mapped = mapped;
    this.localData = localData;
    this.urls = urls;
    this.urlsPerHost = urlsPerHost;
    this.counts = counts;
  }

  private static byte[] fingerprintsOf(long[] table) {
    if ((table.length & 1) != 0) {
      throw new IllegalArgumentException("table length must be even");
    }
    byte[] fp = new byte[table.length / 2];
    for (int i = 0; i < fp.length; i++) {
      long k = table[2 * i];
      if (k != 0) {
        fp[i] = fingerprint(k);
      }
    }
    return fp;
  }

  private static boolean anyImportant(long[] table) {
    for (int i = 1; i < table.length; i += 2) {
      if (isImportant(table[i])) {
        return true;
      }
    }
    return false;
  }

  /** Whether a slot's metadata word is that of an AdBlock {@code $important} rule. */
  static boolean isImportant(long meta) {
    return (flagsOfMeta(meta) & (IMPORTANT_BLOCK | IMPORTANT_ALLOW)) != 0;
  }

  /** Compiles {@code rules}, whose names must already be {@link DomainNames#normalize normalized}. */
  public static CompiledList build(String listName, Iterable<Rule> rules) {
    Builder b = builder(listName);
    for (Rule r : rules) {
      b.add(r);
    }
    return b.build();
  }

  public static Builder builder(String listName) {
    return new Builder(ListInfo.named(listName), NameHasher.PLAIN);
  }

  public static Builder builder(ListInfo info, NameHasher hasher) {
    return new Builder(info, hasher);
  }

  public String name() {
    return info.id();
  }

  public ListInfo info() {
    return info;
  }

  public NameHasher hasher() {
    return hasher;
  }

  public Counts counts() {
    return counts;
  }

  /** Distinct names blocked with their subtree (or subdomains). */
  public int blockCount() {
    return counts.blockNames;
  }

  /** Distinct names blocked exactly (without their subdomains). */
  public int exactCount() {
    return counts.exactNames;
  }

  /** Distinct allowed names. */
  public int allowCount() {
    return counts.allowNames;
  }

  /** Hosts that have listed URLs but are not blocked as a whole. */
  public int urlHostCount() {
    return counts.urlHosts;
  }

  /** Approximate heap used by the tables (a {@link #isMapped mapped} table is not on the heap). */
  public long tableBytes() {
    return (mapped != null ? 1L : 17L) * fingerprints.length + 12L * urls.length
        + 64L * (localData.size() + urlsPerHost.size() + roleLocations.size());
  }

  /** Bytes of the saved file mapped for the table (0 for a table on the heap). */
  public long mappedBytes() {
    return mapped == null ? 0 : mapped.capacity();
  }

  /**
   * True when the two lists hold the same entries (whatever their versions, and wherever their
   * tables keep them). Both must use the same hasher.
   */
  public boolean sameEntries(CompiledList other) {
    return counts.names == other.counts.names && counts.urls == other.counts.urls
        && addedSince(other) == 0 && localData.equals(other.localData);
  }

  /**
   * Entries of this list not in {@code older} (by name and URL key; a name whose rule changed
   * counts as changed once in each direction). Both must use the same hasher.
   */
  public int addedSince(CompiledList older) {
    int n = 0;
    for (int i = 0; i < slots(); i++) {
      if (keyAt(i) != 0 && older.flagsOf(keyAt(i)) != entryFlagsAt(i)) {
        n++;
      }
    }
    for (long u : urls) {
      if (u != 0 && !contains(older.urls, u)) {
        n++;
      }
    }
    return n;
  }

  /** The number of names and URLs, the measure for shrink and growth limits. */
  public int size() {
    return counts.names + counts.urls;
  }

  private int flagsOf(long key) {
    int s = find(key);
    return s < 0 ? -1 : entryFlagsAt(s);
  }

  /** A slot's flags without {@link #OTHER_LOCATIONS}: what the entry does, not where it is. */
  private int entryFlagsAt(int slot) {
    return flagsAt(slot) & ~OTHER_LOCATIONS;
  }

  /** Number of slots in the hash table ({@link #capacityFor} of the names, or 0). */
  int slots() {
    return fingerprints.length;
  }

  /** Word {@code i} of the table, wherever it is kept. */
  private long word(int i) {
    long[] t = table;
    return t != null ? t[i] : mapped.getLong(i << 3);
  }

  long keyAt(int slot) {
    return word(2 * slot);
  }

  /** A slot's metadata word ({@link #meta}). */
  long metaAt(int slot) {
    return word(2 * slot + 1);
  }

  int flagsAt(int slot) {
    return flagsOfMeta(metaAt(slot));
  }

  int locationAt(int slot) {
    return locationOfMeta(metaAt(slot));
  }

  /** Whether the table is read from a mapping of the saved file instead of the heap. */
  public boolean isMapped() {
    return mapped != null;
  }

  /**
   * Location of the rule that gave slot {@code slot} its {@code role} flag (one of {@link #ROLES}):
   * the first rule that blocked (or allowed) the name itself, or its subdomains.
   */
  int locationAt(int slot, int role) {
    long m = metaAt(slot);
    if ((flagsOfMeta(m) & OTHER_LOCATIONS) == 0) {
      return locationOfMeta(m);
    }
    Integer other = roleLocations.get(roleKey(keyAt(slot), role));
    return other != null ? other : locationOfMeta(m);
  }

  /** Key of a slot's role in {@link #roleLocations}. */
  static long roleKey(long key, int role) {
    return key ^ (BELOW_SALT * (Integer.numberOfTrailingZeros(role) + 3));
  }

  /** A slot's metadata word: the rule's location above its 16 flag bits. */
  static long meta(int location, int flags) {
    return ((long) location << 32) | (flags & 0xFFFFL);
  }

  static int flagsOfMeta(long meta) {
    return (int) (meta & 0xFFFF);
  }

  static int locationOfMeta(long meta) {
    return (int) (meta >>> 32);
  }

  /**
   * Looks up an uncompressed wire-format name ({@code \3www\7example\3com\0}) and each of its
   * parents, most specific first, without creating Strings. An allow on any suffix wins; otherwise
   * the most specific block is returned; a host that only has listed URLs gets a URL-level verdict.
   *
   * @throws IllegalArgumentException if {@code wireName} is not a well-formed uncompressed name
   */
  public Verdict match(byte[] wireName) {
    Suffixes sx = Suffixes.SCRATCH.get();
    sx.of(wireName, hasher == NameHasher.PLAIN);
    return match(wireName, sx);
  }

  /** {@link #match(byte[])} with the suffix offsets (and plain hashes, if computed) given. */
  Verdict match(byte[] wireName, Suffixes sx) {
    if (counts.names == 0) {
      return Verdict.NONE;
    }
    boolean plain = hasher == NameHasher.PLAIN && sx.hashed;
    int end = sx.end;
    if (anyImportant) {
      return matchWithImportant(wireName, sx);
    }
    boolean anyAllow = counts.allowNames != 0 && !mostSpecificWins;
    int blockSlot = -1;
    int blockOff = 0;
    boolean blockSelf = false;
    int urlSlot = -1;
    for (int k = 0; k < sx.n; k++) {
      if ((labelMask & (1L << Math.min(sx.n - k, 63))) == 0) {
        continue;
      }
      int off = sx.offsets[k];
      int slot = find(plain ? sx.hashes[k] : hasher.hashName(wireName, off, end));
      if (slot < 0) {
        continue;
      }
      int f = flagsAt(slot);
      boolean self = off == 0;
      if ((f & (self ? ALLOW_SELF : ALLOW_BELOW)) != 0) {
        return Verdict.allow(info, locationAt(slot, self ? ALLOW_SELF : ALLOW_BELOW), wireName,
            off);
      }
      if (blockSlot < 0 && (f & (self ? BLOCK_SELF : BLOCK_BELOW)) != 0) {
        blockSlot = slot;
        blockOff = off;
        blockSelf = self;
        if (!anyAllow) {
          break;
        }
      }
      if (self && (f & URL_HOST) != 0) {
        urlSlot = slot;
      }
    }
    return blockOrUrls(wireName, blockSlot, blockOff, blockSelf, urlSlot);
  }

  /**
   * The slow path for lists with {@code $important} rules: an important exception anywhere wins,
   * then an important block anywhere, then the ordinary rules as usual.
   */
  private Verdict matchWithImportant(byte[] wireName, Suffixes sx) {
    boolean plain = hasher == NameHasher.PLAIN && sx.hashed;
    int allowSlot = -1;
    int allowOff = 0;
    int blockSlot = -1;
    int blockOff = 0;
    int impBlockSlot = -1;
    int impBlockOff = 0;
    int urlSlot = -1;
    for (int k = 0; k < sx.n; k++) {
      if ((labelMask & (1L << Math.min(sx.n - k, 63))) == 0) {
        continue;
      }
      int off = sx.offsets[k];
      int slot = find(plain ? sx.hashes[k] : hasher.hashName(wireName, off, sx.end));
      if (slot < 0) {
        continue;
      }
      int f = flagsAt(slot);
      boolean self = off == 0;
      boolean allows = (f & (self ? ALLOW_SELF : ALLOW_BELOW)) != 0;
      boolean blocks = (f & (self ? BLOCK_SELF : BLOCK_BELOW)) != 0;
      if (allows && (f & IMPORTANT_ALLOW) != 0) {
        return Verdict.allow(info, locationAt(slot, self ? ALLOW_SELF : ALLOW_BELOW), wireName,
            off);
      }
      if (blocks && (f & IMPORTANT_BLOCK) != 0 && impBlockSlot < 0) {
        impBlockSlot = slot;
        impBlockOff = off;
      }
      if (allows && allowSlot < 0) {
        allowSlot = slot;
        allowOff = off;
      }
      if (blocks && blockSlot < 0) {
        blockSlot = slot;
        blockOff = off;
      }
      if (self && (f & URL_HOST) != 0) {
        urlSlot = slot;
      }
    }
    if (impBlockSlot >= 0) {
      return blockOrUrls(wireName, impBlockSlot, impBlockOff, impBlockOff == 0, -1);
    }
    if (allowSlot >= 0) {
      return Verdict.allow(info,
          locationAt(allowSlot, allowOff == 0 ? ALLOW_SELF : ALLOW_BELOW), wireName, allowOff);
    }
    return blockOrUrls(wireName, blockSlot, blockOff, blockOff == 0, urlSlot);
  }

  private Verdict blockOrUrls(byte[] wireName, int blockSlot, int blockOff, boolean blockSelf,
      int urlSlot) {
    if (blockSlot >= 0) {
      int f = flagsAt(blockSlot);
      BlockAction how = ACTIONS[(f >>> (blockSelf ? SELF_ACTION_SHIFT : BELOW_ACTION_SHIFT)) & 3];
      List<String> data = List.of();
      if (how == BlockAction.LOCAL_DATA) {
        long k = keyAt(blockSlot);
        data = localData.getOrDefault(blockSelf ? k : k ^ BELOW_SALT, List.of());
      }
      return Verdict.block(info, locationAt(blockSlot, blockSelf ? BLOCK_SELF : BLOCK_BELOW),
          wireName, blockOff, how, data);
    }
    if (urlSlot >= 0) {
      return Verdict.urls(info, locationAt(urlSlot, URL_HOST), wireName,
          urlsPerHost.getOrDefault(keyAt(urlSlot), 0));
    }
    return Verdict.NONE;
  }

  /**
   * A 64-bit key for the whole name (case-insensitive), e.g. for a cache of verdicts. Equal names
   * give equal keys; different names collide with probability 2^-64.
   */
  public static long nameKey(byte[] wireName) {
    return NameHash.bytes(wireName, 0, wireEnd(wireName));
  }

  /** Label offsets of a name and, for plain-hashed lists, each suffix's hash, computed once. */
  static final class Suffixes {
    static final ThreadLocal<Suffixes> SCRATCH = ThreadLocal.withInitial(Suffixes::new);
    final int[] offsets = new int[128];
    final long[] hashes = new long[128];
    int n;
    int end;
    boolean hashed;

    void of(byte[] wire, boolean hash) {
      end = wireEnd(wire);
      n = 0;
      int off = 0;
      while (off < end - 1) {
        offsets[n++] = off;
        off += (wire[off] & 0xff) + 1;
      }
      if (hash) {
        NameHash.suffixes(wire, offsets, n, end, hashes);
      }
      hashed = hash;
    }
  }

  /** Convenience for tests and tools: normalizes {@code name} first. */
  public Verdict match(String name) {
    return match(DomainNames.toWire(DomainNames.normalize(name)));
  }

  /**
   * Checks one URL: a host-level block or allow decides first; otherwise the URL is blocked if it
   * is listed itself (after {@link Urls#normalize normalisation}).
   *
   * @throws IllegalArgumentException if {@code url} has no usable host
   */
  public Verdict matchUrl(String url) {
    Urls.Parsed u = Urls.normalize(url);
    byte[] wire = DomainNames.toWire(u.host());
    Verdict host = match(wire);
    if (host.isBlock() || host.isAllow() || counts.urls == 0) {
      return host;
    }
    byte[] key = u.key().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long h = hasher.hash(key, 0, key.length);
    int us = indexOf(urls, h);
    if (us >= 0) {
      return Verdict.block(info, urlLocations[us], wire, 0, BlockAction.NXDOMAIN, List.of());
    }
    return host.isUrlLevel() ? Verdict.NONE : host;
  }

  /**
   * The verdict of several lists together. A block by a locked (legal) list wins over everything
   * except an allow on a legal-override list. Then an allow on any list wins, except over a locked
   * list's URL-level match (only a legal override passes that). Then the first list that blocks
   * decides (a host block is stricter than URL-level). Then a URL-level match, locked lists first. The resolver and the
   * {@code hearth lists test} tool both use this, so they can never disagree.
   */
  public static Verdict decide(List<CompiledList> lists, byte[] wireName) {
    Suffixes sx = Suffixes.SCRATCH.get();
    sx.of(wireName, true);
    Decision d = new Decision();
    for (int i = 0, n = lists.size(); i < n; i++) {
      CompiledList l = lists.get(i);
      d.add(l, l.match(wireName, sx));
    }
    return d.result();
  }

  /** Combines the verdicts of lists, taken in configuration order, by the rule of {@link #decide}. */
  static final class Decision {
    private Verdict lockedBlock;
    private Verdict lockedUrls;
    private Verdict override;
    private Verdict allow;
    private Verdict block;
    private Verdict urls;

    void add(CompiledList l, Verdict v) {
      add(v);
    }

    /** Adds one list's verdict (the verdict names its list, which says whether it is locked). */
    void add(Verdict v) {
      ListInfo l = v.list();
      switch (v.action()) {
        case NONE:
          break;
        case BLOCK:
          if (l.locked()) {
            lockedBlock = lockedBlock == null ? v : lockedBlock;
          } else if (block == null) {
            block = v;
          }
          break;
        case ALLOW:
          if (l.legalOverride() && override == null) {
            override = v;
          }
          if (allow == null) {
            allow = v;
          }
          break;
        default:
          if (l.locked()) {
            lockedUrls = lockedUrls == null ? v : lockedUrls;
          } else if (urls == null) {
            urls = v;
          }
          break;
      }
    }

    Verdict result() {
      if (lockedBlock != null) {
        return override != null ? override : lockedBlock;
      }
      if (allow != null) {
        // An exception passes other lists' blocks, but not a legal list's URL-level entries.
        return lockedUrls == null ? allow : override != null ? override : lockedUrls;
      }
      if (block != null) {
        return block;
      }
      if (lockedUrls != null) {
        return lockedUrls;
      }
      return urls != null ? urls : Verdict.NONE;
    }
  }

  /** Index just past the terminating zero byte; validates label lengths and bounds. */
  static int wireEnd(byte[] w) {
    int p = 0;
    while (true) {
      if (p >= w.length) {
        throw new IllegalArgumentException("wire name not terminated");
      }
      int len = w[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if (len > DomainNames.MAX_LABEL) {
        throw new IllegalArgumentException("compressed or bad label length " + len);
      }
      p += len + 1;
      if (p > 255) {
        throw new IllegalArgumentException("wire name longer than 255 bytes");
      }
    }
  }

  private int find(long h) {
    byte[] fp = fingerprints;
    int cap = fp.length;
    if (cap == 0) {
      return -1;
    }
    byte want = fingerprint(h);
    int i = slot(h, cap);
    while (true) {
      byte f = fp[i];
      if (f == 0) {
        return -1;
      }
      if (f == want && word(2 * i) == h) {
        return i;
      }
      i = nextSlot(i, cap);
    }
  }

  /** Top eight bits of a key (the slot comes from the low 32), never 0. */
  static byte fingerprint(long h) {
    byte f = (byte) (h >>> 56);
    return f == 0 ? 1 : f;
  }

  static int indexOf(long[] table, long h) {
    int cap = table.length;
    if (cap == 0) {
      return -1;
    }
    int i = slot(h, cap);
    while (true) {
      long v = table[i];
      if (v == h) {
        return i;
      }
      if (v == 0) {
        return -1;
      }
      i = nextSlot(i, cap);
    }
  }

  static boolean contains(long[] table, long h) {
    return indexOf(table, h) >= 0;
  }


  /**
   * The home slot of key {@code h} in a table of {@code cap} slots: the low 32 bits of the key
   * scaled to {@code [0, cap)} by a multiply and a shift (Lemire's range reduction), so a table
   * can have any size, not only a power of two.
   */
  static int slot(long h, int cap) {
    return (int) (((h & 0xFFFF_FFFFL) * cap) >>> 32);
  }

  /** The slot after {@code i}, wrapping at the end of the table (linear probing). */
  static int nextSlot(int i, int cap) {
    return i + 1 == cap ? 0 : i + 1;
  }

  /**
   * Slots for {@code n} entries: the table is at most 70 % full, where linear probing stays short,
   * and not much less (1M names take 1.43M slots, 23 MB; a power of two would be 2M, 32 MB).
   */
  static int capacityFor(int n) {
    long want = Math.max(2L, (long) Math.ceil(n / 0.7));
    if (want > (1 << 30)) {
      throw new IllegalArgumentException("too many entries: " + n);
    }
    return (int) want;
  }

  /**
   * {@code old}, a table in this class's two-longs-a-slot layout whose slots were chosen by an
   * earlier rule (a saved list from an older version), with the same entries and metadata placed
   * by {@link #slot} in a table of {@link #capacityFor} slots.
   */
  static long[] relaid(long[] old) {
    int n = 0;
    for (int j = 0; j < old.length; j += 2) {
      n += old[j] != 0 ? 1 : 0;
    }
    int cap = n == 0 ? 0 : capacityFor(n);
    long[] t = new long[2 * cap];
    for (int j = 0; j < old.length; j += 2) {
      long h = old[j];
      if (h == 0) {
        continue;
      }
      int i = slot(h, cap);
      while (t[2 * i] != 0) {
        i = nextSlot(i, cap);
      }
      t[2 * i] = h;
      t[2 * i + 1] = old[j + 1];
    }
    return t;
  }

  /**
   * Collects hashes (never the names), then sizes the tables once at the end. Entries for the same
   * name merge: their flags combine, the slot keeps the first rule's location, and each role
   * ({@link #ROLES}: block the name, block its subdomains, allow either, URL host) remembers the
   * first rule that gave it, so {@code name} and {@code *.name} each report their own line.
   */
  public static final class Builder {
    private final ListInfo info;
    private final NameHasher hasher;
    private final byte[] scratch = new byte[DomainNames.MAX_NAME + 2];
    private final List<String> files = new ArrayList<>();
    private long[] hashes = new long[1024];
    private int[] locs = new int[1024];
    private short[] bits = new short[1024];
    private int n;
    private long[] urlHashes = new long[16];
    private long[] urlHostHashes = new long[16];
    private int[] urlLocs = new int[16];
    private int nUrls;
    private final Map<Long, Integer> urlsPerHost = new HashMap<>();
    private final Map<Long, List<String>> localData = new HashMap<>();
    private int file;
    private boolean mostSpecificWins;
    private long labelMask;

    private Builder(ListInfo info, NameHasher hasher) {
      this.info = info;
      this.hasher = hasher;
    }

    /**
     * Response Policy Zone semantics: the most specific matching trigger decides (an exact
     * {@code bad.example CNAME .} beats {@code *.example CNAME rpz-passthru.}). Other list formats
     * let an allow on any parent win, as AdBlock exceptions do.
     */
    public Builder mostSpecificWins(boolean on) {
      this.mostSpecificWins = on;
      return this;
    }

    /** Rules added from now on come from source file number {@code index} (for locations). */
    public Builder file(int index, String name) {
      if (index < 0 || index > 7) {
        throw new IllegalArgumentException("at most 8 files per list");
      }
      while (files.size() <= index) {
        files.add("");
      }
      files.set(index, name);
      this.file = index;
      return this;
    }

    /** Adds a rule whose name is already normalized. */
    public Builder add(Rule rule) {
      int len = DomainNames.toWire(rule.name(), scratch);
      long h = hasher.hashName(scratch, 0, len);
      labelMask |= 1L << Math.min(labels(rule.name()), 63);
      int f = 0;
      int actionBits = rule.action().ordinal();
      if (rule.allow()) {
        f |= rule.scope().coversSelf() ? ALLOW_SELF : 0;
        f |= rule.scope().coversBelow() ? ALLOW_BELOW : 0;
      } else {
        if (rule.scope().coversSelf()) {
          f |= BLOCK_SELF | (actionBits << SELF_ACTION_SHIFT);
        }
        if (rule.scope().coversBelow()) {
          f |= BLOCK_BELOW | (actionBits << BELOW_ACTION_SHIFT);
        }
        if (rule.action() == BlockAction.LOCAL_DATA) {
          if (rule.scope().coversSelf()) {
            localData.computeIfAbsent(h, k -> new ArrayList<>()).add(rule.data());
          }
          if (rule.scope().coversBelow()) {
            localData.computeIfAbsent(h ^ BELOW_SALT, k -> new ArrayList<>()).add(rule.data());
          }
        }
      }
      if (rule.important()) {
        f |= rule.allow() ? IMPORTANT_ALLOW : IMPORTANT_BLOCK;
      }
      append(h, Verdict.Locations.of(file, rule.line()), f);
      return this;
    }

    /**
     * {@code add(Rule.block(name).atLine(line))} for a name already in normalized wire form
     * ({@code wire[0, len)}, {@code labels} labels): what list parsers' fast path calls, with no
     * String and no Rule per line.
     */
    public Builder addBlock(byte[] wire, int len, int labels, int line) {
      long h = hasher.hashName(wire, 0, len);
      labelMask |= 1L << Math.min(labels, 63);
      append(h, Verdict.Locations.of(file, line), PLAIN_BLOCK);
      return this;
    }

    /** Flags of {@link Rule#block}: the name and its subtree, answered NXDOMAIN. */
    private static final int PLAIN_BLOCK = BLOCK_SELF | BLOCK_BELOW
        | (BlockAction.NXDOMAIN.ordinal() << SELF_ACTION_SHIFT)
        | (BlockAction.NXDOMAIN.ordinal() << BELOW_ACTION_SHIFT);

    /**
     * Adds a listed URL (not a host root: those are host rules). {@code normalizedHost} must be
     * normalized; {@code key} is {@link Urls.Parsed#key()}.
     */
    public Builder addUrl(String normalizedHost, String key, int line) {
      int len = DomainNames.toWire(normalizedHost, scratch);
      long h = hasher.hashName(scratch, 0, len);
      labelMask |= 1L << Math.min(labels(normalizedHost), 63);
      byte[] k = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      long uh = hasher.hash(k, 0, k.length);
      if (nUrls == urlHashes.length) {
        urlHashes = Arrays.copyOf(urlHashes, nUrls * 2);
        urlHostHashes = Arrays.copyOf(urlHostHashes, nUrls * 2);
        urlLocs = Arrays.copyOf(urlLocs, nUrls * 2);
      }
      urlLocs[nUrls] = Verdict.Locations.of(file, line);
      urlHostHashes[nUrls] = h;
      urlHashes[nUrls++] = uh;
      append(h, Verdict.Locations.of(file, line), URL_HOST);
      return this;
    }

    private static int labels(String name) {
      int n = 1;
      for (int i = 0; i < name.length(); i++) {
        if (name.charAt(i) == '.') {
          n++;
        }
      }
      return n;
    }

    private void append(long h, int loc, int f) {
      if (n == hashes.length) {
        int cap = n * 2;
        hashes = Arrays.copyOf(hashes, cap);
        locs = Arrays.copyOf(locs, cap);
        bits = Arrays.copyOf(bits, cap);
      }
      hashes[n] = h;
      locs[n] = loc;
      bits[n] = (short) f;
      n++;
    }

    public CompiledList build() {
      return build(info.version());
    }

    /**
     * Reorders the entries by the 64 KiB region of the table their home slot is in, keeping the
     * order of entries within a region (so rules for one name keep theirs and the first still
     * wins). Inserting in list order made every insert a cache miss somewhere in a table of tens
     * of megabytes, most of the time a cold start spent compiling; region by region, the inserts
     * stay in the CPU cache. One counting-sort pass; small lists are left as they are.
     */
    private void groupByTableRegion(int cap) {
      int shift = 12; // 4,096 slots of 16 bytes
      if (n < 1 << 15 || cap <= 1 << shift) {
        return;
      }
      int[] next = new int[(cap >>> shift) + 2];
      for (int k = 0; k < n; k++) {
        next[(slot(hashes[k], cap) >>> shift) + 1]++;
      }
      for (int r = 1; r < next.length; r++) {
        next[r] += next[r - 1];
      }
      long[] h2 = new long[n];
      int[] l2 = new int[n];
      short[] b2 = new short[n];
      for (int k = 0; k < n; k++) {
        int j = next[slot(hashes[k], cap) >>> shift]++;
        h2[j] = hashes[k];
        l2[j] = locs[k];
        b2[j] = bits[k];
      }
      hashes = h2;
      locs = l2;
      bits = b2;
    }

    /** Builds the list, stamped with {@code version} (e.g. a hash of its source). */
    public CompiledList build(String version) {
      int cap = n == 0 ? 0 : capacityFor(n);
      long[] table = new long[2 * cap];
      int names = 0;
      Map<Long, Integer> roleLocs = new HashMap<>();
      groupByTableRegion(cap);
      for (int k = 0; k < n; k++) {
        long h = hashes[k];
        int i = slot(h, cap);
        while (table[2 * i] != 0 && table[2 * i] != h) {
          i = nextSlot(i, cap);
        }
        if (table[2 * i] == 0) {
          table[2 * i] = h;
          table[2 * i + 1] = meta(locs[k], 0);
          names++;
        }
        int old = flagsOfMeta(table[2 * i + 1]);
        int add = bits[k];
        // The first $important rule for a role takes the role over from an earlier ordinary one:
        // it is the rule that decides, so verdicts must name its line and use its action.
        int relocate = 0;
        if ((add & IMPORTANT_BLOCK) != 0 && (old & IMPORTANT_BLOCK) == 0) {
          relocate |= add & (BLOCK_SELF | BLOCK_BELOW);
        }
        if ((add & IMPORTANT_ALLOW) != 0 && (old & IMPORTANT_ALLOW) == 0) {
          relocate |= add & (ALLOW_SELF | ALLOW_BELOW);
        }
        // Otherwise an action is set once per scope: the first rule that blocks a scope decides.
        if ((relocate & BLOCK_SELF) != 0) {
          old &= ~(3 << SELF_ACTION_SHIFT);
        } else if ((old & BLOCK_SELF) != 0) {
          add &= ~(3 << SELF_ACTION_SHIFT);
        }
        if ((relocate & BLOCK_BELOW) != 0) {
          old &= ~(3 << BELOW_ACTION_SHIFT);
        } else if ((old & BLOCK_BELOW) != 0) {
          add &= ~(3 << BELOW_ACTION_SHIFT);
        }
        int first = locationOfMeta(table[2 * i + 1]);
        for (int role : ROLES) {
          if ((add & role) == 0 || ((old & role) != 0 && (relocate & role) == 0)) {
            continue;
          }
          if (locs[k] != first) {
            roleLocs.put(roleKey(h, role), locs[k]);
            add |= OTHER_LOCATIONS;
          } else if ((old & role) != 0) {
            roleLocs.remove(roleKey(h, role)); // taken over by the slot's own first rule
          }
        }
        table[2 * i + 1] = meta(first, old | add);
      }
      int block = 0;
      int exact = 0;
      int allow = 0;
      int urlHosts = 0;
      Map<Long, Integer> perHost = new HashMap<>();
      for (int i = 0; i < cap; i++) {
        int f = flagsOfMeta(table[2 * i + 1]);
        if (table[2 * i] == 0) {
          continue;
        }
        if ((f & BLOCK_BELOW) != 0) {
          block++;
        } else if ((f & BLOCK_SELF) != 0) {
          exact++;
        }
        if ((f & (ALLOW_SELF | ALLOW_BELOW)) != 0) {
          allow++;
        }
        if ((f & URL_HOST) != 0) {
          if ((f & BLOCK_SELF) == 0) {
            urlHosts++;
          }
        }
      }
      long[] urlTable = new long[nUrls == 0 ? 0 : capacityFor(nUrls)];
      int[] urlTableLocs = new int[urlTable.length];
      int distinctUrls = 0;
      int ucap = urlTable.length;
      for (int k = 0; k < nUrls; k++) {
        long h = urlHashes[k];
        int i = slot(h, ucap);
        while (urlTable[i] != 0 && urlTable[i] != h) {
          i = nextSlot(i, ucap);
        }
        if (urlTable[i] == 0) {
          urlTable[i] = h;
          urlTableLocs[i] = urlLocs[k];
          perHost.merge(urlHostHashes[k], 1, Integer::sum);
          distinctUrls++;
        }
      }
      Map<Long, List<String>> data = new HashMap<>();
      localData.forEach((k, v) -> data.put(k, List.copyOf(v)));
      ListInfo finalInfo = info.withVersion(version);
      if (!files.isEmpty()) {
        finalInfo = finalInfo.withFiles(files);
      }
      return new CompiledList(finalInfo, hasher, table, Map.copyOf(data), Map.copyOf(roleLocs),
          urlTable, urlTableLocs, Map.copyOf(perHost),
          new Counts(names, block, exact, allow, distinctUrls, urlHosts), mostSpecificWins,
          labelMask);
    }
  }
}
