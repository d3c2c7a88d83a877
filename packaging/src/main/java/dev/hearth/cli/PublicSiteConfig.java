package dev.hearth.cli;

import java.time.Duration;
import java.util.List;

/**
 * The public side's settings from the config file: the server's own host names (any other Host
 * on the web listener is a blocked site's and gets the block page) and the appeal deadlines the
 * operator publishes.
 *
 * @param hostnames {@code http.hostnames}
 * @param acknowledgeWithin {@code appeals.acknowledge_within} (default 24 h)
 * @param decideWithin {@code appeals.decide_within} (default 48 h)
 * @param keepClosed {@code appeals.keep_closed}: how long a closed appeal's e-mail address is kept
 */
record PublicSiteConfig(List<String> hostnames, Duration acknowledgeWithin, Duration decideWithin,
    Duration keepClosed) {
  static final PublicSiteConfig DEFAULTS = new PublicSiteConfig(List.of(), Duration.ofHours(24),
      Duration.ofHours(48), Duration.ofDays(90));

  PublicSiteConfig {
    hostnames = List.copyOf(hostnames);
  }

  PublicSiteConfig withHostnames(List<String> v) {
    return new PublicSiteConfig(v, acknowledgeWithin, decideWithin, keepClosed);
  }

  PublicSiteConfig withAppeals(Duration ack, Duration decide, Duration keep) {
    return new PublicSiteConfig(hostnames, ack, decide, keep);
  }
}
