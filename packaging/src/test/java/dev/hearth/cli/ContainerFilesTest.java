package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints the container image recipe and the Kubernetes example where no container engine runs:
 * the rules a reviewer (or hadolint, kubeconform) would check, and the configurations they carry
 * read by the same code as a start.
 */
class ContainerFilesTest {
  private static final Path DIR = Path.of("container");

  /** Dockerfile instructions, continuation lines joined, comments dropped. */
  private static List<String> instructions() throws Exception {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : Files.readAllLines(DIR.resolve("Dockerfile"))) {
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (line.endsWith("\\")) {
        cur.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      out.add(cur.append(line).toString().strip());
      cur.setLength(0);
    }
    return out;
  }

  @Test
  void dockerfileIsMultiStagePinnedNonRootAndHealthChecked() throws Exception {
    List<String> ins = instructions();
    List<String> froms = ins.stream().filter(i -> i.startsWith("FROM ")).toList();
    assertTrue(froms.size() >= 2, "multi-stage: build, then a runtime without Maven");
    for (String f : froms) {
      String image = f.split("\\s+")[1];
      assertTrue(image.contains(":") && !image.endsWith(":latest"), "pinned tag: " + f);
    }
    int lastFrom = ins.lastIndexOf(froms.get(froms.size() - 1));
    List<String> runtime = ins.subList(lastFrom, ins.size());
    String user = runtime.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the runtime stage sets no USER"));
    assertFalse(user.matches("USER\\s+(0|root)(:.*)?"), user);
    assertTrue(runtime.stream().anyMatch(i -> i.startsWith("HEALTHCHECK ") && i.contains("/readyz")),
        "the health check asks /readyz: unhealthy while starting or stopping, not when an"
        + " upstream is down");
    String expose = runtime.stream().filter(i -> i.startsWith("EXPOSE ")).findFirst().orElseThrow();
    assertTrue(expose.contains("5353/udp") && expose.contains("5353/tcp"), expose);
    String entry = runtime.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst()
        .orElseThrow();
    assertEquals("ENTRYPOINT [\"/usr/bin/hearth\"]", entry,
        "exec form, through the Debian package's launcher");
    assertTrue(runtime.contains("COPY packaging/src/deb/files/bin/hearth /usr/bin/hearth"),
        "the image ships the package's launcher");
    assertTrue(Files.readString(Path.of("src/deb/files/bin/hearth")).contains("\nexec \"$JAVA\""),
        "the launcher execs java, so java gets the stop signal");
    // The image trains its class-data archive with the self-test, and every start uses it.
    String train = runtime.stream().filter(i -> i.startsWith("RUN ")
        && i.contains("HEARTH_TRAIN_ARCHIVE=$HEARTH_CLASS_ARCHIVE")).findFirst()
        .orElseThrow(() -> new AssertionError("the runtime stage trains no class-data archive"));
    assertTrue(train.contains("/usr/bin/hearth selftest"), train);
    assertTrue(runtime.indexOf(train) < runtime.indexOf(user), "trained as root, before " + user);
    String env = runtime.stream().filter(i -> i.startsWith("ENV ")).reduce("", String::concat);
    assertTrue(env.contains("HEARTH_CLASS_ARCHIVE=/usr/share/hearth/hearth.jsa")
        && env.contains("HEARTH_HUGE_PAGES=auto"), "the launcher's settings: " + env);
    for (String i : ins) {
      if (i.startsWith("RUN ") && i.contains("apt-get install")) {
        assertTrue(i.contains("--no-install-recommends") && i.contains("rm -rf /var/lib/apt/lists"),
            "lean apt layer: " + i);
      }
      assertFalse(i.startsWith("ADD "), "COPY, not ADD: " + i);
    }
    assertTrue(Files.readString(Path.of("..", ".dockerignore")).contains("target/"),
        "build outputs stay out of the context");
  }

  @Test
  void kubernetesExampleHasItsPartsAndSafeDefaults() throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object d : new Yaml().loadAll(Files.readString(DIR.resolve("kubernetes.yaml")))) {
      docs.add(map(d));
    }
    assertEquals(List.of("ConfigMap", "Deployment", "Service"),
        docs.stream().map(d -> d.get("kind")).toList());
    Map<String, Object> pod = map(map(map(docs.get(1).get("spec")).get("template")).get("spec"));
    assertEquals(true, map(pod.get("securityContext")).get("runAsNonRoot"));
    Map<String, Object> container = map(((List<?>) pod.get("containers")).get(0));
    assertNotNull(container.get("readinessProbe"), "a readiness probe");
    assertEquals("/readyz", map(map(container.get("readinessProbe")).get("httpGet")).get("path"));
    Map<String, Object> sc = map(container.get("securityContext"));
    assertEquals(false, sc.get("allowPrivilegeEscalation"));
    assertEquals(List.of("ALL"), map(sc.get("capabilities")).get("drop"));
    List<String> servicePorts = new ArrayList<>();
    for (Object p : (List<?>) map(docs.get(2).get("spec")).get("ports")) {
      servicePorts.add(map(p).get("port") + "/" + map(p).get("protocol"));
    }
    assertEquals(List.of("53/UDP", "53/TCP"), servicePorts);
    String config = (String) map(docs.get(0).get("data")).get("hearth.yaml");
    ConfigFile.parse(config, "kubernetes.yaml ConfigMap", Settings.builder()); // throws if bad
  }

  @Test
  void theImagesDefaultConfigurationReads() throws Exception {
    ConfigFile.read(DIR.resolve("hearth.yaml"), Settings.builder());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    assertTrue(o instanceof Map, "expected a mapping, got " + o);
    return (Map<String, Object>) o;
  }
}
