package dev.hearth.resolver.policy;

import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The filtering a household, a device or a venue chose: which list categories to block, its own
 * allow and block names, whether to stop known ways around the filter, and how blocks are
 * answered. The operator's baseline (locked legal lists and uncategorised operator lists) applies
 * whatever the profile says.
 *
 * @param everyCategory block every category (the behaviour when no profiles are configured)
 * @param blockBypass answer the DoH canary and iCloud Private Relay names with NXDOMAIN
 * @param allowNames the profile's own exceptions (a name covers its subdomains)
 * @param blockNames the profile's own blocks (a name covers its subdomains)
 * @param schedules weekly windows (bedtime, homework time) in the household's time zone
 * @param budgetMinutes daily time budgets: category to minutes of use a day, counted in
 *     one-minute buckets of query activity and reset at local midnight
 * @param safeSearch enforced SafeSearch on the search and video sites ({@link SafeSearch})
 */
public record Profile(String id, String name, Set<String> blockedCategories, boolean everyCategory,
    List<String> allowNames, List<String> blockNames, boolean blockBypass,
    BlockAnswer blockAnswer, List<Schedule> schedules, Map<String, Integer> budgetMinutes,
    SafeSearch.Mode safeSearch) {

  public Profile {
    Objects.requireNonNull(id, "id");
    name = name == null || name.isBlank() ? id : name;
    blockedCategories = Set.copyOf(blockedCategories);
    allowNames = List.copyOf(allowNames);
    blockNames = List.copyOf(blockNames);
    blockAnswer = blockAnswer == null ? BlockAnswer.NXDOMAIN : blockAnswer;
    schedules = List.copyOf(schedules);
    safeSearch = safeSearch == null ? SafeSearch.Mode.OFF : safeSearch;
    budgetMinutes = Map.copyOf(budgetMinutes);
    for (var b : budgetMinutes.entrySet()) {
      if (b.getValue() < 0 || b.getValue() > 1440) {
        throw new IllegalArgumentException("budget for " + b.getKey() + " must be 0 to 1440"
            + " minutes a day");
      }
    }
  }

  /** A profile without SafeSearch. */
  public Profile(String id, String name, Set<String> blockedCategories, boolean everyCategory,
      List<String> allowNames, List<String> blockNames, boolean blockBypass,
      BlockAnswer blockAnswer, List<Schedule> schedules, Map<String, Integer> budgetMinutes) {
    this(id, name, blockedCategories, everyCategory, allowNames, blockNames, blockBypass,
        blockAnswer, schedules, budgetMinutes, SafeSearch.Mode.OFF);
  }

  /** A profile without schedules or budgets. */
  public Profile(String id, String name, Set<String> blockedCategories, boolean everyCategory,
      List<String> allowNames, List<String> blockNames, boolean blockBypass,
      BlockAnswer blockAnswer) {
    this(id, name, blockedCategories, everyCategory, allowNames, blockNames, blockBypass,
        blockAnswer, List.of(), Map.of());
  }

  /** True when the answer may change with the time of day (schedules or budgets). */
  public boolean timeDependent() {
    return !schedules.isEmpty() || !budgetMinutes.isEmpty();
  }

  /** Blocks every category: what every client got before profiles existed. */
  public static Profile everything(String id) {
    return new Profile(id, id, Set.of(), true, List.of(), List.of(), false, BlockAnswer.NXDOMAIN);
  }

  /** Only the operator's baseline: for unidentified clients when no default profile is named. */
  public static Profile baselineOnly(String id) {
    return new Profile(id, id, Set.of(), false, List.of(), List.of(), false, BlockAnswer.NXDOMAIN);
  }

  public boolean blocksCategory(String category) {
    return everyCategory || (category != null && blockedCategories.contains(category));
  }

  /** The profile's own exceptions as a list (id {@code profile:<id>:allow}). */
  CompiledList allowList() {
    return names("profile:" + id + ":allow", allowNames, true);
  }

  /** The profile's own blocks as a list (id {@code profile:<id>:block}). */
  CompiledList blockList() {
    return names("profile:" + id + ":block", blockNames, false);
  }

  static CompiledList names(String listId, List<String> names, boolean allow) {
    List<Rule> rules = new ArrayList<>();
    int line = 0;
    for (String n : names) {
      line++;
      String norm = dev.hearth.blocklists.DomainNames.normalize(n);
      Rule r = allow ? Rule.allow(norm) : Rule.block(norm);
      rules.add(r.atLine(line));
    }
    return CompiledList.build(listId, rules);
  }
}
