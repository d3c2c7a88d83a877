package dev.hearth.blocklists;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a list comes from and what it is: a local file (or UT1 category directory) or an
 * HTTP(S) URL, refreshed on its own interval.
 *
 * @param id stable id, also the directory name of its persisted versions ({@code [a-z0-9._/-]})
 * @param location a path, or an {@code http://} / {@code https://} URL
 * @param sha256 optional pin: the body must have this SHA-256 (hex) or the update is refused
 * @param signatureUrl optional detached Ed25519 signature of the body (needs {@code publicKey})
 * @param publicKey PEM (X.509 SubjectPublicKeyInfo) Ed25519 key that signs the list
 * @param caFile for an {@code https://} source: a PEM file of CA certificates trusted for it
 *     instead of the JDK's default store (as {@code curl --cacert}), or null for the default
 * @param withholdLines report invalid lines by file and line number only, never their text: for
 *     sources added at run time through the admin API, which may name any file or URL the
 *     service can reach (locked lists always withhold)
 */
public record ListSource(String id, String location, Format format, String category,
    boolean locked, boolean legalOverride, Duration refresh, String sha256, String signatureUrl,
    String publicKey, String caFile, boolean withholdLines, About about) {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

  /**
   * What the public "lists in use" page says about a list: its full name, who maintains it, under
   * which licence it is used, the legal basis for a legal list, and where to appeal an entry to
   * its maintainer. All optional.
   */
  public record About(String name, String owner, String licence, String legalBasis,
      String appeal) {
    public static final About NONE = new About(null, null, null, null, null);
  }

  /** As the canonical constructor, without a description. */
  public ListSource(String id, String location, Format format, String category, boolean locked,
      boolean legalOverride, Duration refresh, String sha256, String signatureUrl,
      String publicKey, String caFile, boolean withholdLines) {
    this(id, location, format, category, locked, legalOverride, refresh, sha256, signatureUrl,
        publicKey, caFile, withholdLines, About.NONE);
  }

  public ListSource {
    Objects.requireNonNull(id, "id");
    about = about == null ? About.NONE : about;
    Objects.requireNonNull(location, "location");
    format = format == null ? Format.AUTO : format;
    refresh = refresh == null ? Duration.ofHours(6) : refresh;
    if (!ID.matcher(id).matches() || id.length() > 100) {
      throw new IllegalArgumentException("list id '" + id + "' must be lower-case letters, digits,"
          + " '.', '_', '-' and '/' (at most 100 characters)");
    }
    if (refresh.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("refresh interval of list " + id + " below 1 s");
    }
    if (locked && legalOverride) {
      throw new IllegalArgumentException("list " + id + " cannot be locked and a legal override");
    }
    if (sha256 != null && !sha256.toLowerCase(Locale.ROOT).matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 pin of list " + id + " is not 64 hex digits");
    }
    if ((signatureUrl == null) != (publicKey == null)) {
      throw new IllegalArgumentException(
          "list " + id + ": a signature needs both a signature URL and a public key");
    }
    if (caFile != null && !location.toLowerCase(Locale.ROOT).startsWith("https://")) {
      throw new IllegalArgumentException("list " + id + ": a CA file is only for https:// sources");
    }
  }

  /** A source from the operator's own configuration: invalid lines are reported with text. */
  public ListSource(String id, String location, Format format, String category, boolean locked,
      boolean legalOverride, Duration refresh, String sha256, String signatureUrl,
      String publicKey, String caFile) {
    this(id, location, format, category, locked, legalOverride, refresh, sha256, signatureUrl,
        publicKey, caFile, false);
  }

  /** A source that trusts the JDK's default CA store (if it is an HTTPS URL at all). */
  public ListSource(String id, String location, Format format, String category, boolean locked,
      boolean legalOverride, Duration refresh, String sha256, String signatureUrl,
      String publicKey) {
    this(id, location, format, category, locked, legalOverride, refresh, sha256, signatureUrl,
        publicKey, null);
  }

  /** A local file list with the defaults: detected format, checked every 10 s. */
  public static ListSource file(String id, String path) {
    return new ListSource(id, path, Format.AUTO, null, false, false, Duration.ofSeconds(10), null,
        null, null);
  }

  /** This source with the text of invalid lines withheld from errors and the update log. */
  public ListSource withWithheldLines() {
    return new ListSource(id, location, format, category, locked, legalOverride, refresh, sha256,
        signatureUrl, publicKey, caFile, true, about);
  }

  /** This source with {@code a} as its public description. */
  public ListSource withAbout(About a) {
    return new ListSource(id, location, format, category, locked, legalOverride, refresh, sha256,
        signatureUrl, publicKey, caFile, withholdLines, a);
  }

  /** Whether problem reports may quote the text of a line (never for locked lists). */
  boolean quotesLines() {
    return !locked && !withholdLines;
  }

  public boolean isHttp() {
    String l = location.toLowerCase(Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  ListInfo info() {
    return new ListInfo(id, category, locked, legalOverride, "", java.util.List.of());
  }

  /** Derives a list id from a file name: lower case, other characters replaced by '-'. */
  public static String idFor(String fileName) {
    String s = fileName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._/-]", "-");
    s = s.replaceAll("^[^a-z0-9]+", "");
    return s.isEmpty() ? "list" : s.length() > 100 ? s.substring(0, 100) : s;
  }
}
