package dev.hearth.admin.policy;

/**
 * A policy change was refused because the result would not be a valid policy. {@code kind} and
 * {@code id} name the document at fault (null when the problem is in the config file itself),
 * {@code field} the key path inside it (e.g. {@code schedules[0].from}, or null), and the
 * message says what is wrong in words an operator can act on.
 */
public final class InvalidPolicyException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Kind kind;
  private final String id;
  private final String field;

  public InvalidPolicyException(Kind kind, String id, String field, String message) {
    super(message);
    this.kind = kind;
    this.id = id;
    this.field = field;
  }

  public Kind kind() {
    return kind;
  }

  public String id() {
    return id;
  }

  public String field() {
    return field;
  }
}
