package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads an object for one open handle, as mountpoint-s3's prefetcher does. A read starts a
 * <em>stream</em> at its offset with one small part. A read within {@link #NEAR_BEHIND} behind and
 * {@link #NEAR} ahead of the furthest read so far is sequential (the kernel sends one handle's
 * reads from several threads, a little out of order); a stream with {@value #SEQUENTIAL} of them
 * fetches parts ahead of the reader, each four times the size of the one before up to
 * {@link ReadAhead.Settings#maxPart}, with up to {@link ReadAhead.Settings#parallel} ranged GETs
 * at once. Reads are served from the parts as their bytes arrive; a read that skips forward into
 * parts already asked for stays in the stream, and one far behind it gets a GET of its own (a
 * straggler) unless the reads behind go on sequentially (then they get a stream). Any other read
 * (a seek) drops the stream and starts another, so a random reader costs one small GET per read.
 *
 * <p>Memory is bounded per file ({@link ReadAhead.Settings#perFileLimit}) and for the mount
 * ({@link ReadAhead.Settings#globalLimit}); a part that cannot get memory is not fetched and its
 * reads go straight from a GET into the caller's buffer. A GET that fails, or whose body ends
 * early twice, fails the reads that need its bytes (EIO); they are never given other bytes.
 *
 * <p>Locking: {@code this} guards the stream (its parts, positions and sizes) and is held for
 * bookkeeping only; waiting for bytes and every request happen outside it. A part's own monitor
 * guards its progress.
 */
final class Prefetcher {

  /** How far behind the furthest read a read still belongs to the stream. */
  static final long BEHIND = 4L << 20;
  /** How far ahead of the furthest read a read is still sequential (the parts fetched ahead go further). */
  static final long NEAR = 512L << 10;
  /** How far behind the furthest read a read is still sequential. */
  static final long NEAR_BEHIND = 1L << 20;
  /** Each part is this many times the size of the one before, up to the largest (few GETs for the ramp). */
  private static final int GROWTH = 4;
  /** Reads near the furthest one (the first included) before parts are fetched ahead. */
  static final int SEQUENTIAL = 3;
  /** Bytes copied from a GET's body per step (and per notification of waiting readers). */
  private static final int STEP = 128 << 10;
  /** Parts up to this size are fetched by the reader that needs them if no fetch thread has started yet. */
  private static final int CLAIMABLE = 1 << 20;

  private final ReadAhead shared;
  private final ReadAhead.Settings settings;

  // The stream; guarded by this.
  private final ArrayDeque<Part> parts = new ArrayDeque<>(); // ascending, mostly contiguous
  private boolean streaming;
  private long start; // where the stream began
  private long next; // the end of the last part scheduled
  private long furthest; // the end of the furthest read
  private int hits; // sequential reads in this stream
  private long behindEnd = -1; // the end of the last read behind the stream, or -1
  private int behindHits; // reads behind the stream, each on from the one before
  private int nextSize; // the size of the next part
  private long held; // bytes reserved by the parts in the stream
  private boolean closed;

  Prefetcher(ReadAhead shared) {
    this.shared = shared;
    this.settings = shared.settings;
  }

  /**
   * Reads up to {@code buffer.limit()} bytes at {@code offset} into {@code buffer} from index 0,
   * fewer only at the end of the object.
   */
  int read(CachedBucket bucket, String key, long objectSize, long offset, ByteBuffer buffer) throws IOException {
    int length = buffer.limit();
    if (offset >= objectSize || length <= 0) {
      return 0;
    }
    long end = Math.min(objectSize, offset + length);
    List<Part> pinned = new ArrayList<>();
    synchronized (this) {
      if (!closed) {
        plan(bucket, key, objectSize, offset, end, length, pinned);
      }
    }
    try {
      long p = offset;
      for (Part part : pinned) {
        if (p < part.start) {
          direct(bucket, key, p, part.start, buffer, (int) (p - offset));
          p = part.start;
        }
        long to = Math.min(end, part.end());
        try {
          part.await((int) (to - part.start), bucket, key);
        } catch (IOException | RuntimeException e) {
          forget(part);
          throw e;
        }
        part.copy((int) (p - part.start), buffer, (int) (p - offset), (int) (to - p));
        p = to;
      }
      if (p < end) {
        direct(bucket, key, p, end, buffer, (int) (p - offset));
      }
      return (int) (end - offset);
    } finally {
      for (Part part : pinned) {
        part.unref();
      }
    }
  }

  /** Drops every part (the handle is closed, or its file is read from the cache now). */
  synchronized void close() {
    closed = true;
    reset();
  }

  /** Drops the stream if it holds anything; the handle may read again later. */
  synchronized void drop() {
    if (streaming) {
      reset();
    }
  }

  /** Bytes held by this handle's parts. */
  synchronized long held() {
    return held;
  }

  // ---------------------------------------------------------------- the stream (under this)

  private void plan(CachedBucket bucket, String key, long size, long offset, long end, int length,
      List<Part> pinned) {
    boolean sequential = streaming && offset >= furthest - NEAR_BEHIND && offset <= furthest + NEAR;
    boolean keep = streaming && (offset < next || sequential);
    if (streaming && offset < Math.max(start, furthest) - BEHIND) {
      // Behind the stream: a straggler (a kernel thread that waited while the others read on)
      // gets its bytes with a GET of its own and leaves the stream alone; a reader that went back
      // and reads on from there gets a stream of its own.
      boolean onFromLast = behindEnd >= 0 && end > behindEnd && offset <= behindEnd + NEAR;
      behindHits = onFromLast ? behindHits + 1 : 1;
      behindEnd = end;
      if (behindHits < SEQUENTIAL) {
        return;
      }
      keep = false;
    }
    if (!keep) {
      reset();
      streaming = true;
      start = offset;
      next = offset;
      furthest = offset;
      hits = 0;
      behindEnd = -1;
      behindHits = 0;
      nextSize = Math.min(settings.maxPart(), Math.max(settings.minPart(), roundUp(length)));
      sequential = true;
    }
    if (sequential) {
      hits++;
    }
    if (sequential && offset < start && start - offset <= NEAR_BEHIND && !parts.isEmpty()
        && parts.peekFirst().start == start) {
      prepend(bucket, key, offset); // the kernel sent a later read of the first ones first
    }
    furthest = Math.max(furthest, end);
    while (!parts.isEmpty() && parts.peekFirst().end() <= furthest - BEHIND) {
      release(parts.pollFirst());
    }
    if (offset - next > NEAR) {
      next = offset; // the parts stopped short (no memory): nobody asked for the bytes between
    }
    // the read's own bytes, whatever the limits on reading ahead
    while (next < end && schedule(bucket, key, size)) {
      // scheduled
    }
    if (hits >= SEQUENTIAL) {
      while (next < size && unread() < settings.parallel() && schedule(bucket, key, size)) {
        // ahead of the reader
      }
    }
    for (Part part : parts) {
      if (part.end() > offset && part.start < end) {
        part.refs.incrementAndGet();
        pinned.add(part);
      }
    }
  }

  /** Parts the reader has not reached the end of. */
  private int unread() {
    int n = 0;
    for (Part part : parts) {
      if (part.end() > furthest) {
        n++;
      }
    }
    return n;
  }

  /** Adds the next part and starts its GET; false when there is no memory for it. */
  private boolean schedule(CachedBucket bucket, String key, long size) {
    int length = (int) Math.min(nextSize, size - next);
    long bytes = reservation(length);
    if (held + bytes > settings.perFileLimit() || !shared.tryReserve(bytes)) {
      return false;
    }
    Part part = new Part(next, length, bytes, shared);
    parts.addLast(part);
    held += bytes;
    next += length;
    nextSize = Math.min(settings.maxPart(), nextSize * GROWTH);
    submit(part, bucket, key);
    return true;
  }

  /**
   * Adds a part from {@code offset} to the stream's start, if there is memory for it. Near the
   * object's start the part goes from byte 0: a reader of a whole file whose first reads the
   * kernel sent out of order gets one GET for them, not one per read that came before the others.
   */
  private void prepend(CachedBucket bucket, String key, long offset) {
    long from = offset <= NEAR_BEHIND ? 0 : offset;
    int length = (int) (start - from);
    long bytes = reservation(length);
    if (held + bytes > settings.perFileLimit() || !shared.tryReserve(bytes)) {
      return;
    }
    Part part = new Part(from, length, bytes, shared);
    parts.addFirst(part);
    held += bytes;
    start = from;
    submit(part, bucket, key);
  }

  private void submit(Part part, CachedBucket bucket, String key) {
    try {
      shared.submit(() -> part.fetch(bucket, key));
    } catch (RejectedExecutionException e) {
      part.reject(new IOException("the mount is closing"));
    }
  }

  private static long reservation(int length) {
    return length <= ReadAhead.CHUNK ? length : ceilChunks(length) * (long) ReadAhead.CHUNK;
  }

  private void reset() {
    while (!parts.isEmpty()) {
      release(parts.pollFirst());
    }
    streaming = false;
  }

  private void release(Part part) {
    held -= part.reserved;
    part.dropped = true;
    part.unref();
  }

  /** A part failed: the stream goes, and the next read asks the bucket again. */
  private synchronized void forget(Part part) {
    if (parts.contains(part)) {
      reset();
    }
  }

  private static int roundUp(int length) {
    return length <= 1 ? 1 : Integer.highestOneBit(length - 1) << 1;
  }

  private static int ceilChunks(int length) {
    return (length + ReadAhead.CHUNK - 1) / ReadAhead.CHUNK;
  }

  // ---------------------------------------------------------------- reads without a part

  /** GETs {@code [from, to)} straight into {@code buffer} at index {@code at}. */
  private static void direct(CachedBucket bucket, String key, long from, long to, ByteBuffer buffer, int at)
      throws IOException {
    int done = 0;
    int want = (int) (to - from);
    for (int attempt = 0; done < want; attempt++) {
      if (attempt == 2) {
        throw ended(key, from + done);
      }
      InputStream in = bucket.read(key, from + done, to - 1);
      boolean whole = false;
      try {
        done = readInto(in, buffer, at, done, want);
        whole = done == want;
      } catch (IOException e) {
        if (attempt == 1) {
          throw e;
        }
      } finally {
        finish(in, whole);
      }
    }
  }

  /**
   * Reads from {@code in} into {@code buffer} at {@code at + done} until {@code want} bytes are
   * there or the body ends; returns how many are there.
   */
  private static int readInto(InputStream in, ByteBuffer buffer, int at, int done, int want) throws IOException {
    if (buffer.hasArray()) {
      byte[] array = buffer.array();
      int base = buffer.arrayOffset() + at;
      for (int n; done < want && (n = in.read(array, base + done, want - done)) >= 0; ) {
        done += n;
      }
      return done;
    }
    byte[] step = new byte[Math.min(STEP, want - done)];
    for (int n; done < want && (n = in.read(step, 0, Math.min(step.length, want - done))) >= 0; ) {
      buffer.put(at + done, step, 0, n);
      done += n;
    }
    return done;
  }

  private static IOException ended(String key, long at) {
    return new IOException("object " + key + " ended early at byte " + at);
  }

  private static void finish(InputStream in, boolean whole) {
    if (whole) {
      try {
        in.close();
      } catch (IOException ignored) {
        // all of it was read
      }
    } else {
      CachedBucket.abort(in);
    }
  }

  // ---------------------------------------------------------------- parts

  /**
   * One ranged GET's bytes, in chunks. References: the stream's (until it drops the part), the
   * fetch's (until the GET is over) and one per reader copying from it; the memory goes back
   * when the last one is gone. A dropped part nobody reads any more stops its GET.
   */
  static final class Part {
    /** A reader waits this long for a fetch thread to start a part before fetching it itself. */
    private static final long CLAIM_AFTER_MS = 50;

    final long start;
    final int length;
    final long reserved;
  private final ReadAhead shared;
    private final int chunkSize;
    private final byte[][] chunks;
    final AtomicInteger refs = new AtomicInteger(2);
    volatile boolean dropped;
    private int filled; // guarded by this
    private Exception error; // guarded by this
    private boolean claimed; // guarded by this: someone runs (or ran) the GET

    Part(long start, int length, long reserved, ReadAhead shared) {
      this.start = start;
      this.length = length;
      this.reserved = reserved;
      this.shared = shared;
      if (length <= ReadAhead.CHUNK) {
        chunkSize = Math.max(1, length);
        chunks = new byte[][] {length == ReadAhead.CHUNK ? shared.take() : new byte[length]};
      } else {
        chunkSize = ReadAhead.CHUNK;
        chunks = new byte[ceilChunks(length)][];
        for (int i = 0; i < chunks.length; i++) {
          chunks[i] = shared.take();
        }
      }
    }

    long end() {
      return start + length;
    }

    /**
     * Runs the GET, once: on a fetch thread, or on a reader that needs the part before a fetch
     * thread has taken it. Whoever runs it drops the fetch's reference at the end.
     */
    void fetch(CachedBucket bucket, String key) {
      synchronized (this) {
        if (claimed) {
          return;
        }
        claimed = true;
      }
      try {
        int done = 0;
        for (int attempt = 0; done < length; attempt++) {
          if (attempt == 2) {
            throw ended(key, start + done);
          }
          if (abandoned()) {
            throw new IOException("read of " + key + " cancelled");
          }
          InputStream in = bucket.read(key, start + done, start + length - 1);
          boolean whole = false;
          try {
            while (done < length) {
              if (abandoned()) {
                throw new IOException("read of " + key + " cancelled");
              }
              int chunk = done / chunkSize;
              int within = done % chunkSize;
              int n = in.read(chunks[chunk], within, Math.min(STEP, Math.min(chunkSize - within, length - done)));
              if (n < 0) {
                break; // the body ended early: once more from here
              }
              done += n;
              progress(done);
            }
            whole = done == length;
          } catch (IOException e) {
            if (attempt == 1 || abandoned()) {
              throw e;
            } // a connection dropped mid-body (the SDK retries only until the body starts): once more
          } finally {
            finish(in, whole);
          }
        }
      } catch (IOException | RuntimeException e) {
        fail(e);
      } finally {
        unref();
      }
    }

    /** The part's GET could not even be started. */
    void reject(Exception e) {
      synchronized (this) {
        claimed = true;
      }
      fail(e);
      unref();
    }

    /** Dropped by the stream and read by nobody: the rest of the GET is not wanted. */
    private boolean abandoned() {
      return dropped && refs.get() <= 1;
    }

    private synchronized void progress(int done) {
      filled = done;
      notifyAll();
    }

    private synchronized void fail(Exception e) {
      if (error == null) {
        error = e;
      }
      notifyAll();
    }

    /**
     * Waits until the first {@code upTo} bytes are in. A small part nobody has started yet is
     * fetched right here (a thread hop saved), a larger one after {@value #CLAIM_AFTER_MS} ms
     * (the fetch threads are busy with other files).
     */
    void await(int upTo, CachedBucket bucket, String key) throws IOException {
      boolean claim;
      synchronized (this) {
        claim = !claimed && length <= CLAIMABLE;
      }
      if (claim) {
        fetch(bucket, key);
      }
      synchronized (this) {
        long deadline = System.nanoTime() + CLAIM_AFTER_MS * 1_000_000;
        while (filled < upTo && error == null) {
          long left = claimed ? 0 : (deadline - System.nanoTime()) / 1_000_000;
          if (!claimed && left <= 0) {
            break;
          }
          try {
            wait(Math.max(0, left));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read of " + key + " interrupted");
          }
        }
      }
      boolean unstarted;
      synchronized (this) {
        unstarted = !claimed;
      }
      if (unstarted) {
        fetch(bucket, key);
        await(upTo, bucket, key);
        return;
      }
      synchronized (this) {
        if (filled < upTo) {
          if (error instanceof StoreException s) {
            throw new StoreException(s.kind(), s.getMessage(), s);
          }
          if (error instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
          }
          throw new IOException("read of " + key + " failed: " + error, error);
        }
      }
    }

    /** Copies bytes already {@linkplain #await awaited} into {@code target} at index {@code at}. */
    void copy(int from, ByteBuffer target, int at, int count) {
      while (count > 0) {
        int chunk = from / chunkSize;
        int within = from % chunkSize;
        int n = Math.min(count, chunkSize - within);
        target.put(at, chunks[chunk], within, n);
        from += n;
        at += n;
        count -= n;
      }
    }

    /** Drops one reference; the last one returns the memory. */
    void unref() {
      if (refs.decrementAndGet() == 0) {
        shared.release(chunks, reserved);
      }
    }
  }
}
