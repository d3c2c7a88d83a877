package dev.hearth.admin.lists;

/**
 * A change to the run-time list sources was refused and nothing was stored: {@code status} is
 * the HTTP status that says why (400 invalid, 403 not allowed, 404 unknown, 409 clashes with the
 * config file or an existing source), {@code field} the key at fault (or null), and the message
 * says what is wrong in words an operator can act on.
 */
public final class SourceRefusedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String field;

  public SourceRefusedException(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  /** An invalid document (400). */
  public static SourceRefusedException invalid(String field, String message) {
    return new SourceRefusedException(400, field, message);
  }

  public int status() {
    return status;
  }

  public String field() {
    return field;
  }
}
