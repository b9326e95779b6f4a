package io.s3repofs.daemon;

import io.s3repofs.cache.CacheSettings;
import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.fs.FileSystemCore;
import io.s3repofs.fuse.FuseAdapter;
import io.s3repofs.store.ObjectStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One mount: the layers wired together over a cache directory that only this process uses, the
 * FUSE session, and the drain of pending uploads after it ends.
 */
public final class MountedFilesystem implements AutoCloseable {

  private final MountConfig config;
  private final ObjectStore store;
  private final FileSystemCore fs;
  private final FuseAdapter adapter;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final int recovered;
  private volatile String state = "starting";

  private MountedFilesystem(MountConfig config, ObjectStore store, FileSystemCore fs, FuseAdapter adapter,
      FileChannel lockChannel, FileLock lock, int recovered) {
    this.config = config;
    this.store = store;
    this.fs = fs;
    this.adapter = adapter.serve(fs);
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.recovered = recovered;
  }

  /**
   * Checks the bucket, takes the cache directory and replays its journal. Throws
   * {@link IllegalStateException} or {@link io.s3repofs.store.StoreException} with a one-line
   * message when the mount cannot start.
   */
  public static MountedFilesystem open(MountConfig config) throws IOException {
    CacheSettings cache = config.cache();
    Files.createDirectories(cache.directory());
    FileChannel lockChannel = FileChannel.open(cache.directory().resolve(".lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = lockChannel.tryLock();
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("cache directory " + cache.directory()
          + " is in use by another s3repofs mount (use_cache=DIR picks another)");
    }
    ObjectStore.preload(); // first: the store's class sets up logging before any thread starts
    // jnr-fuse's set-up runs beside the S3 client's and the bucket check (two cores: 0.1 s sooner)
    CompletableFuture<FuseAdapter> adapter = CompletableFuture.supplyAsync(FuseAdapter::new, r -> {
      Thread t = new Thread(r, "s3repofs-fuse-setup");
      t.setDaemon(true);
      t.start();
    });
    ObjectStore store = new ObjectStore(config.store());
    try {
      store.prepareClient(); // for the first LIST, beside the bucket check
      store.checkAccess();
      CachedBucket bucket = new CachedBucket(store, cache);
      ContentFiles content = new ContentFiles(cache.directory().resolve("data"), cache.cleanBytesLimit());
      Journal journal = new Journal(cache.directory().resolve("journal"));
      WritebackQueue queue = new WritebackQueue(cache.writeBackDelay(), cache.uploadConcurrency());
      FileSystemCore fs = new FileSystemCore(bucket, content, journal, queue, config.fs());
      int recovered = fs.recover();
      return new MountedFilesystem(config, store, fs, built(adapter), lockChannel, lock, recovered);
    } catch (IOException | RuntimeException e) {
      store.close();
      lock.release();
      lockChannel.close();
      throw e;
    }
  }

  private static FuseAdapter built(CompletableFuture<FuseAdapter> adapter) {
    try {
      return adapter.join();
    } catch (CompletionException e) { // what the constructor threw (libfuse missing), as it was
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Files left by an earlier run that this mount is uploading. */
  public int recovered() {
    return recovered;
  }


  /** Mounts and blocks until the file system is unmounted. */
  public void runFuse() {
    runFuse(() -> { });
  }

  /**
   * Mounts and blocks until the file system is unmounted; {@code onMounted} runs once the kernel
   * has the mount, before the first request is served.
   */
  public void runFuse(Runnable onMounted) {
    state = "mounted";
    try {
      adapter.run(config.mountPoint(), fuseArguments(), onMounted);
    } catch (ru.serce.jnrfuse.FuseException e) {
      throw new IllegalStateException("FUSE could not mount " + config.mountPoint() + " (libfuse says why above)");
    }
  }

  private String[] fuseArguments() {
    List<String> args = new ArrayList<>();
    for (String option : config.fuseOptions()) {
      args.add("-o");
      args.add(option);
    }
    return args.toArray(String[]::new);
  }



  /** Uploads what is pending; returns how many uploads are left after the drain timeout. */
  public int drain() throws InterruptedException {
    state = "unmounted, uploading";
    int left = fs.drain(config.drainTimeout());
    state = left == 0 ? "unmounted, all uploaded" : "unmounted, " + left + " uploads pending";
    return left;
  }

  /** The write-back queue's state: what is queued, uploading and uploaded so far. */
  public WritebackQueue.Status uploads() {
    return fs.writebackStatus();
  }

  /** S3 requests this mount has sent so far, by kind. */
  public Map<String, Long> requests() {
    return store.requests().snapshot();
  }

  public Path mountPoint() {
    return config.mountPoint();
  }

  public Path cacheDirectory() {
    return config.cache().directory();
  }


  /** Human-readable status for {@code s3repofs status}. */
  public String statusText() {
    WritebackQueue.Status q = fs.writebackStatus();
    List<String> dirty = fs.dirtyOpenFiles();
    StringBuilder out = new StringBuilder();
    out.append("mount point: ").append(config.mountPoint()).append('\n');
    out.append("bucket:      ").append(config.store().displayName()).append('\n');
    out.append("pid:         ").append(ProcessHandle.current().pid()).append('\n');
    out.append("state:       ").append(state).append('\n');
    out.append("cache:       ").append(config.cache().directory()).append('\n');
    out.append("dirty:       ").append(dirty.size()).append(" open file(s) with unsaved changes\n");
    dirty.forEach(p -> out.append("  ").append(p).append('\n'));
    long queuedBytes = q.queued().stream().mapToLong(WritebackQueue.Status.Item::bytes).sum();
    out.append("queued:      ").append(q.queued().size()).append(" (").append(size(queuedBytes)).append(")\n");
    for (WritebackQueue.Status.Item item : q.queued()) {
      out.append("  ").append(item.path()).append("  ").append(size(item.bytes()))
          .append(item.millis() > 0 ? String.format(Locale.ROOT, "  due in %.1f s", item.millis() / 1000.0) : "  due")
          .append('\n');
    }
    if (q.uploading().isEmpty()) {
      out.append("uploading:   nothing\n");
    } else {
      out.append("uploading:   ").append(q.uploading().size()).append('\n');
      for (WritebackQueue.Status.Item item : q.uploading()) {
        out.append("  ").append(item.path()).append("  ").append(size(item.bytes()))
            .append(String.format(Locale.ROOT, "  for %.1f s", item.millis() / 1000.0)).append('\n');
      }
    }
    out.append("uploaded:    ").append(q.uploaded()).append(" (").append(size(q.uploadedBytes())).append(")\n");
    out.append("failures:    ").append(q.failures());
    if (q.lastError() != null) {
      out.append(" (last: ").append(q.lastError()).append(')');
    }
    out.append('\n');
    Map<String, Long> requests = store.requests().snapshot();
    out.append("requests:    ").append(requests.values().stream().mapToLong(Long::longValue).sum())
        .append(' ').append(requests).append('\n');
    boolean clean = dirty.isEmpty() && q.pendingFiles() == 0;
    out.append("in bucket:   ").append(clean ? "yes, everything closed is uploaded" : "no, uploads pending").append('\n');
    return out.toString();
  }

  private static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }

  @Override
  public void close() throws IOException {
    fs.close();
    store.close();
    lock.release();
    lockChannel.close();
  }
}
