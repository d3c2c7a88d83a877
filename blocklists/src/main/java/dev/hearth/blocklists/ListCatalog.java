package dev.hearth.blocklists;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The operator's configured lists and their versions: loads each {@link ListSource} on its own
 * refresh interval, runs the {@link SafetyPolicy} before a new version goes live, persists the
 * last good version (compiled, hashes only) so a restart needs neither the network nor a parse,
 * keeps the previous version for one-command rollback and the last rejected one for inspection,
 * and appends one record per update to {@code lists/updates.jsonl}.
 *
 * <p>A failing source keeps its last good version and never affects the other lists. Loading
 * happens on the caller's thread (a background reloader), never on the query path: the caller
 * swaps {@link #snapshot()} in atomically.
 *
 * <p>Layout under the data directory: {@code lists/<id>/current.hbl}, {@code previous.hbl},
 * {@code rejected.hbl}, {@code state.properties}, and for ordinary (not locked) HTTP lists the
 * downloaded text as {@code source.txt} / {@code rejected.txt}; {@code keys/lists.key} (the HMAC key for locked
 * lists, created on first use, readable only by the owner).
 *
 * <p>Not thread-safe: one reloader thread owns it.
 */
public final class ListCatalog {
  private final Path dataDir;
  private final Path listsDir;
  private final SafetyPolicy safety;
  /** The keyed hasher for locked lists; made when the first locked list arrives. */
  private NameHasher keyed;
  private HttpListFetcher fetcher;
  private final Consumer<String> log;
  private final Clock clock;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  /** Set during {@link #openSavingLater()}: first versions applied go to {@link #unsaved}. */
  private boolean savingLater;
  /**
   * Lists whose version in force is not yet written: a first version ({@link #openSavingLater}),
   * or one read from a file in an older format.
   */
  private final Set<Slot> unsaved = new LinkedHashSet<>();
  /**
   * At least this many bytes of replaced mapped tables make {@link #accountReplaced} ask for a
   * collection (or as many as the tables in force, if more).
   */
  static final long RELEASE_REPLACED_BYTES = 64L << 20;
  /** The lists in force after the last change, to tell which mapped ones a change replaced. */
  private List<CompiledList> lastInForce = List.of();
  /** Bytes of mapped tables replaced since the last collection this catalog asked for. */
  private long replacedMappedBytes;

  /** The state of one source. */
  private static final class Slot {
    final ListSource src;
    CompiledList current;
    /** Held in memory only without a data directory; otherwise read back on rollback. */
    CompiledList previous;
    boolean hasPrevious;
    String stamp = "";
    FileTime storedAt;
    HttpListFetcher.Validators validators = HttpListFetcher.Validators.NONE;
    String refusedVersion = "";
    Instant nextCheck = Instant.EPOCH;
    Instant lastUpdate;
    Instant lastCheck;
    String lastError;
    /** For a source with its own CA file: a fetcher trusting only that CA, made on first use. */
    HttpListFetcher ownFetcher;
    /**
     * Redefined at run time while serving the old definition's version: the new definition's
     * first version is not held to the size limits (it is another source, not an update).
     */
    boolean redefined;

    Slot(ListSource src) {
      this.src = src;
    }
  }

  /** What the operator (and the metrics) see of one list. */
  public record Status(String id, String category, boolean locked, String version, int entries,
      int urlHosts, Instant lastUpdate, Instant lastCheck, String lastError, boolean canRollBack,
      java.time.Duration refresh, ListSource.About about) {}

  /**
   * @param dataDir where versions are persisted; null keeps everything in memory (tools, tests)
   */
  public ListCatalog(Path dataDir, List<ListSource> sources, SafetyPolicy safety,
      HttpListFetcher fetcher, Consumer<String> log, Clock clock) throws IOException {
    this.dataDir = dataDir;
    this.listsDir = dataDir == null ? null : dataDir.resolve("lists");
    this.safety = safety;
    this.fetcher = fetcher;
    this.log = log;
    this.clock = clock;
    boolean anyLocked = sources.stream().anyMatch(ListSource::locked);
    this.keyed = anyLocked || dataDir != null && Files.exists(keyFile(dataDir))
        ? NameHasher.keyed(loadOrCreateKey(dataDir)) : null;
    for (ListSource s : sources) {
      if (slots.put(s.id(), new Slot(s)) != null) {
        throw new IllegalArgumentException("two lists have the id " + s.id());
      }
    }
  }

  /**
   * Serves what was persisted, at once: each list's last good version is read back (a fraction
   * of a second for a million names). Lists with nothing persisted are loaded from their source
   * now. Call once before serving.
   */
  public void open() {
    for (Slot s : slots.values()) {
      if (listsDir != null) {
        readPersisted(s);
      }
      if (s.current == null) {
        update(s);
      }
    }
    lastInForce = snapshot();
  }

  /**
   * {@link #open()}, except that a version loaded from its source now is put in force without
   * waiting for it to be written to the data directory: {@link #savePending()} writes it, so a
   * server can answer first (a million-name list takes ~0.2 s to write and sync in a fresh JVM
   * here, and seconds on a slow SD card). Until then a restart would load that list from its
   * source again, as if it had never been saved.
   */
  public void openSavingLater() {
    savingLater = true;
    try {
      open();
    } finally {
      savingLater = false;
    }
  }

  /**
   * Writes the versions {@link #openSavingLater()} put in force, and those read back from a file
   * in an older format, to the data directory, as an update does; each is then served from its
   * saved file ({@link CompiledList#isMapped}), so {@link #snapshot()} should be swapped in when
   * this returns more than 0. Every other call that changes a list does this first, so versions
   * on disk always follow the order in which they were applied.
   *
   * @return how many lists were written
   */
  public int savePending() {
    int n = 0;
    for (Slot s : List.copyOf(unsaved)) {
      unsaved.remove(s);
      if (slots.get(s.src.id()) == s && s.current != null && persistApplied(s, null)) {
        n++;
      }
    }
    accountReplaced();
    return n;
  }

  /** Whether {@link #savePending()} has something to write. */
  public boolean hasPendingSaves() {
    return !unsaved.isEmpty();
  }

  /**
   * Checks every source whose refresh interval has passed (all of them when {@code force}).
   *
   * @return true when at least one list changed (or a pending save put the saved file in force,
   *     see {@link #savePending()}), i.e. {@link #snapshot()} should be swapped in
   */
  public boolean refresh(boolean force) {
    boolean changed = savePending() > 0;
    Instant now = clock.instant();
    for (Slot s : slots.values()) {
      if (listsDir != null && adoptExternalChange(s)) {
        changed = true;
      }
      if (force || !now.isBefore(s.nextCheck)) {
        changed |= update(s);
      }
    }
    accountReplaced();
    return changed;
  }

  /**
   * Replaces the set of sources while serving (sources added, changed or removed at run time).
   * An unchanged source keeps its state. A new source is loaded now; a source that existed
   * before is forgotten with its saved versions. A changed definition is loaded now too, and
   * until it yields a version the old definition's version keeps serving (when it is still the
   * same list: id, category and locking unchanged; otherwise the list leaves service until the
   * new definition loads). A removed source leaves service and its saved versions are deleted.
   * Every change is recorded in the update log. Like everything here, runs on the owning thread.
   *
   * @return true when the lists in force changed, i.e. {@link #snapshot()} should be swapped in
   * @throws IllegalArgumentException two sources with one id (nothing is changed then)
   * @throws IOException the key for a first locked list cannot be made (nothing is changed)
   */
  public boolean setSources(List<ListSource> sources) throws IOException {
    boolean saved = savePending() > 0;
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (ListSource src : sources) {
      if (!ids.add(src.id())) {
        throw new IllegalArgumentException("two lists have the id " + src.id());
      }
    }
    if (keyed == null && sources.stream().anyMatch(ListSource::locked)) {
      keyed = NameHasher.keyed(loadOrCreateKey(dataDir));
    }
    Map<String, Slot> next = new LinkedHashMap<>();
    List<Slot> toLoad = new ArrayList<>();
    boolean changed = false;
    for (ListSource src : sources) {
      Slot old = slots.get(src.id());
      if (old != null && old.src.equals(src)) {
        next.put(src.id(), old);
        continue;
      }
      Slot s = new Slot(src);
      if (old != null && old.current != null && matchesSource(old.current, src)) {
        s.current = old.current;
        s.storedAt = old.storedAt;
        s.lastUpdate = old.lastUpdate;
        s.redefined = true;
        forgetAllBut(s, "current.hbl");
        log.accept("list " + src.id() + ": source redefined; version "
            + old.current.info().version() + " serves until the new definition loads");
      } else {
        changed |= old != null && old.current != null;
        forgetAllBut(s, null);
        if (old != null) {
          log.accept("list " + src.id() + ": source redefined as another list; loading it");
        }
      }
      next.put(src.id(), s);
      toLoad.add(s);
    }
    for (Slot gone : slots.values()) {
      if (!next.containsKey(gone.src.id())) {
        changed |= gone.current != null;
        record(gone, "removed", null, gone.current, 0, 0, "source removed by the operator");
        forgetAllBut(gone, null);
        log.accept("list " + gone.src.id() + ": source removed, list out of service");
      }
    }
    slots.clear();
    slots.putAll(next);
    for (Slot s : toLoad) {
      changed |= update(s);
    }
    accountReplaced();
    return changed || saved;
  }

  /** Whether HTTP(S) sources can be fetched (a fetcher was given). */
  public boolean fetchesHttp() {
    return fetcher != null;
  }

  /** Gives the catalog a fetcher for HTTP(S) sources added at run time (when it had none). */
  public void fetchHttpWith(HttpListFetcher f) {
    if (fetcher == null) {
      fetcher = f;
    }
  }

  /**
   * Deletes what is saved for a source (all of it, or all but {@code keep}): a list that leaves
   * service, or is redefined, must not come back from a stale copy at the next start.
   */
  private void forgetAllBut(Slot s, String keep) {
    if (listsDir == null) {
      return;
    }
    Path dir = dirOf(s);
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().equals(keep)) {
          Files.delete(f);
        }
      }
      if (keep == null) {
        // UT1 category lists live one level down (lists/<id>/<category>): leave a parent that
        // still holds other lists.
        for (Path d = dir; !d.equals(listsDir) && isEmptyDir(d); d = d.getParent()) {
          Files.delete(d);
        }
      }
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": cannot delete its saved versions in " + dir + ": "
          + e.getMessage());
    }
  }

  private static boolean isEmptyDir(Path d) throws IOException {
    try (var in = Files.list(d)) {
      return in.findAny().isEmpty();
    }
  }

  /** The lists in force, in configuration order; lists never loaded successfully are absent. */
  public List<CompiledList> snapshot() {
    List<CompiledList> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      if (s.current != null) {
        out.add(s.current);
      }
    }
    return List.copyOf(out);
  }

  public List<Status> status() {
    List<Status> out = new ArrayList<>();
    for (Slot s : slots.values()) {
      CompiledList c = s.current;
      out.add(new Status(s.src.id(), s.src.category(), s.src.locked(),
          c == null ? null : c.info().version(), c == null ? 0 : c.size(),
          c == null ? 0 : c.urlHostCount(), s.lastUpdate, s.lastCheck, s.lastError,
          s.previous != null || s.hasPrevious, s.src.refresh(), s.src.about()));
    }
    return out;
  }

  /**
   * Puts the previous version of list {@code id} back in force. The version rolled back from is
   * remembered as refused, so the next refresh does not apply the same content again; a new
   * version from the source will be.
   *
   * @throws IllegalArgumentException for an unknown id or when there is no previous version
   */
  public void rollback(String id) throws IOException {
    savePending();
    Slot s = slots.get(id);
    if (s == null) {
      throw new IllegalArgumentException("no list with id " + id);
    }
    CompiledList prev = s.previous;
    if (prev == null && s.hasPrevious && listsDir != null) {
      Path f = dirOf(s).resolve("previous.hbl");
      if (Files.exists(f)) {
        CompiledList p = ListStore.read(f, NameHasher.PLAIN, keyed);
        prev = matchesSource(p, s.src) ? p : null;
      }
    }
    if (prev == null) {
      throw new IllegalArgumentException("list " + id + " has no previous version to roll back to");
    }
    CompiledList bad = s.current;
    s.refusedVersion = bad.info().version();
    s.current = prev;
    s.previous = null;
    s.hasPrevious = false;
    s.lastUpdate = clock.instant();
    if (listsDir != null) {
      Path dir = dirOf(s);
      ListStore.write(bad, dir.resolve("rejected.hbl"));
      ListStore.write(s.current, dir.resolve("current.hbl"));
      Files.deleteIfExists(dir.resolve("previous.hbl"));
      s.storedAt = Files.getLastModifiedTime(dir.resolve("current.hbl"));
      saveState(s);
      s.current = savedCopy(s);
    }
    accountReplaced();
    record(s, "rolled-back", s.current, bad, 0, 0, "rolled back by the operator from version "
        + bad.info().version());
    log.accept("list " + id + ": rolled back from version " + bad.info().version() + " to "
        + s.current.info().version());
  }

  /** Loads, checks and applies one source; true when the list in force changed. */
  private boolean update(Slot s) {
    Instant now = clock.instant();
    s.lastCheck = now;
    s.nextCheck = now.plus(s.src.refresh());
    LoadResult r;
    String stamp;
    try {
      if (s.src.isHttp()) {
        HttpListFetcher.Outcome<LoadResult> o = fetch(s);
        if (o instanceof HttpListFetcher.Outcome.NotModified) {
          s.lastError = null;
          return false;
        }
        var f = (HttpListFetcher.Outcome.Fetched<LoadResult>) o;
        s.validators = f.validators();
        r = f.value();
        stamp = s.stamp;
      } else {
        Path p = Path.of(s.src.location());
        stamp = stampOf(p);
        if (s.current != null && stamp.equals(s.stamp)) {
          return false;
        }
        r = ListLoader.load(s.src.info(), hasherFor(s.src), s.src.format(), p,
            safety.maxInvalidRatio(), !s.src.quotesLines());
      }
    } catch (ListRejectedException e) {
      settleDownload(s, "rejected.txt");
      return failed(s, "rejected", e.getMessage());
    } catch (IOException | FetchException e) {
      settleDownload(s, null);
      return failed(s, "failed", e.getMessage());
    } catch (RuntimeException e) {
      settleDownload(s, null);
      return failed(s, "failed", "unexpected error: " + e);
    }
    s.stamp = stamp;
    CompiledList next = r.list();
    if (s.current != null && next.info().version().equals(s.current.info().version())) {
      settleDownload(s, "source.txt");
      s.lastError = null;
      s.redefined = false;
      saveStateQuietly(s);
      return false;
    }
    if (next.info().version().equals(s.refusedVersion)) {
      settleDownload(s, "rejected.txt");
      s.lastError = "source still serves version " + next.info().version()
          + ", which was rolled back; waiting for a new version";
      return false;
    }
    String why = safety.check(s.redefined ? null : s.current, next);
    if (why != null) {
      persistQuietly(next, s, "rejected.hbl");
      settleDownload(s, "rejected.txt");
      record(s, "rejected", next, s.current, r.invalid(), r.unsupported(), why);
      s.lastError = "version " + next.info().version() + " rejected: " + why;
      log.accept("list " + s.src.id() + ": new version rejected, "
          + (s.current == null ? "list not in force" : "previous version kept") + ": " + why);
      return false;
    }
    settleDownload(s, "source.txt");
    CompiledList old = s.current;
    // With a data directory the previous version lives only on disk (a second copy of a
    // million-name list in memory would cost ~30 MB for a rollback that may never come).
    s.previous = listsDir == null ? old : null;
    s.hasPrevious = old != null;
    s.current = next;
    s.lastUpdate = now;
    s.lastError = null;
    s.redefined = false;
    if (listsDir != null) {
      if (savingLater && old == null) {
        unsaved.add(s);
      } else {
        persistApplied(s, old);
      }
    }
    record(s, "applied", next, old, r.invalid(), r.unsupported(), null);
    log.accept("list " + s.src.id() + ": version " + next.info().version() + " in force, "
        + next.size() + " entries (" + r.invalid() + " invalid, " + r.unsupported()
        + " unsupported" + (next.urlHostCount() > 0 ? ", " + next.urlHostCount()
        + " hosts with URL-level entries only" : "") + ")"
        + (r.problems().isEmpty() ? "" : "; first problem " + r.problems().get(0)));
    return true;
  }

  /**
   * A replaced list whose table is mapped keeps its file's disk space (the file itself is
   * already renamed over or deleted) until the JVM collects the mapping, which with few full
   * collections can take many updates. Past {@link #RELEASE_REPLACED_BYTES}, or as many bytes as
   * the mapped tables in force if more, this asks for a collection: one pause on the list thread
   * (tens to a couple of hundred ms under load) instead of disk space that grows with every
   * update of a big list on a small card.
   */
  private void accountReplaced() {
    List<CompiledList> now = snapshot();
    long inForce = 0;
    for (CompiledList c : now) {
      inForce += c.mappedBytes();
    }
    for (CompiledList c : lastInForce) {
      if (c.isMapped() && now.stream().noneMatch(n -> n == c)) {
        replacedMappedBytes += c.mappedBytes();
      }
    }
    lastInForce = now;
    if (replacedMappedBytes > Math.max(RELEASE_REPLACED_BYTES, inForce)) {
      replacedMappedBytes = 0;
      FullCollection.request();
    }
  }

  /** Bytes of replaced mapped tables not yet handed to a collection (for tests). */
  long replacedMappedBytes() {
    return replacedMappedBytes;
  }

  /**
   * Saves the version in force of {@code s}, and {@code old} as its previous one.
   *
   * @return whether it was saved (then it is served from its saved file)
   */
  private boolean persistApplied(Slot s, CompiledList old) {
    try {
      Path dir = dirOf(s);
      if (old != null) {
        ListStore.write(old, dir.resolve("previous.hbl"));
      }
      ListStore.write(s.current, dir.resolve("current.hbl"));
      s.storedAt = Files.getLastModifiedTime(dir.resolve("current.hbl"));
      saveState(s);
    } catch (IOException e) {
      s.lastError = "applied, but could not be saved for the next start: " + e.getMessage();
      log.accept("list " + s.src.id() + ": " + s.lastError);
      return false;
    }
    s.current = savedCopy(s);
    return true;
  }

  /**
   * The version in force of {@code s} as read back from its saved file, with the table mapped
   * ({@link CompiledList#isMapped}) instead of on the heap; the version in force itself if that
   * file cannot be read back. The caller swaps the copy in as any other change.
   */
  private CompiledList savedCopy(Slot s) {
    try {
      CompiledList c = ListStore.read(dirOf(s).resolve("current.hbl"), NameHasher.PLAIN, keyed);
      // Not compared entry by entry: that would read every page of the mapping. The file was
      // written from this version a moment ago and its checksum is right.
      if (c.isMapped() && c.info().equals(s.current.info())
          && c.counts().equals(s.current.counts())) {
        return c;
      }
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": the saved version could not be read back ("
          + e.getMessage() + "); serving it from memory");
    }
    return s.current;
  }

  private HttpListFetcher.Outcome<LoadResult> fetch(Slot s)
      throws IOException, FetchException, ListRejectedException {
    if (fetcher == null) {
      throw new IOException("HTTP sources are not enabled");
    }
    HttpListFetcher http = fetcher;
    if (s.src.caFile() != null) {
      if (s.ownFetcher == null) {
        // Read once (the file is checked when the configuration is read); a failure here is
        // this source's error and is retried on its next check.
        s.ownFetcher = new HttpListFetcher(fetcher.options(),
            TrustedCas.context(Path.of(s.src.caFile())));
      }
      http = s.ownFetcher;
    }
    HttpListFetcher.Validators v = s.current == null ? HttpListFetcher.Validators.NONE
        : s.validators;
    // An ordinary list's download is kept next to its saved version (source.txt, or
    // rejected.txt when refused) so an operator can inspect it; a locked list's never is.
    Path copy = listsDir == null || s.src.locked() ? null : download(s);
    if (copy != null) {
      Files.createDirectories(copy.getParent());
    }
    return http.fetch(java.net.URI.create(s.src.location()), v, s.src.sha256(),
        s.src.publicKey() == null ? null : HttpListFetcher.Verifier.ed25519(s.src.publicKey())
            .withSignatureUri(java.net.URI.create(s.src.signatureUrl())),
        in -> {
          if (copy == null) {
            return ListLoader.load(s.src.info(), hasherFor(s.src), s.src.format(),
                s.src.location(), in, safety.maxInvalidRatio(), !s.src.quotesLines());
          }
          try (OutputStream out = Files.newOutputStream(copy)) {
            return ListLoader.load(s.src.info(), hasherFor(s.src), s.src.format(),
                s.src.location(), new Tee(in, out), safety.maxInvalidRatio(),
                !s.src.quotesLines());
          }
        });
  }

  private Path download(Slot s) {
    return dirOf(s).resolve("download.tmp");
  }

  /** Keeps the last download of an ordinary HTTP list under {@code name}, or drops it (null). */
  private void settleDownload(Slot s, String name) {
    if (listsDir == null || !s.src.isHttp() || s.src.locked()) {
      return;
    }
    Path tmp = download(s);
    try {
      if (name == null) {
        Files.deleteIfExists(tmp);
      } else if (Files.exists(tmp)) {
        Files.move(tmp, dirOf(s).resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": cannot keep the downloaded copy: " + e.getMessage());
    }
  }

  /** Copies what the parser reads into a file. */
  private static final class Tee extends java.io.FilterInputStream {
    private final OutputStream out;

    Tee(InputStream in, OutputStream out) {
      super(in);
      this.out = out;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        out.write(b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        out.write(b, off, n);
      }
      return n;
    }
  }

  private boolean failed(Slot s, String outcome, String message) {
    s.lastError = message;
    record(s, outcome, null, s.current, 0, 0, message);
    log.accept("list " + s.src.id() + ": " + message + (s.current == null
        ? " (list not in force)" : "; version " + s.current.info().version() + " stays in force"));
    return false;
  }

  private NameHasher hasherFor(ListSource src) {
    return src.locked() ? keyed : NameHasher.PLAIN;
  }

  private static String stampOf(Path p) throws IOException {
    if (Files.isDirectory(p)) {
      StringBuilder sb = new StringBuilder();
      for (String f : new String[] {"domains", "urls"}) {
        Path q = p.resolve(f);
        if (Files.exists(q)) {
          sb.append(Files.getLastModifiedTime(q)).append('/').append(Files.size(q)).append(';');
        }
      }
      if (sb.length() == 0) {
        throw new IOException(p + " has neither a 'domains' nor a 'urls' file");
      }
      return sb.toString();
    }
    return Files.getLastModifiedTime(p) + "/" + Files.size(p);
  }

  private Path dirOf(Slot s) {
    return listsDir.resolve(s.src.id());
  }

  private void readPersisted(Slot s) {
    Path dir = dirOf(s);
    Path cur = dir.resolve("current.hbl");
    if (!Files.exists(cur)) {
      return;
    }
    String savedSource = stateOf(s).getProperty("source");
    if (savedSource != null && !savedSource.equals(sourceKey(s.src))) {
      log.accept("list " + s.src.id() + ": the saved version is of another source (path, URL or"
          + " format changed); loading from the source");
      return;
    }
    try {
      CompiledList c = ListStore.read(cur, NameHasher.PLAIN, keyed);
      if (!matchesSource(c, s.src)) {
        log.accept("list " + s.src.id() + ": the saved version was made under other settings"
            + " (locked, category); loading from the source");
        return;
      }
      s.current = c;
      s.storedAt = Files.getLastModifiedTime(cur);
      s.hasPrevious = Files.exists(dir.resolve("previous.hbl"));
      loadState(s);
      if (!c.isMapped() && c.slots() > 0) {
        unsaved.add(s); // saved by an older version: written again in today's format, and mapped
      }
      log.accept("list " + s.src.id() + ": saved version " + c.info().version() + " in force, "
          + c.size() + " entries");
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": saved version unusable (" + e.getMessage()
          + "); loading from the source");
    }
  }

  /** Picks up a rollback made by {@code hearth lists rollback} while the server runs. */
  private boolean adoptExternalChange(Slot s) {
    Path cur = dirOf(s).resolve("current.hbl");
    try {
      if (s.storedAt == null || !Files.exists(cur)
          || Files.getLastModifiedTime(cur).equals(s.storedAt)) {
        return false;
      }
      CompiledList c = ListStore.read(cur, NameHasher.PLAIN, keyed);
      s.storedAt = Files.getLastModifiedTime(cur);
      if (!matchesSource(c, s.src) || c.info().version().equals(
          s.current == null ? null : s.current.info().version())) {
        return false;
      }
      s.current = c;
      s.previous = null;
      s.hasPrevious = Files.exists(dirOf(s).resolve("previous.hbl"));
      loadState(s);
      log.accept("list " + s.src.id() + ": version " + c.info().version()
          + " put in force from the data directory (rollback)");
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean matchesSource(CompiledList c, ListSource src) {
    ListInfo i = c.info();
    return i.id().equals(src.id()) && i.locked() == src.locked()
        && i.legalOverride() == src.legalOverride()
        && java.util.Objects.equals(i.category(), src.category());
  }

  /** The saved state of a list; empty when there is none or it cannot be read. */
  private Properties stateOf(Slot s) {
    Properties p = new Properties();
    Path f = dirOf(s).resolve("state.properties");
    if (Files.exists(f)) {
      try (InputStream in = Files.newInputStream(f)) {
        p.load(in);
      } catch (IOException | IllegalArgumentException e) {
        return new Properties();
      }
    }
    return p;
  }

  /**
   * Which source a saved version came from (a hash of location and format, so no access token
   * in a URL is written down): an id reused for another source must not serve the old content.
   */
  private static String sourceKey(ListSource src) {
    java.security.MessageDigest sha = ListLoader.sha256();
    sha.update((src.location() + "\n" + src.format()).getBytes(StandardCharsets.UTF_8));
    return java.util.HexFormat.of().formatHex(sha.digest(), 0, 16);
  }

  private void loadState(Slot s) {
    Path f = dirOf(s).resolve("state.properties");
    if (!Files.exists(f)) {
      return;
    }
    Properties p = stateOf(s);
    s.stamp = p.getProperty("stamp", "");
    s.refusedVersion = p.getProperty("refusedVersion", "");
    String etag = p.getProperty("etag");
    String lm = p.getProperty("lastModified");
    s.validators = new HttpListFetcher.Validators(etag, lm);
    String lu = p.getProperty("lastUpdate");
    s.lastUpdate = lu == null ? null : Instant.parse(lu);
  }

  private void saveStateQuietly(Slot s) {
    try {
      saveState(s);
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": cannot save its state: " + e.getMessage());
    }
  }

  private void saveState(Slot s) throws IOException {
    if (listsDir == null) {
      return;
    }
    Properties p = new Properties();
    p.setProperty("source", sourceKey(s.src));
    p.setProperty("stamp", s.stamp);
    p.setProperty("refusedVersion", s.refusedVersion);
    if (s.validators.etag() != null) {
      p.setProperty("etag", s.validators.etag());
    }
    if (s.validators.lastModified() != null) {
      p.setProperty("lastModified", s.validators.lastModified());
    }
    if (s.lastUpdate != null) {
      p.setProperty("lastUpdate", s.lastUpdate.toString());
    }
    Path dir = dirOf(s);
    Files.createDirectories(dir);
    Path tmp = dir.resolve("state.properties.tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "Hearth list state; written by the server");
    }
    Files.move(tmp, dir.resolve("state.properties"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private void persistQuietly(CompiledList l, Slot s, String name) {
    if (listsDir == null) {
      return;
    }
    try {
      ListStore.write(l, dirOf(s).resolve(name));
    } catch (IOException e) {
      log.accept("list " + s.src.id() + ": cannot keep " + name + ": " + e.getMessage());
    }
  }

  /** Appends one JSON line: time, list, source, outcome, versions, added/removed, rejects. */
  private void record(Slot s, String outcome, CompiledList next, CompiledList old, int invalid,
      int unsupported, String reason) {
    if (listsDir == null) {
      return;
    }
    StringBuilder j = new StringBuilder(256);
    j.append("{\"time\":\"").append(clock.instant()).append('"');
    field(j, "list", s.src.id());
    field(j, "source", redacted(s.src.location()));
    field(j, "outcome", outcome);
    if (next != null) {
      field(j, "version", next.info().version());
      j.append(",\"entries\":").append(next.size());
      if (old != null && next.hasher() == old.hasher()) {
        j.append(",\"added\":").append(next.addedSince(old));
        j.append(",\"removed\":").append(old.addedSince(next));
      } else if (old == null) {
        j.append(",\"added\":").append(next.size()).append(",\"removed\":0");
      }
      j.append(",\"invalid\":").append(invalid).append(",\"unsupported\":").append(unsupported);
    }
    if (old != null) {
      field(j, "previousVersion", old.info().version());
    }
    if (reason != null) {
      field(j, "reason", reason);
    }
    j.append("}\n");
    try {
      Files.createDirectories(listsDir);
      try (Writer w = Files.newBufferedWriter(listsDir.resolve("updates.jsonl"),
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        w.write(j.toString());
      }
    } catch (IOException e) {
      log.accept("cannot write the list update record: " + e.getMessage());
    }
  }

  /** A location without user info or query (list providers put access tokens there). */
  public static String redacted(String location) {
    String s = location.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1***@");
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q) + "?***";
  }

  private static void field(StringBuilder j, String k, String v) {
    j.append(",\"").append(k).append("\":\"");
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        j.append('\\').append(c);
      } else if (c < 0x20) {
        j.append(String.format("\\u%04x", (int) c));
      } else {
        j.append(c);
      }
    }
    j.append('"');
  }

  static Path keyFile(Path dataDir) {
    return dataDir.resolve("keys").resolve("lists.key");
  }

  /**
   * The HMAC key for locked lists: 32 random bytes in {@code keys/lists.key}, created owner-only
   * on first use. Without a data directory a fresh key lives only in memory.
   */
  static byte[] loadOrCreateKey(Path dataDir) throws IOException {
    if (dataDir == null) {
      byte[] k = new byte[32];
      new SecureRandom().nextBytes(k);
      return k;
    }
    Path f = keyFile(dataDir);
    if (Files.exists(f)) {
      byte[] k = Files.readAllBytes(f);
      if (k.length != 32) {
        throw new IOException(f + ": list key must be 32 bytes, found " + k.length);
      }
      return k;
    }
    Files.createDirectories(f.getParent());
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    Path tmp = f.resolveSibling("lists.key.tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    Files.write(tmp, k);
    Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return k;
  }
}
