package io.s3repofs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Real FUSE mounts made through the real command line, in this JVM or in a child process. */
public final class Mounts {

  private Mounts() {}

  /** Skips the calling test, with the reason, where FUSE mounts cannot work. */
  public static void assumeFuse() {
    assumeTrue(Files.exists(Path.of("/dev/fuse")), "no /dev/fuse on this machine");
    assumeTrue(Shell.onPath("fusermount") || Shell.onPath("fusermount3"), "fusermount is not installed (Debian: fuse3)");
    assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2"))
        || Files.exists(Path.of("/lib/x86_64-linux-gnu/libfuse.so.2"))
        || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libfuse.so.2")), "libfuse.so.2 is missing (Debian: libfuse2)");
  }

  public static boolean isMounted(Path dir) throws IOException {
    String target = dir.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f.length > 4 && f[4].equals(target)) {
        return true;
      }
    }
    return false;
  }

  /** A mount running {@code s3repofs mount ... -f} on a thread of this JVM. */
  public static final class InProcess implements AutoCloseable {
    public final Path mountPoint;
    private final CompletableFuture<Integer> exit;
    private final StringWriter err = new StringWriter();

    private InProcess(Path mountPoint, List<String> args) throws Exception {
      this.mountPoint = mountPoint;
      PrintWriter errWriter = new PrintWriter(err, true);
      this.exit = CompletableFuture.supplyAsync(() -> Main.run(new PrintWriter(System.out, true), errWriter,
          args.toArray(String[]::new)));
      waitMounted(mountPoint, exit);
    }

    /** {@code fusermount -u}, then waits for the mount to finish its uploads; returns its exit code. */
    public int unmount() throws Exception {
      Shell.Result r = Shell.run(null, "fusermount", "-u", mountPoint.toString());
      if (r.exitCode() != 0) {
        throw new AssertionError("fusermount -u failed: " + r.output());
      }
      return exit.get(5, TimeUnit.MINUTES);
    }

    /** Waits for a mount already unmounted (by fusermount -u elsewhere) to exit; returns its exit code. */
    public int awaitExit() throws Exception {
      return exit.get(5, TimeUnit.MINUTES);
    }

    public String stderr() {
      return err.toString();
    }

    @Override
    public void close() throws Exception {
      if (isMounted(mountPoint)) {
        Shell.run(null, "fusermount", "-u", "-z", mountPoint.toString());
      }
      exit.get(5, TimeUnit.MINUTES);
    }
  }

  public static InProcess mount(String bucket, Path mountPoint, String options) throws Exception {
    assumeFuse();
    Files.createDirectories(mountPoint);
    List<String> args = new ArrayList<>(List.of("mount", bucket, mountPoint.toString(), "-f", "-o", options));
    return new InProcess(mountPoint, args);
  }

  /** A mount in a child JVM (so that a test can kill -9 it). */
  public static Process mountInChild(String bucket, Path mountPoint, String options, Path log) throws Exception {
    return mountInChild(bucket, mountPoint, options, log, List.of());
  }

  /** A mount in a child JVM started with the given JVM options (a small heap, say). */
  public static Process mountInChild(String bucket, Path mountPoint, String options, Path log, List<String> jvmOptions)
      throws Exception {
    assumeFuse();
    Files.createDirectories(mountPoint);
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "mount", bucket, mountPoint.toString(), "-f", "-o", options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!isMounted(mountPoint)) {
      if (!p.isAlive() || System.currentTimeMillis() > deadline) {
        throw new AssertionError("child mount did not come up: " + Files.readString(log));
      }
      Thread.sleep(20);
    }
    return p;
  }

  private static void waitMounted(Path mountPoint, CompletableFuture<Integer> exit) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    while (!isMounted(mountPoint)) {
      if (exit.isDone()) {
        throw new AssertionError("mount exited with " + exit.get() + " before it came up");
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("mount did not come up in 60 s");
      }
      Thread.sleep(20);
    }
  }
}
