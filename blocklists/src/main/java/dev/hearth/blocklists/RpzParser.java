package dev.hearth.blocklists;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * RPZ (DNS Response Policy Zone) files in master-file syntax, streamed line by line. One instance
 * parses one file: it keeps the zone file state ({@code $ORIGIN}, the zone apex, the previous
 * owner, an open parenthesis) between lines.
 *
 * <p>Only QNAME triggers are applied: an owner {@code name} (relative to the zone apex) is an
 * {@link Rule.Scope#EXACT EXACT} rule, {@code *.name} a {@link Rule.Scope#BELOW BELOW} rule.
 * Triggers under {@code rpz-ip}, {@code rpz-nsdname}, {@code rpz-nsip} or {@code rpz-client-ip}
 * are counted as unsupported. The action comes from the record:
 *
 * <ul>
 *   <li>{@code CNAME .} NXDOMAIN, {@code CNAME *.} NODATA, {@code CNAME rpz-drop.} DROP;
 *   <li>{@code CNAME rpz-passthru.} (or, the older form, a CNAME to the trigger name itself) an
 *       allow rule with the trigger's scope;
 *   <li>{@code CNAME rpz-tcp-only.} (and other {@code rpz-} targets) unsupported;
 *   <li>any other record is local data, {@code "TYPE RDATA"}: a CNAME target or a name in the
 *       data of NS, PTR, DNAME, MX and SRV records is made absolute against {@code $ORIGIN} as in
 *       any zone file; A and AAAA addresses are checked.
 * </ul>
 *
 * <p>The zone apex is the owner of the first SOA record, or, before any SOA, the first
 * {@code $ORIGIN}; without either, owner names are taken as absolute triggers. SOA and NS records
 * at the apex and DNSSEC records are zone plumbing and skipped silently. {@code $INCLUDE} and
 * other unknown directives are unsupported.
 */
public final class RpzParser extends ListParser {
  /** Longest record that parentheses may gather over several lines. */
  static final int MAX_RECORD = 64 * 1024;
  /** Longest TTL (RFC 2181: 2^31 - 1 seconds). */
  private static final long MAX_TTL = Integer.MAX_VALUE;

  private static final Set<String> OTHER_TRIGGERS =
      Set.of("rpz-ip", "rpz-nsdname", "rpz-nsip", "rpz-client-ip");
  /** Signing artefacts: never a policy. */
  private static final Set<String> DNSSEC_TYPES = Set.of("RRSIG", "NSEC", "NSEC3", "NSEC3PARAM",
      "DNSKEY", "DS", "CDS", "CDNSKEY", "ZONEMD", "KEY", "SIG", "NXT");
  private static final Set<String> CLASSES = Set.of("IN", "CH", "CS", "HS", "CLASS1", "CLASS3",
      "CLASS4", "CLASS2", "ANY", "NONE");
  private static final Set<String> TYPES = Set.of("A", "AAAA", "CNAME", "TXT", "MX", "SRV", "PTR",
      "NS", "SOA", "DNAME", "HINFO", "CAA", "SVCB", "HTTPS", "NAPTR", "SSHFP", "TLSA", "LOC", "SPF",
      "RP", "AFSDB", "URI", "CERT", "SMIMEA", "OPENPGPKEY", "KX", "NULL", "WKS", "MINFO", "MB", "MG",
      "MR", "X25", "ISDN", "RT", "NSAP", "PX", "GPOS", "APL", "DHCID", "IPSECKEY", "HIP", "EUI48",
      "EUI64", "CSYNC", "L32", "L64", "LP", "NID", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY",
      "DS", "CDS", "CDNSKEY", "ZONEMD", "KEY", "SIG", "NXT", "DLV", "TA", "RESINFO", "WALLET");

  /** Current {@code $ORIGIN}: lower case, no trailing dot, "" for the root; null when unset. */
  private String origin;
  /** The first {@code $ORIGIN}: the apex until an SOA names it. */
  private String firstOrigin;
  /** Owner of the first SOA record when it was absolute (or relative to a known origin). */
  private String apex;
  /** Owner of the first SOA record, whatever it was (for recognising apex NS records). */
  private String soaOwner;
  /** Absolute owner of the previous record, for lines with a blank owner; null when none. */
  private String lastOwner;
  /** True when an owner was written relative while no origin was known (taken as absolute). */
  private boolean guessedAbsolute;

  /** Inside parentheses: the tokens so far and where the record started; null otherwise. */
  private List<String> pending;
  private int pendingLine;
  private String pendingText;
  private boolean pendingBlankOwner;
  private int pendingChars;
  /** Set by {@link #tokenize}: a '(' is open at the end of the line. */
  private boolean open;

  @Override
  protected void endOfInput(String file, RuleSink sink) {
    if (pending != null) {
      sink.invalid(file, pendingLine, "'(' not closed before the end of the file", pendingText);
      resetPending();
    }
  }

  @Override
  protected void parseLine(String file, int lineNo, String line, RuleSink sink) {
    try {
      line(file, lineNo, line, sink);
    } catch (RuntimeException e) {
      // Defensive: a parser bug must cost one line, never the whole list.
      resetPending();
      sink.invalid(file, lineNo, "unreadable record (" + e.getClass().getSimpleName() + ")",
          line);
    }
  }

  private void line(String file, int lineNo, String line, RuleSink sink) {
    if (line.indexOf('\0') >= 0) {
      // BoundedLineReader marks overlong lines with a NUL; either way this is no zone file text.
      resetPending();
      sink.invalid(file, lineNo, "overlong line or NUL character", line);
      return;
    }
    if (pending == null) {
      if (line.startsWith("$")) {
        directive(file, lineNo, line, sink);
        return;
      }
      List<String> tokens = new ArrayList<>();
      String err = tokenize(line, tokens);
      if (err != null) {
        open = false;
        sink.invalid(file, lineNo, err, line);
        return;
      }
      boolean blankOwner = !line.isEmpty() && isBlank(line.charAt(0));
      if (open) {
        pending = tokens;
        pendingLine = lineNo;
        pendingText = line;
        pendingBlankOwner = blankOwner;
        pendingChars = line.length();
        return;
      }
      record(file, lineNo, line, blankOwner, tokens, sink);
      return;
    }
    pendingChars += line.length() + 1;
    if (pendingChars > MAX_RECORD) {
      sink.invalid(file, pendingLine, "'(' not closed within " + MAX_RECORD + " characters",
          pendingText);
      resetPending();
      return;
    }
    String err = tokenize(line, pending);
    if (err != null) {
      resetPending();
      sink.invalid(file, lineNo, err, line);
      return;
    }
    if (!open) {
      List<String> tokens = pending;
      int start = pendingLine;
      String text = pendingText;
      boolean blankOwner = pendingBlankOwner;
      resetPending();
      record(file, start, text, blankOwner, tokens, sink);
    }
  }

  private void resetPending() {
    pending = null;
    pendingText = null;
    pendingChars = 0;
    open = false;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == 0x0b;
  }

  /**
   * Splits one physical line into tokens (appended to {@code out}): quoted strings keep their
   * quotes, backslash escapes are kept as written, {@code ;} starts a comment, parentheses only
   * group lines. Updates {@link #open}; returns a reason when the line is broken.
   */
  private String tokenize(String line, List<String> out) {
    int n = line.length();
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (isBlank(c)) {
        i++;
      } else if (c == ';') {
        break;
      } else if (c == '(') {
        if (open) {
          return "nested '('";
        }
        open = true;
        i++;
      } else if (c == ')') {
        if (!open) {
          return "')' without '('";
        }
        open = false;
        i++;
      } else {
        StringBuilder tok = new StringBuilder();
        while (i < n) {
          c = line.charAt(i);
          if (isBlank(c) || c == ';' || c == '(' || c == ')') {
            break;
          }
          if (c == '\\') {
            tok.append(c);
            if (i + 1 < n) {
              tok.append(line.charAt(i + 1));
            }
            i += 2;
          } else if (c == '"') {
            tok.append(c);
            i++;
            boolean closed = false;
            while (i < n) {
              c = line.charAt(i);
              tok.append(c);
              i++;
              if (c == '\\' && i < n) {
                tok.append(line.charAt(i));
                i++;
              } else if (c == '"') {
                closed = true;
                break;
              }
            }
            if (!closed) {
              return "unterminated quoted string";
            }
          } else {
            tok.append(c);
            i++;
          }
        }
        out.add(tok.toString());
      }
    }
    return null;
  }

  private void directive(String file, int lineNo, String line, RuleSink sink) {
    List<String> tokens = new ArrayList<>();
    String err = tokenize(line, tokens);
    if (err == null && open) {
      err = "parentheses in a directive";
    }
    open = false;
    if (err != null) {
      sink.invalid(file, lineNo, err, line);
      return;
    }
    String name = tokens.get(0).toUpperCase(Locale.ROOT);
    switch (name) {
      case "$ORIGIN":
        if (tokens.size() != 2) {
          sink.invalid(file, lineNo, "$ORIGIN needs exactly one name", line);
          return;
        }
        try {
          String o = absoluteName(tokens.get(1));
          o = o.isEmpty() ? o : DomainNames.normalize(o);
          origin = o;
          if (firstOrigin == null) {
            firstOrigin = o;
          }
        } catch (IllegalArgumentException e) {
          sink.invalid(file, lineNo, "bad $ORIGIN: " + e.getMessage(), line);
        }
        return;
      case "$TTL":
        if (tokens.size() != 2) {
          sink.invalid(file, lineNo, "$TTL needs exactly one value", line);
        } else if (ttl(tokens.get(1)) < 0) {
          sink.invalid(file, lineNo, "bad $TTL " + quote(tokens.get(1)), line);
        }
        return;
      default:
        // $INCLUDE (never followed: a list must not read other files), $GENERATE, ...
        sink.unsupported(file, lineNo, line);
    }
  }

  /**
   * The absolute form of a name written in the zone (lower case, without its trailing dot, "" for
   * the root): {@code @} is the origin, a name without a trailing dot is relative to the origin.
   * With no origin known a relative name is taken as absolute ({@link #guessedAbsolute}). The
   * name is not checked further.
   */
  private String absoluteName(String token) {
    guessedAbsolute = false;
    String abs;
    if (token.equals("@")) {
      if (origin == null) {
        // A zone file for BIND without $ORIGIN: the zone name comes from the server's config.
        // '@' is then the (unnamed) apex and other names are triggers as written.
        guessedAbsolute = true;
        return "";
      }
      return origin;
    } else if (token.equals(".")) {
      return "";
    } else if (token.endsWith(".") && !token.endsWith("\\.")) {
      abs = token.substring(0, token.length() - 1);
    } else if (origin == null) {
      guessedAbsolute = true;
      abs = token;
    } else {
      abs = origin.isEmpty() ? token : token + "." + origin;
    }
    if (abs.isEmpty() || abs.endsWith(".")) {
      throw new IllegalArgumentException("empty label");
    }
    return abs.toLowerCase(Locale.ROOT);
  }

  /** The apex as far as known: the SOA owner, else the first $ORIGIN; null when neither. */
  private String zoneApex() {
    return apex != null ? apex : firstOrigin;
  }

  private void record(String file, int lineNo, String text, boolean blankOwner,
      List<String> tokens, RuleSink sink) {
    if (tokens.isEmpty()) {
      return; // blank line, comment, or "( )"
    }
    int idx = 0;
    String owner;
    boolean ownerGuessed = false;
    if (blankOwner) {
      if (lastOwner == null) {
        sink.invalid(file, lineNo, "no owner name and no previous owner", text);
        return;
      }
      owner = lastOwner;
    } else {
      idx = 1;
      try {
        owner = absoluteName(tokens.get(0));
        ownerGuessed = guessedAbsolute;
      } catch (IllegalArgumentException e) {
        lastOwner = null;
        sink.invalid(file, lineNo, e.getMessage(), text);
        return;
      }
      lastOwner = owner;
    }
    boolean ttlSeen = false;
    boolean classSeen = false;
    while (idx < tokens.size()) {
      String t = tokens.get(idx);
      String upper = t.toUpperCase(Locale.ROOT);
      if (!classSeen && CLASSES.contains(upper)) {
        if (!upper.equals("IN") && !upper.equals("CLASS1")) {
          sink.invalid(file, lineNo, "class " + upper + " in a policy zone (only IN is used)",
              text);
          return;
        }
        classSeen = true;
      } else if (!ttlSeen && !t.isEmpty() && t.charAt(0) >= '0' && t.charAt(0) <= '9') {
        if (ttl(t) < 0) {
          sink.invalid(file, lineNo, "bad TTL " + quote(t), text);
          return;
        }
        ttlSeen = true;
      } else {
        break;
      }
      idx++;
    }
    if (idx >= tokens.size()) {
      sink.invalid(file, lineNo, "missing record type", text);
      return;
    }
    String type = tokens.get(idx).toUpperCase(Locale.ROOT);
    if (!TYPES.contains(type) && !isGenericType(type)) {
      sink.invalid(file, lineNo, "unknown record type " + quote(tokens.get(idx)), text);
      return;
    }
    List<String> rdata = tokens.subList(idx + 1, tokens.size());
    if (rdata.isEmpty()) {
      sink.invalid(file, lineNo, "missing record data", text);
      return;
    }
    if (type.equals("SOA")) {
      soa(file, lineNo, text, owner, ownerGuessed, rdata, sink);
      return;
    }
    if (type.equals("NS") && (owner.equals(zoneApex()) || owner.equals(soaOwner))) {
      return;
    }
    if (DNSSEC_TYPES.contains(type)) {
      return;
    }
    String trigger = trigger(owner);
    if (trigger == null) {
      sink.invalid(file, lineNo, "owner " + (owner.isEmpty() ? "." : owner)
          + " is outside the zone " + zoneApex(), text);
      return;
    }
    if (trigger.isEmpty()) {
      sink.unsupported(file, lineNo, text); // data at the apex: not a trigger
      return;
    }
    if (trigger.equals("*") || otherTrigger(trigger)) {
      // "*" would match every name; the others are IP, NSDNAME, NSIP and client-IP triggers.
      sink.unsupported(file, lineNo, text);
      return;
    }
    Rule.Scope scope = Rule.Scope.EXACT;
    String raw = trigger;
    if (raw.startsWith("*.")) {
      scope = Rule.Scope.BELOW;
      raw = raw.substring(2);
    }
    String name;
    try {
      name = DomainNames.normalize(raw);
    } catch (IllegalArgumentException e) {
      sink.invalid(file, lineNo, e.getMessage(), text);
      return;
    }
    if (type.equals("NS")) {
      sink.unsupported(file, lineNo, text); // a delegation inside a policy zone is no policy
      return;
    }
    if (type.equals("CNAME")) {
      cname(file, lineNo, text, name, scope, rdata, sink);
      return;
    }
    String data = localData(type, rdata);
    if (data.startsWith("!")) {
      sink.invalid(file, lineNo, data.substring(1), text);
      return;
    }
    sink.rule(new Rule(name, scope, false, BlockAction.LOCAL_DATA, data, lineNo));
  }

  private void soa(String file, int lineNo, String text, String owner, boolean ownerGuessed,
      List<String> rdata, RuleSink sink) {
    if (rdata.size() != 7) {
      sink.invalid(file, lineNo, "SOA needs 7 fields, not " + rdata.size(), text);
      return;
    }
    if (soaOwner == null) {
      soaOwner = owner;
      if (!ownerGuessed) {
        apex = owner;
        if (origin == null) {
          origin = owner;
        }
      }
    } else if (!owner.equals(soaOwner)) {
      sink.invalid(file, lineNo, "second SOA record, for another name", text);
    }
  }

  /**
   * The trigger part of an absolute owner: the owner relative to the apex ("" for the apex
   * itself), the owner itself when no apex is known; null when outside the zone.
   */
  private String trigger(String owner) {
    String a = zoneApex();
    if (a == null || a.isEmpty()) {
      return owner;
    }
    if (owner.equals(a)) {
      return "";
    }
    if (owner.length() > a.length() + 1 && owner.endsWith(a)
        && owner.charAt(owner.length() - a.length() - 1) == '.') {
      return owner.substring(0, owner.length() - a.length() - 1);
    }
    return null;
  }

  private static boolean otherTrigger(String trigger) {
    int start = 0;
    for (int i = 0; i <= trigger.length(); i++) {
      if (i == trigger.length() || trigger.charAt(i) == '.') {
        if (OTHER_TRIGGERS.contains(trigger.substring(start, i))) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  private void cname(String file, int lineNo, String text, String name, Rule.Scope scope,
      List<String> rdata, RuleSink sink) {
    if (rdata.size() != 1) {
      sink.invalid(file, lineNo, "CNAME needs exactly one target", text);
      return;
    }
    String target = rdata.get(0);
    switch (target.toLowerCase(Locale.ROOT)) {
      case ".":
        sink.rule(new Rule(name, scope, false, BlockAction.NXDOMAIN, null, lineNo));
        return;
      case "*.":
        sink.rule(new Rule(name, scope, false, BlockAction.NODATA, null, lineNo));
        return;
      case "rpz-passthru.":
        sink.rule(new Rule(name, scope, true, BlockAction.NXDOMAIN, null, lineNo));
        return;
      case "rpz-drop.":
        sink.rule(new Rule(name, scope, false, BlockAction.DROP, null, lineNo));
        return;
      default:
        break;
    }
    String abs;
    try {
      abs = absoluteName(target);
    } catch (IllegalArgumentException e) {
      sink.invalid(file, lineNo, "bad CNAME target: " + e.getMessage(), text);
      return;
    }
    if (abs.startsWith("rpz-") && abs.indexOf('.') < 0) {
      // rpz-tcp-only. and any other rpz- action this engine does not know.
      sink.unsupported(file, lineNo, text);
      return;
    }
    boolean wildcard = abs.startsWith("*.");
    String norm;
    try {
      norm = DomainNames.normalize(wildcard ? abs.substring(2) : abs);
    } catch (IllegalArgumentException e) {
      sink.invalid(file, lineNo, "bad CNAME target: " + e.getMessage(), text);
      return;
    }
    if (wildcard == (scope == Rule.Scope.BELOW) && norm.equals(name)) {
      // The older PASSTHRU form: a CNAME to the trigger's own name.
      sink.rule(new Rule(name, scope, true, BlockAction.NXDOMAIN, null, lineNo));
      return;
    }
    // A wildcard target (*.garden.example.) means "the query name prepended", kept as written.
    String data = "CNAME " + (wildcard ? "*." : "") + norm + ".";
    sink.rule(new Rule(name, scope, false, BlockAction.LOCAL_DATA, data, lineNo));
  }

  /** {@code "TYPE RDATA"}, or a reason prefixed with '!' when the data is broken. */
  private String localData(String type, List<String> rdata) {
    switch (type) {
      case "A":
        if (rdata.size() != 1 || !DomainNames.isIpv4Literal(rdata.get(0))) {
          return "!bad IPv4 address " + quote(String.join(" ", rdata));
        }
        return "A " + rdata.get(0);
      case "AAAA":
        if (rdata.size() != 1 || !isIpv6Literal(rdata.get(0))) {
          return "!bad IPv6 address " + quote(String.join(" ", rdata));
        }
        return "AAAA " + rdata.get(0).toLowerCase(Locale.ROOT);
      case "PTR":
      case "DNAME":
        return withName(type, rdata, 1, 0);
      case "MX":
        return withName(type, rdata, 2, 1);
      case "SRV":
        return withName(type, rdata, 4, 3);
      default:
        return type + " " + String.join(" ", rdata);
    }
  }

  /** Local data whose field {@code nameIndex} is a domain name, made absolute. */
  private String withName(String type, List<String> rdata, int fields, int nameIndex) {
    if (rdata.size() != fields) {
      return "!" + type + " needs " + fields + (fields == 1 ? " field" : " fields");
    }
    List<String> out = new ArrayList<>(rdata);
    String n = rdata.get(nameIndex);
    try {
      String abs = absoluteName(n);
      out.set(nameIndex, abs.isEmpty() ? "." : DomainNames.normalize(abs) + ".");
    } catch (IllegalArgumentException e) {
      return "!bad name in " + type + ": " + e.getMessage();
    }
    return type + " " + String.join(" ", out);
  }

  private static boolean isGenericType(String type) {
    if (!type.startsWith("TYPE") || type.length() < 5 || type.length() > 9) {
      return false;
    }
    for (int i = 4; i < type.length(); i++) {
      char c = type.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return Long.parseLong(type.substring(4)) <= 65535;
  }

  /**
   * Seconds of a TTL: plain digits, or BIND units ({@code 1w2d3h4m5s}); -1 when malformed or above
   * 2^31 - 1.
   */
  static long ttl(String s) {
    if (s.isEmpty()) {
      return -1;
    }
    long total = 0;
    long num = -1;
    boolean units = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        num = (num < 0 ? 0 : num * 10) + (c - '0');
        if (num > MAX_TTL) {
          return -1;
        }
        continue;
      }
      long mult;
      switch (Character.toLowerCase(c)) {
        case 'w': mult = 604800; break;
        case 'd': mult = 86400; break;
        case 'h': mult = 3600; break;
        case 'm': mult = 60; break;
        case 's': mult = 1; break;
        default: return -1;
      }
      if (num < 0) {
        return -1;
      }
      total += num * mult;
      if (total > MAX_TTL) {
        return -1;
      }
      num = -1;
      units = true;
    }
    if (num >= 0) {
      if (units) {
        return -1; // "1h30": a number after units needs its own unit
      }
      total = num;
    }
    return total;
  }

  /** Strict IPv6 literal check (no zone index), with an optional dotted-quad tail. */
  static boolean isIpv6Literal(String s) {
    if (s.length() < 2 || s.length() > 45) {
      return false;
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return false;
    }
    int groups;
    if (dbl < 0) {
      groups = groups(s, true);
      return groups == 8;
    }
    String head = s.substring(0, dbl);
    String tail = s.substring(dbl + 2);
    int h = head.isEmpty() ? 0 : groups(head, false);
    int t = tail.isEmpty() ? 0 : groups(tail, true);
    return h >= 0 && t >= 0 && h + t <= 7;
  }

  /** Number of 16-bit groups in {@code part} (an IPv4 tail counts two), or -1 if malformed. */
  private static int groups(String part, boolean ipv4Tail) {
    String[] pieces = part.split(":", -1);
    int count = 0;
    for (int i = 0; i < pieces.length; i++) {
      String p = pieces[i];
      if (ipv4Tail && i == pieces.length - 1 && p.indexOf('.') >= 0) {
        if (!DomainNames.isIpv4Literal(p)) {
          return -1;
        }
        count += 2;
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return -1;
      }
      for (int j = 0; j < p.length(); j++) {
        char c = p.charAt(j);
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
          return -1;
        }
      }
      count++;
    }
    return count;
  }

  private static String quote(String s) {
    return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
  }
}
