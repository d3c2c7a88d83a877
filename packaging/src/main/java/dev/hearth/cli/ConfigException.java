package dev.hearth.cli;

/**
 * A setting is wrong. The message is complete and meant for the operator as is (it starts with
 * {@code file:line: key:} or the flag name), so it is printed without a stack trace and the
 * process exits with status 2, like any other usage error. {@link #path} and {@link #detail}
 * keep the key path and the bare reason apart for callers that report them separately (the
 * admin API names the field of a stored document).
 */
final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String path;
  private final String detail;

  ConfigException(String message) {
    this(message, null, message);
  }

  ConfigException(String message, String path, String detail) {
    super(message);
    this.path = path;
    this.detail = detail;
  }

  /** The key path at fault (e.g. {@code policy.profiles[2].from}), or null. */
  String path() {
    return path;
  }

  /** The reason without the source and path. */
  String detail() {
    return detail;
  }
}
