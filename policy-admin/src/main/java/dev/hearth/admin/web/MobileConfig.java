package dev.hearth.admin.web;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The configuration profile ({@code .mobileconfig}) that gives an iPhone, iPad or Mac a device's
 * personal encrypted DNS: one {@code com.apple.dnsSettings.managed} payload, DoH with the
 * device's URL (or DoT with its host name when the operator runs only DoT). Unsigned: the
 * operator's signing identity is not Hearth's to hold, and the device says so when installing.
 * The payload UUIDs are derived from the token, so downloading it again gives the same profile
 * (installing it replaces, not duplicates) while a regenerated token gives a new one.
 */
final class MobileConfig {
  static final String CONTENT_TYPE = "application/x-apple-aspen-config";

  private MobileConfig() {}

  /**
   * The profile as XML property list.
   *
   * @param token the device's token (only hashed into the UUIDs)
   * @param dohUrl the device's DoH URL, or null to use DoT
   * @param dotHost the device's DoT host name, used when {@code dohUrl} is null
   * @param hostname the operator's public name (the profile's identifier)
   * @param displayName what the device's settings show, e.g. "Hearth DNS: Tablet"
   * @param description the longer text shown before installing
   */
  static String profile(String token, String dohUrl, String dotHost, String hostname,
      String displayName, String description) {
    String outer = uuid("profile", token);
    String inner = uuid("dns", token);
    String id = "dev.hearth.dns." + hostname;
    String settings = dohUrl != null
        ? key("DNSProtocol") + string("HTTPS") + key("ServerURL") + string(dohUrl)
        : key("DNSProtocol") + string("TLS") + key("ServerName") + string(dotHost);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\""
        + " \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
        + "<plist version=\"1.0\">\n<dict>\n"
        + key("PayloadContent") + "<array>\n<dict>\n"
        + key("DNSSettings") + "<dict>\n" + settings + "</dict>\n"
        + key("PayloadDescription") + string(description)
        + key("PayloadDisplayName") + string(displayName)
        + key("PayloadIdentifier") + string(id + ".dnssettings." + inner)
        + key("PayloadType") + string("com.apple.dnsSettings.managed")
        + key("PayloadUUID") + string(inner)
        + key("PayloadVersion") + "<integer>1</integer>\n"
        + "</dict>\n</array>\n"
        + key("PayloadDescription") + string(description)
        + key("PayloadDisplayName") + string(displayName)
        + key("PayloadIdentifier") + string(id + "." + outer)
        + key("PayloadRemovalDisallowed") + "<false/>\n"
        + key("PayloadType") + string("Configuration")
        + key("PayloadUUID") + string(outer)
        + key("PayloadVersion") + "<integer>1</integer>\n"
        + "</dict>\n</plist>\n";
  }

  /** A stable UUID for one payload of the token's profile (name-based, not reversible). */
  static String uuid(String payload, String token) {
    return UUID.nameUUIDFromBytes(("hearth-mobileconfig/" + payload + "/" + token)
        .getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(java.util.Locale.ROOT);
  }

  private static String key(String k) {
    return "<key>" + k + "</key>\n";
  }

  private static String string(String s) {
    return "<string>" + Ui.esc(s) + "</string>\n";
  }
}
