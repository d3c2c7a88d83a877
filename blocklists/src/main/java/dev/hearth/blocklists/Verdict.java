package dev.hearth.blocklists;

import java.util.List;

/**
 * Outcome of a lookup, naming what matched: the list (id, version, category), the rule's location
 * in its source, and the listed name. The block page, the EDE text, the logs and the transparency
 * page all render a verdict, so they tell the same story. For a {@link ListInfo#locked locked}
 * list only the list id and category are ever rendered, never the entry.
 *
 * <p>{@link #NONE} is shared, so a miss allocates nothing; a hit copies the matched suffix (at most
 * 255 bytes) because the caller's buffer may be reused, and turns it into text only on demand.
 */
public final class Verdict {
  /**
   * BLOCK and ALLOW are host-level decisions. URLS means "only some URLs on this host are listed":
   * the host must not be blocked as a whole (that would over-block), later stages may send it to a
   * URL-checking proxy instead.
   */
  public enum Action { NONE, BLOCK, ALLOW, URLS }

  public static final Verdict NONE = new Verdict(Action.NONE, null, 0, null, BlockAction.NXDOMAIN,
      List.of(), 0);

  private final Action action;
  private final ListInfo list;
  private final int location;
  private final byte[] matched;
  private final BlockAction blockAction;
  private final List<String> localData;
  private final int urlCount;
  private volatile String matchedText;

  Verdict(Action action, ListInfo list, int location, byte[] matched, BlockAction blockAction,
      List<String> localData, int urlCount) {
    this.action = action;
    this.list = list;
    this.location = location;
    this.matched = matched;
    this.blockAction = blockAction;
    this.localData = localData;
    this.urlCount = urlCount;
  }

  static Verdict block(ListInfo list, int location, byte[] wireName, int offset,
      BlockAction how, List<String> localData) {
    return new Verdict(Action.BLOCK, list, location, suffix(wireName, offset), how, localData, 0);
  }

  static Verdict allow(ListInfo list, int location, byte[] wireName, int offset) {
    return new Verdict(Action.ALLOW, list, location, suffix(wireName, offset),
        BlockAction.NXDOMAIN, List.of(), 0);
  }

  static Verdict urls(ListInfo list, int location, byte[] wireName, int urlCount) {
    return new Verdict(Action.URLS, list, location, suffix(wireName, 0), BlockAction.NXDOMAIN,
        List.of(), urlCount);
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

  /** Only some URLs on this host are listed; the host itself is not blocked. */
  public boolean isUrlLevel() {
    return action == Action.URLS;
  }

  /** The list that decided, or null for {@link #NONE}. */
  public ListInfo list() {
    return list;
  }

  /** Id of the list that decided, or null for {@link #NONE}. */
  public String listName() {
    return list == null ? null : list.id();
  }

  public boolean locked() {
    return list != null && list.locked();
  }

  /** How to answer a block. */
  public BlockAction blockAction() {
    return blockAction;
  }

  /** Records ({@code "TYPE RDATA"}) to answer with when {@link #blockAction} is LOCAL_DATA. */
  public List<String> localData() {
    return localData;
  }

  /** For {@link Action#URLS}: how many listed URLs are on this host. */
  public int urlCount() {
    return urlCount;
  }

  /** Line of the rule in its source file, or 0 when unknown or the list is locked. */
  public int line() {
    return locked() ? 0 : location & Locations.LINE_MASK;
  }

  /** {@code file:line} (or just {@code line} for a one-file list); null when unknown or locked. */
  public String ruleLocation() {
    if (list == null || locked() || location == 0) {
      return null;
    }
    int file = location >>> Locations.FILE_SHIFT;
    int line = location & Locations.LINE_MASK;
    if (list.files().size() > 1 && file < list.files().size()) {
      return list.files().get(file) + ":" + line;
    }
    return Integer.toString(line);
  }

  /**
   * The listed name that matched, e.g. {@code example.com} for {@code www.example.com}; null for
   * NONE and for locked lists (naming the parent that matched would reveal the entry).
   */
  public String matchedName() {
    if (matched == null || locked()) {
      return null;
    }
    String t = matchedText;
    if (t == null) {
      t = DomainNames.fromWire(matched, 0);
      matchedText = t;
    }
    return t;
  }

  /**
   * One line for people: which list (and category, version, rule) decided. Locked lists say only
   * the list id and category. Used as EDE text, in logs and by {@code hearth lists test}.
   */
  public String describe() {
    if (action == Action.NONE) {
      return "not listed";
    }
    StringBuilder sb = new StringBuilder();
    switch (action) {
      case BLOCK:
        sb.append("blocked");
        break;
      case ALLOW:
        sb.append("allowed");
        break;
      default:
        sb.append(urlCount).append(urlCount == 1 ? " URL" : " URLs").append(" on this host listed");
        break;
    }
    sb.append(" by list ").append(list.id());
    if (list.category() != null) {
      sb.append(" (category ").append(list.category()).append(')');
    }
    if (locked()) {
      return sb.toString();
    }
    if (action != Action.URLS) {
      sb.append(": ").append(matchedName());
    }
    String where = ruleLocation();
    if (where != null) {
      sb.append(", rule ").append(list.files().size() > 1 ? where : "line " + where);
    }
    if (!list.version().isEmpty()) {
      sb.append(", version ").append(list.version());
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return action == Action.NONE ? "NONE" : action + "(" + describe() + ")";
  }

  private static byte[] suffix(byte[] wire, int offset) {
    int p = offset;
    while (p < wire.length && wire[p] != 0) {
      p += (wire[p] & 0xff) + 1;
    }
    int end = Math.min(p + 1, wire.length);
    byte[] out = java.util.Arrays.copyOfRange(wire, offset, end);
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 'A' && out[i] <= 'Z') {
        out[i] |= 0x20; // lengths are below 64, never letters: folding them is harmless
      }
    }
    return out;
  }

  /** Packing of a rule's file index and line into one int. */
  static final class Locations {
    static final int FILE_SHIFT = 28;
    static final int LINE_MASK = (1 << FILE_SHIFT) - 1;

    private Locations() {}

    static int of(int file, int line) {
      return (file << FILE_SHIFT) | Math.min(line, LINE_MASK);
    }
  }
}
