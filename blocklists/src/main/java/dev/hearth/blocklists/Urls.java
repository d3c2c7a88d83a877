package dev.hearth.blocklists;

import java.util.Locale;

/**
 * Normalises URLs from URL lists (e.g. the IWF URL list, UT1 {@code urls} files) to one key per
 * resource: scheme, user info, port and fragment dropped (the same content is reachable with or
 * without them), host {@link DomainNames#normalize normalized}, path and query kept as written
 * (they are case-sensitive on most servers). Entries may come with or without a scheme.
 */
public final class Urls {
  private Urls() {}

  /**
   * @param host normalized host
   * @param key {@code host + path[?query]}, the path starting with {@code /}
   * @param root true when the URL is the host's root ({@code http://host/}): the whole host is meant
   */
  public record Parsed(String host, String key, boolean root) {}

  /**
   * @throws IllegalArgumentException with a readable reason when there is no usable host name (an
   *     IP address host cannot be filtered by DNS and is reported as such)
   */
  public static Parsed normalize(String raw) {
    if (raw == null) {
      throw new IllegalArgumentException("no URL");
    }
    String s = raw.strip();
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      String sch = s.substring(0, scheme).toLowerCase(Locale.ROOT);
      if (!sch.matches("[a-z][a-z0-9+.-]*")) {
        throw new IllegalArgumentException("malformed URL scheme");
      }
      s = s.substring(scheme + 3);
    } else if (s.startsWith("//")) {
      s = s.substring(2);
    }
    int hash = s.indexOf('#');
    if (hash >= 0) {
      s = s.substring(0, hash);
    }
    int pathStart = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '?') {
        pathStart = i;
        break;
      }
    }
    String authority = s.substring(0, pathStart);
    String path = s.substring(pathStart);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = authority.substring(at + 1);
    }
    if (authority.startsWith("[")) {
      throw new IllegalArgumentException("IP address host, not filterable by name");
    }
    int colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      String port = authority.substring(colon + 1);
      if (!port.isEmpty() && !port.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("malformed port");
      }
      authority = authority.substring(0, colon);
    }
    if (authority.isEmpty()) {
      throw new IllegalArgumentException("URL without a host");
    }
    if (DomainNames.isIpLiteral(authority)) {
      throw new IllegalArgumentException("IP address host, not filterable by name");
    }
    String host = DomainNames.normalize(authority);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException("space or control character in the path");
      }
    }
    if (path.isEmpty()) {
      path = "/";
    } else if (path.charAt(0) == '?') {
      path = "/" + path;
    }
    boolean root = path.equals("/");
    return new Parsed(host, host + path, root);
  }
}
