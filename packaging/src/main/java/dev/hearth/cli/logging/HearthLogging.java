package dev.hearth.cli.logging;

import java.io.PrintStream;
import java.time.Instant;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.simple.SimpleLogger;
import org.slf4j.simple.SimpleLoggerFactory;
import org.slf4j.simple.SimpleServiceProvider;

/**
 * Hearth's SLF4J provider: slf4j-simple (its levels, its text lines, its start-up cost of a few
 * classes) plus a JSON-lines mode ({@code logging.format: json}, {@code --log-format json}) that
 * log collectors parse without a regex. One object per line: {@code ts}, {@code level},
 * {@code logger}, {@code msg} and, with an exception, {@code error} and {@code stack}. The format
 * can be chosen after the first logger exists, because the config file is read with logging
 * already up. Selected with the {@code slf4j.provider} system property, so it is never found
 * beside slf4j-simple's own provider.
 */
public final class HearthLogging extends SimpleServiceProvider {
  private static volatile boolean json;
  private final ILoggerFactory factory = new Factory();

  /** Switches every logger, existing or future, to JSON lines ({@code true}) or text. */
  public static void json(boolean on) {
    json = on;
  }

  public static boolean json() {
    return json;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  private static final class Factory extends SimpleLoggerFactory {
    @Override
    protected Logger createLogger(String name) {
      return new JsonCapableLogger(name);
    }
  }

  /** A slf4j-simple logger that writes a JSON object instead of a text line in JSON mode. */
  static final class JsonCapableLogger extends SimpleLogger {
    JsonCapableLogger(String name) {
      super(name);
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern,
        Object[] args, Throwable t) {
      if (!json) {
        super.handleNormalizedLoggingCall(level, marker, pattern, args, t);
        return;
      }
      String msg = MessageFormatter.basicArrayFormat(pattern, args);
      write(System.err, line(Instant.now(), level.name(), shortName(getName()), msg, t));
    }

    private static synchronized void write(PrintStream out, String line) {
      out.println(line);
      out.flush();
    }
  }

  private static String shortName(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /** One log event as a JSON object (no trailing newline). */
  public static String line(Instant ts, String level, String logger, String msg, Throwable t) {
    StringBuilder sb = new StringBuilder(96 + (msg == null ? 4 : msg.length()));
    sb.append("{\"ts\":\"").append(ts).append("\",\"level\":\"").append(level)
        .append("\",\"logger\":");
    quote(sb, logger);
    sb.append(",\"msg\":");
    quote(sb, msg);
    if (t != null) {
      sb.append(",\"error\":");
      quote(sb, t.toString());
      java.io.StringWriter trace = new java.io.StringWriter();
      t.printStackTrace(new java.io.PrintWriter(trace));
      sb.append(",\"stack\":");
      quote(sb, trace.toString());
    }
    return sb.append('}').toString();
  }

  /** Appends {@code s} as a JSON string (RFC 8259 escapes; control characters as \\u00XX). */
  static void quote(StringBuilder sb, String s) {
    if (s == null) {
      sb.append("null");
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
