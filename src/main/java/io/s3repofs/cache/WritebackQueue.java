package io.s3repofs.cache;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads closed files in the order they were closed, each after the write-back delay, so that a
 * package closed before the database that names it reaches the bucket first. A task queued again
 * before it ran moves to the back (a file rewritten within the delay goes up once). Failed
 * uploads are retried with backoff and never dropped. {@link #drain} uploads everything at once.
 */
public final class WritebackQueue implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WritebackQueue.class);
  /** S3REPOFS_TRACE set: every task run is logged (with FuseAdapter's calls), for debugging. */
  private static final boolean TRACE = System.getenv("S3REPOFS_TRACE") != null;
  private static final Duration WAIT_RETRY = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final Duration delay;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  /** Queued tasks in upload order, with the time each becomes due (epoch millis). */
  private final LinkedHashMap<WritebackTask, Long> queued = new LinkedHashMap<>();
  /** Tasks whose last run had to wait for another: a drain does not spin on them. */
  private final java.util.Set<WritebackTask> waiting = new java.util.HashSet<>();
  private WritebackTask running;
  private long runningSince;
  private int flushBarrier; // tasks ahead of an fsync or drain are due now
  /** Non-urgent tasks that a flush waits for (fsync of a temporary file), with waiter counts. */
  private final Map<WritebackTask, Integer> hurried = new java.util.HashMap<>();
  private boolean draining;
  private boolean closed;
  private long uploaded;
  private long uploadedBytes;
  private long failures;
  private String lastError;
  private int consecutiveFailures;
  private final Thread worker;

  public WritebackQueue(Duration delay) {
    this(delay, Clock.systemUTC());
  }

  WritebackQueue(Duration delay, Clock clock) {
    this.delay = delay;
    this.clock = clock;
    this.worker = new Thread(this::work, "s3repofs-writeback");
    this.worker.setDaemon(true);
    this.worker.start();
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
      queued.remove(task);
      queued.put(task, clock.millis() + after.toMillis());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Takes a task out of the queue if it has not started; returns whether it was queued. */
  public boolean cancel(WritebackTask task) {
    lock.lock();
    try {
      boolean removed = queued.remove(task) != null;
      waiting.remove(task);
      changed.signalAll();
      return removed;
    } finally {
      lock.unlock();
    }
  }

  /** Whether any queued task (not counting the running one) matches. */
  public boolean hasQueued(java.util.function.Predicate<WritebackTask> matching) {
    lock.lock();
    try {
      return queued.keySet().stream().anyMatch(matching);
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

  /** While open, every queued task is due at once (for a caller waiting at a commit point). */
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
        changed.signalAll();
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

  /** Waits until the given task is neither queued nor running (what fsync needs). */
  public void awaitUploaded(WritebackTask task) throws InterruptedException {
    lock.lock();
    try {
      flushBarrier++;
      changed.signalAll();
      while (queued.containsKey(task) || running == task) {
        changed.await();
      }
    } finally {
      flushBarrier--;
      lock.unlock();
    }
  }

  /**
   * Uploads everything queued, ignoring the delay, and waits until the queue is empty or the
   * timeout passes. Returns the number of tasks still queued.
   */
  public int drain(Duration timeout) throws InterruptedException {
    long deadline = clock.millis() + timeout.toMillis();
    lock.lock();
    try {
      draining = true;
      changed.signalAll();
      while ((!queued.isEmpty() || running != null) && clock.millis() < deadline) {
        changed.awaitNanos(Duration.ofMillis(Math.max(1, Math.min(1000, deadline - clock.millis()))).toNanos());
      }
      return queued.size() + (running == null ? 0 : 1);
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
      for (Map.Entry<WritebackTask, Long> e : queued.entrySet()) {
        items.add(new Status.Item(e.getKey().describe(), e.getKey().bytes(), Math.max(0, e.getValue() - now)));
      }
      Status.Item current = running == null ? null
          : new Status.Item(running.describe(), running.bytes(), now - runningSince);
      return new Status(items, current, uploaded, uploadedBytes, failures, lastError);
    } finally {
      lock.unlock();
    }
  }

  /** What the queue holds and has done. */
  public record Status(List<Item> queued, Item uploading, long uploaded, long uploadedBytes,
      long failures, String lastError) {
    /** @param millis time until due, for a queued item; time since start, for the running one */
    public record Item(String path, long bytes, long millis) {}
  }

  private void work() {
    while (true) {
      WritebackTask task;
      lock.lock();
      try {
        task = nextDueTask();
        if (task == null) {
          return;
        }
        running = task;
        runningSince = clock.millis();
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
        running = null;
        if (failure != null) {
          failures++;
          consecutiveFailures++;
          lastError = task.describe() + ": " + failure.getMessage();
          long backoff = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(10, consecutiveFailures));
          LOG.warn("upload of {} failed, retrying in {} ms: {}", task.describe(), backoff, failure.getMessage());
          // Back at the head: later files must not overtake it (packages before databases).
          LinkedHashMap<WritebackTask, Long> rest = new LinkedHashMap<>(queued);
          queued.clear();
          queued.put(task, clock.millis() + backoff);
          rest.forEach((t, due) -> {
            if (t != task) {
              queued.put(t, due);
            }
          });
        } else if (outcome == WritebackTask.Outcome.WAIT) {
          waiting.add(task);
          if (!queued.containsKey(task)) {
            queued.put(task, clock.millis() + WAIT_RETRY.toMillis());
          }
        } else {
          waiting.remove(task);
          consecutiveFailures = 0;
          uploaded++;
          uploadedBytes += Math.max(0, task.bytes());
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Blocks until a task is due and returns it: the first in queue order that is due, or any task
   * while draining, or an urgent one while a flush waits. A task that is not due blocks those
   * behind it, so files go up in close order; only non-urgent ones (temporary files) may be
   * overtaken while they wait out their delay.
   */
  private WritebackTask nextDueTask() throws InterruptedException {
    while (!closed) {
      long now = clock.millis();
      long wait = Long.MAX_VALUE;
      for (Map.Entry<WritebackTask, Long> e : queued.entrySet()) {
        WritebackTask task = e.getKey();
        boolean hurry = (draining || flushBarrier > 0 && (task.urgent() || hurried.containsKey(task)))
            && consecutiveFailures == 0 && !waiting.contains(task);
        if (e.getValue() <= now || hurry) {
          queued.remove(task);
          return task;
        }
        wait = Math.min(wait, e.getValue() - now);
        if (task.urgent() || draining) {
          break;
        }
      }
      if (wait == Long.MAX_VALUE) {
        changed.await();
      } else {
        changed.awaitNanos(Duration.ofMillis(wait).toNanos());
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
    } finally {
      lock.unlock();
    }
  }
}
