package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a mount process after files were closed loses none of them. */
class CrashRecoveryTest {

  @TempDir Path tmp;

  @Test
  void closedFilesSurviveKillNineAndTheNextMountUploadsThem() throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache="
        + tmp.resolve("cache") + ",writeback_delay=600";
    Process child = Mounts.mountInChild(bucket, mnt, options, tmp.resolve("child.log"));
    Shell.bash(mnt, "mkdir -p repo && head -c 3000000 /dev/urandom > repo/pkg.bin && echo db > repo/notes.txt"
        + " && ln -s notes.txt repo/notes && cp repo/pkg.bin " + tmp + "/expected.bin");
    killNine(child, mnt);
    assertEquals(404, s3.anonymousGet(bucket, "repo/pkg.bin").statusCode(), "nothing was uploaded before the kill");

    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      Shell.bash(mnt, "cmp repo/pkg.bin " + tmp + "/expected.bin && test \"$(readlink repo/notes)\" = notes.txt");
      assertEquals(0, mount.unmount(), mount.stderr());
      org.junit.jupiter.api.Assertions.assertTrue(mount.stderr().contains("resuming 3 upload(s)"), mount.stderr());
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(tmp.resolve("expected.bin")),
        s3.anonymousGet(bucket, "repo/pkg.bin").body());
    assertEquals("db\n", new String(s3.anonymousGet(bucket, "repo/notes").body()));
  }

  /**
   * A large file whose parts went up while it was written (streamupload), killed after its close
   * but before its turn in the queue: the multipart upload was never completed, so nothing shows;
   * the next mount sends the journaled file whole, with its bytes.
   */
  @Test
  void aFileWhosePartsWentUpEarlySurvivesKillNine() throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache="
        + tmp.resolve("cache") + ",writeback_delay=600,multipart_size=5";
    Process child = Mounts.mountInChild(bucket, mnt, options, tmp.resolve("child.log"));
    Shell.bash(tmp, "head -c 23000000 /dev/urandom > expected.bin");
    long before = partsSent(bucket);
    Shell.bash(mnt, "dd if=" + tmp + "/expected.bin of=big.bin bs=1M status=none");
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (partsSent(bucket) - before < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    org.junit.jupiter.api.Assertions.assertTrue(S3TestServer.get().requestLog().stream()
        .anyMatch(r -> r.startsWith("UPLOAD_PART /" + bucket + "/big.bin")), "parts went up before the kill");
    killNine(child, mnt);
    assertEquals(404, s3.anonymousGet(bucket, "big.bin").statusCode(), "the upload was never completed");

    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      Shell.bash(mnt, "cmp big.bin " + tmp + "/expected.bin");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(tmp.resolve("expected.bin")),
        s3.anonymousGet(bucket, "big.bin").body());
  }

  /** SIGKILL: no drain, no journal flush beyond what close wrote; then the dead mount is detached. */
  private static void killNine(Process child, Path mnt) throws Exception {
    child.destroyForcibly();
    child.waitFor();
    Shell.run(null, "fusermount", "-u", "-z", mnt.toString());
  }

  private static long partsSent(String bucket) {
    return S3TestServer.get().requestLog().stream().filter(r -> r.startsWith("UPLOAD_PART /" + bucket)).count();
  }
}
