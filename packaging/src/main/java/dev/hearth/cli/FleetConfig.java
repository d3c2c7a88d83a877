package dev.hearth.cli;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the admin store lives and how this process takes part in a fleet. An admin keeps its
 * store in the data directory (SQLite, the default) or in PostgreSQL ({@code store.url}), and
 * serves the policy to nodes when {@code fleet.node_token_file} is set. A node
 * ({@code fleet.policy_from}) has no store of its own: it pulls the admin's snapshots.
 *
 * @param storeUrl {@code postgresql://HOST[:PORT]/DATABASE}, or null for the SQLite file
 * @param storeUser the PostgreSQL role, or null for the driver's default
 * @param storePasswordFile a file holding its password (read at start), or null
 * @param policyFrom a node's snapshot URL on the admin, or null when this is not a node
 * @param nodeTokenFile the fleet's shared secret: what nodes send and the admin expects
 * @param pollInterval how often a node asks (each wait varies by up to a fifth, so a fleet
 *     started together does not ask in step)
 */
record FleetConfig(String storeUrl, String storeUser, Path storePasswordFile, URI policyFrom,
    Path nodeTokenFile, Duration pollInterval) {
  static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  static final FleetConfig NONE = new FleetConfig(null, null, null, null, null,
      DEFAULT_POLL_INTERVAL);

  /** Whether this process is a node, serving snapshots pulled from an admin. */
  boolean node() {
    return policyFrom != null;
  }

  /** Whether the admin store is in PostgreSQL. */
  boolean postgres() {
    return storeUrl != null;
  }

  FleetConfig withStore(String url, String user, Path passwordFile) {
    return new FleetConfig(url, user, passwordFile, policyFrom, nodeTokenFile, pollInterval);
  }

  FleetConfig withPolicyFrom(URI v) {
    return new FleetConfig(storeUrl, storeUser, storePasswordFile, v, nodeTokenFile,
        pollInterval);
  }

  FleetConfig withNodeTokenFile(Path v) {
    return new FleetConfig(storeUrl, storeUser, storePasswordFile, policyFrom, v, pollInterval);
  }

  FleetConfig withPollInterval(Duration v) {
    return new FleetConfig(storeUrl, storeUser, storePasswordFile, policyFrom, nodeTokenFile, v);
  }

  /** The snapshot URL: http(s), a host, no credentials, no fragment. */
  static URI snapshotUrl(String text) {
    String t = text == null ? "" : text.trim();
    URI u;
    try {
      u = new URI(t);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a URL: " + e.getReason());
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null
        || u.getUserInfo() != null || u.getFragment() != null) {
      throw new IllegalArgumentException("expected the admin's snapshot URL, such as"
          + " https://admin.example.net/api/v1/fleet/snapshot, got \"" + text + "\"");
    }
    if (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/")) {
      u = u.resolve("/api/v1/fleet/snapshot");
    }
    return u;
  }

  /** Reads a secret file: its first line, trimmed; an empty or unreadable file is an error. */
  static String readSecret(Path file, String what) throws ConfigException {
    String text;
    try {
      text = java.nio.file.Files.readString(file).strip();
    } catch (java.io.IOException | RuntimeException e) {
      throw new ConfigException(what + " " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    int nl = text.indexOf('\n');
    String line = (nl < 0 ? text : text.substring(0, nl)).strip();
    if (line.isEmpty()) {
      throw new ConfigException(what + " " + file + ": the file is empty");
    }
    return line;
  }
}
