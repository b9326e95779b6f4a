package io.s3repofs.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mount of one tool, run in the foreground as our child process. While it runs, a thread
 * samples its peak resident set (VmHWM in /proc/PID/status) every 100 ms.
 */
final class Mount implements AutoCloseable {

  static final String FUSERMOUNT = Shell.onPath("fusermount3") ? "fusermount3" : "fusermount";

  final Tool tool;
  final Path mountPoint;
  final Process process;
  final double mountSeconds;
  private final Path log;
  private final AtomicLong peakRssKb = new AtomicLong();
  private final Thread sampler;

  private Mount(Tool tool, Path mountPoint, Process process, double mountSeconds, Path log) {
    this.tool = tool;
    this.mountPoint = mountPoint;
    this.process = process;
    this.mountSeconds = mountSeconds;
    this.log = log;
    this.sampler = new Thread(this::sample, "rss-" + tool.label);
    sampler.setDaemon(true);
    sampler.start();
  }

  /**
   * Mounts {@code bucket} with {@code tool} in {@code dir} (mount point dir/mnt, cache dir/cache,
   * credentials dir/passwd, log dir/mount.log) and returns once the mount point is mounted.
   */
  static Mount start(Tool tool, Path launcher, String bucket, URI endpoint, String accessKey, String secretKey,
      Path dir) throws IOException, InterruptedException {
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Path cache = Files.createDirectories(dir.resolve("cache"));
    Path passwd = dir.resolve("passwd");
    Files.writeString(passwd, bucket + ":" + accessKey + ":" + secretKey + "\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
    Path log = dir.resolve("mount-" + System.nanoTime() + ".log");
    ProcessBuilder pb = new ProcessBuilder(tool.mountCommand(launcher, bucket, mnt, endpoint, passwd, cache))
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().remove("AWS_CA_BUNDLE"); // rclone 1.60 fails with it: "unsupported transport"
    pb.environment().putAll(tool.environment(endpoint, accessKey, secretKey));
    long t0 = System.nanoTime();
    Process p = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!isMounted(mnt)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException(tool.label + " did not mount: " + tail(log));
      }
      Thread.sleep(10);
    }
    return new Mount(tool, mnt, p, (System.nanoTime() - t0) / 1e9, log);
  }

  static boolean isMounted(Path mountPoint) throws IOException {
    String needle = " " + mountPoint.toAbsolutePath() + " ";
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      if (line.contains(needle)) {
        return true;
      }
    }
    return false;
  }

  long peakRssKb() {
    readHwm();
    return peakRssKb.get();
  }

  /**
   * {@code fusermount -u} at once, then waits until the mount process has exited.
   *
   * @return seconds from the unmount until the process exited
   */
  double unmountAndWait(Duration timeout) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Shell.Result r = null;
    for (int i = 0; i < 20; i++) {
      r = Shell.run(Duration.ofSeconds(60), null, FUSERMOUNT, "-u", mountPoint.toString());
      if (r.ok() || !isMounted(mountPoint)) {
        break;
      }
      Thread.sleep(250); // busy: a child still has a file open
    }
    if (isMounted(mountPoint)) {
      throw new IOException("fusermount -u " + mountPoint + " failed: " + (r == null ? "" : r.lastLine()));
    }
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IOException(tool.label + " mount process did not exit within " + timeout.toSeconds() + " s");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  int exitStatus() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  String logTail() {
    return tail(log);
  }

  /** Cleans up after a failure: lazy unmount, kill. */
  @Override
  public void close() {
    try {
      if (isMounted(mountPoint)) {
        Shell.run(Duration.ofSeconds(30), null, FUSERMOUNT, "-uz", mountPoint.toString());
      }
    } catch (Exception ignored) {
      // killing below anyway
    }
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void sample() {
    while (process.isAlive()) {
      readHwm();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void readHwm() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          peakRssKb.accumulateAndGet(kb, Math::max);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // exited
    }
  }

  private static String tail(Path log) {
    try {
      String s = Files.readString(log).strip();
      return s.length() > 400 ? s.substring(s.length() - 400) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
