package dev.hearth.admin.web;

import java.net.InetAddress;

/**
 * What the {@code --http} listener's operations endpoints serve, supplied by whoever assembles
 * the process (the CLI): Prometheus metrics at {@code /metrics} and readiness at
 * {@code /readyz}. Kept as an interface so the admin module needs no metrics library.
 */
public interface Operations {
  /** Whether {@code /metrics} is served at all ({@code metrics.enabled}). */
  boolean metricsEnabled();

  /** Whether this client may read {@code /metrics} ({@code metrics.allow}). */
  boolean metricsAllowed(InetAddress client);

  /** The current metrics in the Prometheus text format (version 0.0.4). */
  String scrape();

  /**
   * Null when ready to serve, else why not (for the 503 body): lists not loaded, listeners not
   * bound.
   */
  String notReady();
}
