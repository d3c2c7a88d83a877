package dev.hearth.resolver.observe;

import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.Subscriber;
import dev.hearth.resolver.pipeline.Answer;
import dev.hearth.resolver.pipeline.QueryContext;
import dev.hearth.resolver.policy.PolicyDecision;
import io.netty.buffer.ByteBuf;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional query log, private by design (RFC 8932): off unless configured; a client address
 * is never written in full, only its network (/24, /56) or a keyed hash whose key changes every
 * UTC day; files are per UTC hour and deleted once older than the retention (24 hours by
 * default); queries under a children's profile are left out unless the household opted in
 * ({@link Subscriber#queryLogChildren()}). The query path only offers an entry to a bounded
 * queue: when the writer falls behind, entries are dropped and counted, never waited for.
 *
 * <p>One JSON object per line: {@code ts}, {@code client}, {@code protocol}, {@code name},
 * {@code qtype}, {@code rcode}, {@code response}, {@code profile}.
 */
public final class QueryLog implements QueryObserver, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(QueryLog.class);
  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("yyyyMMdd-HH").withZone(ZoneOffset.UTC);
  static final String PREFIX = "queries-";
  static final String SUFFIX = ".jsonl";
  private static final String KEY_PREFIX = "pseudonym-";

  /** How client addresses are written. */
  public enum Clients { TRUNCATE, PSEUDONYMISE }

  /**
   * @param dir where the hourly files (and the pseudonym keys) live, created 0700
   * @param retention how long a file is kept after its hour ended
   * @param childProfiles ids of the profiles that are children's
   * @param queueCapacity entries waiting for the writer before new ones are dropped
   */
  public record Options(Path dir, Clients clients, Duration retention, Set<String> childProfiles,
      int queueCapacity) {
    public Options {
      childProfiles = Set.copyOf(childProfiles);
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queue capacity must be at least 1");
      }
    }
  }

  private record Entry(long millis, InetAddress client, int transport, String name, int qtype,
      int rcode, int type, String profile) {}

  private static final Entry STOP = new Entry(0, null, 0, null, 0, 0, 0, null);

  private final Options options;
  private final Function<String, Subscriber> subscribers;
  private final Clock clock;
  private final BlockingQueue<Entry> queue;
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder leftOutChildren = new LongAdder();
  private final Thread writer;
  private BufferedWriter out;
  private String outHour;
  private Mac mac;
  private LocalDate macDay;
  private long nextSweep;

  /**
   * Starts the writer thread; old files beyond the retention are deleted at once.
   *
   * @param subscribers looks a household up by id (for its opt-in), null when unknown
   */
  public QueryLog(Options options, Function<String, Subscriber> subscribers, Clock clock)
      throws IOException {
    this.options = options;
    this.subscribers = subscribers;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    Files.createDirectories(options.dir());
    try {
      Files.setPosixFilePermissions(options.dir(), PosixFilePermissions.fromString("rwx------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the data directory's own permissions apply
    }
    sweep();
    writer = new Thread(this::run, "hearth-query-log");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public void answered(QueryContext ctx, Answer answer, ByteBuf response) {
    if (childQuery(ctx)) {
      leftOutChildren.increment();
      return;
    }
    PolicyDecision d = ctx.decision;
    String profile = d != null && d.profile() != null ? d.profile().id()
        : ctx.identity != null ? ctx.identity.profileId() : null;
    int rcode = answer.dropped() ? -1 : answer.template().rcode();
    Entry e = new Entry(clock.millis(), ctx.client.getAddress(), ctx.transport.ordinal(),
        ctx.query.nameText(), ctx.query.qtype, rcode,
        QueryMetrics.typeIndex(answer.source(), rcode), profile);
    if (!queue.offer(e)) {
      dropped.increment();
    }
  }

  /** Whether this query ran under a children's profile of a household that did not opt in. */
  private boolean childQuery(QueryContext ctx) {
    Set<String> children = options.childProfiles();
    if (children.isEmpty()) {
      return false;
    }
    ClientIdentity id = ctx.identity;
    PolicyDecision d = ctx.decision;
    boolean child = (id != null && children.contains(id.profileId()))
        || (d != null && d.profile() != null && children.contains(d.profile().id()));
    if (!child) {
      return false;
    }
    Subscriber s = id == null || id.subscriberId() == null ? null
        : subscribers.apply(id.subscriberId());
    return s == null || !s.queryLogChildren();
  }

  /** Entries dropped because the writer was behind. */
  public long dropped() {
    return dropped.sum();
  }

  /** Entries written so far. */
  public long written() {
    return written.sum();
  }

  /** Queries left out because they ran under a children's profile without the opt-in. */
  public long leftOutChildren() {
    return leftOutChildren.sum();
  }

  private void run() {
    try {
      while (true) {
        Entry e = queue.poll(1, TimeUnit.SECONDS);
        if (e == STOP) {
          break;
        }
        try {
          if (e != null) {
            write(e);
          }
          if (queue.isEmpty() && out != null) {
            out.flush();
          }
          if (clock.millis() >= nextSweep) {
            sweep();
          }
        } catch (IOException | RuntimeException ex) {
          log.warn("query log: {}", ex.toString());
          closeFile();
        }
      }
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
    Entry rest;
    while ((rest = queue.poll()) != null) {
      try {
        if (rest != STOP) {
          write(rest);
        }
      } catch (IOException | RuntimeException ex) {
        break;
      }
    }
    closeFile();
  }

  private void write(Entry e) throws IOException {
    Instant ts = Instant.ofEpochMilli(e.millis());
    String hour = HOUR.format(ts);
    if (!hour.equals(outHour)) {
      closeFile();
      Path file = options.dir().resolve(PREFIX + hour + SUFFIX);
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ex) {
        // not POSIX
      }
      outHour = hour;
      sweep();
    }
    StringBuilder sb = new StringBuilder(160);
    sb.append("{\"ts\":\"").append(ts).append("\",\"client\":\"").append(client(e.client(), ts))
        .append("\",\"protocol\":\"").append(QueryMetrics.PROTOCOLS[e.transport()])
        .append("\",\"name\":\"");
    escape(sb, e.name());
    sb.append("\",\"qtype\":\"").append(org.xbill.DNS.Type.string(e.qtype()))
        .append("\",\"rcode\":\"").append(e.rcode() < 0 ? "none"
            : QueryMetrics.RCODES[QueryMetrics.rcodeIndex(e.rcode())])
        .append("\",\"response\":\"").append(QueryMetrics.TYPES[e.type()]).append('"');
    if (e.profile() != null) {
      sb.append(",\"profile\":\"");
      escape(sb, e.profile());
      sb.append('"');
    }
    sb.append("}\n");
    out.write(sb.toString());
    written.increment();
  }

  private static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
  }

  /** The address as written: its network, or a keyed hash under the key of that UTC day. */
  String client(InetAddress a, Instant at) throws IOException {
    if (options.clients() == Clients.TRUNCATE) {
      return truncate(a);
    }
    LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
    if (!day.equals(macDay)) {
      mac = hmac(key(day));
      macDay = day;
    }
    byte[] h = mac.doFinal(a.getAddress());
    return "h:" + HexFormat.of().formatHex(h, 0, 12);
  }

  /** IPv4 to its /24, IPv6 to its /56 (a household's delegated prefix, not its device). */
  public static String truncate(InetAddress a) {
    byte[] b = a.getAddress();
    int keep = a instanceof Inet4Address ? 3 : 7;
    for (int i = keep; i < b.length; i++) {
      b[i] = 0;
    }
    if (a instanceof Inet4Address) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
    }
    return ipv6(b) + "/56";
  }

  /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
  static String ipv6(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(g[i]));
    }
    return sb.toString();
  }

  private static Mac hmac(byte[] key) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** The day's key: made at random the first time, kept in the directory, swept like the logs. */
  private byte[] key(LocalDate day) throws IOException {
    Path file = options.dir().resolve(KEY_PREFIX + day + ".key");
    if (Files.exists(file)) {
      return Files.readAllBytes(file);
    }
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    Path tmp = options.dir().resolve(KEY_PREFIX + day + ".tmp");
    Files.write(tmp, k);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not POSIX
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return k;
  }

  /**
   * Deletes every hourly file whose hour ended more than the retention ago, and every day's key
   * once no kept file can need it; runs at start, on each new hour and every minute.
   */
  public synchronized void sweep() throws IOException {
    Instant now = clock.instant();
    nextSweep = now.toEpochMilli() + 60_000;
    Instant cutoff = now.minus(options.retention());
    try (DirectoryStream<Path> files = Files.newDirectoryStream(options.dir())) {
      for (Path f : files) {
        String n = f.getFileName().toString();
        Instant end = null;
        if (n.startsWith(PREFIX) && n.endsWith(SUFFIX)) {
          end = hourEnd(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
        } else if (n.startsWith(KEY_PREFIX) && n.endsWith(".key")) {
          try {
            end = LocalDate.parse(n.substring(KEY_PREFIX.length(), n.length() - 4))
                .plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
          } catch (java.time.format.DateTimeParseException e) {
            end = null;
          }
        }
        if (end != null && end.isBefore(cutoff) && !n.equals(PREFIX + outHour + SUFFIX)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static Instant hourEnd(String hour) {
    try {
      return java.time.LocalDateTime.parse(hour, DateTimeFormatter.ofPattern("yyyyMMdd-HH"))
          .toInstant(ZoneOffset.UTC).plus(1, ChronoUnit.HOURS);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        log.warn("query log: {}", e.toString());
      }
      out = null;
      outHour = null;
    }
  }

  /** Writes what is queued, closes the file and stops the writer (waits up to 5 s). */
  @Override
  public void close() {
    boolean interrupted = false;
    while (!queue.offer(STOP)) {
      queue.poll(); // full: make room for the stop marker (drops one entry, counted)
      dropped.increment();
    }
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
