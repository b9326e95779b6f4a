package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mount without {@code -f} through the launchers (scripts/s3repofs and the one install.sh
 * writes): one JVM, started by the launcher in a session of its own (cli/LauncherHandoff); the
 * command returns 0 once the file system answers, with the caller's output closed (a caller
 * reading it to the end is not kept waiting by the mount), and the mount's later output goes to
 * mount.log in its cache directory. A mount that fails says why in one line and the launcher
 * exits non-zero with nothing left running and no pipe left in TMPDIR. The same holds for s3fs's
 * command line without {@code mount} ({@code s3repofs BUCKET MOUNTPOINT -o ...}, what
 * mount.fuse3 runs for fstab lines), which the launchers turn into {@code mount} themselves.
 */
class LauncherBackgroundMountTest {

  private static final Path JAR = Path.of("target/s3repofs-0.1.0-SNAPSHOT.jar");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"checkout", "installed", "checkout s3fs-form", "installed s3fs-form"})
  void backgroundMountIsOneJvmAndFailuresAreOneLine(String which) throws Exception {
    Mounts.assumeFuse();
    assumeTrue(Files.exists(JAR) && Files.exists(Path.of("target/classpath.txt")), "the jar is not built");
    try (Stream<Path> sources = Files.walk(Path.of("src/main"))) {
      FileTime built = Files.getLastModifiedTime(JAR);
      assumeTrue(sources.noneMatch(p -> modified(p).compareTo(built) > 0), "the jar is older than src/main");
    }
    String launcher = launcher(which.split(" ")[0]);
    List<String> verb = which.endsWith("s3fs-form") ? List.of() : List.of("mount");
    Path temp = Files.createDirectories(tmp.resolve("tmpdir"));
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Path cache = tmp.resolve("cache");

    // wrong keys: one line, non-zero, nothing left behind
    Path wrong = tmp.resolve("wrong-passwd");
    Files.writeString(wrong, "nokey:nosecret\n");
    Files.setPosixFilePermissions(wrong, PosixFilePermissions.fromString("rw-------"));
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Shell.Result refused = run(temp, null, command(launcher, verb, bucket, mnt.toString(),
        "-o", s3.options(wrong) + ",use_cache=" + cache));
    assertNotEquals(0, refused.exitCode(), refused.output());
    List<String> lines = refused.output().lines().filter(l -> !l.isBlank()).toList();
    assertEquals(1, lines.size(), refused.output());
    assertTrue(lines.get(0).startsWith("s3repofs: "), refused.output());
    assertFalse(Mounts.isMounted(mnt));
    assertEquals(List.of(), mountProcesses(mnt), "a failed mount leaves no process");
    assertEquals(List.of(), list(temp), "the launcher's pipe is removed");

    // the right keys: mounted when the command returns, by a single JVM
    Path jvms = Files.createDirectories(tmp.resolve("jvms"));
    Shell.Result mounted = run(temp, jvms, command(launcher, verb, bucket, mnt.toString(),
        "-o", s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache=" + cache
            + ",writeback_delay=120"));
    try {
      assertEquals(0, mounted.exitCode(), mounted.output());
      assertEquals("", mounted.output(), "a mount that comes up says nothing, as s3fs");
      assertTrue(Mounts.isMounted(mnt), "mounted when the command returns");
      assertEquals(1, list(jvms).size(), "JVMs started for one mount: " + list(jvms));
      assertEquals(1, mountProcesses(mnt).size());
      assertEquals(List.of(), list(temp));
      Files.writeString(mnt.resolve("note.txt"), "one jvm\n");
    } finally {
      Shell.run(null, "fusermount", "-u", mnt.toString());
    }
    for (ProcessHandle p : mountProcesses(mnt)) {
      p.onExit().get(60, TimeUnit.SECONDS);
    }
    assertEquals("one jvm\n", new String(s3.anonymousGet(bucket, "note.txt").body(), StandardCharsets.UTF_8),
        "drained before the process exited");
    try (Stream<Path> logs = Files.walk(cache)) {
      Path log = logs.filter(p -> p.getFileName().toString().equals("mount.log")).findFirst().orElseThrow();
      assertTrue(Files.readString(log).contains("every file is in the bucket"), Files.readString(log));
    }
  }

  private String launcher(String which) throws Exception {
    if (which.equals("checkout")) {
      return "scripts/s3repofs";
    }
    Path prefix = tmp.resolve("prefix");
    Shell.bash(null, "bash scripts/install.sh --no-build " + prefix + " > /dev/null");
    return prefix.resolve("bin/s3repofs").toString();
  }

  private static String[] command(String launcher, List<String> verb, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(launcher);
    command.addAll(verb);
    command.addAll(List.of(args));
    return command.toArray(String[]::new);
  }

  /**
   * Runs a launcher with TMPDIR set, reading its output to the end, as a terminal would; with
   * {@code jvms}, each JVM started writes a (GC) log file of its own there, named by its pid.
   */
  private static Shell.Result run(Path temp, Path jvms, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TMPDIR", temp.toString());
    if (jvms != null) {
      pb.environment().put("S3REPOFS_JAVA_OPTS", "-Xlog:gc:file=" + jvms + "/jvm-%p.log");
    }
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes(); // EOF only when nobody holds the output
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), List.of(command).toString());
    return new Shell.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The JVMs serving (or starting) a mount on {@code mnt}, by their /proc/PID/cmdline. */
  private static List<ProcessHandle> mountProcesses(Path mnt) {
    String marker = "io.s3repofs.cli.Main mount ";
    return ProcessHandle.allProcesses().filter(p -> {
      String command = commandLine(p);
      return command.contains(marker) && command.contains(" " + mnt + " ");
    }).toList();
  }

  /** Its arguments joined by spaces; ProcessHandle.Info's can be cut short for a long class path. */
  private static String commandLine(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).replace('\0', ' ');
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }
}
