package dev.hearth.cli;

import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.upstream.UpstreamSpec;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text-to-value rules shared by the command line and the YAML file, so that both accept the same
 * spellings and describe the same mistake with the same words. Every method throws
 * {@link IllegalArgumentException} with a message of the form {@code expected ..., got "..."};
 * callers prefix it with where the text came from.
 */
final class Values {
  private Values() {}

  static final String SIZE = "a size in bytes with an optional k, m or g suffix (e.g. 64m)";
  static final String DURATION = "a duration such as 800ms, 10s, 5m, 1h or 2d";
  static final String BOOLEAN = "true or false";
  static final String VALIDATING_SUFFIX = "+validating";

  private static final Pattern SIZE_PATTERN = Pattern.compile("([0-9]+)\\s*([kmg]?)b?");
  private static final Pattern DURATION_PATTERN = Pattern.compile("([0-9]+)\\s*(ms|s|m|h|d)");

  /** A whole number in {@code [min, max]}; {@code what} completes "expected ...". */
  static int wholeNumber(String text, int min, int max, String what) {
    String t = text.trim();
    if (!t.matches("-?[0-9]{1,10}")) {
      throw expected(what, text);
    }
    long v = Long.parseLong(t);
    if (v < min || v > max) {
      throw expected(what, text);
    }
    return (int) v;
  }

  /** {@code true}/{@code false}, also the YAML 1.1 spellings yes/no and on/off. */
  /** {@code json} or {@code text} ({@code logging.format}, {@code --log-format}): true for JSON. */
  static boolean jsonLogFormat(String text) {
    switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "json":
        return true;
      case "text":
        return false;
      default:
        throw new IllegalArgumentException("expected json or text, got \"" + text.trim() + "\"");
    }
  }

  static boolean bool(String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "on":
        return true;
      case "false": case "no": case "off":
        return false;
      default:
        throw expected(BOOLEAN, text);
    }
  }

  /** Bytes, with an optional binary k/m/g suffix: {@code 65536}, {@code 512k}, {@code 64m}, {@code 1g}. */
  static long size(String text) {
    Matcher m = SIZE_PATTERN.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches() || m.group(1).length() > 18) {
      throw expected(SIZE, text);
    }
    long n = Long.parseLong(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    if (n == 0 || n > (Long.MAX_VALUE >> shift)) {
      throw expected(SIZE, text);
    }
    return n << shift;
  }

  /** A positive duration with a unit: {@code 800ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
  static Duration duration(String text) {
    Matcher m = DURATION_PATTERN.matcher(text.trim());
    if (!m.matches() || m.group(1).length() > 9) {
      throw expected(DURATION, text);
    }
    long n = Long.parseLong(m.group(1));
    if (n == 0) {
      throw expected(DURATION + " (more than zero)", text);
    }
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofHours(n);
    };
  }

  /** The shortest exact spelling {@link #duration} accepts back. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }

  /**
   * A client network ({@code 10.0.0.0/8}, {@code fd00::/8}, or a bare address). The address is
   * checked here first because {@link Prefix#parse} falls back to a DNS lookup for anything that
   * looks numeric but is not a valid literal.
   */
  static Prefix prefix(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String what = "an IP network such as 10.0.0.0/8 or fd00::/8";
    try {
      HostPort.ipLiteral(slash < 0 ? t : t.substring(0, slash));
      return Prefix.parse(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected " + what + ", got \"" + text + "\" (" + e.getMessage() + ")");
    }
  }

  /** The inverse of {@link #prefix}, IPv6 in short form. */
  static String format(Prefix p) {
    try {
      return HostPort.format(java.net.InetAddress.getByAddress(p.network())) + "/" + p.length();
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The address forms an upstream may take, for error messages. */
  static final String UPSTREAM_FORMS = "HOST[:PORT], tls://HOST[:PORT] or https://HOST[:PORT][/PATH],"
      + " optionally followed by +validating";
  private static final Pattern HOST_NAME = Pattern.compile(
      "(?i)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\\.?");
  private static final Pattern URL_PATH = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");

  /**
   * An upstream server: {@code HOST[:PORT]} (plain DNS, an IP address, port 53 when omitted),
   * {@code tls://HOST[:PORT]} (DNS over TLS, port 853) or {@code https://HOST[:PORT][/PATH]}
   * (DNS over HTTPS, port 443, path /dns-query), each optionally followed by {@code +validating},
   * which marks an upstream trusted to validate DNSSEC, whose AD bit is passed on to clients.
   * An encrypted upstream's HOST may be a name: it is resolved once, now, with the system
   * resolver, and the certificate must match it.
   */
  static UpstreamSpec upstream(String text) {
    String t = text.trim();
    boolean validating = false;
    if (t.toLowerCase(Locale.ROOT).endsWith(VALIDATING_SUFFIX)) {
      validating = true;
      t = t.substring(0, t.length() - VALIDATING_SUFFIX.length());
    } else if (t.contains("+")) {
      throw new IllegalArgumentException("expected " + UPSTREAM_FORMS + ", got \"" + text + "\"");
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("tls://")) {
      return encrypted(UpstreamSpec.Transport.TLS, t.substring(6), text, validating);
    }
    if (lower.startsWith("https://")) {
      return encrypted(UpstreamSpec.Transport.HTTPS, t.substring(8), text, validating);
    }
    if (lower.contains("://")) {
      throw new IllegalArgumentException("expected " + UPSTREAM_FORMS + " (only tls:// and https://"
          + " are supported), got \"" + text + "\"");
    }
    return new UpstreamSpec(HostPort.parseServer(t, 53), validating);
  }

  private static UpstreamSpec encrypted(UpstreamSpec.Transport transport, String rest, String text,
      boolean validating) {
    String path = null;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      if (transport != UpstreamSpec.Transport.HTTPS) {
        throw bad(text, "a tls:// upstream has no path");
      }
      path = rest.substring(slash);
      rest = rest.substring(0, slash);
      if (!URL_PATH.matcher(path).matches()) {
        throw bad(text, "bad path '" + path + "'");
      }
    } else if (transport == UpstreamSpec.Transport.HTTPS) {
      path = "/dns-query";
    }
    String host;
    String port = null;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close < 0) {
        throw bad(text, "missing ']'");
      }
      host = rest.substring(1, close);
      String after = rest.substring(close + 1);
      if (after.startsWith(":")) {
        port = after.substring(1);
      } else if (!after.isEmpty()) {
        throw bad(text, null);
      }
    } else {
      int first = rest.indexOf(':');
      if (first >= 0 && first != rest.lastIndexOf(':')) {
        throw bad(text, "write IPv6 addresses in brackets, e.g. tls://[2001:db8::1]:853");
      }
      host = first < 0 ? rest : rest.substring(0, first);
      port = first < 0 ? null : rest.substring(first + 1);
    }
    int p = transport.defaultPort;
    if (port != null) {
      if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
        throw bad(text, "port must be between 1 and 65535");
      }
      p = Integer.parseInt(port);
    }
    java.net.InetAddress address;
    if (host.contains(":") || host.matches("[0-9.]+")) {
      try {
        address = HostPort.ipLiteral(host);
      } catch (IllegalArgumentException e) {
        throw bad(text, e.getMessage());
      }
      host = HostPort.format(address);
    } else {
      if (host.isEmpty() || host.length() > 253 || !HOST_NAME.matcher(host).matches()) {
        throw bad(text, "'" + host + "' is neither a host name nor an IP address");
      }
      host = host.toLowerCase(Locale.ROOT);
      address = resolve(host);
    }
    return new UpstreamSpec(transport, new java.net.InetSocketAddress(address, p), host, path, null,
        null, validating);
  }

  /** The name an encrypted upstream's certificate must carry: a host name or an IP address. */
  static String tlsName(String text) {
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    if (t.contains(":") || t.matches("[0-9.]+")) {
      return HostPort.format(HostPort.ipLiteral(t));
    }
    if (t.isEmpty() || t.length() > 253 || !HOST_NAME.matcher(t).matches()) {
      throw expected("a host name or IP address", text);
    }
    return t.toLowerCase(Locale.ROOT);
  }

  /** A PEM file with at least one CA certificate, read now so a bad file fails at start. */
  static java.nio.file.Path caFile(String text) {
    java.nio.file.Path p;
    try {
      p = java.nio.file.Path.of(text.trim());
    } catch (java.nio.file.InvalidPathException e) {
      throw expected("a PEM file of CA certificates", text);
    }
    try (var in = java.nio.file.Files.newInputStream(p)) {
      var certs = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("no certificate in " + p);
      }
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("cannot read " + p + ": " + e.getMessage());
    } catch (java.security.cert.CertificateException e) {
      throw new IllegalArgumentException("no PEM certificate in " + p + ": " + e.getMessage());
    }
    return p;
  }

  /** An encrypted upstream's host name, resolved once with the system resolver. */
  private static java.net.InetAddress resolve(String host) {
    try {
      return java.net.InetAddress.getByName(host);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("cannot resolve upstream host name '" + host + "' with"
          + " the system resolver; write its IP address instead (and set tls_name in the config"
          + " file to the name its certificate carries)");
    }
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("expected " + UPSTREAM_FORMS + ", got \"" + text + "\""
        + (why == null ? "" : " (" + why + ")"));
  }

  /** The inverse of {@link #upstream}. */
  static String format(UpstreamSpec u) {
    return (u.encrypted() ? u.url() : HostPort.format(u.address()))
        + (u.validating() ? VALIDATING_SUFFIX : "");
  }

  static IllegalArgumentException expected(String what, String got) {
    return new IllegalArgumentException("expected " + what + ", got \"" + got + "\"");
  }
}
