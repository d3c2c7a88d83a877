package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The collection after the start-up save collects, and leaves the heap's free ratios as they
 * were: only that one collection shrinks the heap further than configured. (How far it shrinks
 * is checked against a real first start in {@code FirstStartMemoryIT}.)
 */
class HeapReleaseTest {
  @Test
  void collects_andPutsTheFreeRatioBack() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(
        HotSpotDiagnosticMXBean.class);
    String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
    String min = vm.getVMOption("MinHeapFreeRatio").getValue();
    long before = collections();
    HeapRelease.collectAndShrink();
    assertTrue(collections() > before, "a collection ran");
    assertEquals(max, vm.getVMOption("MaxHeapFreeRatio").getValue());
    assertEquals(min, vm.getVMOption("MinHeapFreeRatio").getValue());
  }

  private static long collections() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }
}
