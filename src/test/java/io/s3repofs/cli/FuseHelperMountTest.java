package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The s3fs drop-in through the system's mount machinery. Debian's /sbin/mount.fuse3 turns
 * {@code mount.fuse3 BUCKET MNT -t s3repofs -o OPTS} into {@code /bin/sh -c 's3repofs' 'BUCKET'
 * 'MNT' '-o' 'OPTS'}, with the options mount adds ({@code rw}, {@code dev}, {@code suid}) and
 * without those meant for mount itself ({@code _netdev}, {@code nofail}, {@code x-systemd.*}).
 * util-linux {@code mount -t fuse.s3repofs} and an fstab line (read from a file of our own with
 * {@code mount -T FILE}, so /etc/fstab is untouched) run mount.fuse3 with PATH removed from the
 * environment, so that shell looks {@code s3repofs} up in its default PATH
 * ({@link #HELPER_PATH}) only. Files written and then unmounted at once with {@code fusermount
 * -u} (a long write-back delay keeps them queued) are all in the bucket, with their bytes, when
 * the background mount process exits.
 */
class FuseHelperMountTest {

  /** Where mount(8)'s helpers find {@code s3repofs}: /bin/sh's default PATH (mount drops PATH). */
  static final List<String> HELPER_PATH =
      List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

  @TempDir
  Path tmp;

  @Test
  void mountFuse3RunsS3repofsWithTheOptionsMountAdds() throws Exception {
    assumeMountHelpers();
    Path bin = testLauncherDir();
    String bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String options = options(s3, bucket);
    byte[] payload = payload();

    // what mount -t fuse.s3repofs BUCKET MNT -o ... executes: mount.fuse3 with the type's
    // subtype; it passes rw, dev, suid to s3repofs and drops _netdev
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    run(bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "/sbin/mount.fuse3", bucket, mnt.toString(), "-t", "s3repofs",
        "-o", "rw,dev,suid," + options);
    try {
      assertTrue(Mounts.isMounted(mnt), "mounted");
      Files.createDirectories(mnt.resolve("repo/x86_64"));
      Files.write(mnt.resolve("repo/x86_64/one.bin"), payload);
      Files.writeString(mnt.resolve("repo/x86_64/two.txt"), "two\n");
      unmountAndAwaitExit(mnt);
    } finally {
      unmountIfMounted(mnt);
    }
    assertObject(s3, bucket, "repo/x86_64/one.bin", payload);
    assertObject(s3, bucket, "repo/x86_64/two.txt", "two\n".getBytes());
  }

  /**
   * {@code mount -t fuse.s3repofs} and the README's fstab line through {@code mount -T}. mount(8)
   * finds the helper only in {@link #HELPER_PATH}, so unless something named {@code s3repofs}
   * is there already (which is then used and left alone), the test installs the launcher with
   * scripts/install.sh into a temporary prefix and links /usr/local/bin/s3repofs to it for its
   * own duration; it removes that link (and nothing else there) at the end.
   */
  @Test
  void mountTypeFuseS3repofsAndAnFstabLineThroughMount8() throws Exception {
    assumeMountHelpers();
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/mount")) || Files.isExecutable(Path.of("/bin/mount")),
        "mount(8) is missing (Debian: mount)");
    assumeTrue(Shell.run(null, "mount", "--help").output().contains("--fstab"),
        "this mount(8) has no -T/--fstab (util-linux 2.19 or later has)");

    Optional<Path> present = HELPER_PATH.stream().map(d -> Path.of(d, "s3repofs"))
        .filter(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)).findFirst();
    Path launcher = null;
    Path link = null;
    if (present.isPresent()) {
      assumeTrue(Files.isExecutable(present.get()), present.get() + " is on mount(8)'s helper PATH but is not"
          + " executable (a dangling link?); the test does not touch it: remove it to run this test");
      System.out.println("FuseHelperMountTest: mount(8) runs the s3repofs already installed: " + present.get()
          + " -> " + present.get().toRealPath());
    } else {
      launcher = installedLauncher();
      link = Path.of("/usr/local/bin/s3repofs");
      assumeTrue(Files.isDirectory(link.getParent()), "/usr/local/bin does not exist (the test creates no directory there)");
      try {
        Files.createSymbolicLink(link, launcher);
      } catch (FileAlreadyExistsException raced) {
        link = null;  // someone else's, made meanwhile: use it, leave it
        launcher = null;
      }
    }
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    try {
      String bucket = S3TestServer.newBucket();
      S3Endpoint s3 = S3Endpoint.s3proxy();
      String options = options(s3, bucket);
      byte[] payload = payload();
      // mount(8) is given no directory of ours on PATH (and drops PATH for its helpers anyway)
      String path = "/usr/sbin:/usr/bin:/sbin:/bin";

      // 1. mount -t fuse.s3repofs BUCKET MNT -o ...
      run(path, "mount", "-t", "fuse.s3repofs", bucket, mnt.toString(), "-o", options);
      assertTrue(Mounts.isMounted(mnt), "mounted by mount -t fuse.s3repofs");
      assertDaemonFrom(launcher, mnt);
      Files.createDirectories(mnt.resolve("repo/x86_64"));
      Files.write(mnt.resolve("repo/x86_64/via-mount.bin"), payload);
      Files.writeString(mnt.resolve("repo/x86_64/via-mount.txt"), "m\n");
      unmountAndAwaitExit(mnt);
      assertObject(s3, bucket, "repo/x86_64/via-mount.bin", payload);
      assertObject(s3, bucket, "repo/x86_64/via-mount.txt", "m\n".getBytes());

      // 2. the README's fstab line (plus the test's options), mounted by its mount point from a
      //    file of our own
      Path fstab = tmp.resolve("fstab");
      Files.writeString(fstab, "# s3repofs FuseHelperMountTest\n" + bucket + " " + mnt + " fuse.s3repofs "
          + options + ",nofail,x-systemd.automount 0 0\n");
      run(path, "mount", "-T", fstab.toString(), mnt.toString());
      assertTrue(Mounts.isMounted(mnt), "mounted from the fstab line");
      assertDaemonFrom(launcher, mnt);
      assertArrayEquals(payload, Files.readAllBytes(mnt.resolve("repo/x86_64/via-mount.bin")));
      byte[] second = payload();
      second[0] ^= 1;
      Files.write(mnt.resolve("repo/x86_64/via-fstab.bin"), second);
      Files.writeString(mnt.resolve("repo/x86_64/via-fstab.txt"), "three\n");
      unmountAndAwaitExit(mnt);
      assertObject(s3, bucket, "repo/x86_64/via-mount.bin", payload);
      assertObject(s3, bucket, "repo/x86_64/via-mount.txt", "m\n".getBytes());
      assertObject(s3, bucket, "repo/x86_64/via-fstab.bin", second);
      assertObject(s3, bucket, "repo/x86_64/via-fstab.txt", "three\n".getBytes());
    } finally {
      unmountIfMounted(mnt);
      // only the link this test made, and only while it still points where the test made it point
      if (link != null && Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(launcher)) {
        Files.delete(link);
      }
    }
  }

  private static void assumeMountHelpers() {
    Mounts.assumeFuse();
    assumeTrue(Files.isExecutable(Path.of("/sbin/mount.fuse3")), "mount.fuse3 missing (Debian: fuse3)");
    assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "mount(8) and mount.fuse3 need root");
  }

  /** A launcher running this build's classes (target/classes and the test's class path). */
  private Path testLauncherDir() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path launcher = bin.resolve("s3repofs");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java")
        + "' -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }

  /**
   * The launcher of scripts/install.sh --no-build in a temporary prefix when target/ holds a jar
   * built from the current sources (scripts/test.sh builds one first, as scripts/install.sh
   * checks: nothing in src/main or pom.xml newer than it); else the test's own launcher.
   */
  private Path installedLauncher() throws Exception {
    Path jar = Path.of("target/s3repofs-0.1.0-SNAPSHOT.jar");
    String stale = null;
    if (!Files.exists(jar) || !Files.exists(Path.of("target/classpath.txt")) || !Files.isDirectory(Path.of("target/lib"))) {
      stale = "target/ holds no built jar (./mvnw -B -q -DskipTests package)";
    } else {
      FileTime built = Files.getLastModifiedTime(jar);
      try (Stream<Path> sources = Stream.concat(Stream.of(Path.of("pom.xml")), Files.walk(Path.of("src/main")))) {
        Optional<Path> newer = sources.filter(p -> {
          try {
            return Files.getLastModifiedTime(p).compareTo(built) > 0;
          } catch (IOException e) {
            return false;
          }
        }).findFirst();
        if (newer.isPresent()) {
          stale = newer.get() + " is newer than " + jar;
        }
      }
    }
    if (stale != null) {
      Path launcher = testLauncherDir().resolve("s3repofs").toRealPath();
      System.out.println("FuseHelperMountTest: " + stale + ", so /usr/local/bin/s3repofs links to the test's launcher "
          + launcher + " instead of scripts/install.sh's");
      return launcher;
    }
    Path prefix = tmp.resolve("prefix");
    Shell.bash(null, "bash scripts/install.sh --no-build '" + prefix + "'");
    Path launcher = prefix.resolve("bin/s3repofs").toRealPath();
    assertTrue(Files.isExecutable(launcher), launcher.toString());
    System.out.println("FuseHelperMountTest: installed with scripts/install.sh --no-build " + prefix
        + "; /usr/local/bin/s3repofs -> " + launcher);
    return launcher;
  }

  /**
   * The background mount process serving MNT runs the launcher's class path (if one is given),
   * started by the launcher itself (one JVM, cli/LauncherHandoff), not by a JVM of cli/Daemon's.
   */
  private static void assertDaemonFrom(Path launcher, Path mnt) throws Exception {
    String cmdline = Files.readString(Path.of("/proc/" + daemonPid(mnt) + "/cmdline")).replace('\0', ' ');
    System.out.println("FuseHelperMountTest: mount(8) started: " + cmdline.replaceAll(" -cp \\S+", " -cp ..."));
    if (launcher != null && launcher.getParent().getFileName().toString().equals("bin")
        && Files.isDirectory(launcher.getParent().resolveSibling("lib/s3repofs"))) {
      String lib = launcher.getParent().resolveSibling("lib/s3repofs").toString();
      assertTrue(cmdline.contains(lib + "/s3repofs.jar"), "not the installed launcher's class path: " + cmdline);
      assertTrue(cmdline.contains("-Ds3repofs.launcher-background=true"),
          "mount.fuse3's command line went through a second JVM: " + cmdline);
    }
  }

  private String options(S3Endpoint s3, String bucket) throws IOException {
    return "_netdev,nosuid,nodev,default_acl=public-read," + s3.options(s3.passwdFile(tmp, bucket))
        + ",use_cache=" + tmp.resolve("cache") + ",writeback_delay=60";
  }

  private static byte[] payload() {
    byte[] payload = new byte[300_000];
    new java.util.Random(7).nextBytes(payload);
    return payload;
  }

  private static void assertObject(S3Endpoint s3, String bucket, String key, byte[] expected) throws Exception {
    HttpResponse<byte[]> r = s3.anonymousGet(bucket, key);
    assertEquals(200, r.statusCode(), key);
    assertArrayEquals(expected, r.body(), key);
  }

  private static long daemonPid(Path mnt) {
    java.io.StringWriter status = new java.io.StringWriter();
    assertEquals(0, Main.run(new java.io.PrintWriter(status, true), new java.io.PrintWriter(System.err, true),
        "status", mnt.toString()), status.toString());
    return Long.parseLong(status.toString().lines().filter(l -> l.startsWith("pid:")).findFirst()
        .orElseThrow().substring(4).trim());
  }

  /** fusermount -u, then waits for the background mount process (its pid from status) to exit. */
  private static void unmountAndAwaitExit(Path mnt) throws Exception {
    ProcessHandle daemon = ProcessHandle.of(daemonPid(mnt)).orElseThrow();
    run("/usr/sbin:/usr/bin:/sbin:/bin", "fusermount", "-u", mnt.toString());
    daemon.onExit().get(120, TimeUnit.SECONDS);
  }

  /** After a failure: leave no mount of the test's behind. */
  private static void unmountIfMounted(Path mnt) throws Exception {
    if (Mounts.isMounted(mnt)) {
      Shell.run(null, "fusermount", "-u", "-z", mnt.toString());
    }
  }

  private static void run(String path, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", path);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), List.of(command) + " timed out");
    assertEquals(0, p.exitValue(), List.of(command) + ": " + out);
  }
}
