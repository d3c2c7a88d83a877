package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations with the built jar: {@code /readyz}, {@code /metrics} after real dig queries over
 * UDP and TCP, JSON log lines ({@code --log-format json}) and the query log with truncated
 * client addresses.
 */
@Timeout(120)
class ObservabilityIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void readyMetricsJsonLogsAndQueryLog_fromTheBuiltJar() throws Exception {
    try (AdminServerFixture f = AdminServerFixture.start(dir, "target.e2e.test\n",
        "query_log:\n  enabled: true\n", List.of("--log-format", "json"))) {
      AdminIT.waitFor(f.base() + "/readyz", f.hearth());
      HttpResponse<String> ready = get(f.base() + "/readyz");
      assertEquals(200, ready.statusCode(), ready.body());
      int port = f.hearth().port();
      assertEquals("NOERROR", Dig.dig(port, "www.e2e.test", "A").status());
      assertEquals("NOERROR", Dig.dig(port, "www.e2e.test", "A").status());
      assertEquals("NOERROR", Dig.dig(port, "+tcp", "mail.e2e.test", "A").status());

      HttpResponse<String> metrics = get(f.base() + "/metrics");
      assertEquals(200, metrics.statusCode());
      String m = metrics.body();
      assertTrue(m.contains("hearth_dns_queries_total{protocol=\"udp\",rcode=\"NOERROR\","
          + "type=\"forwarded\"}"), m);
      assertTrue(m.contains("hearth_dns_queries_total{protocol=\"udp\",rcode=\"NOERROR\","
          + "type=\"cached\"} 1.0"), m);
      assertTrue(m.contains("hearth_dns_queries_total{protocol=\"tcp\",rcode=\"NOERROR\","
          + "type=\"forwarded\"} 1.0"), m);
      assertTrue(m.contains("hearth_dns_query_duration_seconds_bucket{protocol=\"tcp\""), m);
      assertTrue(m.contains("\njvm_memory_used_bytes{"), m);
      assertTrue(m.contains("\nhearth_list_entries{list=\"adult\"} 1.0"), m);
      assertTrue(m.contains("hearth_querylog_written_total"), m);
      assertFalse(m.contains("www.e2e.test"), "no names in metrics");

      f.hearth().stop(); // flushes the query log
      String log = f.hearth().log();
      int json = 0;
      for (String line : log.lines().toList()) {
        if (line.startsWith("hearth: first start:")) {
          continue; // the one-time password is printed for the operator, not logged
        }
        JsonNode n = JSON.readTree(line);
        assertTrue(n.has("ts") && n.has("level") && n.has("logger") && n.has("msg"), line);
        json++;
      }
      assertTrue(json > 3, log);
      assertTrue(log.contains("\"msg\":\"listening for DNS on 127.0.0.1:" + port), log);

      Path queryLog = f.hearth().dataDir().resolve("query-log");
      String entries;
      try (Stream<Path> files = Files.list(queryLog)) {
        entries = files.filter(p -> p.toString().endsWith(".jsonl")).map(p -> {
          try {
            return Files.readString(p);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }).reduce("", String::concat);
      }
      assertTrue(entries.contains("\"name\":\"www.e2e.test.\""), entries);
      assertTrue(entries.contains("\"client\":\"127.0.0.0/24\""), entries);
      assertFalse(entries.contains("127.0.0.1"), entries);
    }
  }
}
