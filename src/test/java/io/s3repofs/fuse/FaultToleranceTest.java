package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.testing.FlakyProxy;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real faults: a full cache disk and an S3 server whose connections drop. Nothing is lost. */
class FaultToleranceTest {

  @TempDir Path tmp;

  @Test
  void aFullCacheDiskFailsTheWriteWithEnospcAndLosesNothingElse() throws Exception {
    Mounts.assumeFuse();
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root");
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path small = Files.createDirectories(tmp.resolve("small-disk"));
    Shell.bash(null, "mount -t tmpfs -o size=4m tmpfs " + small);
    try {
      Path mnt = tmp.resolve("mnt");
      try (Mounts.InProcess mount = Mounts.mount(bucket, mnt,
          s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache=" + small)) {
        Shell.bash(mnt, "echo before > a.txt");
        Shell.Result full = Shell.run(mnt, "bash", "-c", "head -c 8388608 /dev/zero > big.bin");
        assertNotEquals(0, full.exitCode());
        assertTrue(full.output().contains("No space left on device"), full.output());
        Shell.bash(mnt, "rm big.bin && echo after > b.txt && test \"$(cat a.txt)\" = before");
        assertEquals(0, mount.unmount(), mount.stderr());
      }
      assertEquals("before\n", new String(s3.anonymousGet(bucket, "a.txt").body()));
      assertEquals("after\n", new String(s3.anonymousGet(bucket, "b.txt").body()));
      assertEquals(404, s3.anonymousGet(bucket, "big.bin").statusCode());
    } finally {
      Shell.run(null, "umount", "-l", small.toString());
    }
  }

  @Test
  void uploadsSurviveDroppedConnectionsAndUnmountWaitsForThem() throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    try (FlakyProxy proxy = new FlakyProxy(s3.url())) {
      Path mnt = tmp.resolve("mnt");
      String options = "url=" + proxy.endpoint() + ",use_path_request_style,passwd_file=" + s3.passwdFile(tmp, bucket)
          + ",default_acl=public-read,use_cache=" + tmp.resolve("cache") + ",retries=2,writeback_delay=60";
      try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
        Shell.bash(mnt, "head -c 300000 /dev/urandom > pkg.bin && cp pkg.bin " + tmp + "/expected.bin");
        proxy.dropConnections(true);
        Shell.bash(null, "fusermount -u " + mnt);
        Thread.sleep(3000); // the drain is failing and retrying now
        StringWriter status = new StringWriter();
        Main.run(new PrintWriter(status, true), new PrintWriter(new StringWriter()), "status", mnt.toString());
        assertTrue(status.toString().matches("(?s).*failures:    [1-9].*"), status.toString());
        assertTrue(status.toString().contains("in bucket:   no"), status.toString());
        proxy.dropConnections(false);
        assertEquals(0, mount.awaitExit(), mount.stderr());
      }
    }
    assertEquals(300000, s3.anonymousGet(bucket, "pkg.bin").body().length);
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(tmp.resolve("expected.bin")),
        s3.anonymousGet(bucket, "pkg.bin").body());
  }
}
