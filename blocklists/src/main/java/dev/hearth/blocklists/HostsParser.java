package dev.hearth.blocklists;

import java.util.Set;

/**
 * {@code /etc/hosts} style lists: an address followed by one or more names. The address itself is
 * ignored (a blocking resolver answers with its own block response); the usual loopback and
 * multicast entries that such files carry for the local machine are skipped silently.
 */
public final class HostsParser extends ListParser {
  private static final Set<String> SKIPPED = Set.of("localhost", "localhost.localdomain",
      "broadcasthost", "local", "0.0.0.0", "ip6-localhost", "ip6-loopback", "ip6-localnet",
      "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts");

  /**
   * {@code 0.0.0.0 name} or {@code 127.0.0.1 name}, one name and nothing after it. Names without
   * a dot and {@code localhost.localdomain} go the slow way, which skips the local ones.
   */
  @Override
  protected boolean parseAsciiLine(byte[] b, int len, int lineNo, RuleSink sink) {
    int p = startsWith(b, len, ZEROS) ? ZEROS.length : startsWith(b, len, LOOPBACK)
        ? LOOPBACK.length : -1;
    if (p < 0 || p >= len || (b[p] != ' ' && b[p] != '\t')) {
      return false;
    }
    while (p < len && (b[p] == ' ' || b[p] == '\t')) {
      p++;
    }
    int r = DomainNames.asciiToWire(b, p, len, wireScratch);
    if (r < 0 || (r >>> 16) < 2 || (r & 0xFFFF) == LOCALDOMAIN_WIRE
        && (b[p] == 'l' || b[p] == 'L')) {
      return false;
    }
    sink.block(wireScratch, r & 0xFFFF, r >>> 16, lineNo);
    return true;
  }

  private static final byte[] ZEROS = {'0', '.', '0', '.', '0', '.', '0'};
  private static final byte[] LOOPBACK = {'1', '2', '7', '.', '0', '.', '0', '.', '1'};
  /** Wire length of {@code localhost.localdomain}; such a name takes the slow path. */
  private static final int LOCALDOMAIN_WIRE = "localhost.localdomain".length() + 2;

  private static boolean startsWith(byte[] b, int len, byte[] prefix) {
    if (len < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    int hash = line.indexOf('#');
    String s = (hash >= 0 ? line.substring(0, hash) : line).strip();
    if (s.isEmpty()) {
      return;
    }
    String[] fields = s.split("\\s+");
    if (!DomainNames.isIpLiteral(fields[0])) {
      sink.invalid(file, lineNo, "expected an IP address before the names", line);
      return;
    }
    if (fields.length == 1) {
      sink.invalid(file, lineNo, "address without a name", line);
      return;
    }
    for (int i = 1; i < fields.length; i++) {
      String f = fields[i];
      if (SKIPPED.contains(f.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      String name = nameOrReport(f, file, lineNo, line, sink);
      if (name != null) {
        sink.rule(Rule.block(name).atLine(lineNo));
      }
    }
  }
}
