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
    return start(dir, "target.e2e.test\n", "", List.of());
  }

  /**
   * With other names in the {@code adult} list, more config ({@code extraConfig}: whole
   * top-level sections) and more command-line arguments (e.g. {@code --doh}).
   */
  static AdminServerFixture start(Path dir, String adultList, String extraConfig,
      List<String> extraArgs) throws Exception {
    E2e.requireTool("dig", "/usr/bin/dig");
    Nsd nsd = Nsd.startNew();
    Files.writeString(dir.resolve("adult.txt"), adultList);
    Path config = dir.resolve("hearth.yaml");
    Files.writeString(config, String.join("\n",
        "lists:",
        "  sources:",
        "    - {id: adult, path: " + dir.resolve("adult.txt") + ", category: adult}",
        "policy:",
        "  organisation: Hearth E2E ISP",
        "") + extraConfig);
    int httpPort = E2e.freePort();
    List<String> args = new java.util.ArrayList<>(List.of("--config", config.toString(),
        "--http", "127.0.0.1:" + httpPort));
    args.addAll(extraArgs);
    HearthProcess hearth = HearthProcess.start(List.of(nsd.address()), args);
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
