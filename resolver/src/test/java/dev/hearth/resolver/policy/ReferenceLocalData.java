package dev.hearth.resolver.policy;

import dev.hearth.resolver.wire.Rcode;
import dev.hearth.resolver.wire.ResponseTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The local-data answer as it was built before precompiling (dnsjava parses each record text on
 * every call), kept as the reference that {@link LocalData} must match byte for byte.
 *
 * <p>Former description:
 * Answers built from a rule's own records (RPZ local data such as {@code A 192.0.2.1} or
 * {@code CNAME garden.example.}), owned by whatever name was asked (a pointer to the question),
 * so one answer serves every name under a wildcard rule. Records of the asked type are answered;
 * otherwise a CNAME if the rule has one (not chased; {@code CNAME *.target.} puts the asked name in
 * front of the target, as RPZ defines); otherwise an empty NOERROR.
 */
final class ReferenceLocalData {
  private ReferenceLocalData() {}

  static ResponseTemplate answer(List<String> records, byte[] qname, int qtype, int ttl) {
    List<byte[]> rdatas = new ArrayList<>();
    int type = -1;
    for (int pass = 0; pass < 2 && rdatas.isEmpty(); pass++) {
      for (String r : records) {
        int sp = r.indexOf(' ');
        if (sp < 0) {
          continue;
        }
        int t = Type.value(r.substring(0, sp));
        boolean wanted = pass == 0 ? t == qtype || qtype == Type.ANY : t == Type.CNAME;
        if (t < 0 || !wanted) {
          continue;
        }
        try {
          String rdata = r.substring(sp + 1).trim();
          if (t == Type.CNAME && rdata.startsWith("*.")) {
            // RPZ: "CNAME *.garden.example." means the asked name under garden.example.
            rdata = new Name(qname).toString() + rdata.substring(2);
          }
          Record rec = Record.fromString(Name.root, t, DClass.IN, ttl, rdata, Name.root);
          rdatas.add(rec.rdataToWireCanonical());
          type = t;
        } catch (IOException | RuntimeException e) {
          // A record the parser let through but dnsjava cannot encode: leave it out.
        }
      }
    }
    if (rdatas.isEmpty()) {
      return ResponseTemplate.empty(Rcode.NOERROR);
    }
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    byte[] header = new byte[12];
    header[6] = (byte) (rdatas.size() >> 8);
    header[7] = (byte) rdatas.size();
    w.writeBytes(header);
    int[] ttlOffsets = new int[rdatas.size()];
    int[] ttls = new int[rdatas.size()];
    int i = 0;
    for (byte[] rd : rdatas) {
      w.write(0xc0);
      w.write(12); // the question name
      w.write(type >> 8);
      w.write(type);
      w.write(0);
      w.write(DClass.IN);
      ttlOffsets[i] = w.size();
      ttls[i++] = ttl;
      w.writeBytes(new byte[4]);
      w.write(rd.length >> 8);
      w.write(rd.length);
      w.writeBytes(rd);
    }
    return new ResponseTemplate(w.toByteArray(), 12, ttlOffsets, ttls, Rcode.NOERROR, false, ttl,
        System.nanoTime());
  }
}
