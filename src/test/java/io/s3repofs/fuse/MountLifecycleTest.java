package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a mount starts and ends: in the background like s3fs, by umount, by SIGTERM. */
class MountLifecycleTest {

  @TempDir Path tmp;

  private String options(S3Endpoint s3, String bucket, String extra) throws Exception {
    return s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache=" + tmp.resolve("cache") + extra;
  }

  @Test
  void backgroundMountEndsWithUmountOnceEverythingIsUploaded() throws Exception {
    Mounts.assumeFuse();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process parent = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "mount", bucket, mnt.toString(), "-o", options(s3, bucket, ",writeback_delay=120"))
        .redirectErrorStream(true).start();
    assertTrue(parent.waitFor(60, TimeUnit.SECONDS), "the launching process returns once mounted");
    assertEquals(0, parent.exitValue(), new String(parent.getInputStream().readAllBytes()));
    assertTrue(Mounts.isMounted(mnt));
    Shell.bash(mnt, "head -c 200000 /dev/urandom > f.bin && cp f.bin " + tmp + "/f.bin");

    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "umount", mnt.toString()),
        err.toString());
    assertFalse(Mounts.isMounted(mnt));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("f.bin")), s3.anonymousGet(bucket, "f.bin").body(),
        "umount returned only after the 120 s write-back delay was cut short by the drain");
  }

  @Test
  void sigtermUnmountsAndUploadsBeforeExiting() throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    Process mount = Mounts.mountInChild(bucket, mnt, options(s3, bucket, ",writeback_delay=120"), tmp.resolve("log"));
    Shell.bash(mnt, "echo last words > note.txt");
    long start = System.nanoTime();
    mount.destroy(); // SIGTERM
    assertTrue(mount.waitFor(60, TimeUnit.SECONDS));
    System.out.println("SIGTERM to exit: " + (System.nanoTime() - start) / 1_000_000 + " ms");
    assertEquals(143, mount.exitValue(), "terminated by SIGTERM, after the drain: " + Files.readString(tmp.resolve("log")));
    assertEquals("last words\n", new String(s3.anonymousGet(bucket, "note.txt").body()));
    for (int i = 0; i < 100 && Mounts.isMounted(mnt); i++) {
      Thread.sleep(50);
    }
    assertFalse(Mounts.isMounted(mnt));
  }
}
