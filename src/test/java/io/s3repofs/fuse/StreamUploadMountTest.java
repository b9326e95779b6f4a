package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3TestServer;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through a real mount: a large file's parts reach the server while the writer still holds it
 * open (the default, s3fs's {@code streamupload}), not with {@code nostreamupload}; either way the
 * object appears only after the close, with the file's bytes.
 */
class StreamUploadMountTest {

  private static final int MIB = 1 << 20;

  @TempDir Path tmp;

  private long partsOf(String bucket, String key) {
    return S3TestServer.get().requestLog().stream()
        .filter(r -> r.startsWith("UPLOAD_PART /" + bucket + "/" + key)).count();
  }

  private byte[] writeOpen(String bucket, String options, boolean expectParts) throws Exception {
    Mounts.assumeFuse();
    Path mnt = tmp.resolve("mnt-" + bucket);
    byte[] data = new byte[13 * MIB];
    new Random(bucket.hashCode()).nextBytes(data);
    io.s3repofs.testing.S3Endpoint s3 = io.s3repofs.testing.S3Endpoint.s3proxy();
    String all = s3.options(s3.passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("cache-" + bucket) + ","
        + options + ",multipart_size=5,writeback_delay=0";
    try (Mounts.InProcess m = Mounts.mount(bucket, mnt, all)) {
      try (OutputStream out = Files.newOutputStream(mnt.resolve("big.bin"))) {
        for (int done = 0; done < data.length; done += MIB) {
          out.write(data, done, MIB);
        }
        out.flush();
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (partsOf(bucket, "big.bin") < 2 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(expectParts ? 2 : 0, partsOf(bucket, "big.bin"), "full parts sent while the file is open");
        assertEquals(404, S3TestServer.anonymousGet(bucket, "big.bin").statusCode(), "nothing visible yet");
      }
    }
    HttpResponse<byte[]> r = S3TestServer.anonymousGet(bucket, "big.bin");
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void aLargeFileSendsItsFullPartsWhileItIsStillOpen() throws Exception {
    String bucket = S3TestServer.newBucket();
    byte[] stored = writeOpen(bucket, "default_acl=public-read", true);
    byte[] expected = new byte[13 * MIB];
    new Random(bucket.hashCode()).nextBytes(expected);
    assertArrayEquals(expected, stored);
    assertEquals(3, partsOf(bucket, "big.bin"), "two parts early, the 3 MiB tail at the end");
  }

  @Test
  void nostreamuploadSendsTheFileAfterItsClose() throws Exception {
    String bucket = S3TestServer.newBucket();
    byte[] stored = writeOpen(bucket, "default_acl=public-read,nostreamupload", false);
    byte[] expected = new byte[13 * MIB];
    new Random(bucket.hashCode()).nextBytes(expected);
    assertArrayEquals(expected, stored);
    assertTrue(partsOf(bucket, "big.bin") >= 3);
  }
}
