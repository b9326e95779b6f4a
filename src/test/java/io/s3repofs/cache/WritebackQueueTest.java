package io.s3repofs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's order and parallelism with tasks that record when they run (the S3 side is tested
 * through the core: FileSystemCoreTest, ConcurrencyFaultsTest, ModelTest).
 */
class WritebackQueueTest {

  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private WritebackQueue queue;

  @AfterEach
  void tearDown() {
    if (queue != null) {
      queue.close();
    }
  }

  /** A task that logs its start and end, holds a latch, and fails its first {@code failures} runs. */
  private class Recording implements WritebackTask {
    final String name;
    final boolean ordered;
    final boolean delete;
    volatile CountDownLatch hold = new CountDownLatch(0);
    final CountDownLatch started = new CountDownLatch(1);
    final AtomicInteger runs = new AtomicInteger();
    volatile int failures;
    volatile long sleepMillis;

    Recording(String name, boolean ordered, boolean delete) {
      this.name = name;
      this.ordered = ordered;
      this.delete = delete;
    }

    @Override
    public String describe() {
      return name;
    }

    @Override
    public long bytes() {
      return 1;
    }

    @Override
    public boolean ordered() {
      return ordered;
    }

    @Override
    public boolean isDelete() {
      return delete;
    }

    @Override
    public Outcome run() throws Exception {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      events.add("start " + name);
      started.countDown();
      try {
        hold.await(10, TimeUnit.SECONDS);
        if (sleepMillis > 0) {
          Thread.sleep(sleepMillis);
        }
        if (runs.incrementAndGet() <= failures) {
          throw new java.io.IOException("injected");
        }
        return Outcome.DONE;
      } finally {
        events.add("end " + name);
        inFlight.decrementAndGet();
      }
    }
  }

  private Recording file(String name) {
    return new Recording(name, false, false);
  }

  private int indexOf(String event) {
    synchronized (events) {
      return events.indexOf(event);
    }
  }

  @Test
  void filesGoUpSideBySideBoundedByTheConcurrency() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    List<Recording> files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Recording f = file("f" + i);
      f.sleepMillis = 30;
      files.add(f);
      queue.enqueue(f);
    }
    assertEquals(0, queue.drain(Duration.ofSeconds(20)));
    assertEquals(4, maxInFlight.get(), "four at a time: " + events);
    files.forEach(f -> assertEquals(1, f.runs.get(), f.name));
  }

  @Test
  void anOrderedTaskWaitsForEveryUrgentTaskQueuedBeforeIt() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording pkg1 = file("pkg1");
    Recording pkg2 = file("pkg2");
    pkg1.hold = new CountDownLatch(1);
    Recording db = new Recording("db", true, false);
    Recording later = file("later");
    queue.enqueue(pkg1);
    queue.enqueue(pkg2);
    queue.enqueue(db);
    queue.enqueue(later);
    assertTrue(pkg1.started.await(5, TimeUnit.SECONDS));
    assertTrue(later.started.await(5, TimeUnit.SECONDS), "an unordered file queued later goes on");
    assertFalse(db.started.await(300, TimeUnit.MILLISECONDS), "the database waits for pkg1: " + events);
    pkg1.hold.countDown();
    assertEquals(0, queue.drain(Duration.ofSeconds(10)));
    assertTrue(indexOf("end pkg1") < indexOf("start db") && indexOf("end pkg2") < indexOf("start db"), events.toString());
  }

  @Test
  void deletesGoAfterTheUploadsBeforeThemButSideBySide() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording db = new Recording("db", true, false);
    db.hold = new CountDownLatch(1);
    queue.enqueue(db);
    List<Recording> deletes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Recording d = new Recording("rm" + i, true, true);
      d.sleepMillis = 50;
      deletes.add(d);
      queue.enqueue(d);
    }
    assertTrue(db.started.await(5, TimeUnit.SECONDS));
    assertFalse(deletes.get(0).started.await(300, TimeUnit.MILLISECONDS), "no delete before the database: " + events);
    db.hold.countDown();
    assertEquals(0, queue.drain(Duration.ofSeconds(10)));
    for (Recording d : deletes) {
      assertTrue(indexOf("end db") < indexOf("start " + d.name), events.toString());
    }
    assertEquals(4, maxInFlight.get(), "deletes run side by side: " + events);
  }

  /**
   * Deletes go last, so nothing waits for them: repo-add -R queues the DELETE of the old package
   * and then the database's symlink, whose upload must not wait for that DELETE (which itself waits
   * for the uploads queued around it, re-checked every 200 ms: each repo-add waited for one).
   */
  @Test
  void anOrderedUploadDoesNotWaitForADeleteQueuedBeforeIt() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording rm = new Recording("rm old.pkg", true, true);
    rm.hold = new CountDownLatch(1);
    queue.enqueue(rm);
    assertTrue(rm.started.await(5, TimeUnit.SECONDS));
    Recording link = new Recording("link db", true, false);
    queue.enqueue(link);
    assertTrue(link.started.await(2, TimeUnit.SECONDS), "the link goes while the delete runs: " + events);
    rm.hold.countDown();
    assertEquals(0, queue.drain(Duration.ofSeconds(10)));
  }

  @Test
  void aFailedTaskKeepsItsPlaceBeforeOrderedTasksAndIsRetried() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording flaky = file("flaky");
    flaky.failures = 2;
    Recording other = file("other");
    Recording link = new Recording("link", true, false);
    queue.enqueue(flaky);
    queue.enqueue(other);
    queue.enqueue(link);
    assertEquals(0, queue.drain(Duration.ofSeconds(20)));
    assertEquals(3, flaky.runs.get(), "two failures, then a success: " + events);
    assertTrue(indexOf("end other") < events.lastIndexOf("end flaky"), "other files do not wait for it: " + events);
    assertTrue(events.lastIndexOf("end flaky") < indexOf("start link"), "the link waits for it: " + events);
    assertEquals(2, queue.status().failures());
  }

  @Test
  void aTaskQueuedAgainWhileItRunsRunsOnceAtATime() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording f = file("f");
    f.hold = new CountDownLatch(1);
    queue.enqueue(f);
    assertTrue(f.started.await(5, TimeUnit.SECONDS));
    queue.enqueue(f); // closed again during its upload
    Thread.sleep(200);
    assertEquals(1, maxInFlight.get(), "not a second run beside the first: " + events);
    f.hold.countDown();
    assertEquals(0, queue.drain(Duration.ofSeconds(10)));
    assertEquals(2, f.runs.get(), events.toString());
    assertEquals(1, maxInFlight.get());
  }

  @Test
  void aFileQueuedAgainCountsOnceAmongTheQueuedUploads() throws Exception {
    queue = new WritebackQueue(Duration.ofSeconds(60), 2);
    Recording f = file("f");
    queue.enqueue(f);
    queue.enqueue(f); // closed again within the delay
    assertTrue(queue.hasQueuedUploads());
    queue.cancel(f);
    assertFalse(queue.hasQueuedUploads(), "a delete would wait for nothing");
    queue.enqueue(new Recording("rm", true, true));
    assertFalse(queue.hasQueuedUploads());
  }

  /**
   * 10,000 files waiting out their delay: the workers look at the first one only (the rest are
   * due later), not at all of them on every wake-up. Counted in calls, not in time.
   */
  @Test
  void aLongQueueOfFilesNotDueYetCostsTheWorkersOneLook() throws Exception {
    AtomicInteger looks = new AtomicInteger();
    queue = new WritebackQueue(Duration.ofSeconds(60), 8);
    for (int i = 0; i < 10_000; i++) {
      queue.enqueue(new Recording("f" + i, false, false) {
        @Override
        public boolean urgent() {
          looks.incrementAndGet();
          return true;
        }
      });
    }
    Thread.sleep(300);
    assertTrue(looks.get() < 1_000, "workers looked at queued tasks " + looks.get() + " times");
    assertEquals(10_000, queue.status().queued().size());
  }

  @Test
  void statusListsEveryRunningUpload() throws Exception {
    queue = new WritebackQueue(Duration.ZERO, 4);
    Recording a = file("a");
    Recording b = file("b");
    a.hold = new CountDownLatch(1);
    b.hold = new CountDownLatch(1);
    queue.enqueue(a);
    queue.enqueue(b);
    assertTrue(a.started.await(5, TimeUnit.SECONDS) && b.started.await(5, TimeUnit.SECONDS));
    WritebackQueue.Status s = queue.status();
    assertEquals(List.of("a", "b"), s.uploading().stream().map(WritebackQueue.Status.Item::path).sorted().toList());
    assertEquals(2, s.pendingFiles());
    a.hold.countDown();
    b.hold.countDown();
    assertEquals(0, queue.drain(Duration.ofSeconds(10)));
    assertEquals(0, queue.status().pendingFiles());
  }
}
