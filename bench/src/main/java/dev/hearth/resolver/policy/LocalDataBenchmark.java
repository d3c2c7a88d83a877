package dev.hearth.resolver.policy;

import dev.hearth.resolver.wire.ResponseTemplate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of building an RPZ local-data answer, as the policy stage does on each hit: the record list
 * is the verdict's own (the same instance for every query of that rule). In the package of
 * {@link LocalData}, which is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalDataBenchmark {
  private final List<String> addresses = List.copyOf(List.of("A 192.0.2.1", "A 192.0.2.2",
      "AAAA 2001:db8::1", "TXT \"blocked by policy\""));
  private final List<String> wildcardCname = List.copyOf(List.of("CNAME *.garden.example."));
  private final byte[] qname = {3, 'w', 'w', 'w', 3, 'b', 'a', 'd', 7, 'e', 'x', 'a', 'm', 'p',
      'l', 'e', 0};

  /** Two A records out of a four-record rule. */
  @Benchmark
  public ResponseTemplate addressRecords() {
    return LocalData.answer(addresses, qname, 1, 300);
  }

  /** {@code CNAME *.garden.example.}: the asked name goes in front of the target. */
  @Benchmark
  public ResponseTemplate wildcardCname() {
    return LocalData.answer(wildcardCname, qname, 1, 300);
  }
}
