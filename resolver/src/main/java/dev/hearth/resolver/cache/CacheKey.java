package dev.hearth.resolver.cache;

import dev.hearth.resolver.wire.WireQuery;
import java.util.Arrays;

/**
 * What makes two questions the same for the cache: lower-cased name, type, class, and the DO and
 * CD bits, because answers with and without DNSSEC records, or unvalidated ones, must never be
 * served to a client that asked for the other variant.
 */
public final class CacheKey {
  private final byte[] name;
  private final int typeClassBits;
  private final int hash;

  public CacheKey(byte[] name, int qtype, int qclass, boolean dnssecOk, boolean checkingDisabled) {
    this.name = name;
    this.typeClassBits = (qtype << 16) ^ (qclass << 2) ^ (dnssecOk ? 1 : 0) ^ (checkingDisabled ? 2 : 0);
    this.hash = Arrays.hashCode(name) * 31 + typeClassBits;
  }

  public static CacheKey of(WireQuery q) {
    return new CacheKey(q.name, q.qtype, q.qclass, q.dnssecOk, q.checkingDisabled());
  }

  int weight() {
    return name.length + 48;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k && k.hash == hash && k.typeClassBits == typeClassBits
        && Arrays.equals(k.name, name);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
