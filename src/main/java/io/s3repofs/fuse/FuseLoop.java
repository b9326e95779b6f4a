package io.s3repofs.fuse;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.utils.MountUtils;

/**
 * libfuse's multi-threaded session loop, run by Java threads instead of libfuse's own.
 *
 * <p>Why: a FUSE callback on a thread that libfuse started enters the JVM through jffi, which
 * attaches the thread to the JVM for the call and detaches it after, every call, until that
 * thread has made 1,000 calls (jffi's {@code THREAD_ATTACH_THRESHOLD}). Each attach makes a new
 * {@link Thread} object, registers it and tears it down again: a fresh mount's cold read of
 * 1 GiB started 7,893 Java threads, and writing 400 small files through a mount 5,006.
 * Here each worker is a Java thread that calls {@code fuse_session_receive_buf} and
 * {@code fuse_session_process_buf} itself, so the callbacks run on a thread the JVM already
 * knows and jffi attaches nothing.
 *
 * <p>The worker policy is libfuse 2.9's ({@code fuse_loop_mt.c}): a worker that takes a request
 * when no other is idle starts another, a worker finding more than {@value #MAX_IDLE} idle ones
 * after its request leaves, and FORGET requests (which have no reply) do not count as busy, so
 * a burst of them starts no threads. Unlike libfuse's, the number of workers is bounded
 * ({@value #MAX_WORKERS}).
 *
 * <p>The loop ends as libfuse's does: when the kernel reports the file system unmounted
 * ({@code fusermount -u}, or jnr-fuse's unmount on SIGTERM), every worker's read returns and the
 * session is marked exited; {@link #run} then waits for all workers before it tears the session
 * down, so no worker touches freed libfuse memory.
 */
final class FuseLoop {

  private static final Logger LOG = LoggerFactory.getLogger(FuseLoop.class);
  /** libfuse 2.9's limit on idle workers. */
  static final int MAX_IDLE = 10;
  /**
   * At most this many workers: far more than the kernel has outstanding at once in practice (its
   * 12 background requests plus one synchronous request per calling thread).
   */
  static final int MAX_WORKERS = 256;
  private static final int EINTR = 4;
  private static final int FUSE_FORGET = 2;
  private static final int FUSE_BATCH_FORGET = 42;
  /** {@code FUSE_BUF_IS_FD}: the request is in a pipe (splice), not in memory. */
  private static final int FUSE_BUF_IS_FD = 1 << 1;
  /** {@code struct fuse_buf} on LP64: size_t size; enum flags; void *mem; int fd; off_t pos. */
  private static final int BUF_SIZE_OFFSET = 0;
  private static final int BUF_FLAGS_OFFSET = 8;
  private static final int BUF_MEM_OFFSET = 16;
  private static final int BUF_STRUCT_SIZE = 40;
  /** {@code struct fuse_in_header}: uint32 len, uint32 opcode, ... */
  private static final int OPCODE_OFFSET = 4;

  /** The libfuse 2.9 calls the loop makes (all exported by libfuse.so.2). */
  public interface LibFuseSession {
    Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize,
        PointerByReference mountpoint, IntByReference multithreaded, Pointer userData);

    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    Pointer fuse_get_session(Pointer fuse);

    Pointer fuse_session_next_chan(Pointer session, Pointer channel);

    @size_t long fuse_chan_bufsize(Pointer channel);

    int fuse_session_receive_buf(Pointer session, Pointer buf, Pointer channelRef);

    void fuse_session_process_buf(Pointer session, Pointer buf, Pointer channel);

    void fuse_session_exit(Pointer session);

    int fuse_session_exited(Pointer session);
  }

  private final LibFuseSession lib;
  private final Runtime runtime;
  private final AtomicInteger names = new AtomicInteger();
  /** Set once by {@link #run} before the first worker starts; read by the workers. */
  private volatile Pointer session;
  private volatile Pointer channel;
  private volatile long bufferSize;
  private volatile int maxWorkers;
  /** Unmounted (lazily) when a worker fails, so that the others' reads return and the loop ends. */
  private volatile Path mountPoint;

  @GuardedBy("this")
  private int workers;
  @GuardedBy("this")
  private int idle;

  /** Loads libfuse (the library jnr-fuse uses: {@code libfuse.so.2}). */
  FuseLoop() {
    LibFuseSession loaded;
    try {
      loaded = LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      loaded = LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
    }
    this.lib = loaded;
    this.runtime = Runtime.getRuntime(loaded);
  }

  /**
   * Mounts with {@code argv} (libfuse's command line: program name, {@code -f}, the mount point,
   * options), serves the callbacks in {@code operations} until the file system is unmounted,
   * and returns; false when libfuse could not mount (it has printed why). {@code onMounted} runs
   * once the kernel has the mount, just before the first worker starts.
   */
  boolean run(String[] argv, FuseOperations operations, Runnable onMounted) {
    PointerByReference mountpoint = new PointerByReference();
    IntByReference multithreaded = new IntByReference();
    Pointer fuse = lib.fuse_setup(argv.length, argv, operations, jnr.ffi.Struct.size(operations),
        mountpoint, multithreaded, null);
    if (fuse == null) {
      return false;
    }
    try {
      session = lib.fuse_get_session(fuse);
      channel = lib.fuse_session_next_chan(session, null);
      bufferSize = lib.fuse_chan_bufsize(channel);
      maxWorkers = multithreaded.intValue() != 0 ? MAX_WORKERS : 1;
      mountPoint = Path.of(argv[2]);
      onMounted.run();
      boolean interrupted = false;
      synchronized (this) {
        startWorker();
        while (workers > 0) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true; // the session must not be torn down under a worker
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    } finally {
      // every worker has left: nothing uses the session any more
      lib.fuse_teardown(fuse, mountpoint.getValue());
    }
    return true;
  }

  @GuardedBy("this")
  private void startWorker() {
    assert Thread.holdsLock(this);
    workers++;
    idle++;
    Thread t = new Thread(this::work, "s3repofs-fuse-worker-" + names.incrementAndGet());
    t.setDaemon(true);
    t.start();
  }

  private void work() {
    Pointer buf = Memory.allocateDirect(runtime, BUF_STRUCT_SIZE, true);
    Pointer mem = Memory.allocateDirect(runtime, bufferSize);
    Pointer channelRef = Memory.allocateDirect(runtime, runtime.addressSize(), true);
    try {
      while (lib.fuse_session_exited(session) == 0) {
        buf.putLongLong(BUF_SIZE_OFFSET, bufferSize);
        buf.putInt(BUF_FLAGS_OFFSET, 0);
        buf.putAddress(BUF_MEM_OFFSET, mem.address());
        channelRef.putAddress(0, channel.address());
        int res = lib.fuse_session_receive_buf(session, buf, channelRef);
        if (res == -EINTR) {
          continue;
        }
        if (res <= 0) {
          if (res < 0) {
            LOG.error("reading /dev/fuse failed (errno {}); the mount is ending", -res);
            fail();
          }
          break;
        }
        boolean forget = false;
        if ((buf.getInt(BUF_FLAGS_OFFSET) & FUSE_BUF_IS_FD) == 0) {
          int opcode = mem.getInt(OPCODE_OFFSET);
          forget = opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET;
        }
        taken(forget);
        lib.fuse_session_process_buf(session, buf, channelRef.getPointer(0));
        if (done(forget)) {
          return; // retired: counted out by done()
        }
      }
    } catch (RuntimeException | Error e) {
      LOG.error("FUSE worker failed; the mount is ending", e);
      fail();
    }
    synchronized (this) {
      workers--;
      idle--;
      notifyAll();
    }
  }

  /**
   * Ends the session after a worker failed. libfuse's loop cancels its blocked workers; these are
   * Java threads blocked in read(2), which only the end of the connection releases: so unmount.
   */
  private void fail() {
    lib.fuse_session_exit(session);
    MountUtils.umount(mountPoint);
  }

  /** A request was taken: one idle worker fewer; start one when none is left. */
  private synchronized void taken(boolean forget) {
    if (forget) {
      return;
    }
    idle--;
    if (idle == 0 && workers < maxWorkers && lib.fuse_session_exited(session) == 0) {
      startWorker();
    }
  }

  /** A request was answered; true when this worker should leave (too many idle). */
  private synchronized boolean done(boolean forget) {
    if (!forget) {
      idle++;
    }
    if (idle > MAX_IDLE) {
      idle--;
      workers--;
      notifyAll();
      return true;
    }
    return false;
  }
}
