package dev.hearth.admin.auth;

import java.util.Locale;

/**
 * Who may do what in the console and the API. The operator's roles split duties the way the
 * brief asks: only list custodians handle locked legal lists, reviewers decide appeals, support
 * staff read (with subscriber data masked); a parent sees only their own household.
 */
public enum Role implements io.javalin.security.RouteRole {
  ADMINISTRATOR("administrator"),
  LIST_CUSTODIAN("list-custodian"),
  APPEALS_REVIEWER("appeals-reviewer"),
  SUPPORT("support"),
  PARENT("parent");

  private final String id;

  Role(String id) {
    this.id = id;
  }

  /** The name used in the API, the CLI and the database. */
  public String id() {
    return id;
  }

  /** Parses a role name; the error lists the valid ones. */
  public static Role parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    for (Role r : values()) {
      if (r.id.equals(t)) {
        return r;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not a role (administrator,"
        + " list-custodian, appeals-reviewer, support or parent)");
  }
}
