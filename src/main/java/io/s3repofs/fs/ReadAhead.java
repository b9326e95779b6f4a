package io.s3repofs.fs;

import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every {@link Prefetcher} of one mount shares: the threads that fetch parts, and the
 * memory they fill. Part memory is reserved before a part is requested and given back when the
 * last reader of the part is done with it, so the bytes buffered by all open files together never
 * exceed {@link #globalLimit} (what cannot be reserved is read straight into the caller's
 * buffer instead). Parts larger than a chunk are made of {@value #CHUNK}-byte arrays from a pool,
 * so a long sequential read reuses the same few arrays rather than allocating hundreds.
 */
final class ReadAhead implements AutoCloseable {

  /**
   * The unit of part memory: small enough to be an ordinary object for every collector (G1 puts
   * an array of half a region or more, 512 KiB on small heaps, in regions of its own).
   */
  static final int CHUNK = 256 << 10;

  /**
   * How reads ahead are sized.
   *
   * @param parallel parts of one file fetched at once (s3fs {@code parallel_count})
   * @param minPart the first part of a stream (a random reader gets GETs this small)
   * @param maxPart parts grow by doubling to this size
   * @param perFileLimit bytes buffered for one open file at most
   * @param globalLimit bytes buffered for all open files together at most
   */
  record Settings(int parallel, int minPart, int maxPart, long perFileLimit, long globalLimit) {

    /**
     * Sizes for a JVM whose heap may grow to {@code maxHeap} bytes: a fifth of it, at most
     * 128 MiB, and 48 MiB per file (the launcher's -Xmx256m mount idles at about 190 MiB
     * resident and must stay under 300 MiB while it reads).
     */
    static Settings forHeap(int parallelCount, long maxHeap) {
      long global = Math.max(8L << 20, Math.min(128L << 20, maxHeap / 5));
      long perFile = Math.min(48L << 20, global);
      // three parts per file fit in its share: 16 MiB parts for -Xmx256m, 4 MiB for a 96 MiB heap
      int maxPart = Integer.highestOneBit((int) Math.max(1 << 20, Math.min(16L << 20, perFile / 3)));
      return new Settings(Math.max(1, Math.min(parallelCount, 16)), 128 << 10, maxPart, perFile, global);
    }
  }

  final Settings settings;
  private final ExecutorService fetchers;
  private final ArrayDeque<byte[]> free = new ArrayDeque<>(); // guarded by this
  private long reserved; // guarded by this
  private long peak; // guarded by this
  private long allocated; // guarded by this: chunks ever made

  ReadAhead(Settings settings) {
    this.settings = settings;
    AtomicInteger n = new AtomicInteger();
    int threads = Math.max(2, settings.parallel());
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "s3repofs-read-ahead-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
    this.fetchers = pool;
  }

  /** Runs a part's fetch on a fetch thread. */
  void submit(Runnable fetch) {
    fetchers.execute(fetch);
  }

  /** Reserves part memory; false when all open files together would buffer more than the limit. */
  synchronized boolean tryReserve(long bytes) {
    if (reserved + bytes > settings.globalLimit()) {
      return false;
    }
    reserved += bytes;
    peak = Math.max(peak, reserved);
    return true;
  }

  /** A {@value #CHUNK}-byte array for a part (memory already reserved). */
  byte[] take() {
    synchronized (this) {
      byte[] chunk = free.poll();
      if (chunk != null) {
        return chunk;
      }
    }
    synchronized (this) {
      allocated++;
    }
    return new byte[CHUNK];
  }

  /**
   * Gives a part's reserved memory back, and its chunks to the pool. The pool is not emptied when
   * reading stops: the heap they take stays resident either way (the collectors do not give it
   * back to the system), and new arrays for the next read would only make garbage to collect.
   * Chunks in use and in the pool together stay within the limit.
   */
  synchronized void release(byte[][] chunks, long bytes) {
    reserved -= bytes;
    for (byte[] chunk : chunks) {
      if (chunk.length == CHUNK && reserved + (long) (free.size() + 1) * CHUNK <= settings.globalLimit()) {
        free.push(chunk);
      }
    }
  }

  /** Chunks ever allocated (the pool reuses them: a long read allocates the limit's worth at most). */
  synchronized long allocatedChunks() {
    return allocated;
  }

  /** Bytes reserved now (parts being fetched, or fetched and not yet read). */
  synchronized long reserved() {
    return reserved;
  }

  /** The most bytes ever reserved at once. */
  synchronized long peakReserved() {
    return peak;
  }

  @Override
  public void close() {
    fetchers.shutdownNow();
  }
}
