package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Client ACLs: Hearth must never be an open resolver. 127.0.0.1 is outside 10.0.0.0/8. */
@Timeout(120)
class AccessControlIT {
  private static Nsd nsd;
  private HearthProcess hearth;

  @BeforeAll
  static void startNsd() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
  }

  @AfterAll
  static void stopNsd() {
    if (nsd != null) {
      nsd.close();
    }
  }

  @AfterEach
  void stopHearth() {
    if (hearth != null) {
      try {
        hearth.stop();
      } finally {
        hearth.close();
      }
    }
  }

  private String ctx(Result r) {
    return r + "\n" + hearth.describe();
  }

  @Test
  void clientOutsideAllowListIsRefusedWithEde18() throws Exception {
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--allow", "10.0.0.0/8"));
    for (String transport : List.of("+notcp", "+tcp")) {
      Result r = Dig.dig(hearth.port(), transport, "www.e2e.test", "A");
      assertEquals("REFUSED", r.status(), () -> ctx(r));
      assertTrue(r.answers().isEmpty(), () -> "a refused client must get no data\n" + ctx(r));
      assertTrue(r.edeCodes().contains(18), () -> "EDE 18 (Prohibited) expected\n" + ctx(r));
    }
    Result k = Dig.kdig(hearth.port(), "+edns", "www.e2e.test", "A");
    assertEquals("REFUSED", k.status(), () -> ctx(k));
    assertTrue(k.edeCodes().contains(18), () -> ctx(k));
  }

  @Test
  void explicitlyAllowedLoopbackIsServed() throws Exception {
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--allow", "10.0.0.0/8,127.0.0.0/8"));
    Result r = Dig.dig(hearth.port(), "www.e2e.test", "A");
    assertEquals("NOERROR", r.status(), () -> ctx(r));
    assertEquals("192.0.2.10", r.answers("A").get(0).rdata(), () -> ctx(r));
  }

  @Test
  void refusedActionDropSendsNothing() throws Exception {
    hearth = HearthProcess.start(List.of(nsd.address()),
        List.of("--allow", "10.0.0.0/8", "--refused-action", "drop"), HearthProcess.Ready.TCP_CONNECT);
    // Listening (TCP connect worked), so a timeout means dropped, not "not started yet".
    Result r = Dig.dig(hearth.port(), "+time=2", "www.e2e.test", "A");
    assertTrue(r.noReply(), () -> "dropped queries must get no reply at all\n" + ctx(r));
    assertEquals(null, r.status(), () -> ctx(r));
    assertTrue(r.output().contains("timed out"), () -> "expected a timeout, not e.g. connection refused\n" + ctx(r));
    assertFalse(r.output().contains("connection refused"), () -> ctx(r));
    assertTrue(hearth.isAlive(), hearth::describe);
  }
}
