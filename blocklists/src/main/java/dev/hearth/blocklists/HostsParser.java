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
