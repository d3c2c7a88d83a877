package dev.hearth.resolver.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Answers built from a rule's own records (RPZ local data such as {@code A 192.0.2.1} or
 * {@code CNAME garden.example.}), owned by whatever name was asked (a pointer to the question),
 * so one answer serves every name under a wildcard rule. Records of the asked type are answered;
 * otherwise a CNAME if the rule has one (not chased; {@code CNAME *.target.} puts the asked name in
 * front of the target, as RPZ defines); otherwise an empty NOERROR.
 *
 * <p>Record texts are parsed (by dnsjava) once per record list into {@link Records}, not per
 * query: a verdict hands out the same list instance for every query of its rule, so the compiled
 * form is cached by list identity (weakly: a replaced block list takes its entries with it).
 */
final class LocalData {
  private LocalData() {}

  /** {@code A 0.0.0.0} and {@code AAAA ::}: the NULL_ADDRESS block answer. */
  static final Records NULL_ADDRESS = compile(List.of("A 0.0.0.0", "AAAA ::"));

  private static final Cache<List<String>, Records> COMPILED = Caffeine.newBuilder()
      .weakKeys()
      .maximumSize(10_000)
      .build();

  /**
   * A rule's records in wire form. Record texts that dnsjava cannot encode are left out, as they
   * always were. {@code CNAME *.target.} keeps only its target: the asked name goes in front of it
   * per query.
   */
  static final class Records {
    final int[] types;
    /** Canonical (lower-case, uncompressed) RDATA; for a wildcard CNAME, the target's wire name. */
    final byte[][] rdata;
    final boolean[] wildcardCname;
    final boolean anyCname;

    Records(int[] types, byte[][] rdata, boolean[] wildcardCname) {
      this.types = types;
      this.rdata = rdata;
      this.wildcardCname = wildcardCname;
      boolean cname = false;
      for (int t : types) {
        cname |= t == Type.CNAME;
      }
      this.anyCname = cname;
    }
  }

  /** Parses {@code "TYPE RDATA"} texts, in order. */
  static Records compile(List<String> records) {
    List<Integer> types = new ArrayList<>();
    List<byte[]> rdatas = new ArrayList<>();
    List<Boolean> wild = new ArrayList<>();
    for (String r : records) {
      int sp = r.indexOf(' ');
      if (sp < 0) {
        continue;
      }
      int t = Type.value(r.substring(0, sp));
      if (t < 0) {
        continue;
      }
      try {
        String rdata = r.substring(sp + 1).trim();
        boolean w = t == Type.CNAME && rdata.startsWith("*.");
        byte[] wire;
        if (w) {
          // RPZ: "CNAME *.garden.example." means the asked name under garden.example.
          String target = rdata.substring(2);
          if (target.startsWith(".")) {
            continue; // "*.." would put an empty label after the asked name
          }
          wire = target.isEmpty() ? new byte[] {0}
              : Name.fromString(target, Name.root).toWireCanonical();
        } else {
          wire = Record.fromString(Name.root, t, DClass.IN, 0, rdata, Name.root)
              .rdataToWireCanonical();
        }
        types.add(t);
        rdatas.add(wire);
        wild.add(w);
      } catch (IOException | RuntimeException e) {
        // A record the parser let through but dnsjava cannot encode: leave it out.
      }
    }
    int[] t = new int[types.size()];
    boolean[] w = new boolean[t.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = types.get(i);
      w[i] = wild.get(i);
    }
    return new Records(t, rdatas.toArray(new byte[0][]), w);
  }

  /**
   * Block-page addresses, encoded directly (no text to parse): an A record for an IPv4
   * {@code v4}, an AAAA record for an IPv6 {@code v6}; a null or mismatched address adds nothing.
   */
  static Records addresses(InetAddress v4, InetAddress v6) {
    List<byte[]> rd = new ArrayList<>(2);
    List<Integer> types = new ArrayList<>(2);
    if (v4 instanceof Inet4Address) {
      types.add(Type.A);
      rd.add(v4.getAddress());
    }
    if (v6 instanceof Inet6Address) {
      types.add(Type.AAAA);
      rd.add(v6.getAddress());
    }
    int[] t = new int[types.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = types.get(i);
    }
    return new Records(t, rd.toArray(new byte[0][]), new boolean[t.length]);
  }

  /** The answer from a verdict's record list, compiled on its first use. */
  static ResponseTemplate answer(List<String> records, byte[] qname, int qtype, int ttl) {
    return answer(COMPILED.get(records, LocalData::compile), qname, qtype, ttl);
  }

  static ResponseTemplate answer(Records recs, byte[] qname, int qtype, int ttl) {
    int type = -1;
    int count = 0;
    for (int i = 0; i < recs.types.length; i++) {
      if (recs.types[i] == qtype || qtype == Type.ANY) {
        count++;
        type = recs.types[i];
      }
    }
    if (count == 0 && recs.anyCname && qtype != Type.CNAME) {
      type = Type.CNAME;
      for (int t : recs.types) {
        count += t == Type.CNAME ? 1 : 0;
      }
    }
    if (count == 0) {
      return ResponseTemplate.empty(Rcode.NOERROR);
    }
    int qlen = qname.length - 1; // the asked name without its root label
    ByteArrayOutputStream w = new ByteArrayOutputStream(12 + count * 32);
    byte[] header = new byte[12];
    int[] ttlOffsets = new int[count];
    int[] ttls = new int[count];
    int n = 0;
    w.writeBytes(header);
    for (int i = 0; i < recs.types.length; i++) {
      int t = recs.types[i];
      if (qtype == Type.ANY || t == type) {
        byte[] rd = recs.rdata[i];
        int rdlen = recs.wildcardCname[i] ? qlen + rd.length : rd.length;
        if (recs.wildcardCname[i] && (rdlen > 255 || qlen == 0)) {
          continue; // the asked name and the target together are no valid name
        }
        w.write(0xc0);
        w.write(12); // the question name
        // Before precompiling, every record of an ANY answer carried the last record's type.
        w.write(type >> 8);
        w.write(type);
        w.write(0);
        w.write(DClass.IN);
        ttlOffsets[n] = w.size();
        ttls[n++] = ttl;
        w.writeBytes(new byte[4]);
        w.write(rdlen >> 8);
        w.write(rdlen);
        if (recs.wildcardCname[i]) {
          for (int p = 0; p < qlen; p++) {
            byte b = qname[p];
            w.write(b >= 'A' && b <= 'Z' ? b | 0x20 : b); // canonical form, as dnsjava wrote it
          }
        }
        w.writeBytes(rd);
      }
    }
    if (n == 0) {
      return ResponseTemplate.empty(Rcode.NOERROR);
    }
    byte[] wire = w.toByteArray();
    wire[6] = (byte) (n >> 8);
    wire[7] = (byte) n;
    if (n < count) {
      ttlOffsets = java.util.Arrays.copyOf(ttlOffsets, n);
      ttls = java.util.Arrays.copyOf(ttls, n);
    }
    return new ResponseTemplate(wire, 12, ttlOffsets, ttls, Rcode.NOERROR, false, ttl,
        System.nanoTime());
  }
}
