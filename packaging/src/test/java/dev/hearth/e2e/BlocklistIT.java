package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hearth.e2e.Dig.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `--blocklist`: listed names and their subdomains get NXDOMAIN with EDE 15; others resolve. */
@Timeout(120)
class BlocklistIT {
  private static Nsd nsd;
  private static HearthProcess hearth;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    nsd = Nsd.startNew();
    Path hosts = dir.resolve("hosts.txt");
    Files.writeString(hosts, "# a hosts-format list\n0.0.0.0 mx.e2e.test\n0.0.0.0 ads.e2e.test\n");
    Path adblock = dir.resolve("adblock.txt");
    Files.writeString(adblock, "! an AdBlock-style list\n||www.e2e.test^\n@@||ok.ads.e2e.test^\n");
    Path later = dir.resolve("later.txt");
    Files.writeString(later, "# filled in by a test\n");
    hearth = HearthProcess.start(List.of(nsd.address()), List.of("--blocklist", hosts.toString(),
        "--blocklist", adblock.toString(), "--blocklist", later.toString()));
  }

  @AfterAll
  static void stop() {
    if (hearth != null) {
      try {
        hearth.stop();
      } finally {
        hearth.close();
      }
    }
    if (nsd != null) {
      nsd.close();
    }
  }

  @Test
  void listedNamesAndSubdomains_getNxdomainWithEde15() throws Exception {
    for (String name : List.of("www.e2e.test", "mx.e2e.test", "deep.sub.ads.e2e.test")) {
      Result r = Dig.dig(hearth.port(), "+notcp", name, "A");
      assertEquals("NXDOMAIN", r.status(), () -> r + "\n" + hearth.describe());
      assertTrue(r.edeCodes().contains(15), () -> "EDE 15 (Blocked) expected\n" + r);
      assertTrue(String.join(" ", r.edeTexts()).contains("blocked by list "),
          () -> "EDE text names the list\n" + r);
    }
  }

  @Test
  void allowRuleAndUnlistedNames_resolve() throws Exception {
    Result unlisted = Dig.dig(hearth.port(), "+notcp", "mail.e2e.test", "A");
    assertEquals("NOERROR", unlisted.status(), () -> unlisted.toString());
    assertFalse(unlisted.edeCodes().contains(15), () -> unlisted.toString());
    Result allowed = Dig.dig(hearth.port(), "+tcp", "ok.ads.e2e.test", "A");
    assertFalse(allowed.edeCodes().contains(15), () -> "allow rule beats the block\n" + allowed);
  }

  @Test
  void editedListFile_isPickedUpWithoutRestart() throws Exception {
    Result before = Dig.dig(hearth.port(), "+notcp", "target.e2e.test", "A");
    assertEquals("NOERROR", before.status(), () -> before.toString());
    Path later = dir.resolve("later.txt");
    Files.writeString(later, "target.e2e.test\n");
    Files.setLastModifiedTime(later, java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() + 2000));
    long until = System.currentTimeMillis() + 30_000;
    Result r = before;
    while (System.currentTimeMillis() < until && !"NXDOMAIN".equals(r.status())) {
      Thread.sleep(500);
      r = Dig.dig(hearth.port(), "+notcp", "target.e2e.test", "A");
    }
    Result last = r;
    assertEquals("NXDOMAIN", last.status(), () -> "reloaded list blocks it\n" + last + hearth.describe());
    assertTrue(last.edeCodes().contains(15), () -> last.toString());
  }
}
