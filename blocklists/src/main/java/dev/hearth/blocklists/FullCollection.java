package dev.hearth.blocklists;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Asks the JVM for a full collection and makes sure one ran. {@code System.gc()} does nothing
 * while another thread is inside a JNI critical region (the JVM's GC locker; Netty's native
 * transport enters them under load): the collector runs a young collection later instead, and
 * what only a full collection frees (replaced mappings, a compile's garbage in the old
 * generation) stays. So the request is repeated until the count of full collections moves.
 */
public final class FullCollection {
  static final int ATTEMPTS = 10;
  private static final long PAUSE_MILLIS = 100;

  private FullCollection() {}

  /** True when a full collection ran (or the JVM does not count them: one request was made). */
  public static boolean request() {
    return collectFully(System::gc, FullCollection::count);
  }

  /** Asks for a collection until {@code fullCount} moves, at most {@link #ATTEMPTS} times. */
  static boolean collectFully(Runnable collect, LongSupplier fullCount) {
    for (int i = 0; i < ATTEMPTS; i++) {
      long before = fullCount.getAsLong();
      collect.run();
      if (before < 0 || fullCount.getAsLong() > before) {
        return true;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /**
   * Collections of the old generation (or of the whole heap) so far; -1 when the JVM does not
   * say. Young collectors are told by name: "Copy" (serial), "PS Scavenge", "ParNew", "G1 Young
   * Generation".
   */
  public static long count() {
    long n = 0;
    boolean any = false;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name = gc.getName();
      if (name.equals("Copy") || name.contains("Scavenge") || name.equals("ParNew")
          || name.contains("Young")) {
        continue;
      }
      long c = gc.getCollectionCount();
      if (c >= 0) {
        n += c;
        any = true;
      }
    }
    return any ? n : -1;
  }
}
