package dev.hearth.blocklists;

/**
 * The DNS-level subset of Adblock Plus / AdGuard syntax: {@code ||name^} blocks a name and its
 * subtree, {@code @@||name^} allows it, {@code $important} makes a rule beat the list's ordinary rules, and a
 * bare name is a block (AdGuard DNS lists mix both). Everything else that is valid adblock syntax
 * but not expressible as a name rule (paths, other modifiers, cosmetic {@code ##} rules, regexes,
 * {@code @@|name^} exact exceptions) is counted as unsupported, not as an error.
 */
public final class AdblockParser extends ListParser {
  /** {@code ||name^} or a bare name, nothing else on the line: a plain subtree block. */
  @Override
  protected boolean parseAsciiLine(byte[] b, int len, int lineNo, RuleSink sink) {
    int from = 0;
    int to = len;
    if (len > 3 && b[0] == '|' && b[1] == '|' && b[len - 1] == '^') {
      from = 2;
      to = len - 1;
    }
    int r = DomainNames.asciiToWire(b, from, to, wireScratch);
    if (r < 0) {
      return false;
    }
    sink.block(wireScratch, r & 0xFFFF, r >>> 16, lineNo);
    return true;
  }

  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    String s = line.strip();
    if (s.isEmpty() || s.charAt(0) == '!' || isHashComment(s)
        || (s.charAt(0) == '[' && s.endsWith("]"))) {
      return;
    }
    if (s.contains("##") || s.contains("#@#") || s.contains("#?#") || s.contains("#$#")
        || s.contains("#%#")) {
      sink.unsupported(file, lineNo, line);
      return;
    }
    boolean allow = s.startsWith("@@");
    if (allow) {
      s = s.substring(2);
    }
    if (s.startsWith("||")) {
      anchored(file, lineNo, line, s.substring(2), allow, false, sink);
      return;
    }
    if (s.startsWith("|") && !allow) {
      // |name^ blocks exactly this name, not its subtree.
      anchored(file, lineNo, line, s.substring(1), false, true, sink);
      return;
    }
    if (s.startsWith("|") || (s.length() > 1 && s.startsWith("/"))) {
      // @@|name^ (an exact exception) and /regex/ cannot be applied to DNS names here.
      sink.unsupported(file, lineNo, line);
      return;
    }
    if (looksLikeFilter(s)) {
      sink.unsupported(file, lineNo, line);
      return;
    }
    String name = nameOrReport(s, file, lineNo, line, sink);
    if (name != null) {
      sink.rule(new Rule(name, allow).atLine(lineNo));
    }
  }

  private static void anchored(String file, int lineNo, String line, String body, boolean allow,
      boolean exact, RuleSink sink) {
    int dollar = body.indexOf('$');
    boolean important = false;
    if (dollar >= 0) {
      String modifiers = body.substring(dollar + 1);
      if (!modifiers.equals("important")) {
        sink.unsupported(file, lineNo, line);
        return;
      }
      body = body.substring(0, dollar);
      important = true;
    }
    if (!body.endsWith("^") || body.length() == 1) {
      // ||name without ^ also matches name.evil.tld and paths: not a name rule.
      sink.unsupported(file, lineNo, line);
      return;
    }
    String host = body.substring(0, body.length() - 1);
    if (looksLikeFilter(host)) {
      sink.unsupported(file, lineNo, line);
      return;
    }
    String name = nameOrReport(host, file, lineNo, line, sink);
    if (name != null) {
      Rule r = new Rule(name, allow, exact).atLine(lineNo);
      sink.rule(important ? r.asImportant() : r);
    }
  }

  /** {@code # text} is a comment; {@code ##}, {@code #@#} and friends are cosmetic rules. */
  private static boolean isHashComment(String s) {
    if (s.charAt(0) != '#') {
      return false;
    }
    if (s.length() == 1) {
      return true;
    }
    char c = s.charAt(1);
    return c != '#' && c != '@' && c != '?' && c != '$' && c != '%';
  }

  /** Characters that only occur in URL filters, never in a host name. */
  private static boolean looksLikeFilter(String s) {
    for (int i = 0; i < s.length(); i++) {
      switch (s.charAt(i)) {
        case '/': case '*': case '^': case '|': case '$': case '?': case '=': case '&': case ':':
          return true;
        default:
          break;
      }
    }
    return false;
  }
}
