package dev.hearth.cli;

import dev.hearth.admin.policy.PolicyDocuments;
import dev.hearth.resolver.policy.PolicySnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One admin change at ISP size: every change recompiles the whole policy (the config section
 * plus every stored document) before it is stored, so this is the time between "Save" and the
 * new snapshot (issue 5 asks for under 1 s). In package {@code dev.hearth.cli} to reach the
 * compiler the server uses.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar PolicyCompileBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PolicyCompileBenchmark {
  @State(Scope.Benchmark)
  public static class Store {
    @Param({"10000", "100000"})
    public int households;

    StorePolicyCompiler compiler;
    PolicyDocuments documents;
    PolicyDocuments changed;
    int flips;

    static StorePolicyCompiler compiler() throws Exception {
      Settings.Builder b = Settings.builder();
      ConfigFile.parse("policy:\n  profiles:\n    - {id: kids, preset: young-child}\n",
          "bench.yaml", b);
      return (StorePolicyCompiler) b.build().policyCompiler();
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
      compiler = compiler();
      Map<String, String> subs = new LinkedHashMap<>();
      for (int i = 0; i < households; i++) {
        subs.put("h" + i, "{\"id\":\"h" + i + "\",\"profile\":\"kids\",\"timezone\":"
            + "\"Europe/London\",\"addresses\":[\"10." + (i >> 16) + "." + ((i >> 8) & 255)
            + "." + (i & 255) + "/32\"],\"devices\":[{\"mac\":\"02:00:00:00:"
            + String.format("%02x:%02x", (i >> 8) & 255, i & 255) + "\",\"profile\":\"kids\"}]}");
      }
      documents = new PolicyDocuments(Map.of(), subs, Map.of());
      changed = documents.with(dev.hearth.admin.policy.Kind.SUBSCRIBER, "h0",
          "{\"id\":\"h0\",\"profile\":\"kids\",\"timezone\":\"Europe/Madrid\"}");
      compiler.compile(documents);
    }
  }

  /** What a "Save" costs: one household changed, the other documents already read. */
  @Benchmark
  public PolicySnapshot oneChange(Store s) throws Exception {
    return s.compiler.compile((s.flips++ & 1) == 0 ? s.changed : s.documents);
  }

  /** The first compile after start: every document read (a new compiler each time). */
  @Benchmark
  public PolicySnapshot cold(Store s) throws Exception {
    return Store.compiler().compile(s.documents);
  }
}
