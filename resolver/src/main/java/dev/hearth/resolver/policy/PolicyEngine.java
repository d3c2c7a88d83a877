package dev.hearth.resolver.policy;

import dev.hearth.blocklists.BlockAction;
import dev.hearth.blocklists.CompiledList;
import dev.hearth.blocklists.ListInfo;
import dev.hearth.blocklists.Matches;
import dev.hearth.blocklists.Verdict;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.wire.Ede;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides a query under one policy snapshot and one set of block lists. Immutable: a list update
 * or a policy change builds a new engine off the query path.
 *
 * <p>Everything that can match a name is one list in one {@link VerdictCache}: the operator's
 * lists, the protected allowlist, the bypass names and every profile's own allow and block names.
 * A query costs one cached lookup of the name, shared by all profiles; each profile then decides
 * over its own subset of the matches with bit masks. So nothing a profile chose can leak into
 * another profile's answer, and the cache holds facts about names, not decisions.
 *
 * <p>Blocks a subscriber's profile chose (its own names, bypass prevention, categories) carry EDE
 * 17 Filtered: the client asked for them. The same blocks under a venue's or the operator's
 * default profile, and the operator's own lists, carry EDE 15 Blocked; legal lists EDE 16.
 *
 * <p>The order of precedence, first match wins:
 *
 * <ol>
 *   <li>a block by a locked legal list (only a legal-override list passes it): EDE 16 Censored;
 *   <li>the protected allowlist (helplines, emergency services): resolves;
 *   <li>the profile's own exceptions: resolve;
 *   <li>the profile's own blocks;
 *   <li>bypass names, if the profile blocks bypasses: NXDOMAIN;
 *   <li>the operator's uncategorised lists and the categories the profile blocks, combined by
 *       the lists' own rule ({@link CompiledList#decide}).
 *   <li>otherwise the name resolves.
 * </ol>
 */
public final class PolicyEngine {
  static final String PROTECTED_LIST = "policy:protected";
  static final String BYPASS_LIST = "policy:bypass";

  private final PolicySnapshot policy;
  private final VerdictCache cache;
  private final List<CompiledList> operatorLists;
  private final long[] lockedMask;
  private final long[] protectedMask;
  private final long[] bypassMask;
  private final Map<String, ProfileMasks> masks;

  private record ProfileMasks(long[] allow, long[] block, long[] lists) {}

  public PolicyEngine(List<CompiledList> operatorLists, PolicySnapshot policy, int cacheSize) {
    this.policy = policy;
    this.operatorLists = List.copyOf(operatorLists);
    List<CompiledList> all = new ArrayList<>(operatorLists);
    int protectedAt = all.size();
    all.add(Profile.names(PROTECTED_LIST, policy.protectedNames(), true));
    int bypassAt = all.size();
    all.add(Profile.names(BYPASS_LIST, policy.bypassNames(), false));
    Map<String, int[]> ownLists = new HashMap<>();
    for (Profile p : policy.profiles().values()) {
      int at = -1;
      if (!p.allowNames().isEmpty() || !p.blockNames().isEmpty()) {
        at = all.size();
        all.add(p.allowList());
        all.add(p.blockList());
      }
      ownLists.put(p.id(), new int[] {at});
    }
    int words = (all.size() + 63) >>> 6;
    this.lockedMask = new long[words];
    this.protectedMask = new long[words];
    this.bypassMask = new long[words];
    set(protectedMask, protectedAt);
    set(bypassMask, bypassAt);
    for (int i = 0; i < operatorLists.size(); i++) {
      ListInfo info = operatorLists.get(i).info();
      if (info.locked() || info.legalOverride()) {
        set(lockedMask, i);
      }
    }
    this.masks = new HashMap<>();
    for (Profile p : policy.profiles().values()) {
      long[] allow = new long[words];
      long[] block = new long[words];
      int at = ownLists.get(p.id())[0];
      if (at >= 0) {
        set(allow, at);
        set(block, at + 1);
      }
      long[] lists = new long[words];
      for (int i = 0; i < operatorLists.size(); i++) {
        ListInfo info = operatorLists.get(i).info();
        if (info.locked() || info.legalOverride() || info.category() == null
            || p.blocksCategory(info.category())) {
          set(lists, i);
        }
      }
      masks.put(p.id(), new ProfileMasks(allow, block, lists));
    }
    this.cache = new VerdictCache(all, cacheSize);
  }

  private static void set(long[] mask, int i) {
    mask[i >>> 6] |= 1L << i;
  }

  public PolicySnapshot policy() {
    return policy;
  }

  /** The operator's lists (without the policy's own), as given. */
  public List<CompiledList> operatorLists() {
    return operatorLists;
  }

  /** The profile that applies to {@code client} (the default one if its id is unknown). */
  public Profile profileFor(ClientIdentity client) {
    Profile p = policy.profiles().get(client.profileId());
    return p != null ? p : policy.defaultProfile();
  }

  /** Decides a query for an uncompressed, lower-case wire-format name. */
  public PolicyDecision decide(ClientIdentity client, byte[] wireName) {
    return decide(client, wireName, null);
  }

  /**
   * Explains the decision for a client and a name as the resolver would make it: identifies the
   * client ({@link dev.hearth.resolver.client.ClientDirectory#identify}) and records every step.
   *
   * @param token a profile token, or null
   * @param options the EDNS client options the query would carry (MAC, CPE id, Client Subnet)
   * @param name a domain name (normalised here)
   */
  public PolicyDecision explain(java.net.InetAddress client, ClientOptions options, String token,
      String name) {
    ClientIdentity who = policy.directory().identify(token, options, client, null);
    return explain(who, dev.hearth.blocklists.DomainNames.toWire(
        dev.hearth.blocklists.DomainNames.normalize(name)));
  }

  /** As {@link #decide(ClientIdentity, byte[])}, recording every step considered. */
  public PolicyDecision explain(ClientIdentity client, byte[] wireName) {
    return decide(client, wireName, new ArrayList<>());
  }

  private PolicyDecision decide(ClientIdentity client, byte[] wireName, List<String> trace) {
    Profile profile = profileFor(client);
    ProfileMasks pm = masks.get(profile.id());
    Matches m = cache.matches(wireName);
    if (trace != null) {
      trace.add("client: " + client.describe());
      trace.add("lists with an entry for this name: " + describeMatches(m));
    }
    if (m.isEmpty()) {
      return pass("not-listed", client, profile, Verdict.NONE, trace);
    }
    Verdict v = m.decide(lockedMask);
    if (note(trace, "1. locked legal lists", v) && v.isBlock()) {
      return block("locked-list", client, profile, v, Ede.CENSORED, trace);
    }
    v = m.decide(protectedMask);
    if (note(trace, "2. protected allowlist", v) && v.isAllow()) {
      return pass("protected", client, profile, v, trace);
    }
    v = m.decide(pm.allow);
    if (note(trace, "3. profile exceptions", v) && v.isAllow()) {
      return pass("profile-allow", client, profile, v, trace);
    }
    // EDE 17 (Filtered) means the client asked for this filtering: a household's or a device's
    // profile. A venue's or the operator's default profile is the operator's policy: 15.
    int chosenCode = client.subscriberId() != null ? Ede.FILTERED : Ede.BLOCKED;
    v = m.decide(pm.block);
    if (note(trace, "4. profile blocks", v) && v.isBlock()) {
      return block("profile-block", client, profile, v, chosenCode, trace);
    }
    if (profile.blockBypass()) {
      v = m.decide(bypassMask);
      if (note(trace, "5. bypass prevention", v) && v.isBlock()) {
        return block("bypass", client, profile, Verdict.NONE, chosenCode, trace);
      }
    } else if (trace != null) {
      trace.add("5. bypass prevention: off in this profile");
    }
    v = m.decide(pm.lists);
    if (note(trace, "6. operator lists and chosen categories", v) && v.isBlock()) {
      boolean category = v.list().category() != null && !v.locked() && !profile.everyCategory();
      return block(category ? "category" : "baseline-list", client, profile, v,
          category ? chosenCode : Ede.BLOCKED, trace);
    }
    return pass(v.isAllow() ? "list-exception" : "not-blocked", client, profile, v, trace);
  }

  private static boolean note(List<String> trace, String step, Verdict v) {
    if (trace != null) {
      trace.add(step + ": " + (v.isNone() ? "no match" : v.describe()));
    }
    return !v.isNone();
  }

  private String describeMatches(Matches m) {
    if (m.isEmpty()) {
      return "none";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < m.size(); i++) {
      sb.append(i == 0 ? "" : "; ").append(m.verdict(i).describe());
    }
    return sb.toString();
  }

  private static PolicyDecision pass(String rule, ClientIdentity client, Profile profile,
      Verdict v, List<String> trace) {
    if (trace != null) {
      trace.add("=> resolves (" + rule + ")");
    }
    return new PolicyDecision(false, rule, client, profile, v, 0, BlockAction.NXDOMAIN,
        trace == null ? List.of() : List.copyOf(trace));
  }

  private static PolicyDecision block(String rule, ClientIdentity client, Profile profile,
      Verdict v, int ede, List<String> trace) {
    if (trace != null) {
      trace.add("=> blocked (" + rule + ", EDE " + ede + ")");
    }
    BlockAction how = v.isNone() ? BlockAction.NXDOMAIN : v.blockAction();
    return new PolicyDecision(true, rule, client, profile, v, ede, how,
        trace == null ? List.of() : List.copyOf(trace));
  }
}
