import dev.hearth.blocklists.*;
import java.nio.file.*; import java.time.Clock; import java.util.List;
/** One cold open of the 1M list into a fresh data dir: open() (parse + save) or openSavingLater() (parse only), then the save. */
public class OpenProbe { public static void main(String[] a) throws Exception {
  Path data = Files.createTempDirectory("openprobe");
  ListCatalog c = new ListCatalog(data, List.of(ListSource.file("bl", a[1])), SafetyPolicy.defaults(), null, s -> {}, Clock.systemUTC());
  long t0 = System.nanoTime();
  if (a[0].equals("later")) c.openSavingLater(); else c.open();
  long t1 = System.nanoTime();
  int n = c.savePending();
  long t2 = System.nanoTime();
  System.out.printf("%s open %d ms, then savePending %d ms (%d lists)%n", a[0], (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, n);
}}
