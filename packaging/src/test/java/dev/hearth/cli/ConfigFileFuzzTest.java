package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer) of the YAML configuration reader, the same one that checks
 * the admin API's stored documents. Whatever the text: only {@link ConfigException} escapes, and
 * its message names the file (and the line, for what a line can be blamed for), as {@code serve
 * --check} prints it. Committed inputs: {@code ConfigFileFuzzTestInputs/parse/}.
 */
class ConfigFileFuzzTest {
  private static final String SOURCE = "fuzz.yaml";

  @FuzzTest
  void parse(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Settings.Builder b = Settings.builder();
    try {
      ConfigFile.parse(text, SOURCE, b);
    } catch (ConfigException e) {
      assertNotNull(e.getMessage());
      assertTrue(e.getMessage().startsWith(SOURCE), "names the file: " + e.getMessage());
      return;
    }
    try {
      b.build();
    } catch (ConfigException e) {
      // combination errors (e.g. an upstream that is our own listener): a message, no crash
      assertNotNull(e.getMessage());
    }
  }
}
