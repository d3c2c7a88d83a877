package dev.hearth.blocklists;

import dev.hearth.blocklists.FetchException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Downloads a block list over HTTP(S) the way a careful list updater does (Pi-hole's gravity,
 * AdGuard Home's filter updates, Unbound's {@code auth-zone} {@code url:}), and hands the body to
 * the caller as a stream, so that the list is parsed while it downloads.
 *
 * <p>Why a stream and not a file: a locked legal list must never be written to disk in plain
 * text, so this class writes the body nowhere; the caller's {@link BodyReader} consumes it (for
 * example {@link ListLoader#load(ListInfo, NameHasher, Format, String, InputStream, double)},
 * which keeps only hashes).
 *
 * <p>What "careful" means here:
 *
 * <ul>
 *   <li>Conditional GET: the validators of the last successful fetch are sent as {@code
 *       If-None-Match} / {@code If-Modified-Since}; a 304 answers {@link Outcome.NotModified}
 *       without calling the reader, so an unchanged list costs one round trip.
 *   <li>Only {@code http} and {@code https}; redirects are followed except from https to http
 *       ({@link HttpClient.Redirect#NORMAL}); any status but 200 (and 304) is an error.
 *   <li>{@code Accept-Encoding: gzip}; the size limit applies to the bytes on the wire and to the
 *       decompressed bytes, so a small gzip bomb fails like a huge list.
 *   <li>A total deadline covers the headers <em>and</em> the body: the HTTP client's request
 *       timeout only lasts until the headers arrive, so a server that trickles bytes forever is cut
 *       off here (every read checks the deadline, and a watchdog closes a stalled stream).
 *   <li>The SHA-256 of the (decompressed) body is computed while the reader consumes it; the
 *       unread remainder is drained afterwards, and a pinned digest or an Ed25519 signature that
 *       does not match turns the reader's result into a {@link FetchException}. The same happens
 *       when the stream failed (limit, deadline, network) even if the reader swallowed the error:
 *       a partial result is never returned.
 * </ul>
 *
 * <p>Thread-safe: one {@link HttpClient} per fetcher, no mutable state of its own; concurrent
 * fetches are independent.
 */
public final class HttpListFetcher {
  /** Larger than any signature file has a reason to be (a base64 Ed25519 signature is 88 chars). */
  static final int MAX_SIGNATURE_BYTES = 4096;

  /** DER prefix of an Ed25519 SubjectPublicKeyInfo; followed by the 32-byte key. */
  private static final byte[] ED25519_SPKI_PREFIX =
      HexFormat.of().parseHex("302a300506032b6570032100");

  private final Options options;
  private final HttpClient client;

  /**
   * Limits and identification for every fetch.
   *
   * @param connectTimeout for the TCP (and TLS) connection
   * @param totalTimeout for the whole fetch: headers, body, and the signature file if any
   * @param maxBytes largest body accepted, counted on the wire and again after decompression
   * @param userAgent sent as {@code User-Agent}; list operators use it to contact heavy users
   */
  public record Options(Duration connectTimeout, Duration totalTimeout, long maxBytes,
      String userAgent) {
    public Options {
      requirePositive(connectTimeout, "connectTimeout");
      requirePositive(totalTimeout, "totalTimeout");
      if (maxBytes <= 0) {
        throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
      }
      Objects.requireNonNull(userAgent, "userAgent");
      if (userAgent.isBlank() || userAgent.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw new IllegalArgumentException("userAgent must be non-blank, without control chars");
      }
    }

    /** 10 s to connect, 120 s in total, 512 MiB, {@code "Hearth/0.1 (+list updater)"}. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofSeconds(120), 512L << 20,
          "Hearth/0.1 (+list updater)");
    }

    private static void requirePositive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + d);
      }
    }
  }

  /**
   * Validators remembered from the last successful fetch, for a conditional GET; store them with
   * the compiled list and pass them to the next {@link #fetch}. Either may be null (blank counts
   * as null). They are sent back verbatim, as RFC 9110 recommends.
   */
  public record Validators(String etag, String lastModified) {
    /** No previous fetch: the request is unconditional. */
    public static final Validators NONE = new Validators(null, null);

    public Validators {
      etag = etag == null || etag.isBlank() ? null : etag.strip();
      lastModified = lastModified == null || lastModified.isBlank() ? null : lastModified.strip();
    }

    public boolean isEmpty() {
      return etag == null && lastModified == null;
    }
  }

  /** What a fetch produced. */
  public sealed interface Outcome<T> {
    /** The server says the list has not changed since {@code previous}; the reader was not run. */
    record NotModified<T>() implements Outcome<T> {}

    /**
     * A new body, read completely and verified.
     *
     * @param value what the reader returned
     * @param validators to send with the next fetch ({@link Validators#NONE} if the server sent
     *     neither ETag nor Last-Modified)
     * @param sha256Hex lower-case SHA-256 of the whole decompressed body
     * @param bytes length of the decompressed body
     */
    record Fetched<T>(T value, Validators validators, String sha256Hex, long bytes)
        implements Outcome<T> {}
  }

  /**
   * Consumes the body while it downloads. The reader need not read to the end (the rest is
   * drained to complete the checks) and need not close the stream (closing it is harmless).
   *
   * <p>{@code E} is the reader's own checked exception, e.g. {@link ListRejectedException}: it is
   * propagated unchanged by {@link #fetch}, so the caller handles "the list is bad" and "the
   * download failed" ({@link FetchException}) separately, without unwrapping. A reader that throws
   * no checked exception makes {@code E} {@link RuntimeException}. {@link IOException}s, whether
   * from the stream or the reader, are reported as {@link FetchException}.
   */
  @FunctionalInterface
  public interface BodyReader<T, E extends Exception> {
    T read(InputStream body) throws IOException, E;
  }

  /**
   * A detached Ed25519 signature check. The signature (64 bytes, raw or base64 text) is fetched
   * from {@code signatureUri}, or when that is null from the list URL with {@code .sig} appended to
   * its path, once the list's server has answered 200 and before its body is read; it must verify
   * over the exact (decompressed) body bytes. Knowing the signature first lets {@link
   * Ed25519Stream} check it as the body streams past, so a signed list is not held in memory.
   */
  public record Verifier(PublicKey publicKey, URI signatureUri) {
    public Verifier {
      Objects.requireNonNull(publicKey, "publicKey");
      try {
        Signature.getInstance("Ed25519").initVerify(publicKey);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
      }
    }

    /**
     * Parses an Ed25519 public key given as PEM ({@code -----BEGIN PUBLIC KEY-----}, i.e. X.509
     * SubjectPublicKeyInfo, as {@code openssl pkey -pubout} writes it), as the bare base64 of that
     * DER, or as the base64 of the raw 32-byte key. The signature is looked for next to the list.
     *
     * @throws IllegalArgumentException with a readable reason
     */
    public static Verifier ed25519(String publicKey) {
      Objects.requireNonNull(publicKey, "publicKey");
      if (publicKey.contains("PRIVATE")) {
        throw new IllegalArgumentException("a private key was given where a public key belongs");
      }
      String b64 = publicKey.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "")
          .replaceAll("\\s+", "");
      byte[] der;
      try {
        der = Base64.getDecoder().decode(b64);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Ed25519 public key is neither PEM nor base64", e);
      }
      if (der.length == 32) {
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(der, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        der = spki;
      }
      try {
        return new Verifier(
            KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der)), null);
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage(), e);
      }
    }

    /** The raw 32-byte key (the end of its X.509 encoding). */
    byte[] rawKey() {
      byte[] der = publicKey.getEncoded();
      return java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
    }

    /** The same key, with the signature fetched from {@code uri} instead. */
    public Verifier withSignatureUri(URI uri) {
      return new Verifier(publicKey, uri);
    }

    /** Where the signature of {@code listUri} is fetched from. */
    public URI signatureUriFor(URI listUri) {
      if (signatureUri != null) {
        return signatureUri;
      }
      String s = listUri.toString();
      int hash = s.indexOf('#');
      if (hash >= 0) {
        s = s.substring(0, hash);
      }
      int query = s.indexOf('?');
      return URI.create(
          query < 0 ? s + ".sig" : s.substring(0, query) + ".sig" + s.substring(query));
    }
  }

  public HttpListFetcher(Options options) {
    this(options, null);
  }

  /**
   * With {@code tls} trusting other certificates than the JDK's default store, e.g. an
   * operator's internal CA for a list mirror; null for the default.
   */
  public HttpListFetcher(Options options, javax.net.ssl.SSLContext tls) {
    this.options = Objects.requireNonNull(options, "options");
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(options.connectTimeout())
        .followRedirects(HttpClient.Redirect.NORMAL);
    if (tls != null) {
      b.sslContext(tls);
    }
    this.client = b.build();
  }

  public Options options() {
    return options;
  }

  /** {@link #fetch(URI, Validators, String, Verifier, BodyReader)} without pin or signature. */
  public <T, E extends Exception> Outcome<T> fetch(URI uri, Validators previous,
      BodyReader<T, E> reader) throws FetchException, E {
    return fetch(uri, previous, null, null, reader);
  }

  /**
   * Fetches {@code uri} and, if it changed, runs {@code reader} over its body.
   *
   * @param previous validators of the last successful fetch, or {@link Validators#NONE} / null
   * @param sha256Pin expected SHA-256 of the decompressed body (64 hex digits, any case), or null
   * @param signature detached Ed25519 signature to check, or null
   * @return {@link Outcome.NotModified} on a 304 (the reader is not called), otherwise the reader's
   *     value with the new validators, digest and length
   * @throws FetchException when the URL is unusable, the server fails or answers other than
   *     200 / 304, a limit or the deadline is exceeded, the reader hits an {@link IOException}, or
   *     the pin or signature does not match; nothing the reader produced is returned then
   * @throws E when the reader throws it (e.g. the list is mostly invalid) and the stream itself had
   *     not failed; the rest of the body is not downloaded
   */
  public <T, E extends Exception> Outcome<T> fetch(URI uri, Validators previous, String sha256Pin,
      Verifier signature, BodyReader<T, E> reader) throws FetchException, E {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(reader, "reader");
    Validators conditional = previous == null ? Validators.NONE : previous;
    long deadline = System.nanoTime() + options.totalTimeout().toNanos();
    String source = display(uri);
    checkUri(uri, source);
    String pin = normalizePin(sha256Pin, source);
    URI signatureUri = signature == null ? null : signature.signatureUriFor(uri);
    if (signatureUri != null) {
      checkUri(signatureUri, "signature " + display(signatureUri));
    }

    HttpResponse<InputStream> response = send(uri, source, conditional, deadline);
    T value;
    Validators validators;
    String sha256Hex;
    long bytes;
    Ed25519Stream verifier = null;
    try {
      int status = response.statusCode();
      if (status == 304) {
        if (conditional.isEmpty()) {
          throw new FetchException(Reason.HTTP_STATUS,
              source + ": HTTP 304 to an unconditional request", 304, null);
        }
        return new Outcome.NotModified<>();
      }
      if (status != 200) {
        throw statusError(source, uri, response);
      }
      validators = new Validators(response.headers().firstValue("ETag").orElse(null),
          response.headers().firstValue("Last-Modified").orElse(null));
      MessageDigest sha = sha256();
      if (signature != null) {
        verifier = Ed25519Stream.start(signature.rawKey(),
            fetchSignature(signatureUri, deadline));
      }
      try (Transfer transfer = new Transfer(source, response, options.maxBytes(), deadline,
          options.totalTimeout(), sha, verifier)) {
        try {
          value = reader.read(transfer.forReader());
        } catch (Exception e) {
          FetchException failure = transfer.failure();
          if (failure != null) {
            if (failure != e.getCause()) {
              failure.addSuppressed(e);
            }
            throw failure;
          }
          if (e instanceof IOException) {
            throw new FetchException(Reason.IO,
                source + ": reading the body failed: " + describe(e), e);
          }
          if (e instanceof RuntimeException) {
            throw (RuntimeException) e;
          }
          @SuppressWarnings("unchecked") // checked and not IOException: the reader's own E
          E own = (E) e;
          throw own;
        }
        transfer.drain();
        bytes = transfer.bytes();
      }
      sha256Hex = HexFormat.of().formatHex(sha.digest());
    } finally {
      closeQuietly(response.body());
    }
    if (pin != null && !MessageDigest.isEqual(
        pin.getBytes(StandardCharsets.US_ASCII), sha256Hex.getBytes(StandardCharsets.US_ASCII))) {
      throw new FetchException(Reason.INTEGRITY,
          source + ": SHA-256 mismatch: expected " + pin + ", got " + sha256Hex, null);
    }
    if (verifier != null && !verifier.verify()) {
      throw new FetchException(Reason.INTEGRITY,
          source + ": Ed25519 signature mismatch (signature from " + display(signatureUri) + ")",
          null);
    }
    return new Outcome.Fetched<>(value, validators, sha256Hex, bytes);
  }

  /** Fetches a detached signature: 64 raw bytes or their base64. */
  private byte[] fetchSignature(URI signatureUri, long deadline) throws FetchException {
    String sigSource = "signature " + display(signatureUri);
    byte[] raw = fetchSmall(signatureUri, sigSource, deadline, MAX_SIGNATURE_BYTES);
    byte[] sig = raw;
    if (raw.length != 64) {
      try {
        sig = Base64.getDecoder().decode(
            new String(raw, StandardCharsets.US_ASCII).replaceAll("\\s+", ""));
      } catch (IllegalArgumentException e) {
        sig = null;
      }
      if (sig == null || sig.length != 64) {
        throw new FetchException(Reason.INTEGRITY, sigSource
            + ": not an Ed25519 signature (neither 64 raw bytes nor their base64)", null);
      }
    }
    return sig;
  }

  /** GETs a small resource (the signature) completely, under the same deadline. */
  private byte[] fetchSmall(URI uri, String source, long deadline, int maxBytes)
      throws FetchException {
    HttpResponse<InputStream> response = send(uri, source, Validators.NONE, deadline);
    try {
      if (response.statusCode() != 200) {
        throw statusError(source, uri, response);
      }
      try (Transfer transfer = new Transfer(source, response, maxBytes, deadline,
          options.totalTimeout(), null, null)) {
        return transfer.readAll(maxBytes);
      }
    } finally {
      closeQuietly(response.body());
    }
  }

  private HttpResponse<InputStream> send(URI uri, String source, Validators conditional,
      long deadline) throws FetchException {
    HttpRequest request;
    try {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw timeout(source, options.totalTimeout(), null);
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET()
          .timeout(Duration.ofNanos(remaining))
          .header("User-Agent", options.userAgent())
          .header("Accept-Encoding", "gzip");
      if ("http".equalsIgnoreCase(uri.getScheme())) {
        // no h2c upgrade dance on plain http: some list hosts and proxies mishandle it
        b.version(HttpClient.Version.HTTP_1_1);
      }
      if (conditional.etag() != null) {
        b.header("If-None-Match", conditional.etag());
      }
      if (conditional.lastModified() != null) {
        b.header("If-Modified-Since", conditional.lastModified());
      }
      request = b.build();
    } catch (IllegalArgumentException e) {
      throw new FetchException(Reason.INVALID_REQUEST, source + ": " + describe(e), e);
    }
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpConnectTimeoutException e) {
      throw new FetchException(Reason.TIMEOUT,
          source + ": could not connect within " + human(options.connectTimeout()), e);
    } catch (HttpTimeoutException e) {
      throw timeout(source, options.totalTimeout(), e);
    } catch (IOException e) {
      throw new FetchException(Reason.IO, source + ": " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(Reason.IO, source + ": interrupted", e);
    } catch (IllegalArgumentException e) {
      throw new FetchException(Reason.INVALID_REQUEST, source + ": " + describe(e), e);
    }
  }

  private static FetchException statusError(String source, URI uri,
      HttpResponse<InputStream> response) {
    int status = response.statusCode();
    StringBuilder msg = new StringBuilder(source).append(": HTTP ").append(status);
    if (status >= 300 && status < 400) {
      response.headers().firstValue("Location").ifPresent(location ->
          msg.append(" (redirect to ").append(location).append(" not followed)"));
    } else if (!response.uri().equals(uri)) {
      msg.append(" (from ").append(display(response.uri())).append(")");
    }
    return new FetchException(Reason.HTTP_STATUS, msg.toString(), status, null);
  }

  private static FetchException timeout(String source, Duration total, Throwable cause) {
    return new FetchException(Reason.TIMEOUT,
        source + ": not finished within " + human(total) + " (total timeout)", cause);
  }

  private static void checkUri(URI uri, String source) throws FetchException {
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw new FetchException(Reason.INVALID_REQUEST, source + ": unsupported URL scheme '"
          + scheme + "' (only http and https)", null);
    }
    if (uri.getHost() == null) {
      throw new FetchException(Reason.INVALID_REQUEST, source + ": no host name", null);
    }
  }

  private static String normalizePin(String pin, String source) throws FetchException {
    if (pin == null || pin.isBlank()) {
      return null;
    }
    String p = pin.strip().toLowerCase(Locale.ROOT);
    if (!p.matches("[0-9a-f]{64}")) {
      throw new FetchException(Reason.INVALID_REQUEST,
          source + ": SHA-256 pin must be 64 hex digits: " + pin, null);
    }
    return p;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e); // every JDK has it
    }
  }

  /** The URI for messages, without user info (it may hold a password). */
  static String display(URI uri) {
    String s = uri.toString();
    String userInfo = uri.getRawUserInfo();
    return userInfo == null ? s : s.replace(userInfo + "@", "***@");
  }

  /**
   * A readable message from an exception chain: the JDK's HTTP client often throws exceptions
   * without a message (a refused connection is a ConnectException caused by a
   * ClosedChannelException) or with the useful part in a cause ("closed" caused by "fixed
   * content-length: 100, bytes received: 5").
   */
  static String describe(Throwable e) {
    List<String> parts = new ArrayList<>();
    boolean connect = false;
    Throwable t = e;
    for (int depth = 0; t != null && depth < 8 && parts.size() < 3; depth++, t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unknown host";
      }
      connect |= t instanceof ConnectException;
      String m = t.getMessage();
      if (m != null && !m.isBlank() && !parts.contains(m)
          && !(t.getCause() != null && m.equals(t.getCause().toString()))) {
        parts.add(m);
      }
    }
    if (parts.isEmpty()) {
      return connect ? "could not connect" : e.getClass().getSimpleName();
    }
    return String.join(": ", parts);
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException | RuntimeException e) {
      // nothing to do: the body is abandoned either way
    }
  }

  /** Closes stalled bodies at their deadline; one daemon thread for every fetcher. */
  private static final class Watchdog {
    static final ScheduledThreadPoolExecutor EXECUTOR = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "hearth-list-fetch-watchdog");
        t.setDaemon(true);
        return t;
      });
      e.setRemoveOnCancelPolicy(true);
      return e;
    }
  }

  /** An IOException that carries the transfer's recorded failure through the reader. */
  private static final class StreamFailure extends IOException {
    final FetchException failure;

    StreamFailure(FetchException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }
  }

  /**
   * One response body being read: decoding, limits, digest, deadline and the first failure. The
   * first failure is sticky: once the stream has failed every read fails again, and the fetch
   * fails whatever the reader did with the exception.
   */
  private static final class Transfer implements AutoCloseable {
    private final String source;
    private final InputStream raw;
    private final long maxBytes;
    private final long deadline;
    private final Duration total;
    private final MessageDigest sha;
    private final Ed25519Stream signature;
    private final boolean gzip;
    private final ScheduledFuture<?> watchdog;
    private final InputStream forReader = new ReaderStream();
    private volatile boolean timedOut;
    private volatile FetchException failure;
    private InputStream decoded;
    private long bytes;

    Transfer(String source, HttpResponse<InputStream> response, long maxBytes, long deadline,
        Duration total, MessageDigest sha, Ed25519Stream signature) throws FetchException {
      this.source = source;
      this.raw = response.body();
      this.maxBytes = maxBytes;
      this.deadline = deadline;
      this.total = total;
      this.sha = sha;
      this.signature = signature;
      this.gzip = isGzip(source, response);
      long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      if (length > maxBytes) {
        throw new FetchException(Reason.TOO_LARGE,
            source + ": larger than " + maxBytes + " bytes (Content-Length " + length + ")", null);
      }
      this.watchdog = Watchdog.EXECUTOR.schedule(this::expire,
          Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private static boolean isGzip(String source, HttpResponse<?> response)
        throws FetchException {
      List<String> codings = new ArrayList<>();
      for (String value : response.headers().allValues("Content-Encoding")) {
        for (String c : value.split(",")) {
          String coding = c.strip().toLowerCase(Locale.ROOT);
          if (!coding.isEmpty() && !coding.equals("identity")) {
            codings.add(coding);
          }
        }
      }
      if (codings.isEmpty()) {
        return false;
      }
      if (codings.equals(List.of("gzip")) || codings.equals(List.of("x-gzip"))) {
        return true;
      }
      throw new FetchException(Reason.IO,
          source + ": unsupported Content-Encoding " + String.join(", ", codings), null);
    }

    /** Runs on the watchdog thread: wakes a read blocked on a silent server. */
    private void expire() {
      timedOut = true;
      closeQuietly(raw);
    }

    InputStream forReader() {
      return forReader;
    }

    FetchException failure() {
      return failure;
    }

    long bytes() {
      return bytes;
    }

    /** Reads what the reader left, so that digest and signature cover the whole body. */
    void drain() throws FetchException {
      byte[] buf = new byte[8192];
      try {
        while (read(buf, 0, buf.length) >= 0) {
          // digest only
        }
      } catch (StreamFailure e) {
        // recorded
      }
      if (failure != null) {
        throw failure;
      }
    }

    byte[] readAll(int limit) throws FetchException {
      byte[] buf = new byte[limit + 1];
      int n = 0;
      try {
        int r;
        while ((r = read(buf, n, buf.length - n)) >= 0) {
          n += r;
          if (n == buf.length) {
            break; // read() has failed on the limit already
          }
        }
      } catch (StreamFailure e) {
        // recorded
      }
      if (failure != null) {
        throw failure;
      }
      return java.util.Arrays.copyOf(buf, n);
    }

    private synchronized StreamFailure fail(Reason reason, String message, Throwable cause) {
      if (failure == null) {
        failure = new FetchException(reason, message, cause);
      }
      return new StreamFailure(failure);
    }

    private StreamFailure timeoutFailure(Throwable cause) {
      FetchException t = timeout(source, total, cause);
      return fail(t.reason(), t.getMessage(), cause);
    }

    int read(byte[] b, int off, int len) throws StreamFailure {
      FetchException f = failure;
      if (f != null) {
        throw new StreamFailure(f);
      }
      if (len == 0) {
        return 0;
      }
      if (System.nanoTime() - deadline >= 0) {
        timedOut = true;
        throw timeoutFailure(null);
      }
      int n;
      try {
        if (decoded == null) {
          // GZIPInputStream reads the header in its constructor: build it under the deadline
          decoded = gzip ? new GZIPInputStream(new WireLimit(raw), 8192) : raw;
        }
        n = decoded.read(b, off, len);
      } catch (IOException e) {
        if (failure != null) {
          throw new StreamFailure(failure);
        }
        if (timedOut) {
          throw timeoutFailure(e);
        }
        throw fail(Reason.IO, source + ": reading the body failed: " + describe(e), e);
      }
      if (n < 0) {
        if (timedOut) { // the watchdog closed the stream: not the real end of the body
          throw timeoutFailure(null);
        }
        return -1;
      }
      bytes += n;
      if (bytes > maxBytes) {
        throw fail(Reason.TOO_LARGE, source + ": larger than " + maxBytes + " bytes", null);
      }
      if (sha != null) {
        sha.update(b, off, n);
      }
      if (signature != null) {
        signature.update(b, off, n);
      }
      return n;
    }

    @Override
    public void close() {
      watchdog.cancel(false);
      closeQuietly(raw);
    }

    /** Limits the compressed bytes, before the gzip decoder sees them. */
    private final class WireLimit extends InputStream {
      private final InputStream in;
      private long wire;

      WireLimit(InputStream in) {
        this.in = in;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          wire += n;
          if (wire > maxBytes) {
            throw fail(Reason.TOO_LARGE,
                source + ": compressed body larger than " + maxBytes + " bytes", null);
          }
        }
        return n;
      }
    }

    /**
     * What the reader gets. Closing it only ends the reader's use: the transfer still drains the
     * rest for the digest.
     */
    private final class ReaderStream extends InputStream {
      private final byte[] one = new byte[1];
      private volatile boolean closed;

      @Override
      public int read() throws IOException {
        int n;
        do {
          n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
          throw new IOException(source + ": stream closed");
        }
        return Transfer.this.read(b, off, len);
      }

      @Override
      public void close() {
        closed = true;
      }
    }
  }
}
