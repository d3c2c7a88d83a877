package dev.hearth.blocklists;

/**
 * Outcome of a lookup. {@link #NONE} is shared, so a miss allocates nothing; a hit copies the
 * matched suffix (at most 255 bytes) because the caller's buffer may be reused, and turns it into
 * text only when {@link #matchedName()} is asked for (for a block reason or a log line).
 */
public final class Verdict {
  public enum Action { NONE, BLOCK, ALLOW }

  public static final Verdict NONE = new Verdict(Action.NONE, null, null);

  private final Action action;
  private final String listName;
  private final byte[] matched;
  private volatile String matchedText;

  private Verdict(Action action, String listName, byte[] matched) {
    this.action = action;
    this.listName = listName;
    this.matched = matched;
  }

  /** A block because of the suffix of {@code wireName} that starts at {@code offset}. */
  public static Verdict block(String listName, byte[] wireName, int offset) {
    return new Verdict(Action.BLOCK, listName, suffix(wireName, offset));
  }

  /** An allow exception because of the suffix of {@code wireName} at {@code offset}. */
  public static Verdict allow(String listName, byte[] wireName, int offset) {
    return new Verdict(Action.ALLOW, listName, suffix(wireName, offset));
  }

  public Action action() {
    return action;
  }

  public boolean isNone() {
    return action == Action.NONE;
  }

  public boolean isBlock() {
    return action == Action.BLOCK;
  }

  public boolean isAllow() {
    return action == Action.ALLOW;
  }

  /** Name of the list that decided, or null for {@link #NONE}. */
  public String listName() {
    return listName;
  }

  /** The listed name that matched, e.g. {@code example.com} for {@code www.example.com}; or null. */
  public String matchedName() {
    if (matched == null) {
      return null;
    }
    String t = matchedText;
    if (t == null) {
      t = DomainNames.fromWire(matched, 0);
      matchedText = t;
    }
    return t;
  }

  @Override
  public String toString() {
    return action == Action.NONE ? "NONE" : action + "(" + matchedName() + " in " + listName + ")";
  }

  private static byte[] suffix(byte[] wire, int offset) {
    int p = offset;
    while (p < wire.length && wire[p] != 0) {
      p += (wire[p] & 0xff) + 1;
    }
    int end = Math.min(p + 1, wire.length);
    return java.util.Arrays.copyOfRange(wire, offset, end);
  }
}
