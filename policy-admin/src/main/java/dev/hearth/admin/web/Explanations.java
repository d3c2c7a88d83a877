package dev.hearth.admin.web;

import dev.hearth.blocklists.DomainNames;
import dev.hearth.resolver.access.Prefix;
import dev.hearth.resolver.client.ClientIdentity;
import dev.hearth.resolver.client.ClientOptions;
import dev.hearth.resolver.policy.PolicyDecision;
import dev.hearth.resolver.policy.PolicyStage;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;

/**
 * "Why is this name blocked for this client?" answered by the running resolver's own engine,
 * with its live bindings, pauses and grants: the console and the API show the same trace.
 */
final class Explanations {
  private Explanations() {}

  /** Throws IllegalArgumentException naming the bad input (client, name or MAC). */
  static PolicyDecision explain(PolicyStage stage, String client, String name, String mac,
      String cpeId, String token, Instant at) {
    InetAddress address = address(client);
    String normalized = DomainNames.normalize(name);
    long macValue = -1;
    if (mac != null) {
      macValue = ClientOptions.parseMac(mac);
      if (macValue < 0) {
        throw new IllegalArgumentException("'" + mac + "' is not a MAC address");
      }
    }
    ClientOptions options = macValue < 0 && cpeId == null ? ClientOptions.NONE
        : new ClientOptions(macValue, cpeId, null);
    ClientIdentity who = stage.engine().policy().directory().identify(token, options, address,
        stage.bindings());
    return stage.engine().explain(who, DomainNames.toWire(normalized), at);
  }

  /**
   * {@code text} as support staff may see it: the household id replaced, so explaining a
   * name for address after address cannot rebuild the masked address book.
   */
  static String forSupport(String text, ClientIdentity who) {
    String sub = who == null ? null : who.subscriberId();
    return sub == null || text == null ? text
        : text.replace("subscriber " + sub, "subscriber (masked)").replace(sub, "(masked)");
  }

  static InetAddress address(String client) {
    String c = client == null ? "" : client.trim();
    if (c.contains("/")) {
      throw new IllegalArgumentException("'" + client + "' is a network, not one address");
    }
    try {
      return InetAddress.getByAddress(Prefix.parse(c).network());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + client + "' is not an IP address");
    }
  }
}
