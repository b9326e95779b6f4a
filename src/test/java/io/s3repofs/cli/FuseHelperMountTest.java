package io.s3repofs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The s3fs drop-in through the system's mount machinery: util-linux {@code mount -t
 * fuse.s3repofs} and an fstab line (read from a file of our own with {@code mount --fstab}, so
 * /etc/fstab is untouched) go through Debian's /sbin/mount.fuse3, which runs the program named
 * {@code s3repofs} from PATH as {@code s3repofs BUCKET MOUNTPOINT -o OPTIONS}, with the options
 * mount adds ({@code rw}, {@code dev}, {@code suid}, {@code _netdev}, ...). Files written and
 * then unmounted at once with {@code fusermount -u} (a long write-back delay keeps them queued)
 * are all in the bucket when the background mount process exits.
 */
class FuseHelperMountTest {

  @TempDir
  Path tmp;

  @Test
  void mountTypeFuseS3repofsAndAnFstabLineMountThroughMountFuse3() throws Exception {
    Mounts.assumeFuse();
    assumeTrue(Files.isExecutable(Path.of("/sbin/mount.fuse3")), "mount.fuse3 missing (Debian: fuse3)");
    assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0, "mount(8) needs root");
    // The launcher mount.fuse3 finds on PATH: scripts/s3repofs does the same from a built tree.
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path launcher = bin.resolve("s3repofs");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java")
        + "' -cp '" + System.getProperty("java.class.path") + "' " + Main.class.getName() + " \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

    String bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String options = "_netdev,nosuid,nodev,default_acl=public-read," + s3.options(s3.passwdFile(tmp, bucket))
        + ",use_cache=" + tmp.resolve("cache") + ",writeback_delay=60";
    byte[] payload = new byte[300_000];
    new java.util.Random(7).nextBytes(payload);

    // 1. what mount -t fuse.s3repofs BUCKET MNT -o ... executes: mount.fuse3 with the type's
    //    subtype; it passes rw, dev, suid to s3repofs and drops _netdev
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    run(bin, "/sbin/mount.fuse3", bucket, mnt.toString(), "-t", "s3repofs", "-o", "rw,dev,suid," + options);
    assertTrue(Mounts.isMounted(mnt), "mounted");
    Files.createDirectories(mnt.resolve("repo/x86_64"));
    Files.write(mnt.resolve("repo/x86_64/one.bin"), payload);
    Files.writeString(mnt.resolve("repo/x86_64/two.txt"), "two\n");
    unmountAndAwaitExit(bin, mnt);
    assertObject(s3, bucket, "repo/x86_64/one.bin", payload);
    assertObject(s3, bucket, "repo/x86_64/two.txt", "two\n".getBytes());

    // 2. mount(8) itself runs helpers with a fixed PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:
    //    /usr/bin:/sbin:/bin), so this part needs s3repofs installed there (scripts/install.sh
    //    /usr/local); the test does not install into the system it shares.
    boolean installed = java.util.stream.Stream.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
        .anyMatch(d -> Files.isExecutable(Path.of(d, "s3repofs")));
    if (!installed) {
      System.out.println("FuseHelperMountTest: mount -t / fstab part skipped: s3repofs is not installed on mount(8)'s PATH");
      return;
    }
    run(bin, "mount", "-t", "fuse.s3repofs", bucket, mnt.toString(), "-o", options);
    Files.writeString(mnt.resolve("repo/x86_64/via-mount.txt"), "m\n");
    unmountAndAwaitExit(bin, mnt);
    assertObject(s3, bucket, "repo/x86_64/via-mount.txt", "m\n".getBytes());
    // 3. the fstab line of the README, mounted by its mount point (from a file of our own)
    Path fstab = tmp.resolve("fstab");
    Files.writeString(fstab, bucket + " " + mnt + " fuse.s3repofs " + options + ",x-systemd.automount 0 0\n");
    run(bin, "mount", "--fstab", fstab.toString(), mnt.toString());
    assertTrue(Mounts.isMounted(mnt), "mounted from the fstab line");
    assertArrayEquals(payload, Files.readAllBytes(mnt.resolve("repo/x86_64/one.bin")));
    Files.writeString(mnt.resolve("repo/x86_64/three.txt"), "three\n");
    unmountAndAwaitExit(bin, mnt);
    assertObject(s3, bucket, "repo/x86_64/three.txt", "three\n".getBytes());
  }

  private static void assertObject(S3Endpoint s3, String bucket, String key, byte[] expected) throws Exception {
    HttpResponse<byte[]> r = s3.anonymousGet(bucket, key);
    assertEquals(200, r.statusCode(), key);
    assertArrayEquals(expected, r.body(), key);
  }

  /** fusermount -u, then waits for the background mount process (its pid from status) to exit. */
  private void unmountAndAwaitExit(Path bin, Path mnt) throws Exception {
    java.io.StringWriter status = new java.io.StringWriter();
    assertEquals(0, Main.run(new java.io.PrintWriter(status, true), new java.io.PrintWriter(System.err, true),
        "status", mnt.toString()), status.toString());
    long pid = Long.parseLong(status.toString().lines().filter(l -> l.startsWith("pid:")).findFirst()
        .orElseThrow().substring(4).trim());
    ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
    run(bin, "fusermount", "-u", mnt.toString());
    daemon.onExit().get(120, TimeUnit.SECONDS);
  }

  private static void run(Path bin, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), List.of(command) + " timed out");
    assertEquals(0, p.exitValue(), List.of(command) + ": " + out);
  }
}
