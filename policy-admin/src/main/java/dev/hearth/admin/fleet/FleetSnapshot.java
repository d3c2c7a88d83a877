package dev.hearth.admin.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.admin.policy.Kind;
import dev.hearth.admin.policy.PolicyDocuments;
import dev.hearth.resolver.policy.AppealOverride;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a resolver node needs to serve the admin's policy, as one immutable JSON document:
 * the stored policy documents (compiled on the node with its own config, by the same reader as
 * on the admin), the upheld appeals, the address bindings and the run-time list sources. Its
 * identity is the SHA-256 of its bytes, sent as a strong {@code ETag}; a node checks the bytes
 * it received against that hash, so a truncated or altered transfer is never applied.
 *
 * @param serial the admin's change counter when it was built (the last audit record's id):
 *     grows with every change, shown on the nodes so an operator sees they caught up
 */
public record FleetSnapshot(long serial, String createdAt, PolicyDocuments documents,
    List<AppealOverride> overrides, Map<String, String> bindings, List<String> listSources) {
  /** The format this code writes and reads. */
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A snapshot larger than this is refused (100,000 households are about 30 MB). */
  public static final int MAX_BYTES = 256 << 20;

  public FleetSnapshot {
    overrides = List.copyOf(overrides);
    bindings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bindings));
    listSources = List.copyOf(listSources);
  }

  /** The snapshot as the admin serves it. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("serial", serial);
    root.put("created_at", createdAt);
    ObjectNode docs = root.putObject("documents");
    for (Kind k : Kind.values()) {
      ObjectNode m = docs.putObject(k.table());
      documents.of(k).forEach(m::put);
    }
    ArrayNode o = root.putArray("appeal_overrides");
    for (AppealOverride a : overrides) {
      o.addObject().put("name", a.name()).put("subdomains", a.subdomains())
          .put("category", a.category()).put("ticket", a.ticket());
    }
    ObjectNode b = root.putObject("bindings");
    bindings.forEach(b::put);
    ArrayNode l = root.putArray("list_sources");
    listSources.forEach(l::add);
    try {
      return JSON.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a snapshot; anything that is not one this version understands is refused with the
   * reason (the node keeps serving the last good one).
   */
  public static FleetSnapshot parse(byte[] body) throws InvalidSnapshotException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new InvalidSnapshotException("not valid JSON (truncated?): "
          + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidSnapshotException("not a JSON object");
    }
    if (root.path("format").asInt(-1) != FORMAT) {
      throw new InvalidSnapshotException("format " + root.path("format") + ", this node reads "
          + FORMAT + " (update the nodes and the admin together)");
    }
    JsonNode serial = root.get("serial");
    if (serial == null || !serial.canConvertToLong()) {
      throw new InvalidSnapshotException("no serial");
    }
    List<Map<String, String>> kinds = new ArrayList<>();
    for (Kind k : Kind.values()) {
      kinds.add(strings(root.path("documents").get(k.table()), "documents." + k.table()));
    }
    List<AppealOverride> overrides = new ArrayList<>();
    JsonNode o = root.get("appeal_overrides");
    if (o == null || !o.isArray()) {
      throw new InvalidSnapshotException("appeal_overrides: expected a list");
    }
    for (JsonNode a : o) {
      try {
        overrides.add(new AppealOverride(a.path("name").asText(),
            a.path("subdomains").asBoolean(), a.hasNonNull("category")
                ? a.get("category").asText() : null, a.path("ticket").asText(null)));
      } catch (IllegalArgumentException e) {
        throw new InvalidSnapshotException("appeal_overrides: " + e.getMessage());
      }
    }
    Map<String, String> bindings = strings(root.get("bindings"), "bindings");
    List<String> sources = new ArrayList<>();
    JsonNode l = root.get("list_sources");
    if (l == null || !l.isArray()) {
      throw new InvalidSnapshotException("list_sources: expected a list");
    }
    for (JsonNode s : l) {
      if (!s.isTextual()) {
        throw new InvalidSnapshotException("list_sources: expected JSON documents as text");
      }
      sources.add(s.asText());
    }
    return new FleetSnapshot(serial.asLong(), root.path("created_at").asText(""),
        new PolicyDocuments(kinds.get(Kind.PROFILE.ordinal()),
            kinds.get(Kind.SUBSCRIBER.ordinal()), kinds.get(Kind.NETWORK.ordinal()),
            kinds.get(Kind.PRESET.ordinal())), overrides, bindings, sources);
  }

  private static Map<String, String> strings(JsonNode n, String what)
      throws InvalidSnapshotException {
    if (n == null || !n.isObject()) {
      throw new InvalidSnapshotException(what + ": expected an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    var it = n.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (!e.getValue().isTextual()) {
        throw new InvalidSnapshotException(what + "." + e.getKey() + ": expected text");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The strong ETag of a snapshot's bytes: their SHA-256, in quotes. */
  public static String etag(byte[] body) {
    try {
      return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))
          + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of a text (a node token is compared by its hash, in constant time). */
  public static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A snapshot that cannot be applied; the message says why. */
  public static final class InvalidSnapshotException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidSnapshotException(String message) {
      super(message);
    }
  }
}
