import dev.hearth.blocklists.*;
import java.nio.file.*;
import java.lang.management.*;
public class BuildProbe {
  public static void main(String[] a) throws Exception {
    var names = Files.readAllLines(Path.of(a[0]));
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < 5; r++) {
      var b = CompiledList.builder("x");
      for (String n : names) b.add(Rule.block(n));
      long c0 = mx.getCurrentThreadCpuTime(); long t0 = System.nanoTime();
      CompiledList l = b.build();
      long c1 = mx.getCurrentThreadCpuTime(); long t1 = System.nanoTime();
      System.out.printf("build cpu %d ms wall %d ms (%d)%n", (c1 - c0) / 1_000_000, (t1-t0)/1_000_000, l.size());
    }
  }
}
