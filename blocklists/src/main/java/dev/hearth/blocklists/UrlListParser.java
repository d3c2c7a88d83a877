package dev.hearth.blocklists;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * URL lists: one URL per line (UT1 {@code urls} files), or CSV with a header naming a URL column
 * ({@code url}, {@code URL}, {@code address}), as lists such as the IWF URL list are delivered.
 *
 * <p>A URL never blocks its whole host, except the host root itself ({@code http://host/} or a bare
 * host): everything else is reported as a URL below its host, so the host gets a URL-level verdict
 * instead of being over-blocked.
 */
public final class UrlListParser extends ListParser {
  private int urlColumn = -1;
  private boolean csv;
  private boolean sawHeader;

  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    String s = line.strip();
    if (s.isEmpty() || s.charAt(0) == '#' || s.charAt(0) == '!') {
      return;
    }
    if (!sawHeader) {
      sawHeader = true;
      String lower = s.toLowerCase(Locale.ROOT);
      if (lower.equals("url") || lower.equals("address") || lower.equals("uri")) {
        return; // a one-column CSV header
      }
      if (s.indexOf(',') >= 0 || s.indexOf(';') >= 0) {
        List<String> cols = splitCsv(s);
        for (int i = 0; i < cols.size(); i++) {
          String c = cols.get(i).strip().toLowerCase(Locale.ROOT);
          if (c.equals("url") || c.equals("address") || c.equals("uri")) {
            urlColumn = i;
          }
        }
        if (urlColumn >= 0) {
          csv = true;
          return; // the header
        }
      }
    }
    String candidate = s;
    if (csv) {
      List<String> cols = splitCsv(s);
      if (urlColumn >= cols.size()) {
        sink.invalid(file, lineNo, "no URL column (column " + (urlColumn + 1) + ")", line);
        return;
      }
      candidate = cols.get(urlColumn).strip();
    } else if (ListParser.indexOfSpace(s, 0) >= 0) {
      sink.invalid(file, lineNo, "more than one field on the line", line);
      return;
    }
    Urls.Parsed u;
    try {
      u = Urls.normalize(candidate);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("IP address")) {
        sink.unsupported(file, lineNo, line);
      } else {
        sink.invalid(file, lineNo, e.getMessage(), line);
      }
      return;
    }
    if (u.root()) {
      sink.rule(Rule.exactBlock(u.host()).atLine(lineNo));
    } else {
      sink.url(u.host(), u.key(), lineNo);
    }
  }

  /** Splits one CSV record (comma or semicolon separated, double quotes, "" inside quotes). */
  static List<String> splitCsv(String s) {
    char sep = s.indexOf(',') >= 0 ? ',' : ';';
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
            cur.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == sep) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
