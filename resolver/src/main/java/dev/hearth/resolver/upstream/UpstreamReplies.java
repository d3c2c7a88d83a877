package dev.hearth.resolver.upstream;

import dev.hearth.resolver.ResolverConfig;
import dev.hearth.resolver.wire.ResponseTemplate;
import dev.hearth.resolver.wire.WireQuery;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns a verified upstream reply into a cacheable {@link ResponseTemplate}: drops answer records
 * that do not belong to the question's CNAME/DNAME chain (so an upstream cannot slip unrelated
 * answers in; authority and additional records are scrubbed likewise), removes OPT/TSIG, clamps
 * TTLs to the operator's bounds, and works out how long the answer may be cached: the smallest
 * answer TTL, or for NXDOMAIN/NODATA the SOA rule of RFC 2308 section 5. Replies that must not be cached get a lifetime of zero.
 */
public final class UpstreamReplies {
  private UpstreamReplies() {}

  public static ResponseTemplate toTemplate(Message m, WireQuery q, boolean validating,
      ResolverConfig.Cache policy, long nowNanos) {
    int rcode = m.getRcode();
    Message out = new Message(0);
    Record question = m.getQuestion();
    out.addRecord(question, Section.QUESTION);
    // The names this answer may speak about: the question, every CNAME target reached from it
    // (in whatever order the records came), and the owners of DNAMEs above any of them. RRSIGs
    // share their owner with what they sign, so they are kept with it.
    Name qname = question.getName();
    List<Record> answers = m.getSection(Section.ANSWER);
    Set<Name> chain = new HashSet<>();
    Set<Name> dnameOwners = new HashSet<>();
    chain.add(qname);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Record r : answers) {
        if (r instanceof CNAMERecord c && chain.contains(c.getName())) {
          grew |= chain.add(c.getTarget());
        } else if (r instanceof DNAMERecord d && !dnameOwners.contains(d.getName())) {
          for (Name n : chain) {
            if (n.subdomain(d.getName()) && !n.equals(d.getName())) {
              dnameOwners.add(d.getName());
              grew = true;
              break;
            }
          }
        }
      }
    }
    boolean hasRequestedType = false;
    for (Record r : answers) {
      boolean inChain = chain.contains(r.getName());
      if (!inChain && !dnameOwners.contains(r.getName())) {
        continue;
      }
      if (inChain && (r.getType() == question.getType() || question.getType() == Type.CNAME)) {
        hasRequestedType = true;
      }
      out.addRecord(r, Section.ANSWER);
    }
    // Authority and additional records are scrubbed too (as Unbound does), since they are cached
    // and served with this answer: the authority section keeps only zone records (SOA, NS, DS and
    // DNSSEC proofs) of a zone the question's names lie in, the additional section only
    // addresses of the name servers, mail exchangers and services named by what was kept.
    Set<Name> zones = new HashSet<>();
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if ((r.getType() == Type.SOA || r.getType() == Type.NS)
          && isAncestorOfAny(r.getName(), chain)) {
        zones.add(r.getName());
      }
    }
    Set<Name> targets = new HashSet<>();
    for (Record r : out.getSection(Section.ANSWER)) {
      addTarget(r, targets);
    }
    for (Record r : m.getSection(Section.AUTHORITY)) {
      if (authorityFits(r, chain, zones)) {
        out.addRecord(r, Section.AUTHORITY);
        addTarget(r, targets);
      }
    }
    for (Record r : m.getSection(Section.ADDITIONAL)) {
      if (r.getType() != Type.OPT && r.getType() != Type.TSIG && r.getType() != Type.SIG
          && targets.contains(r.getName())) {
        out.addRecord(r, Section.ADDITIONAL);
      }
    }
    byte[] wire = out.toWire(65535);

    boolean negative = rcode == Rcode.NXDOMAIN || (rcode == Rcode.NOERROR && !hasRequestedType);
    long negativeTtl = -1;
    if (negative) {
      for (Record r : out.getSection(Section.AUTHORITY)) {
        if (r instanceof SOARecord soa) {
          negativeTtl = Math.min(Math.min(soa.getTTL(), soa.getMinimum()), policy.negativeMaxTtl());
        }
      }
    }
    boolean cacheable = (rcode == Rcode.NOERROR || rcode == Rcode.NXDOMAIN)
        && (!negative || negativeTtl >= 0);

    List<int[]> ttlFields = new ArrayList<>();
    long lifetime = Long.MAX_VALUE;
    int p = skipQuestion(wire);
    int[] counts = {u16(wire, 6), u16(wire, 8), u16(wire, 10)};
    for (int section = 0; section < 3; section++) {
      for (int i = 0; i < counts[section]; i++) {
        p = skipName(wire, p);
        int type = u16(wire, p);
        int ttlOffset = p + 4;
        long ttl = u32(wire, ttlOffset);
        if (negative && section == 1 && type == Type.SOA) {
          ttl = negativeTtl;
        } else {
          ttl = Math.min(ttl, policy.maxTtl());
          if (!negative && section == 0) {
            ttl = Math.max(ttl, policy.minTtl());
          }
        }
        if (section == 0 || (negative && section == 1 && type == Type.SOA)) {
          lifetime = Math.min(lifetime, ttl);
        }
        ttlFields.add(new int[] {ttlOffset, (int) ttl});
        p += 10 + u16(wire, p + 8);
      }
    }
    if (!cacheable || lifetime == Long.MAX_VALUE) {
      lifetime = 0;
    }
    int[] offsets = new int[ttlFields.size()];
    int[] ttls = new int[ttlFields.size()];
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = ttlFields.get(i)[0];
      ttls[i] = ttlFields.get(i)[1];
    }
    boolean ad = validating && m.getHeader().getFlag(Flags.AD);
    return new ResponseTemplate(wire, skipQuestion(wire), offsets, ttls, rcode, ad, (int) lifetime,
        nowNanos);
  }

  /** Whether {@code zone} is one of {@code names} or above one of them. */
  private static boolean isAncestorOfAny(Name zone, Set<Name> names) {
    for (Name n : names) {
      if (n.subdomain(zone)) {
        return true;
      }
    }
    return false;
  }

  private static boolean authorityFits(Record r, Set<Name> chain, Set<Name> zones) {
    int type = r.getType() == Type.RRSIG ? ((org.xbill.DNS.RRSIGRecord) r).getTypeCovered()
        : r.getType();
    return switch (type) {
      case Type.SOA, Type.NS, Type.DS -> isAncestorOfAny(r.getName(), chain);
      // Denial proofs are named after names of the zone, not after the question.
      case Type.NSEC, Type.NSEC3 -> {
        for (Name z : zones) {
          if (r.getName().subdomain(z)) {
            yield true;
          }
        }
        yield false;
      }
      default -> false;
    };
  }

  /** Names whose addresses may come along in the additional section. */
  private static void addTarget(Record r, Set<Name> targets) {
    if (r instanceof org.xbill.DNS.NSRecord ns) {
      targets.add(ns.getTarget());
    } else if (r instanceof org.xbill.DNS.MXRecord mx) {
      targets.add(mx.getTarget());
    } else if (r instanceof org.xbill.DNS.SRVRecord srv) {
      targets.add(srv.getTarget());
    }
  }

  private static int skipQuestion(byte[] wire) {
    return skipName(wire, 12) + 4;
  }

  private static int skipName(byte[] w, int p) {
    while (true) {
      int len = w[p] & 0xff;
      if (len == 0) {
        return p + 1;
      }
      if ((len & 0xc0) == 0xc0) {
        return p + 2;
      }
      p += 1 + len;
    }
  }

  private static int u16(byte[] w, int p) {
    return ((w[p] & 0xff) << 8) | (w[p + 1] & 0xff);
  }

  private static long u32(byte[] w, int p) {
    return ((long) u16(w, p) << 16) | u16(w, p + 2);
  }
}
