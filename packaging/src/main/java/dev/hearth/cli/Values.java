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

  /**
   * An upstream server: {@code HOST[:PORT][+validating]}, port 53 when omitted. The suffix marks
   * an upstream trusted to validate DNSSEC, whose AD bit is passed on to clients.
   */
  static UpstreamSpec upstream(String text) {
    String t = text.trim();
    boolean validating = false;
    if (t.toLowerCase(Locale.ROOT).endsWith(VALIDATING_SUFFIX)) {
      validating = true;
      t = t.substring(0, t.length() - VALIDATING_SUFFIX.length());
    } else if (t.contains("+")) {
      throw new IllegalArgumentException("expected HOST[:PORT] optionally followed by +validating, got \""
          + text + "\"");
    }
    return new UpstreamSpec(HostPort.parseServer(t, 53), validating);
  }

  /** The inverse of {@link #upstream}. */
  static String format(UpstreamSpec u) {
    return HostPort.format(u.address()) + (u.validating() ? VALIDATING_SUFFIX : "");
  }

  static IllegalArgumentException expected(String what, String got) {
    return new IllegalArgumentException("expected " + what + ", got \"" + got + "\"");
  }
}
