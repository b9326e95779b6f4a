package io.s3repofs.cli;

import io.s3repofs.daemon.MountConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;

/**
 * Runs a mount in the background as s3fs does: the same command runs with {@code -f} in a new
 * session, its output going to {@code mount.log} in the cache directory, and this process exits
 * once the mount is up, or reports the background process's one-line error (a wrong key, a
 * missing bucket) if it exits first. This process checks the bucket at the same time, so a
 * failure is reported without waiting for the second JVM to start.
 */
final class Daemon {

  private Daemon() {}

  static int start(MountConfig config, MountCommand command) throws IOException, InterruptedException {
    Files.createDirectories(config.cache().directory());
    Path log = config.cache().directory().resolve("mount.log");
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String jvmOptions = System.getenv("S3REPOFS_JAVA_OPTS");
    if (jvmOptions != null && !jvmOptions.isBlank()) {
      cmd.addAll(List.of(jvmOptions.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(command.arguments());
    Process child = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectErrorStream(true)
        .start();
    // The background process checks the bucket before it mounts; this process checks it too,
    // meanwhile, so that wrong keys or an unreachable endpoint are reported without waiting
    // for a second JVM to start.
    CompletableFuture<StoreException> check = CompletableFuture.supplyAsync(() -> failedCheck(config));
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      if (MountTable.isMounted(config.mountPoint())) {
        return 0;
      }
      StoreException failed = check.getNow(null);
      if (failed != null) {
        child.destroy();
        child.waitFor(10, TimeUnit.SECONDS);
        if (MountTable.isMounted(config.mountPoint())) {
          return 0; // the background process got through after all
        }
        throw new Failure(failed.getMessage());
      }
      if (!child.isAlive()) {
        throw new Failure(lastLine(log, logStart) + " (log: " + log + ")");
      }
      Thread.sleep(50);
    }
    child.destroy();
    throw new Failure("mount did not come up within 60 s (log: " + log + ")");
  }

  /** The bucket check's failure, or null when it passed (or could not tell). */
  private static StoreException failedCheck(MountConfig config) {
    try (ObjectStore store = new ObjectStore(config.store())) {
      store.checkAccess();
      return null;
    } catch (StoreException e) {
      return e;
    } catch (RuntimeException e) {
      return null; // the background process reports it
    }
  }

  /**
   * What the background process said before it exited (from {@code start} on), as one line:
   * its own error, after libfuse's reasons if it printed any.
   */
  private static String lastLine(Path log, long start) throws IOException {
    byte[] all = Files.readAllBytes(log);
    List<String> lines = new String(all, (int) Math.min(start, all.length), (int) Math.max(0, all.length - start),
        java.nio.charset.StandardCharsets.UTF_8).lines().toList();
    List<String> fuse = lines.stream().filter(l -> l.startsWith("fuse: ") || l.startsWith("fusermount: ")).toList();
    if (!fuse.isEmpty()) {
      return String.join("; ", fuse);
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        return line.replaceFirst("^s3repofs: ", "");
      }
    }
    return "the mount process exited";
  }
}
