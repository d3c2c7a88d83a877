package dev.hearth.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The built jar serving DNS and its admin listener, for the admin end-to-end tests: a real NSD
 * upstream, one category list ({@code adult}: target.e2e.test) and a policy section (so
 * unidentified clients get the operator baseline, not every list).
 */
record AdminServerFixture(Nsd nsd, HearthProcess hearth, int httpPort) implements AutoCloseable {

  static AdminServerFixture start(Path dir) throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    Nsd nsd = Nsd.startNew();
    Files.writeString(dir.resolve("adult.txt"), "target.e2e.test\n");
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "policy:",
        "  organisation: Hearth E2E ISP",
        ""));
    int httpPort = E2e.freePort();
    HearthProcess hearth = HearthProcess.start(List.of(nsd.address()), List.of("--config",
        config.toString(), "--http", "127.0.0.1:" + httpPort));
    AdminServerFixture f = new AdminServerFixture(nsd, hearth, httpPort);
    AdminIT.waitFor(f.base() + "/healthz", hearth);
    return f;
  }

  String base() {
    return "http://127.0.0.1:" + httpPort;
  }

  @Override
  public void close() {
    try {
      hearth.stop();
    } finally {
      hearth.close();
      nsd.close();
    }
  }
}
