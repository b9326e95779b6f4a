package io.s3repofs.sync;

import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.daemon.MountConfig;
import io.s3repofs.daemon.MountedFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The bucket mounted by this process for the length of a sync: the same wiring as
 * {@code s3repofs mount -f} ({@link MountedFilesystem}), with FUSE on a thread of its own, so
 * that makepkg, repo-add, repose or aurutils (other processes) see an ordinary directory.
 * {@link #close()} unmounts and returns once every closed file is in the bucket.
 */
public final class InProcessMount implements AutoCloseable {

  private final MountedFilesystem mounted;
  private final CompletableFuture<Void> fuse;
  private boolean closed;
  private List<String> pendingAfterClose = List.of();

  private InProcessMount(MountedFilesystem mounted, CompletableFuture<Void> fuse) {
    this.mounted = mounted;
    this.fuse = fuse;
  }

  /**
   * Checks the bucket and keys, then mounts. Bad keys, a missing bucket or an unreachable
   * endpoint fail here, before anything is written.
   */
  public static InProcessMount open(MountConfig config) throws IOException, InterruptedException {
    Files.createDirectories(config.mountPoint());
    MountedFilesystem mounted;
    try {
      mounted = MountedFilesystem.open(config);
    } catch (io.s3repofs.store.StoreException | IllegalStateException e) {
      throw new SyncException(describe(e, config.store().bucket()));
    }
    CompletableFuture<Void> fuse = CompletableFuture.runAsync(mounted::runFuse, runnable -> {
      Thread t = new Thread(runnable, "s3repofs-sync-fuse");
      t.setDaemon(true);
      t.start();
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!isMounted(config.mountPoint())) {
      if (fuse.isDone() || System.nanoTime() > deadline) {
        mounted.close();
        throw new SyncException("FUSE could not mount the bucket at " + config.mountPoint());
      }
      Thread.sleep(20);
    }
    InProcessMount mount = new InProcessMount(mounted, fuse);
    // Ctrl-C or SIGTERM during a sync: unmount and upload what was closed before exiting (what
    // cannot be uploaded stays journaled in the cache for the next mount or sync).
    Thread hook = new Thread(() -> {
      try {
        mount.unmount();
      } catch (IOException | InterruptedException | RuntimeException e) {
        // exiting anyway
      }
    }, "s3repofs-sync-exit");
    Runtime.getRuntime().addShutdownHook(hook);
    mount.hook = hook;
    return mount;
  }

  private Thread hook;

  /** The store's message, with the AWS SDK's long "no credentials" chain said in one short line. */
  static String describe(RuntimeException e, String bucket) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("Unable to load credentials")) {
      return "no keys for bucket '" + bucket + "': put bucket:access_key:secret_key in ~/.passwd-s3fs"
          + " (mode 0600), give -o passwd_file=FILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
    }
    return message;
  }

  public Path path() {
    return mounted.mountPoint();
  }

  /** What is queued and uploading right now, and what has been uploaded. */
  public WritebackQueue.Status uploads() {
    return mounted.uploads();
  }

  /** S3 requests sent so far, by kind. */
  public Map<String, Long> requests() {
    return mounted.requests();
  }

  /** Files not in the bucket yet (queued or uploading), by path in the mount. */
  public List<String> pending() {
    WritebackQueue.Status s = mounted.uploads();
    List<String> left = new java.util.ArrayList<>();
    s.queued().forEach(i -> left.add(i.path()));
    s.uploading().forEach(i -> left.add(i.path()));
    return left;
  }

  /**
   * Unmounts and uploads what is still queued. Returns the files that could not be uploaded
   * within the drain timeout (they stay in the cache for the next mount); empty when every
   * file is in the bucket.
   */
  public synchronized List<String> unmount() throws IOException, InterruptedException {
    if (closed) {
      return pendingAfterClose;
    }
    closed = true;
    if (hook != null && Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down: the hook is what called us, or will find us closed
      }
    }
    try {
      if (isMounted(path())) {
        Process p = new ProcessBuilder(fusermount(), "-u", path().toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() != 0) {
          // something still has a file open in the mount: detach it, uploads still drain
          new ProcessBuilder(fusermount(), "-u", "-z", path().toString()).start().waitFor();
        }
      }
      try {
        fuse.get(5, TimeUnit.MINUTES);
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // FUSE ended abnormally; the queue below still holds every closed file
      }
      mounted.drain();
      pendingAfterClose = pending();
      return pendingAfterClose;
    } finally {
      mounted.close();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    unmount();
  }

  private static String fusermount() {
    return Processes.onPath("fusermount").isPresent() ? "fusermount" : "fusermount3";
  }

  static boolean isMounted(Path dir) throws IOException {
    String target = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4 && f[4].equals(target)) {
        return true;
      }
    }
    return false;
  }
}
