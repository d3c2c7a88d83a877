package dev.hearth.admin.lists;

import dev.hearth.blocklists.ListSource;
import java.util.List;

/**
 * One run-time source document as the config file's reader understands it: the entry's id and
 * the lists it defines (one, or one per category of a UT1 directory).
 */
public record ParsedSource(String id, List<ListSource> lists) {
  public ParsedSource {
    lists = List.copyOf(lists);
  }

  /**
   * Whether it defines a locked legal list or a legal override (which passes locked lists'
   * blocks): only a list custodian may add, change or remove it.
   */
  public boolean custodianOnly() {
    return lists.stream().anyMatch(l -> l.locked() || l.legalOverride());
  }
}
