package dev.hearth.cli;

import dev.hearth.resolver.access.ClientNetworks;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The operations settings of {@code hearth serve}: {@code metrics:}, {@code logging:},
 * {@code query_log:} and {@code dnstap:}. The defaults are the private ones: metrics on (they
 * carry no client or name), text logs, no query log, no dnstap.
 *
 * @param metricsEnabled whether {@code /metrics} is served on the {@code --http} listener
 * @param metricsAllow who may read {@code /metrics}; null for anyone who reaches the listener
 * @param jsonLogs one JSON object per log line instead of text
 * @param queryLog whether answered queries are written to {@code <data>/query-log/}
 * @param queryLogClients how client addresses are written
 * @param queryLogRetention how long query-log files are kept before deletion
 * @param queryLogChildProfiles profiles that are children's: their queries are left out of the
 *     query log unless the household opted in ({@code query_log_children})
 * @param dnstapSocket the unix socket a dnstap collector listens on, or null
 */
public record ObservabilityConfig(boolean metricsEnabled, ClientNetworks metricsAllow,
    boolean jsonLogs, boolean queryLog, ClientAddresses queryLogClients,
    Duration queryLogRetention, java.util.Set<String> queryLogChildProfiles, Path dnstapSocket) {

  /** How the query log writes client addresses: never in full. */
  public enum ClientAddresses {
    /** IPv4 to its /24, IPv6 to its /56: the household's network, not the device. */
    TRUNCATE,
    /** A keyed hash (HMAC-SHA-256 with a key in the data directory, replaced daily). */
    PSEUDONYMISE
  }

  public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
  public static final ObservabilityConfig DEFAULTS = new ObservabilityConfig(true, null, false,
      false, ClientAddresses.TRUNCATE, DEFAULT_RETENTION, java.util.Set.of(), null);

  public ObservabilityConfig {
    if (queryLogRetention == null || queryLogRetention.compareTo(Duration.ofHours(1)) < 0
        || queryLogRetention.compareTo(Duration.ofDays(31)) > 0) {
      throw new IllegalArgumentException("query_log.retention must be between 1h and 31d");
    }
    queryLogClients = queryLogClients == null ? ClientAddresses.TRUNCATE : queryLogClients;
    queryLogChildProfiles = queryLogChildProfiles == null ? java.util.Set.of()
        : java.util.Set.copyOf(queryLogChildProfiles);
  }

  ObservabilityConfig withMetrics(boolean enabled, ClientNetworks allow) {
    return new ObservabilityConfig(enabled, allow, jsonLogs, queryLog, queryLogClients,
        queryLogRetention, queryLogChildProfiles, dnstapSocket);
  }

  ObservabilityConfig withJsonLogs(boolean json) {
    return new ObservabilityConfig(metricsEnabled, metricsAllow, json, queryLog, queryLogClients,
        queryLogRetention, queryLogChildProfiles, dnstapSocket);
  }

  ObservabilityConfig withQueryLog(boolean on, ClientAddresses clients, Duration retention,
      java.util.Set<String> childProfiles) {
    return new ObservabilityConfig(metricsEnabled, metricsAllow, jsonLogs, on, clients,
        retention, childProfiles, dnstapSocket);
  }

  ObservabilityConfig withDnstap(Path socket) {
    return new ObservabilityConfig(metricsEnabled, metricsAllow, jsonLogs, queryLog,
        queryLogClients, queryLogRetention, queryLogChildProfiles, socket);
  }
}
