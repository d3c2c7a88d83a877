import dev.hearth.blocklists.*;
import java.nio.file.*;
public class LoadProbe {
  public static void main(String[] a) throws Exception {
    Path f = Path.of(a[0]);
    int reps = a.length > 1 ? Integer.parseInt(a[1]) : 1;
    for (int r = 0; r < reps; r++) {
      long t0 = System.nanoTime();
      LoadResult res = ListLoader.load(f, Format.AUTO, 0.5);
      long t1 = System.nanoTime();
      System.out.printf("load %d ms, entries %s%n", (t1 - t0) / 1_000_000, res.list().size());
    }
  }
}
