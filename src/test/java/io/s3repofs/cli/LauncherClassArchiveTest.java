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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data sharing archive (scripts/s3repofs): the first mount of a build writes
 * one at exit, and only a mount that served its file system gets its archive kept; a failed
 * mount's (a fraction of the classes) is deleted, so that the next mount writes a useful one.
 */
class LauncherClassArchiveTest {

  private static final Path JAR = Path.of("target/s3repofs-0.1.0-SNAPSHOT.jar");

  @TempDir Path tmp;

  @Test
  void onlyAMountThatServedKeepsItsArchive() throws Exception {
    Mounts.assumeFuse();
    assumeTrue(Files.exists(JAR) && Files.exists(Path.of("target/classpath.txt")), "the jar is not built");
    try (Stream<Path> sources = Files.walk(Path.of("src/main"))) {
      FileTime built = Files.getLastModifiedTime(JAR);
      assumeTrue(sources.noneMatch(p -> modified(p).compareTo(built) > 0), "the jar is older than src/main");
    }
    // a checkout of its own, so that its archive is this test's
    Path home = Files.createDirectories(tmp.resolve("checkout"));
    Path target = Files.createDirectories(home.resolve("target"));
    Files.createDirectories(home.resolve("scripts"));
    Files.copy(Path.of("scripts/s3repofs"), home.resolve("scripts/s3repofs"));
    for (String built : List.of("classpath.txt", "lib")) {
      Files.createSymbolicLink(target.resolve(built), Path.of("target", built).toAbsolutePath());
    }
    // a copy ten minutes old: the launcher drops an archive older than the jar, and the test ages archives by two
    Path jar = Files.copy(JAR, target.resolve(JAR.getFileName()));
    Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(600)));
    String launcher = home.resolve("scripts/s3repofs").toString();
    Path archive = target.resolve("s3repofs.jsa");
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));

    Path passwd = tmp.resolve("passwd");
    Files.writeString(passwd, "key:secret\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
    Shell.Result refused = Shell.run(null, launcher, "mount", "bucket", mnt.toString(), "-f",
        "-o", "url=http://127.0.0.1:9,use_path_request_style,passwd_file=" + passwd + ",use_cache=" + tmp.resolve("c1"));
    assertNotEquals(0, refused.exitCode(), refused.output());
    Path failed = onlyPending(target);
    assertFalse(Files.exists(Path.of(failed + ".ok")), "a failed mount's archive is not marked");
    age(failed);
    Shell.run(null, launcher, "--version");
    assertEquals(List.of(), pending(target), "an old unmarked archive is deleted");
    assertFalse(Files.exists(archive));

    String bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    Process mount = new ProcessBuilder(launcher, "mount", bucket, mnt.toString(), "-f", "-o",
        s3.options(s3.passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("c2"))
        .redirectErrorStream(true).redirectOutput(tmp.resolve("mount.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Mounts.isMounted(mnt)) {
        assertTrue(mount.isAlive() && System.nanoTime() < deadline, () -> log());
        Thread.sleep(20);
      }
      Files.writeString(mnt.resolve("served.txt"), "yes\n");
    } finally {
      Shell.run(null, "fusermount", "-u", mnt.toString());
      assertTrue(mount.waitFor(60, TimeUnit.SECONDS), () -> log());
    }
    assertEquals(0, mount.exitValue(), log());
    Path served = onlyPending(target);
    assertTrue(Files.exists(Path.of(served + ".ok")), "a mount that served marks its archive");
    age(served);
    age(Path.of(served + ".ok"));
    Shell.Result version = Shell.run(null, launcher, "--version");
    assertEquals(0, version.exitCode(), version.output());
    assertEquals(List.of(), pending(target));
    assertTrue(Files.size(archive) > 10 << 20, "the archive holds a mount's classes: " + Files.size(archive));
    Shell.Result mapped = Shell.run(null, launcher, "--version"); // now with -XX:SharedArchiveFile
    assertEquals(0, mapped.exitCode(), mapped.output());
  }

  /** The one archive written and not yet renamed or deleted (the marker aside). */
  private static Path onlyPending(Path target) throws IOException {
    List<Path> pending = pending(target).stream().filter(p -> !p.toString().endsWith(".ok")).toList();
    assertEquals(1, pending.size(), pending.toString());
    return pending.get(0);
  }

  private static List<Path> pending(Path target) throws IOException {
    try (Stream<Path> files = Files.list(target)) {
      return files.filter(p -> p.getFileName().toString().startsWith("s3repofs.jsa.tmp-")).sorted().toList();
    }
  }

  /** Two minutes old: the launcher leaves younger archives alone (their JVM may be writing them). */
  private static void age(Path file) throws IOException {
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(120)));
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private String log() {
    try {
      return Files.readString(tmp.resolve("mount.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }
}
