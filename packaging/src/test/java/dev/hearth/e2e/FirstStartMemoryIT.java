package dev.hearth.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first start compiles its lists on the heap, saves them, serves them from their files and
 * then collects once: that collection gives back what the compile grew the heap by, down to the
 * room the collector keeps free (MinHeapFreeRatio), not the 70 % it keeps by default. Read from
 * the running jar's GC log, with the package's heap options.
 */
@Timeout(120)
class FirstStartMemoryIT {
  private static final Pattern COLLECTION =
      Pattern.compile("Pause Full \\(System\\.gc\\(\\)\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");

  @TempDir Path dir;

  @Test
  void theCollectionAfterTheFirstSave_shrinksTheHeapCloseToWhatIsLive() throws Exception {
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < 400_000; i++) {
      names.append("host").append(i).append(".first-start.test\n");
    }
    Path list = Files.writeString(dir.resolve("big.txt"), names);
    Path gcLog = dir.resolve("gc.log");
    try (HearthProcess h = HearthProcess.start(List.of("-Xms16m", "-XX:-ShrinkHeapInSteps",
        "-Xlog:gc:file=" + gcLog), List.of("127.0.0.1:9"), List.of("--blocklist",
        list.toString()), HearthProcess.Ready.QUERY, null)) {
      Matcher m = null;
      for (int i = 0; i < 200 && m == null; i++) {
        Matcher found = Files.exists(gcLog) ? COLLECTION.matcher(Files.readString(gcLog)) : null;
        if (found != null && found.find()) {
          m = found;
        } else {
          E2e.sleep(100);
        }
      }
      if (m == null) {
        fail("no collection after the start-up save in the GC log:\n"
            + (Files.exists(gcLog) ? Files.readString(gcLog) : "(none)") + "\n" + h.log());
      }
      int before = Integer.parseInt(m.group(1));
      int live = Integer.parseInt(m.group(2));
      int capacity = Integer.parseInt(m.group(3));
      assertTrue(before > 2 * live, "the compile left garbage to collect: " + m.group());
      // MinHeapFreeRatio 40: the old generation keeps 1/0.6 of what is live and the young one
      // half of that, ~2.5 times the live data; the default ratio (70) keeps ~5 times.
      assertTrue(capacity <= 3 * Math.max(live, 6), "heap left at " + m.group());
    }
  }
}
