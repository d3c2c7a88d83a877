package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.hearth.blocklists.FullCollection;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The collection after the start-up save runs as a full collection, and leaves the heap's free
 * ratios as they were: only that one collection shrinks the heap further than configured. (How
 * far it shrinks is checked against a real first start in {@code FirstStartMemoryIT}; the retry
 * of a turned-away request in {@code FullCollectionTest}.)
 */
class HeapReleaseTest {
  @Test
  void collectsFully_andPutsTheFreeRatioBack() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(
        HotSpotDiagnosticMXBean.class);
    String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
    String min = vm.getVMOption("MinHeapFreeRatio").getValue();
    long before = FullCollection.count();
    assertTrue(before >= 0, "this JVM counts its full collections");
    assertTrue(HeapRelease.collectAndShrink());
    assertTrue(FullCollection.count() > before, "a full collection ran");
    assertEquals(max, vm.getVMOption("MaxHeapFreeRatio").getValue());
    assertEquals(min, vm.getVMOption("MinHeapFreeRatio").getValue());
  }
}
