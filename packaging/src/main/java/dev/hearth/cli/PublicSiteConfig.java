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
 * @param publicUrl {@code http.public_url}: where people reach the public pages (links in
 *     mails), or null for the {@code --http} address
 * @param mail {@code mail}: the SMTP server appeal mail goes through, or null for none
 * @param perAddressPerHour {@code appeals.per_address_per_hour} (default 10)
 */
record PublicSiteConfig(List<String> hostnames, Duration acknowledgeWithin, Duration decideWithin,
    Duration keepClosed, String publicUrl, Mail mail, int perAddressPerHour) {
  static final PublicSiteConfig DEFAULTS = new PublicSiteConfig(List.of(), Duration.ofHours(24),
      Duration.ofHours(48), Duration.ofDays(90), null, null, 10);

  /**
   * The SMTP server: {@code mail.smtp} HOST:PORT, {@code mail.from}, {@code mail.starttls}
   * (default true), {@code mail.username} and {@code mail.password_file} (a file, so the
   * password stays out of the config).
   */
  record Mail(String host, int port, String from, boolean startTls, String username,
      java.nio.file.Path passwordFile) {}

  PublicSiteConfig {
    hostnames = List.copyOf(hostnames);
  }

  PublicSiteConfig withHostnames(List<String> v) {
    return new PublicSiteConfig(v, acknowledgeWithin, decideWithin, keepClosed, publicUrl, mail,
        perAddressPerHour);
  }

  PublicSiteConfig withAppeals(Duration ack, Duration decide, Duration keep) {
    return new PublicSiteConfig(hostnames, ack, decide, keep, publicUrl, mail,
        perAddressPerHour);
  }

  PublicSiteConfig withPublicUrl(String v) {
    return new PublicSiteConfig(hostnames, acknowledgeWithin, decideWithin, keepClosed, v, mail,
        perAddressPerHour);
  }

  PublicSiteConfig withMail(Mail v) {
    return new PublicSiteConfig(hostnames, acknowledgeWithin, decideWithin, keepClosed,
        publicUrl, v, perAddressPerHour);
  }

  PublicSiteConfig withPerAddressPerHour(int v) {
    return new PublicSiteConfig(hostnames, acknowledgeWithin, decideWithin, keepClosed,
        publicUrl, mail, v);
  }
}
