package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.SyscallDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mknod, mkfifo and bind(2) of a unix socket on a real mount: each node is an empty object whose
 * x-amz-meta-mode holds the file type (and x-amz-meta-rdev the device number), as s3fs stores
 * them, and a second mount of the bucket shows the same nodes.
 */
class SpecialNodesTest {
  @TempDir
  Path tmp;

  @Test
  void nodesAreEmptyObjectsWithTheirTypeInTheModeHeader() throws Exception {
    SyscallDriver driver = new SyscallDriver(tmp.resolve("driver"));
    String bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("cache");
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      assertEquals("OK", driver.call(0, 0, "mkfifo", mnt + "/fifo", "640"));
      assertEquals("OK", driver.call(0, 0, "mknod", mnt + "/tty", "020620", "4", "1"));
      assertEquals("OK", driver.call(0, 0, "mknod", mnt + "/loop", "060660", "7", "300"));
      assertEquals("OK", driver.call(0, 0, "bind", mnt + "/sock"));
      assertEquals(0, mount.unmount(), mount.stderr());
    }
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      check(store, "fifo", 0010640, null);
      check(store, "tty", 0020620, Long.toString(4 << 8 | 1));
      // minor 300: the kernel's encoding puts minor bits above 8 at bit 20
      check(store, "loop", 0060660, Long.toString((300 & 0xff) | 7 << 8 | (300 & ~0xff) << 12));
      assertEquals(0140000, Integer.parseInt(store.head("sock").orElseThrow().metadata().get("mode")) & 0170000);
    }
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      assertTrue(driver.call(0, 0, "lstat", mnt + "/fifo").contains("type=fifo perm=0640"));
      Map<String, String> tty = SyscallDriver.fields(driver.call(0, 0, "lstat", mnt + "/tty"));
      assertEquals("chr", tty.get("type"));
      assertEquals("4:1", tty.get("rdev"));
      assertEquals("7:300", SyscallDriver.fields(driver.call(0, 0, "lstat", mnt + "/loop")).get("rdev"));
      assertEquals("sock", SyscallDriver.fields(driver.call(0, 0, "lstat", mnt + "/sock")).get("type"));
      // a FIFO opened on the mount is a local pipe: the kernel never asks the filesystem
      assertEquals("OK", driver.call(0, 0, "open", mnt + "/fifo", "O_RDWR|O_NONBLOCK"));
      assertEquals("OK", driver.call(0, 0, "unlink", mnt + "/fifo"));
      assertEquals("ERR ENOENT", driver.call(0, 0, "lstat", mnt + "/fifo"));
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }

  private static void check(ObjectStore store, String key, int mode, String rdev) {
    ObjectHead head = store.head(key).orElseThrow(() -> new AssertionError(key + " is not in the bucket"));
    assertEquals(0, head.size(), key);
    assertEquals(Integer.toString(mode), head.metadata().get("mode"), key);
    assertEquals(rdev, head.metadata().get("rdev"), key);
  }
}
