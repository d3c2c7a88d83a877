package dev.hearth.admin.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.admin.fleet.FleetSnapshot.InvalidSnapshotException;
import dev.hearth.admin.policy.PolicyDocuments;
import dev.hearth.resolver.policy.AppealOverride;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot format: what the admin writes a node reads back, and anything else is refused. */
class FleetSnapshotTest {
  static FleetSnapshot sample() {
    return new FleetSnapshot(42, "2026-11-26T18:00:00Z",
        new PolicyDocuments(Map.of("kids", "{\"id\":\"kids\",\"preset\":\"young-child\"}"),
            Map.of("house-1", "{\"id\":\"house-1\",\"profile\":\"kids\"}"), Map.of(),
            Map.of()),
        List.of(new AppealOverride("example.org", true, null, "T-1"),
            new AppealOverride("ads.example", false, "ads", "T-2")),
        Map.of("192.0.2.1/32", "house-1"),
        List.of("{\"id\":\"extra\",\"url\":\"https://lists.example/extra.txt\"}"));
  }

  @Test
  void roundTrip_keepsEverything_andTheBytes() throws Exception {
    FleetSnapshot s = sample();
    byte[] body = s.toJson();
    FleetSnapshot back = FleetSnapshot.parse(body);
    assertEquals(s, back);
    assertArrayEquals(body, back.toJson(), "same content, same bytes, same ETag");
    assertTrue(FleetSnapshot.etag(body).matches("\"[0-9a-f]{64}\""));
  }

  @Test
  void truncatedOrForeignDocuments_areRefusedWithTheReason() {
    byte[] body = sample().toJson();
    InvalidSnapshotException cut = assertThrows(InvalidSnapshotException.class,
        () -> FleetSnapshot.parse(Arrays.copyOf(body, body.length - 10)));
    assertTrue(cut.getMessage().contains("not valid JSON"), cut.getMessage());
    for (String bad : List.of("[]", "{}", "{\"format\": 2}",
        "{\"format\": 1, \"serial\": 1, \"documents\": {}}",
        "{\"format\": 1, \"serial\": 1, \"documents\": {\"profiles\": {\"a\": 1},"
            + " \"subscribers\": {}, \"networks\": {}, \"presets\": {}}}")) {
      assertThrows(InvalidSnapshotException.class,
          () -> FleetSnapshot.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
    }
  }
}
