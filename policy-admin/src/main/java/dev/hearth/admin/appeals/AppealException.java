package dev.hearth.admin.appeals;

/**
 * An appeal request or action that cannot be accepted, naming the field at fault (or null) and
 * why, in words shown to the person; the HTTP status says what kind of refusal it is.
 */
public final class AppealException extends IllegalArgumentException {
  private final String field;
  private final int status;

  public AppealException(String field, String message) {
    this(400, field, message);
  }

  public AppealException(int status, String field, String message) {
    super(message);
    this.field = field;
    this.status = status;
  }

  public String field() {
    return field;
  }

  public int status() {
    return status;
  }
}
