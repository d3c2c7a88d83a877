package dev.hearth.admin.auth;

/**
 * Who is making a request: a user or an API token, with its role and, for parents, the one
 * household it may see. {@code name} is what the audit log records ({@code user:alice},
 * {@code token:provisioning}).
 */
public record Principal(String name, Role role, String household) {
  /** The actor recorded for changes made from the command line on the server itself. */
  public static final Principal CLI = new Principal("cli", Role.ADMINISTRATOR, null);
}
