package dev.hearth.resolver;

/** The resolver could not start; the message is meant for the operator, without a stack trace. */
public final class StartupException extends Exception {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
