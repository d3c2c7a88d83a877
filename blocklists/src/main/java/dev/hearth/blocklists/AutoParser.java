package dev.hearth.blocklists;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Guesses the format from the first {@value #SNIFF_LINES} non-comment lines, then parses the whole
 * file with it. Only those first lines are buffered, so the file is still streamed.
 */
public final class AutoParser extends ListParser {
  static final int SNIFF_LINES = 100;
  /** An SOA or a policy record ({@code CNAME .}, {@code CNAME rpz-passthru.}) of an RPZ zone. */
  private static final java.util.regex.Pattern RPZ_RECORD = java.util.regex.Pattern.compile(
      "(?i)\\s(IN\\s+)?(SOA\\s|CNAME\\s+(\\.|\\*\\.|rpz-))");
  /** {@code host/path}: a URL written without its scheme. */
  private static final java.util.regex.Pattern URL_PATH = java.util.regex.Pattern.compile(
      "[^\\s/|@^$]+\\.[^\\s/|@^$]+/\\S*");
  private static final int MAX_BUFFERED = 2000;

  private Format detected;

  /** The format chosen by the last {@link #parse}, or null before. */
  public Format detected() {
    return detected;
  }

  @Override
  public int parse(String file, BufferedReader in, RuleSink sink) throws IOException {
    List<String> head = new ArrayList<>();
    int content = 0;
    String line;
    while (content < SNIFF_LINES && head.size() < MAX_BUFFERED && (line = in.readLine()) != null) {
      if (head.isEmpty()) {
        line = stripBom(line);
      }
      head.add(line);
      String s = line.strip();
      if (!s.isEmpty() && !isComment(s)) {
        content++;
      }
    }
    detected = sniff(head);
    ListParser delegate = forFormat(detected);
    delegate.asciiFastPath = asciiFastPath;
    int lineNo = 0;
    for (String h : head) {
      delegate.parseLine(file, ++lineNo, h, sink);
    }
    return delegate.parseFrom(file, in, lineNo, sink);
  }

  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    throw new UnsupportedOperationException("AutoParser only parses whole files");
  }

  /**
   * Votes line by line: adblock syntax wins if it is at least as common as hosts lines (the adblock
   * parser also takes bare names); hosts wins over plain names when at least as common.
   */
  public static Format sniff(Iterable<String> lines) {
    int adblock = 0;
    int hosts = 0;
    int domains = 0;
    int urls = 0;
    for (String line : lines) {
      String s = line.strip();
      if (s.startsWith("[Adblock") || s.startsWith("[AdGuard")) {
        return Format.ADBLOCK;
      }
      if (s.startsWith("$ORIGIN") || s.startsWith("$TTL") || RPZ_RECORD.matcher(s).find()) {
        return Format.RPZ;
      }
      if (s.isEmpty() || isComment(s) || s.startsWith(";")) {
        continue;
      }
      if (s.contains("://") || URL_PATH.matcher(s).matches()) {
        urls++;
        continue;
      }
      if (s.startsWith("||") || s.startsWith("@@") || s.startsWith("|") || s.endsWith("^")
          || s.contains("^$") || s.contains("##")) {
        adblock++;
        continue;
      }
      int sp = indexOfSpace(s, 0);
      if (sp > 0 && DomainNames.isIpLiteral(s.substring(0, sp))) {
        hosts++;
      } else {
        domains++;
      }
    }
    if (urls > 0 && urls >= adblock + hosts + domains) {
      return Format.URLS;
    }
    if (adblock > 0 && adblock >= hosts) {
      return Format.ADBLOCK;
    }
    if (hosts > 0 && hosts >= domains) {
      return Format.HOSTS;
    }
    return Format.DOMAINS;
  }

  private static boolean isComment(String s) {
    char c = s.charAt(0);
    return c == '!' || (c == '#' && !s.startsWith("##"));
  }
}
