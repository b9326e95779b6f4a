package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bucket as a real s3fs mount sees it, and the other way round. */
class S3fsInteropTest {

  @TempDir Path tmp;

  @Test
  void s3fsAndS3repofsSeeTheSameContentModeAndMtime() throws Exception {
    assumeTrue(Shell.onPath("s3fs"), "s3fs is not installed (Debian: s3fs)");
    Mounts.assumeFuse();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path passwd = s3.passwdFile(tmp, bucket);
    Path ours = tmp.resolve("ours");
    Path theirs = Files.createDirectories(tmp.resolve("s3fs"));
    String options = s3.options(passwd) + ",use_cache=" + tmp.resolve("cache");

    try (Mounts.InProcess mount = Mounts.mount(bucket, ours, options)) {
      Shell.bash(ours, "mkdir -p d && echo from-s3repofs > d/ours.txt && chmod 640 d/ours.txt"
          + " && touch -d '2021-03-04 05:06:07' d/ours.txt");
      org.junit.jupiter.api.Assertions.assertEquals(0, mount.unmount());
    }
    Shell.bash(null, "s3fs " + bucket + " " + theirs + " -o url=" + s3.url()
        + ",use_path_request_style,passwd_file=" + passwd + ",stat_cache_expire=1");
    try {
      Shell.bash(theirs, "test \"$(cat d/ours.txt)\" = from-s3repofs && test \"$(stat -c %a d/ours.txt)\" = 640"
          + " && test \"$(date -r d/ours.txt '+%F %T')\" = '2021-03-04 05:06:07'"
          + " && echo from-s3fs > d/theirs.txt && chmod 604 d/theirs.txt && touch -d '2019-01-02 03:04:05' d/theirs.txt"
          + " && ln -s theirs.txt d/s3fs-link && sync");
    } finally {
      Shell.run(null, "fusermount", "-u", theirs.toString());
      for (int i = 0; i < 100 && Mounts.isMounted(theirs); i++) {
        Thread.sleep(50);
      }
    }
    try (Mounts.InProcess mount = Mounts.mount(bucket, ours, options)) {
      Shell.bash(ours, "test \"$(cat d/theirs.txt)\" = from-s3fs && test \"$(stat -c %a d/theirs.txt)\" = 604"
          + " && test \"$(date -r d/theirs.txt '+%F %T')\" = '2019-01-02 03:04:05'"
          + " && test \"$(readlink d/s3fs-link)\" = theirs.txt && test \"$(cat d/s3fs-link)\" = from-s3fs");
      org.junit.jupiter.api.Assertions.assertEquals(0, mount.unmount());
    }
  }
}
