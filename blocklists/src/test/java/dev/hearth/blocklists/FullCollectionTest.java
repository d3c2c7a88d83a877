package dev.hearth.blocklists;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A requested full collection runs, and one the JVM turned away is asked for again. */
class FullCollectionTest {
  @Test
  void aRequest_runsAFullCollection() {
    long before = FullCollection.count();
    assertTrue(before >= 0, "this JVM counts its full collections");
    assertTrue(FullCollection.request());
    assertTrue(FullCollection.count() > before, "a full collection ran");
  }

  /**
   * While a thread holds the GC locker, System.gc() returns without collecting (seen in the
   * harness: a first start under load kept the compile's garbage); the request is repeated.
   */
  @Test
  void aRequestThatDidNotCollect_isRepeated_untilAFullCollectionIsSeen() {
    AtomicInteger requests = new AtomicInteger();
    AtomicInteger full = new AtomicInteger();
    assertTrue(FullCollection.collectFully(() -> {
      if (requests.incrementAndGet() == 3) {
        full.incrementAndGet();
      }
    }, full::get));
    assertEquals(3, requests.get());

    requests.set(0);
    assertFalse(FullCollection.collectFully(requests::incrementAndGet, () -> 7));
    assertEquals(FullCollection.ATTEMPTS, requests.get(), "gives up after a bounded number");
  }
}
