package dev.hearth.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One full collection that also gives back the heap a one-off burst took: compiling lists at a
 * first start (~70 MB for a million names) leaves the heap grown and its pages resident. After a
 * full collection the collector shrinks the heap only until {@code MaxHeapFreeRatio} (70 % by
 * default) of it is free, which keeps about three times the live data committed. For this one
 * collection the ratio is lowered to {@code MinHeapFreeRatio}, the room the collector keeps free
 * anyway, and then put back, so the heap still grows and shrinks under load as configured.
 *
 * <p>{@code System.gc()} does nothing while another thread is inside a JNI critical region
 * (the JVM's GC locker; Netty's native transport enters them under load): the collector then
 * runs a young collection later instead, and the compile's garbage stays. So the request is
 * repeated until a full collection is seen.
 */
final class HeapRelease {
  static final int ATTEMPTS = 10;
  private static final long PAUSE_MILLIS = 100;

  private HeapRelease() {}

  /** True when a full collection ran (with the lowered ratio where the JVM lets it be set). */
  static boolean collectAndShrink() {
    HotSpotDiagnosticMXBean vm = null;
    String max = null;
    try {
      vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      max = vm.getVMOption("MaxHeapFreeRatio").getValue();
      vm.setVMOption("MaxHeapFreeRatio", vm.getVMOption("MinHeapFreeRatio").getValue());
    } catch (RuntimeException notSettable) {
      max = null; // another JVM, or a security manager: a collection with the usual ratios
    }
    try {
      return collectFully(System::gc, HeapRelease::fullCollections);
    } finally {
      if (max != null) {
        vm.setVMOption("MaxHeapFreeRatio", max);
      }
    }
  }

  /** Asks for a collection until {@code fullCount} moves, at most {@link #ATTEMPTS} times. */
  static boolean collectFully(Runnable collect, LongSupplier fullCount) {
    for (int i = 0; i < ATTEMPTS; i++) {
      long before = fullCount.getAsLong();
      collect.run();
      if (before < 0 || fullCount.getAsLong() > before) {
        return true; // or the count is unknown: one request is all that can be done
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
  static long fullCollections() {
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
