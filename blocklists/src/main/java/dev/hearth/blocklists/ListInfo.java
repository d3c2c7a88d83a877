package dev.hearth.blocklists;

import java.util.List;
import java.util.Objects;

/**
 * Who a list is, so every verdict can say which list, which version and which category decided.
 *
 * <p>A <em>locked</em> list is a legal list (e.g. the IWF's): its entries are held only as keyed
 * hashes, no allow rule of another list passes it, and nothing about a match is reported beyond
 * the list id and category. Only a list marked {@code legalOverride} (an operator's audited legal
 * override) can pass a locked block.
 *
 * @param id stable identifier, e.g. {@code ut1/adult} or {@code iwf-urls}
 * @param category category the list blocks (e.g. {@code adult}), or null when it has none
 * @param version short hash of the content the list was compiled from
 * @param files source files, indexed by the file part of a rule location
 */
public record ListInfo(String id, String category, boolean locked, boolean legalOverride,
    String version, List<String> files) {
  public ListInfo {
    Objects.requireNonNull(id, "id");
    version = version == null ? "" : version;
    files = files == null ? List.of() : List.copyOf(files);
    if (locked && legalOverride) {
      throw new IllegalArgumentException("a list cannot be locked and a legal override at once");
    }
  }

  public static ListInfo named(String id) {
    return new ListInfo(id, null, false, false, "", List.of());
  }

  public ListInfo withVersion(String v) {
    return new ListInfo(id, category, locked, legalOverride, v, files);
  }

  public ListInfo withFiles(List<String> f) {
    return new ListInfo(id, category, locked, legalOverride, version, f);
  }
}
