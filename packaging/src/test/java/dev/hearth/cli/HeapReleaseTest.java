package dev.hearth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The collection after the start-up save runs as a full collection, and leaves the heap's free
 * ratios as they were: only that one collection shrinks the heap further than configured. (How
 * far it shrinks is checked against a real first start in {@code FirstStartMemoryIT}.)
 */
class HeapReleaseTest {
  @Test
  void collectsFully_andPutsTheFreeRatioBack() {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(
        HotSpotDiagnosticMXBean.class);
    String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
    String min = vm.getVMOption("MinHeapFreeRatio").getValue();
    long before = HeapRelease.fullCollections();
    assertTrue(before >= 0, "this JVM counts its full collections");
    assertTrue(HeapRelease.collectAndShrink());
    assertTrue(HeapRelease.fullCollections() > before, "a full collection ran");
    assertEquals(max, vm.getVMOption("MaxHeapFreeRatio").getValue());
    assertEquals(min, vm.getVMOption("MinHeapFreeRatio").getValue());
  }

  /**
   * While a thread holds the GC locker, System.gc() returns without collecting (seen in the
   * harness: a first start under load kept the compile's garbage); the request is repeated.
   */
  @Test
  void aRequestThatDidNotCollect_isRepeated_untilAFullCollectionIsSeen() {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger full = new AtomicInteger();
    assertTrue(HeapRelease.collectFully(() -> {
      if (requests.incrementAndGet() == 3) {
        full.incrementAndGet();
      }
    }, full::get));
    assertEquals(3, requests.get());

    requests.set(0);
    assertFalse(HeapRelease.collectFully(requests::incrementAndGet, () -> 7));
    assertEquals(HeapRelease.ATTEMPTS, requests.get(), "gives up after a bounded number");
  }
}
