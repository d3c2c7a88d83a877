package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding an archive among this very JVM's memory mappings, as `serve` does for its own. */
class ClassArchiveTest {
  private static final Path MAPS = Path.of("/proc/self/maps");

  @Test
  void theJdksOwnArchive_isFoundAmongThisJvmsMappings() {
    Path jdkArchive = Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa");
    Assumptions.assumeTrue(Files.isRegularFile(jdkArchive)
        && !ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xshare:off"),
        "this JDK shares classes from " + jdkArchive);
    assertEquals(Boolean.TRUE, ClassArchive.mapped(jdkArchive, MAPS));
  }

  @Test
  void aFileThatIsNotMapped_orNoFileAtAll_isNotInUse(@TempDir Path dir) throws Exception {
    Path other = Files.writeString(dir.resolve("hearth.jsa"), "not an archive");
    assertEquals(Boolean.FALSE, ClassArchive.mapped(other, MAPS));
    assertEquals(Boolean.FALSE, ClassArchive.mapped(dir.resolve("missing.jsa"), MAPS));
  }

  @Test
  void withoutMapsToRead_theAnswerIsUnknown(@TempDir Path dir) throws Exception {
    Path archive = Files.writeString(dir.resolve("hearth.jsa"), "x");
    assertNull(ClassArchive.mapped(archive, dir.resolve("no-such-maps")));
    assertTrue(Files.exists(archive));
  }
}
