package io.s3repofs.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads closed files after the write-back delay, several at a time, keeping the order that
 * matters: an {@linkplain WritebackTask#ordered ordered} task (a database renamed into place, a
 * symlink, a delete, an fsync'ed file) starts only once every urgent task queued before it is in
 * the bucket (a delete: every upload), so a package closed before the database that names it is
 * there first, and a replaced package goes only after the database that no longer names it. Other tasks
 * go up in parallel, in close order as they become due. A task queued again before it ran moves
 * to the back (a file rewritten within the delay goes up once). A failed task keeps its place and
 * is retried with backoff (per task), never dropped; ordered tasks behind it wait for it, others
 * go on. {@link #drain} uploads everything at once.
 *
 * <p>Every field below is guarded by {@link #lock}; tasks run with no lock of the queue held.
 */
public final class WritebackQueue implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WritebackQueue.class);
  /** S3REPOFS_TRACE set: every task run is logged (with FuseAdapter's calls), for debugging. */
  private static final boolean TRACE = System.getenv("S3REPOFS_TRACE") != null;
  private static final Duration WAIT_RETRY = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** Default number of tasks that run at once. */
  public static final int DEFAULT_CONCURRENCY = 8;

  /** A queued task: its place in the order, when it is due, and how often it failed in a row. */
  private record Queued(long sequence, long due, int failures) {}

  private final Duration delay;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when a task ends or leaves the queue (waiters: drain). */
  private final Condition changed = lock.newCondition();
  /** Signalled when a task may have become ready to start (waiters: the workers). */
  private final Condition workAvailable = lock.newCondition();
  /** How many queued tasks are uploads (not deletes). */
  private int queuedUploads;
  /** Queued tasks by place in the order. */
  private final TreeMap<Long, WritebackTask> order = new TreeMap<>();
  private final Map<WritebackTask, Queued> queued = new HashMap<>();
  /** A running task: its place in the order and its start (epoch millis). */
  private record Running(long sequence, long since) {}

  private final Map<WritebackTask, Running> running = new HashMap<>();
  /** Tasks whose last run had to wait for another: a drain does not spin on them. */
  private final Set<WritebackTask> waiting = new HashSet<>();
  private long nextSequence;
  private int flushBarrier; // while > 0, urgent queued tasks are due now
  /** Non-urgent tasks that a flush waits for (fsync of a temporary file), with waiter counts. */
  private final Map<WritebackTask, Integer> hurried = new HashMap<>();
  private boolean draining;
  private boolean closed;
  private long uploaded;
  private long uploadedBytes;
  private long failures;
  private String lastError;
  private final List<Thread> workers = new ArrayList<>();

  public WritebackQueue(Duration delay) {
    this(delay, DEFAULT_CONCURRENCY);
  }

  /** @param concurrency how many tasks run at once (at least 1) */
  public WritebackQueue(Duration delay, int concurrency) {
    this(delay, concurrency, Clock.systemUTC());
  }

  WritebackQueue(Duration delay, int concurrency, Clock clock) {
    this.delay = delay;
    this.clock = clock;
    for (int i = 0; i < Math.max(1, concurrency); i++) {
      Thread worker = new Thread(this::work, "s3repofs-writeback-" + i);
      worker.setDaemon(true);
      workers.add(worker);
    }
    workers.forEach(Thread::start);
  }

  /** Queues a task at the back, due after the write-back delay. */
  public void enqueue(WritebackTask task) {
    enqueue(task, delay);
  }

  /** Queues a task at the back, due now (a replayed journal record, say). */
  public void enqueueNow(WritebackTask task) {
    enqueue(task, Duration.ZERO);
  }

  private void enqueue(WritebackTask task, Duration after) {
    lock.lock();
    try {
      Queued previous = unqueue(task);
      put(task, new Queued(nextSequence++, clock.millis() + after.toMillis(), previous == null ? 0 : previous.failures()));
      workAvailable.signal();
    } finally {
      lock.unlock();
    }
  }

  private void put(WritebackTask task, Queued entry) {
    if (queued.put(task, entry) == null && !task.isDelete()) {
      queuedUploads++;
    }
    order.put(entry.sequence(), task);
  }

  private Queued unqueue(WritebackTask task) {
    Queued entry = queued.remove(task);
    if (entry != null) {
      order.remove(entry.sequence());
      if (!task.isDelete()) {
        queuedUploads--;
      }
    }
    return entry;
  }

  /** Takes a task out of the queue if it has not started; returns whether it was queued. */
  public boolean cancel(WritebackTask task) {
    lock.lock();
    try {
      boolean removed = queued.containsKey(task);
      unqueue(task);
      waiting.remove(task);
      changed.signalAll();
      return removed;
    } finally {
      lock.unlock();
    }
  }

  /** Whether an upload (not a delete) is queued, not counting running ones. */
  public boolean hasQueuedUploads() {
    lock.lock();
    try {
      return queuedUploads > 0;
    } finally {
      lock.unlock();
    }
  }

  public boolean isQueued(WritebackTask task) {
    lock.lock();
    try {
      return queued.containsKey(task);
    } finally {
      lock.unlock();
    }
  }

  /** While open, every urgent queued task is due at once (for a caller waiting at a commit point). */
  public final class Hurry implements AutoCloseable {
    private boolean open = true;
    private final WritebackTask target;

    private Hurry(WritebackTask target) {
      this.target = target;
      lock.lock();
      try {
        flushBarrier++;
        if (target != null) {
          hurried.merge(target, 1, Integer::sum);
        }
        workAvailable.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (open) {
          open = false;
          flushBarrier--;
          if (target != null) {
            hurried.computeIfPresent(target, (t, n) -> n == 1 ? null : n - 1);
          }
        }
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Makes every urgent queued task due now, and {@code target} (may be null) even if it is not
   * urgent, until the returned object is closed.
   */
  public Hurry hurry(WritebackTask target) {
    return new Hurry(target);
  }

  /**
   * Uploads everything queued, ignoring the delay, and waits until the queue is empty or the
   * timeout passes. Returns the number of tasks still queued or running.
   */
  public int drain(Duration timeout) throws InterruptedException {
    long deadline = clock.millis() + timeout.toMillis();
    lock.lock();
    try {
      draining = true;
      workAvailable.signalAll();
      while ((!queued.isEmpty() || !running.isEmpty()) && clock.millis() < deadline) {
        changed.awaitNanos(Duration.ofMillis(Math.max(1, Math.min(1000, deadline - clock.millis()))).toNanos());
      }
      return queued.size() + running.size();
    } finally {
      draining = false;
      lock.unlock();
    }
  }

  /** A snapshot for {@code s3repofs status}. */
  public Status status() {
    lock.lock();
    try {
      List<Status.Item> items = new ArrayList<>();
      long now = clock.millis();
      for (WritebackTask task : order.values()) {
        items.add(new Status.Item(task.describe(), task.bytes(), Math.max(0, queued.get(task).due() - now)));
      }
      List<Status.Item> current = new ArrayList<>();
      running.entrySet().stream().sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingLong(Running::sequence)))
          .forEach(e -> current.add(new Status.Item(e.getKey().describe(), e.getKey().bytes(), now - e.getValue().since())));
      return new Status(items, current, uploaded, uploadedBytes, failures, lastError);
    } finally {
      lock.unlock();
    }
  }

  /**
   * What the queue holds and has done.
   *
   * @param uploading the tasks running now, oldest first
   */
  public record Status(List<Item> queued, List<Item> uploading, long uploaded, long uploadedBytes,
      long failures, String lastError) {
    /** @param millis time until due, for a queued item; time since start, for a running one */
    public record Item(String path, long bytes, long millis) {}

    /** Files not in the bucket yet: queued or uploading. */
    public int pendingFiles() {
      return queued.size() + uploading.size();
    }

    /** Bytes not in the bucket yet. */
    public long pendingBytes() {
      return queued.stream().mapToLong(Item::bytes).sum() + uploading.stream().mapToLong(Item::bytes).sum();
    }
  }

  private void work() {
    while (true) {
      WritebackTask task;
      int failedBefore;
      lock.lock();
      try {
        task = nextDueTask();
        if (task == null) {
          return;
        }
        Queued entry = unqueue(task);
        running.put(task, new Running(entry.sequence(), clock.millis()));
        failedBefore = entry.failures();
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      WritebackTask.Outcome outcome = null;
      Exception failure = null;
      try {
        outcome = task.run();
      } catch (Exception e) {
        failure = e;
      }
      if (TRACE) {
        LOG.info("trace: task {} -> {}", task.describe(), failure != null ? failure.getMessage() : outcome);
      }
      lock.lock();
      try {
        long sequence = running.remove(task).sequence();
        if (failure != null) {
          failures++;
          int inARow = failedBefore + 1;
          lastError = task.describe() + ": " + failure.getMessage();
          long backoff = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(10, inARow));
          LOG.warn("upload of {} failed, retrying in {} ms: {}", task.describe(), backoff, failure.getMessage());
          if (!queued.containsKey(task)) {
            // Back in its place: ordered tasks queued after it must not overtake it.
            put(task, new Queued(sequence, clock.millis() + backoff, inARow));
          }
        } else if (outcome == WritebackTask.Outcome.WAIT) {
          waiting.add(task);
          if (!queued.containsKey(task)) {
            put(task, new Queued(nextSequence++, clock.millis() + WAIT_RETRY.toMillis(), failedBefore));
          }
        } else {
          waiting.remove(task);
          uploaded++;
          uploadedBytes += Math.max(0, task.bytes());
        }
        changed.signalAll();
        workAvailable.signalAll(); // ordered tasks behind it may start now
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Blocks until a task may start and returns it (still queued): the first in queue order that is
   * due (or hurried, or any while draining), not running already and, if it is ordered, has no
   * urgent upload queued or running before it. Non-urgent tasks (temporary files) and deletes never
   * hold an ordered one back.
   */
  private WritebackTask nextDueTask() throws InterruptedException {
    while (!closed) {
      long now = clock.millis();
      long wait = Long.MAX_VALUE;
      // Ordered tasks wait for the urgent uploads before them, never for deletes: deletes go
      // last (they wait for the uploads queued around them), so waiting for one only stalls.
      long firstUrgentUploadRunning = Long.MAX_VALUE;
      for (Map.Entry<WritebackTask, Running> r : running.entrySet()) {
        if (r.getKey().urgent() && !r.getKey().isDelete()) {
          firstUrgentUploadRunning = Math.min(firstUrgentUploadRunning, r.getValue().sequence());
        }
      }
      boolean urgentUploadAhead = false;
      for (Map.Entry<Long, WritebackTask> e : order.entrySet()) {
        WritebackTask task = e.getValue();
        Queued entry = queued.get(task);
        boolean urgent = task.urgent();
        // A task queued again while it runs (a file closed again during its upload) waits for that run.
        boolean blocked = running.containsKey(task)
            || task.ordered() && (urgentUploadAhead || firstUrgentUploadRunning < e.getKey());
        boolean hurry = (draining || flushBarrier > 0 && (urgent || hurried.containsKey(task)))
            && entry.failures() == 0 && !waiting.contains(task);
        if (!blocked && (entry.due() <= now || hurry)) {
          return task;
        }
        if (!blocked) {
          wait = Math.min(wait, entry.due() - now);
        }
        if (entry.due() > now && entry.failures() == 0 && !draining && flushBarrier == 0) {
          // Tasks queued after it were closed later and are due later too (the delay is the same),
          // so the scan can stop: a queue of 10,000 files costs one look, not 10,000.
          break;
        }
        urgentUploadAhead |= urgent && !task.isDelete();
      }
      if (wait == Long.MAX_VALUE) {
        workAvailable.await();
      } else {
        workAvailable.awaitNanos(Duration.ofMillis(Math.max(1, wait)).toNanos());
      }
    }
    return null;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
      workAvailable.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
