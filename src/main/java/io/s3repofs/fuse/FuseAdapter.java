package io.s3repofs.fuse;

import com.kenai.jffi.MemoryIO;
import io.s3repofs.fs.FileAttributes;
import io.s3repofs.fs.FileSystemCore;
import io.s3repofs.fs.FsException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import jnr.ffi.Pointer;
import jnr.ffi.types.dev_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The jnr-fuse adapter: each FUSE callback becomes one call on the {@link FileSystemCore}, and
 * its {@link FsException} becomes a negative errno. Nothing else happens here.
 */
public final class FuseAdapter extends FuseStubFS {

  private static final Logger LOG = LoggerFactory.getLogger(FuseAdapter.class);
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  /** FUSE reads and writes are at most 128 KiB here (max_write=131072, the kernel's max_read). */
  private static final int BUFFER_SIZE = 128 << 10;
  /** Buffers kept for reuse: as many as calls usually run at once; more calls allocate. */
  private static final int POOLED_BUFFERS = 64;
  /** Makes a ByteBuffer view of native memory (JNI's NewDirectByteBuffer: nothing to free). */
  private static final MemoryIO NATIVE = MemoryIO.getInstance();

  /**
   * The core the callbacks call: set once by {@link #serve} before the mount. jnr-fuse's set-up
   * (loading libfuse, generating a stub for each callback) takes a tenth of a second of CPU, so a
   * mount builds the adapter on another thread while it checks the bucket.
   */
  private volatile FileSystemCore fs;
  /**
   * Reusable buffers for read and write. Not one per thread: the session loop's workers come
   * and go with the load ({@link FuseLoop}), and a buffer per thread would go with each.
   */
  private final ArrayBlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(POOLED_BUFFERS);

  /** The session loop whose threads call the callbacks; libfuse is loaded with the adapter. */
  private final FuseLoop loop = new FuseLoop();

  /** An adapter that serves no core yet: {@link #serve} before mounting it. */
  public FuseAdapter() {}

  /**
   * Mounts at {@code mountPoint} with libfuse's {@code fuseOptions} and serves the core until
   * the file system is unmounted ({@code fusermount -u}, or SIGTERM: a shutdown hook unmounts,
   * as jnr-fuse's {@code mount} does). Replaces jnr-fuse's {@code mount}, whose libfuse loop
   * runs the callbacks on libfuse's threads (see {@link FuseLoop} for why not). {@code onMounted}
   * runs once the kernel has the mount, before the first request is served.
   *
   * @throws ru.serce.jnrfuse.FuseException when libfuse could not mount (it has printed why)
   */
  public void run(java.nio.file.Path mountPoint, String[] fuseOptions, Runnable onMounted) {
    if (fs == null) {
      throw new IllegalStateException("serve(core) first");
    }
    if (!mounted.compareAndSet(false, true)) {
      throw new ru.serce.jnrfuse.FuseException("already mounted");
    }
    this.mountPoint = mountPoint;
    String[] argv = new String[3 + fuseOptions.length];
    argv[0] = getFSName();
    argv[1] = "-f";
    argv[2] = mountPoint.toAbsolutePath().toString();
    System.arraycopy(fuseOptions, 0, argv, 3, fuseOptions.length);
    Thread unmountOnExit = new Thread(this::umount, "s3repofs-unmount-on-exit");
    Runtime.getRuntime().addShutdownHook(unmountOnExit);
    try {
      if (!loop.run(argv, fuseOperations, onMounted)) {
        throw new ru.serce.jnrfuse.FuseException("libfuse could not mount " + mountPoint);
      }
    } finally {
      mounted.set(false);
      try {
        Runtime.getRuntime().removeShutdownHook(unmountOnExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) already: it is a no-op now that mounted is false
      }
    }
  }

  /** Makes the callbacks call {@code core}; once, before the mount. */
  public synchronized FuseAdapter serve(FileSystemCore core) {
    if (fs != null) {
      throw new IllegalStateException("this adapter serves a core already");
    }
    fs = java.util.Objects.requireNonNull(core, "core");
    return this;
  }

  @FunctionalInterface
  private interface Operation {
    int run() throws FsException;
  }

  /** S3REPOFS_TRACE set: every call but read and write is logged with its result, for debugging. */
  private static final boolean TRACE = System.getenv("S3REPOFS_TRACE") != null;

  private int call(String name, String path, Operation op) {
    try {
      int rc = op.run();
      if (TRACE && !name.equals("read") && !name.equals("write")) {
        LOG.info("trace: {} {} -> {}", name, path, rc);
      }
      return rc;
    } catch (FsException e) {
      if (TRACE) {
        LOG.info("trace: {} {} -> {}", name, path, e.errno());
      }
      if (e.errno() == io.s3repofs.fs.Errno.EIO || e.errno() == io.s3repofs.fs.Errno.ENOSPC) {
        LOG.warn("{} {}: {}", name, path, e.getMessage());
      }
      return -e.errno().value();
    } catch (RuntimeException | Error e) {
      LOG.error("{} {} failed", name, path, e);
      return -ErrorCodes.EIO();
    }
  }

  private byte[] borrow(long size) {
    if (size > BUFFER_SIZE) {
      return new byte[(int) size];
    }
    byte[] b = buffers.poll();
    return b != null ? b : new byte[BUFFER_SIZE];
  }

  private void giveBack(byte[] b) {
    if (b.length == BUFFER_SIZE) {
      buffers.offer(b); // dropped when the pool is full
    }
  }

  private static void fill(FileStat stat, FileAttributes a) {
    stat.st_mode.set(a.mode());
    stat.st_uid.set(a.uid());
    stat.st_gid.set(a.gid());
    stat.st_size.set(a.size());
    stat.st_nlink.set(a.links());
    stat.st_rdev.set(a.rdev());
    stat.st_blksize.set(4096);
    stat.st_blocks.set((a.size() + 511) / 512);
    stat.st_atim.tv_sec.set(a.atimeNanos() / 1_000_000_000L);
    stat.st_atim.tv_nsec.set(a.atimeNanos() % 1_000_000_000L);
    stat.st_mtim.tv_sec.set(a.mtimeNanos() / 1_000_000_000L);
    stat.st_mtim.tv_nsec.set(a.mtimeNanos() % 1_000_000_000L);
    stat.st_ctim.tv_sec.set(a.ctimeNanos() / 1_000_000_000L);
    stat.st_ctim.tv_nsec.set(a.ctimeNanos() % 1_000_000_000L);
  }

  private int callerUid() {
    FuseContext c = getContext();
    return c.uid.intValue();
  }

  private int callerGid() {
    FuseContext c = getContext();
    return c.gid.intValue();
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return call("getattr", path, () -> {
      fill(stat, fs.getattr(path));
      return 0;
    });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return call("fgetattr", path, () -> {
      fill(stat, fs.fgetattr(fi.fh.get()));
      return 0;
    });
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
    return call("readdir", path, () -> {
      filler.apply(buf, ".", null, 0);
      filler.apply(buf, "..", null, 0);
      for (String name : fs.readdir(path)) {
        filler.apply(buf, name, null, 0);
      }
      return 0;
    });
  }

  @Override
  public int mkdir(String path, @mode_t long mode) {
    return call("mkdir", path, () -> {
      fs.mkdir(path, (int) mode, callerUid(), callerGid());
      return 0;
    });
  }

  @Override
  public int rmdir(String path) {
    return call("rmdir", path, () -> {
      fs.rmdir(path);
      return 0;
    });
  }

  @Override
  public int create(String path, @mode_t long mode, FuseFileInfo fi) {
    return call("create", path, () -> {
      fi.fh.set(fs.create(path, (int) mode, fi.flags.get(), callerUid(), callerGid()));
      return 0;
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return call("open", path, () -> {
      fi.fh.set(fs.open(path, fi.flags.get()));
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return call("read", path, () -> {
      if (buf.isDirect()) { // the kernel's reply buffer, filled in place: no copy through the heap
        return fs.read(fi.fh.get(), offset, NATIVE.newDirectByteBuffer(buf.address(), (int) size));
      }
      byte[] bytes = borrow(size);
      try {
        int n = fs.read(fi.fh.get(), offset, bytes, (int) size);
        buf.put(0, bytes, 0, n);
        return n;
      } finally {
        giveBack(bytes);
      }
    });
  }

  @Override
  public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
    return call("write", path, () -> {
      if (buf.isDirect()) { // the kernel's request buffer, seen in place: no copy into the heap
        return fs.write(fi.fh.get(), offset, NATIVE.newDirectByteBuffer(buf.address(), (int) size));
      }
      byte[] bytes = borrow(size);
      try {
        buf.get(0, bytes, 0, (int) size);
        return fs.write(fi.fh.get(), offset, bytes, (int) size);
      } finally {
        giveBack(bytes);
      }
    });
  }

  @Override
  public int truncate(String path, @off_t long size) {
    return call("truncate", path, () -> {
      fs.truncate(path, size);
      return 0;
    });
  }

  @Override
  public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
    return call("ftruncate", path, () -> {
      fs.ftruncate(fi.fh.get(), size);
      return 0;
    });
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    return call("flush", path, () -> {
      fs.flush(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    return call("fsync", path, () -> {
      fs.fsync(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return call("release", path, () -> {
      fs.release(fi.fh.get());
      return 0;
    });
  }

  @Override
  public int unlink(String path) {
    return call("unlink", path, () -> {
      fs.unlink(path);
      return 0;
    });
  }

  @Override
  public int rename(String oldpath, String newpath) {
    return call("rename", oldpath, () -> {
      fs.rename(oldpath, newpath);
      return 0;
    });
  }

  @Override
  public int mknod(String path, @mode_t long mode, @dev_t long rdev) {
    return call("mknod", path, () -> {
      fs.mknod(path, (int) mode, rdev, callerUid(), callerGid());
      return 0;
    });
  }

  @Override
  public int symlink(String target, String linkpath) {
    return call("symlink", linkpath, () -> {
      fs.symlink(target, linkpath, callerUid(), callerGid());
      return 0;
    });
  }

  @Override
  public int readlink(String path, Pointer buf, @size_t long size) {
    return call("readlink", path, () -> {
      byte[] target = fs.readlink(path).getBytes(StandardCharsets.UTF_8);
      int n = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, n);
      buf.putByte(n, (byte) 0);
      return 0;
    });
  }

  @Override
  public int link(String oldpath, String newpath) {
    return call("link", newpath, () -> {
      fs.link(oldpath, newpath);
      return 0;
    });
  }

  @Override
  public int chmod(String path, @mode_t long mode) {
    return call("chmod", path, () -> {
      fs.chmod(path, (int) mode);
      return 0;
    });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return call("chown", path, () -> {
      fs.chown(path, (int) uid, (int) gid);
      return 0;
    });
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    return call("utimens", path, () -> {
      fs.utimens(path, nanos(timespec[0]), nanos(timespec[1]));
      return 0;
    });
  }

  private static long nanos(Timespec t) {
    long nsec = t.tv_nsec.longValue();
    if (nsec == UTIME_OMIT) {
      return -1;
    }
    if (nsec == UTIME_NOW) {
      java.time.Instant now = java.time.Instant.now();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
    return t.tv_sec.get() * 1_000_000_000L + nsec;
  }

  /**
   * mkdir and rmdir reach the bucket before they return; a file's name reaches it with the file's
   * upload, which fsync on the file waits for. fsync on a directory succeeds without waiting
   * (tools such as rsync and editors call it and fail on ENOSYS).
   */
  @Override
  public int fsyncdir(String path, FuseFileInfo fi) {
    return call("fsyncdir", path, () -> {
      fs.getattr(path);
      return 0;
    });
  }

  @Override
  public int statfs(String path, Statvfs stbuf) {
    // An object store has no fixed size; report plenty of room, as s3fs does.
    stbuf.f_bsize.set(4096);
    stbuf.f_frsize.set(4096);
    stbuf.f_blocks.set(1L << 36);
    stbuf.f_bfree.set(1L << 36);
    stbuf.f_bavail.set(1L << 36);
    stbuf.f_files.set(1L << 32);
    stbuf.f_ffree.set(1L << 32);
    stbuf.f_favail.set(1L << 32);
    stbuf.f_namemax.set(255);
    return 0;
  }

  @Override
  public int access(String path, int mask) {
    // The kernel checks permissions (default_permissions); here only existence matters.
    return call("access", path, () -> {
      fs.getattr(path);
      return 0;
    });
  }
}
