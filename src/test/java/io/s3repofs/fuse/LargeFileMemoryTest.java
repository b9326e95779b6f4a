package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.locals3.LocalS3Server;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file goes up and comes back through a mount whose JVM has a 96 MiB heap: uploads stream
 * parts from disk and reads stream ranged GETs (a few MiB read ahead, in parts of a pool), so
 * memory stays flat whatever the file size.
 */
class LargeFileMemoryTest {

  @TempDir Path tmp;

  @Test
  void oneGibibyteThroughAMountWithA96MibHeap() throws Exception {
    Mounts.assumeFuse();
    try (LocalS3Server server = LocalS3Server.start(0, tmp.resolve("s3data"), "big-key", "big-secret")) {
      server.createBucket("big");
      Path passwd = tmp.resolve("passwd");
      Files.writeString(passwd, "big:big-key:big-secret\n");
      Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
      String options = "url=" + server.endpoint() + ",use_path_request_style,passwd_file=" + passwd
          + ",use_cache=" + tmp.resolve("cache") + ",cache_size=0,multipart_size=16";
      List<String> smallHeap = List.of("-Xmx96m", "-XX:+ExitOnOutOfMemoryError");
      Path mnt = tmp.resolve("mnt");
      Path source = tmp.resolve("source.bin");
      Shell.bash(tmp, "head -c 1073741824 /dev/urandom > " + source);
      String expected = Shell.bash(tmp, "sha256sum < " + source).strip();

      Process writer = Mounts.mountInChild("big", mnt, options, tmp.resolve("write.log"), smallHeap);
      Shell.bash(tmp, "cp " + source + " " + mnt + "/big.bin");
      Shell.bash(null, "fusermount -u " + mnt);
      assertTrue(writer.waitFor(10, TimeUnit.MINUTES));
      assertEquals(0, writer.exitValue(), Files.readString(tmp.resolve("write.log")));
      long parts = server.requestCounts().getOrDefault("UPLOAD_PART", 0L);
      assertEquals(64, parts, "1 GiB in 16 MiB parts");

      Shell.bash(tmp, "rm -rf " + tmp.resolve("cache"));
      Process reader = Mounts.mountInChild("big", mnt, options, tmp.resolve("read.log"), smallHeap);
      long getsBefore = server.requestCounts().getOrDefault("GET", 0L);
      assertEquals(expected, Shell.bash(tmp, "sha256sum < " + mnt + "/big.bin").strip());
      long gets = server.requestCounts().getOrDefault("GET", 0L) - getsBefore;
      // a 96 MiB heap reads ahead in 4 MiB parts (a fifth of the heap, three parts a file)
      assertTrue(gets <= 1024 / 4 + 16, gets + " GETs for a cold read of 1 GiB");
      Shell.bash(null, "fusermount -u " + mnt);
      assertTrue(reader.waitFor(2, TimeUnit.MINUTES));
      assertEquals(0, reader.exitValue(), Files.readString(tmp.resolve("read.log")));
    }
  }
}
