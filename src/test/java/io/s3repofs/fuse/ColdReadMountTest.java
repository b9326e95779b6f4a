package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.locals3.LocalS3Server;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreSettings;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A cold sequential read through a fresh mount, as the launcher runs it (-Xmx256m, serial GC):
 * {@code dd} and {@code cat} get the object's bytes with a few large ranged GETs (the kernel's
 * reads come from several threads, a little out of order), the mount stays well under 300 MiB
 * resident, and the whole read becomes a clean cached copy, so the next read costs no GET.
 */
class ColdReadMountTest {

  private static final int MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void aColdReadOfALargeFileTakesFewGetsAndTheNextReadNone() throws Exception {
    Mounts.assumeFuse();
    try (LocalS3Server server = LocalS3Server.start(0, tmp.resolve("s3data"), "cold-key", "cold-secret")) {
      server.createBucket("cold");
      Path passwd = tmp.resolve("passwd");
      Files.writeString(passwd, "cold:cold-key:cold-secret\n");
      Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
      int mib = 160;
      Path source = tmp.resolve("source.bin");
      Shell.bash(tmp, "head -c " + (mib * MIB + 4321) + " /dev/urandom > " + source);
      String expected = Shell.bash(tmp, "sha256sum < " + source).strip();
      StoreSettings settings = new StoreSettings("cold", "", server.endpoint(), "us-east-1", true,
          StaticCredentialsProvider.create(AwsBasicCredentials.create("cold-key", "cold-secret")),
          null, 16L * MIB, 4, 3, Duration.ofSeconds(30));
      try (ObjectStore store = new ObjectStore(settings)) {
        store.putFile("big.bin", source, Files.size(source), Map.of());
      }

      String options = "url=" + server.endpoint() + ",use_path_request_style,passwd_file=" + passwd
          + ",use_cache=" + tmp.resolve("cache");
      Path mnt = tmp.resolve("mnt");
      Process mount = Mounts.mountInChild("cold", mnt, options, tmp.resolve("mount.log"),
          List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:MaxDirectMemorySize=64m"));
      try {
        long before = server.requestCounts().getOrDefault("GET", 0L);
        long idle = peakRssMib(mount.pid());
        assertEquals(expected, Shell.bash(tmp, "dd if=" + mnt + "/big.bin bs=1M status=none | sha256sum").strip());
        long gets = server.requestCounts().getOrDefault("GET", 0L) - before;
        // 128 KiB, 512 KiB, 2 MiB, 8 MiB, then 16 MiB parts; a few stragglers at most
        assertTrue(gets <= mib / 16 + 8, gets + " GETs for a cold read of " + mib + " MiB");

        long rss = peakRssMib(mount.pid());
        System.out.printf("cold read of %d MiB: %d GETs; mount peak RSS %d MiB (%d MiB before the read)%n",
            mib, gets, rss, idle);
        assertTrue(rss < 300, "peak RSS of the mount: " + rss + " MiB");

        long after = server.requestCounts().getOrDefault("GET", 0L);
        assertEquals(expected, Shell.bash(tmp, "cat " + mnt + "/big.bin | sha256sum").strip());
        assertEquals(after, server.requestCounts().getOrDefault("GET", 0L),
            "the second read comes from the mount's clean copy");
      } finally {
        Shell.bash(null, "fusermount -u " + mnt);
        assertTrue(mount.waitFor(2, TimeUnit.MINUTES));
      }
      assertEquals(0, mount.exitValue(), Files.readString(tmp.resolve("mount.log")));
    }
  }

  private static long peakRssMib(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new AssertionError("no VmHWM for " + pid);
  }
}
