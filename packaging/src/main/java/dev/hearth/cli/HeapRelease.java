package dev.hearth.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.hearth.blocklists.FullCollection;
import java.lang.management.ManagementFactory;

/**
 * One full collection that also gives back the heap a one-off burst took: compiling lists at a
 * first start (~70 MB for a million names) leaves the heap grown and its pages resident. After a
 * full collection the collector shrinks the heap only until {@code MaxHeapFreeRatio} (70 % by
 * default) of it is free, which keeps about three times the live data committed. For this one
 * collection the ratio is lowered to {@code MinHeapFreeRatio}, the room the collector keeps free
 * anyway, and then put back, so the heap still grows and shrinks under load as configured. The
 * collection itself is {@link FullCollection#request}, which repeats a request the JVM turned
 * away.
 */
final class HeapRelease {
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
      return FullCollection.request();
    } finally {
      if (max != null) {
        vm.setVMOption("MaxHeapFreeRatio", max);
      }
    }
  }
}
