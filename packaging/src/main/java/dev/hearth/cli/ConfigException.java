package dev.hearth.cli;

/**
 * A setting is wrong. The message is complete and meant for the operator as is (it starts with
 * {@code file:line: key:} or the flag name), so it is printed without a stack trace and the
 * process exits with status 2, like any other usage error.
 */
final class ConfigException extends Exception {
  ConfigException(String message) {
    super(message);
  }
}
