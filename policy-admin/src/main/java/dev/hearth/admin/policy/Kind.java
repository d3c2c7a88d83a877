package dev.hearth.admin.policy;

/** The kinds of policy entity kept in the admin store, each in its own table. */
public enum Kind {
  PROFILE("profiles", "profile"),
  SUBSCRIBER("subscribers", "subscriber"),
  NETWORK("networks", "network"),
  /** An operator's preset: a new one, or an adjusted copy of a built-in with the same id. */
  PRESET("presets", "preset");

  private final String table;
  private final String singular;

  Kind(String table, String singular) {
    this.table = table;
    this.singular = singular;
  }

  /** The table name, also the API collection name ({@code /api/v1/profiles}). */
  public String table() {
    return table;
  }

  /** One of them, as messages and audit records name it. */
  public String singular() {
    return singular;
  }
}
