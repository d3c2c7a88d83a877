package dev.hearth.resolver.policy;

import dev.hearth.blocklists.BlockAction;
import dev.hearth.blocklists.Verdict;
import dev.hearth.resolver.client.ClientIdentity;
import java.util.List;

/**
 * The policy's answer for one query and the reason for it: who asked, under which profile, which
 * rule decided (and the list verdict behind it, if any). The EDE text, logs, {@code hearth
 * explain} and later the block page all render this one value, so they cannot disagree.
 *
 * @param block true to answer with a block, false to resolve normally
 * @param rule which step of the policy decided, e.g. {@code locked-list}, {@code category}
 * @param verdict the list verdict behind the decision, or {@link Verdict#NONE}
 * @param edeCode the Extended DNS Error for a block (16 legal, 17 chosen filtering, 15 operator)
 * @param blockAction how the rule itself asks to be answered (RPZ), NXDOMAIN by default
 * @param trace every step considered, in order (only when explaining; else empty)
 * @param ttlCap the most seconds a client may cache the answer because the decision may change
 *     then (a schedule edge, the end of a pause or grant, midnight for budgets), or -1
 * @param detail what a time-based rule was (the schedule's name, the budget), or ""
 * @param category the list category the name belongs to, for activity summaries: the deciding
 *     list's for a block, else the first category list that lists the name; null when it is in
 *     none (locked legal lists are never named here)
 */
public record PolicyDecision(boolean block, String rule, ClientIdentity client, Profile profile,
    Verdict verdict, int edeCode, BlockAction blockAction, List<String> trace, int ttlCap,
    String detail, String category) {

  /** A decision without a category. */
  public PolicyDecision(boolean block, String rule, ClientIdentity client, Profile profile,
      Verdict verdict, int edeCode, BlockAction blockAction, List<String> trace, int ttlCap,
      String detail) {
    this(block, rule, client, profile, verdict, edeCode, blockAction, trace, ttlCap, detail,
        null);
  }

  /** The sentence for people (EDE text, logs); never names a locked list's entry. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    if (rule.startsWith("appeal")) {
      sb.append(block ? "blocked as " + detail : "allowed by upheld appeal " + detail);
    } else if (verdict != null && !verdict.isNone()) {
      sb.append(verdict.describe());
    } else {
      sb.append(block ? "blocked" : "allowed").append(" by ").append(ruleText());
    }
    if (!"locked-list".equals(rule) && !"baseline-list".equals(rule)) {
      sb.append("; profile ").append(profile.id());
    }
    return sb.toString();
  }

  /** The EDE EXTRA-TEXT: {@link #describe()} and, in brackets, {@link #reasonId()}. */
  public String edeText() {
    return describe() + " [" + reasonId() + "]";
  }

  /**
   * The EXTRA-TEXT as structured JSON (draft-ietf-dnsop-structured-dns-error): {@code j}
   * justification (this decision's sentence and reason id), {@code o} organisation, {@code c}
   * contacts, {@code l} language, {@code s} sub-error for the operator's security categories (not
   * with Censored). With {@code full} false, {@code j} and {@code o} are left out, as the draft
   * asks when a UDP answer would not fit.
   */
  public String structuredText(Operator op, boolean full) {
    StringBuilder sb = new StringBuilder("{");
    if (!op.contacts().isEmpty()) {
      sb.append("\"c\":[");
      for (int i = 0; i < op.contacts().size(); i++) {
        sb.append(i == 0 ? "" : ",");
        json(sb, op.contacts().get(i));
      }
      sb.append("],");
    }
    if (full) {
      sb.append("\"j\":");
      json(sb, edeText());
      sb.append(',');
      if (op.organisation() != null) {
        sb.append("\"o\":");
        json(sb, op.organisation());
        sb.append(',');
      }
    }
    int sub = subError();
    if (sub > 0) {
      sb.append("\"s\":").append(sub).append(',');
    }
    sb.append("\"l\":");
    json(sb, op.language());
    return sb.append('}').toString();
  }

  /**
   * The draft's sub-error for a block by a security category: 1 malware, 2 phishing, 3 spam,
   * 4 spyware; 5 (network operator policy) for other operator blocks; 0 for none (client choices
   * and legal blocks).
   */
  int subError() {
    if (!block || edeCode != 15) {
      return 0;
    }
    String c = verdict == null || verdict.list() == null ? null : verdict.list().category();
    if (c == null) {
      return 5;
    }
    switch (c) {
      case "malware":
      case "cryptojacking":
        return 1;
      case "phishing":
        return 2;
      case "spam":
        return 3;
      case "spyware":
      case "stalkerware":
        return 4;
      default:
        return 5;
    }
  }

  private static void json(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        sb.append('\\').append(ch);
      } else if (ch < 0x20) {
        sb.append(String.format("\\u%04x", (int) ch));
      } else {
        sb.append(ch);
      }
    }
    sb.append('"');
  }

  /**
   * A stable identifier of the reason, for the transparency page: the rule, and the list id,
   * version and rule line (or the profile) behind it. Locked lists give only their id.
   */
  public String reasonId() {
    if (rule.startsWith("appeal")) {
      int open = detail.lastIndexOf("(appeal ");
      return rule + ":" + (open >= 0 ? detail.substring(open + 8, detail.length() - 1) : detail);
    }
    if (verdict != null && !verdict.isNone() && verdict.list() != null) {
      StringBuilder sb = new StringBuilder(rule).append(':').append(verdict.listName());
      if (!verdict.locked()) {
        if (!verdict.list().version().isEmpty()) {
          sb.append('@').append(verdict.list().version());
        }
        if (verdict.ruleLocation() != null) {
          sb.append('#').append(verdict.ruleLocation());
        }
      }
      return sb.toString();
    }
    return rule + ":" + profile.id();
  }

  private String ruleText() {
    switch (rule) {
      case "bypass":
        return "bypass prevention (this name is how apps switch to another resolver)";
      case "pause":
        return "a pause of the internet";
      case "schedule":
        return "schedule " + detail;
      case "budget":
        return "daily time budget " + detail;
      case "grant":
        return "a temporary grant";
      default:
        return rule.replace('-', ' ');
    }
  }
}
