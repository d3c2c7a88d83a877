package dev.hearth.admin.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the support role sees of a household: its id, profiles, time zone and devices' names,
 * but not the addresses, MACs, CPE id or tokens that identify the people in it.
 */
final class Masking {
  static final String MASK = "(masked)";

  private Masking() {}

  static JsonNode subscriber(JsonNode doc) {
    ObjectNode m = doc.deepCopy();
    if (m.hasNonNull("addresses")) {
      // An array, or a single string (the reader accepts both): every form is masked.
      ArrayNode a = m.putArray("addresses");
      ProfileForm.strings(doc.get("addresses")).forEach(x -> a.add(address(x)));
    }
    if (m.has("cpe_id")) {
      m.put("cpe_id", MASK);
    }
    if (m.has("tokens")) {
      m.put("tokens", MASK);
    }
    if (m.get("devices") instanceof ArrayNode devices) {
      for (JsonNode d : devices) {
        if (d instanceof ObjectNode od) {
          if (od.has("mac")) {
            od.put("mac", MASK);
          }
          if (od.has("token")) {
            od.put("token", MASK);
          }
        }
      }
    }
    return m;
  }

  /** An address with its host part hidden: the family and prefix length stay visible. */
  static String address(String prefix) {
    int slash = prefix.indexOf('/');
    String len = slash < 0 ? "" : prefix.substring(slash);
    return (prefix.contains(":") ? "IPv6 " : "IPv4 ") + MASK + len;
  }
}
