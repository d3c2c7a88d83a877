package dev.hearth.blocklists;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a wire-format name (or URL bytes) into the 64-bit key a {@link CompiledList} stores.
 * {@link #PLAIN} is a fast non-cryptographic hash; {@link #keyed} is HMAC-SHA-256 under a secret
 * key, used for locked legal lists so that what is held in memory and written to disk cannot be
 * turned back into the entries without the key (and cannot be confirmed by guessing names either).
 * ASCII letters are folded to lower case first in both, so a query's case never causes a miss.
 * Never returns 0, which marks empty table slots.
 */
public abstract class NameHasher {
  public static final NameHasher PLAIN = new NameHasher() {
    @Override
    public long hash(byte[] b, int from, int to) {
      return NameHash.bytes(b, from, to);
    }

    @Override
    public long hashName(byte[] wire, int from, int end) {
      return NameHash.name(wire, from, end);
    }

    @Override
    public String id() {
      return "plain2";
    }
  };

  /** Hash of the bytes {@code b[from, to)} (URL keys). Thread-safe. */
  public abstract long hash(byte[] b, int from, int to);

  /**
   * Hash of the wire-format name at {@code wire[from, end)} ({@code end} just past its zero
   * byte). Defaults to hashing the bytes; {@link #PLAIN} chains labels from the right.
   */
  public long hashName(byte[] wire, int from, int end) {
    return hash(wire, from, end);
  }

  /** Names the function in persisted lists, so a list is never matched with the wrong one. */
  public abstract String id();

  /**
   * HMAC-SHA-256 truncated to 64 bits. The key's own fingerprint is part of {@link #id()}, so a
   * persisted list hashed with another key is recognised instead of silently matching nothing.
   */
  public static NameHasher keyed(byte[] key) {
    if (key.length < 16) {
      throw new IllegalArgumentException("list key shorter than 16 bytes");
    }
    byte[] k = key.clone();
    String fingerprint;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(k);
      fingerprint = "hmac-sha256:" + java.util.HexFormat.of().formatHex(d, 0, 6);
      Mac.getInstance("HmacSHA256").init(new SecretKeySpec(k, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
    }
    return new Keyed(k, fingerprint);
  }

  private static final class Keyed extends NameHasher {
    private final String id;
    private final ThreadLocal<State> state;

    private static final class State {
      final Mac mac;
      final byte[] folded = new byte[1024];
      final byte[] out = new byte[32];

      State(Mac mac) {
        this.mac = mac;
      }
    }

    Keyed(byte[] key, String id) {
      this.id = id;
      this.state = ThreadLocal.withInitial(() -> {
        try {
          Mac m = Mac.getInstance("HmacSHA256");
          m.init(new SecretKeySpec(key, "HmacSHA256"));
          return new State(m);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException(e);
        }
      });
    }

    @Override
    public long hash(byte[] b, int from, int to) {
      State s = state.get();
      int n = to - from;
      byte[] in = n <= s.folded.length ? s.folded : new byte[n];
      for (int i = 0; i < n; i++) {
        int c = b[from + i] & 0xff;
        in[i] = (byte) ((c >= 'A' && c <= 'Z') ? c | 0x20 : c);
      }
      try {
        s.mac.update(in, 0, n);
        s.mac.doFinal(s.out, 0);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
      long h = 0;
      for (int i = 0; i < 8; i++) {
        h = (h << 8) | (s.out[i] & 0xff);
      }
      Arrays.fill(in, 0, Math.min(n, in.length), (byte) 0);
      return h == 0 ? 1 : h;
    }

    @Override
    public String id() {
      return id;
    }
  }
}
