package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListFilesTest {
  @TempDir Path dir;
  final List<String> log = new ArrayList<>();

  static void touch(Path f, int secondsLater) throws Exception {
    Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis()
        + secondsLater * 1000L));
  }

  @Test
  void changedFileIsReloaded_unchangedIsNot() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    ListFiles files = new ListFiles(List.of(a), 0.5, log::add);
    assertTrue(files.refresh());
    assertTrue(files.snapshot().get(0).match("x.ads.example").isBlock());
    assertFalse(files.refresh(), "nothing changed");
    Files.writeString(a, "tracker.example\n");
    touch(a, 5);
    assertTrue(files.refresh());
    assertTrue(files.snapshot().get(0).match("tracker.example").isBlock());
    assertTrue(files.snapshot().get(0).match("ads.example").isNone());
  }

  @Test
  void garbageOrMissingVersion_keepsTheLastGoodOne_andOtherListsStay() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "ads.example\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "other.example\n");
    ListFiles files = new ListFiles(List.of(a, b), 0.5, log::add);
    files.refresh();
    StringBuilder html = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      html.append("<div>error ").append(i).append("</div>\n");
    }
    Files.writeString(a, html);
    touch(a, 5);
    assertFalse(files.refresh());
    assertTrue(files.snapshot().get(0).match("ads.example").isBlock(), "last good version kept");
    assertTrue(log.get(log.size() - 1).contains("previous version kept"), log.toString());
    Files.delete(a);
    assertFalse(files.refresh());
    assertEquals(2, files.snapshot().size());
    assertTrue(files.snapshot().get(1).match("other.example").isBlock());
  }
}
