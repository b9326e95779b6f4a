package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path through a regular file is ENOTDIR (POSIX), a missing name under a directory ENOENT,
 * and a name over 255 bytes ENAMETOOLONG, in the core itself (the kernel answers the first for a
 * mount before asking; other callers of the core do not have it).
 */
class NotDirectoryTest {
  @TempDir
  Path tmp;

  CoreHarness h;

  @BeforeEach
  void start() throws Exception {
    h = CoreHarness.create(tmp.resolve("cache"), Duration.ofSeconds(30));
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private Errno errno(Executable e) {
    return assertThrows(FsException.class, e::run).errno();
  }

  interface Executable {
    void run() throws Exception;
  }

  @Test
  void pathsThroughAFile() throws Exception {
    h.fs.mkdir("/d", 0755, 1000, 1000);
    h.writeFile("/d/f", "x");
    for (int round = 0; round < 2; round++) { // pending, then in the bucket
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.getattr("/d/f/x")));
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.getattr("/d/f/x/y")));
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.create("/d/f/x", 0644, 1, 0, 0)));
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.mkdir("/d/f/x", 0755, 0, 0)));
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.unlink("/d/f/x")));
      assertEquals(Errno.ENOTDIR, errno(() -> h.fs.readdir("/d/f")));
      assertEquals(Errno.ENOENT, errno(() -> h.fs.getattr("/d/missing")));
      assertEquals(Errno.ENOENT, errno(() -> h.fs.getattr("/d/missing/x")));
      assertEquals(Errno.ENOENT, errno(() -> h.fs.getattr("/missing/x/y")));
      h.drain();
    }
  }

  @Test
  void namesOver255Bytes() throws Exception {
    String euro86 = "\u20ac".repeat(86); // 86 characters, 258 bytes
    assertEquals(Errno.ENAMETOOLONG, errno(() -> h.fs.create("/" + euro86, 0644, 1, 0, 0)));
    assertEquals(Errno.ENAMETOOLONG, errno(() -> h.fs.getattr("/" + "a".repeat(256))));
    h.fs.release(h.fs.create("/" + "\u20ac".repeat(85), 0644, 1, 0, 0)); // 255 bytes
  }
}
