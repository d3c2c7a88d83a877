package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.cli.logging.HearthLogging;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metrics:, logging:, query_log: and dnstap: keys, and the JSON log line format. */
class ObservabilityConfigTest {
  static ObservabilityConfig read(String yaml) throws ConfigException {
    Settings.Builder b = Settings.builder();
    ConfigFile.parse(yaml, "test.yaml", b);
    return b.build().observability();
  }

  @Test
  void defaults_arePrivate_metricsOnTextLogsNoQueryLogNoDnstap() throws Exception {
    ObservabilityConfig o = read("");
    assertTrue(o.metricsEnabled());
    assertNull(o.metricsAllow());
    assertFalse(o.jsonLogs());
    assertFalse(o.queryLog());
    assertEquals(Duration.ofHours(24), o.queryLogRetention());
    assertEquals(ObservabilityConfig.ClientAddresses.TRUNCATE, o.queryLogClients());
    assertNull(o.dnstapSocket());
  }

  @Test
  void everyKeyReads() throws Exception {
    ObservabilityConfig o = read("""
        metrics: {enabled: false, allow: [10.0.0.0/8]}
        logging: {format: json}
        query_log: {enabled: true, clients: pseudonymise, retention: 6h, child_profiles: [kids]}
        dnstap: {socket: /run/hearth/dnstap.sock}
        """);
    assertFalse(o.metricsEnabled());
    assertTrue(o.metricsAllow().contains(InetAddress.getByName("10.1.2.3")));
    assertFalse(o.metricsAllow().contains(InetAddress.getByName("192.0.2.1")));
    assertTrue(o.jsonLogs());
    assertTrue(o.queryLog());
    assertEquals(ObservabilityConfig.ClientAddresses.PSEUDONYMISE, o.queryLogClients());
    assertEquals(Duration.ofHours(6), o.queryLogRetention());
    assertEquals(Set.of("kids"), o.queryLogChildProfiles());
    assertEquals(Path.of("/run/hearth/dnstap.sock"), o.dnstapSocket());
  }

  @Test
  void badValues_nameTheLineAndKey() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> read("logging:\n  format: xml\n"));
    assertTrue(e.getMessage().contains("test.yaml:2") && e.getMessage().contains("logging.format")
        && e.getMessage().contains("json or text"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> read("query_log:\n  retention: 90d\n"));
    assertTrue(e.getMessage().contains("query_log.retention")
        && e.getMessage().contains("1h to 31d"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> read("query_log:\n  clients: full\n"));
    assertTrue(e.getMessage().contains("truncate or pseudonymise"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> read("metrics:\n  alow: [10.0.0.0/8]\n"));
    assertTrue(e.getMessage().contains("alow"), e.getMessage());
  }

  @Test
  void jsonLogLine_isOneParsableObject_withEscapesAndTheStack() throws Exception {
    String line = HearthLogging.line(Instant.parse("2026-01-02T03:04:05Z"), "WARN", "Hearth",
        "a \"quoted\"\nline\twith\u0001control", new IllegalStateException("boom"));
    assertFalse(line.contains("\n"), line);
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals("2026-01-02T03:04:05Z", n.get("ts").asText());
    assertEquals("WARN", n.get("level").asText());
    assertEquals("Hearth", n.get("logger").asText());
    assertEquals("a \"quoted\"\nline\twith\u0001control", n.get("msg").asText());
    assertEquals("java.lang.IllegalStateException: boom", n.get("error").asText());
    assertTrue(n.get("stack").asText().contains("ObservabilityConfigTest"));
  }
}
