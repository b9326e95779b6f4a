package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.StoreException;
import io.s3repofs.testing.FaultyStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large files send their parts while they are written (PartStream): the object that the upload
 * completes holds exactly the bytes of the closed file, whatever happened to the parts sent
 * early (rewritten, cut, failed), and the upload keeps its place in the queue. Parts are 5 MiB
 * here (the harness's multipart size); the server is the in-process S3Proxy.
 */
class PartStreamTest {

  private static final int MIB = 1 << 20;
  private static final int PART = 5 * MIB;

  @TempDir Path tmp;
  CoreHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = CoreHarness.create(tmp.resolve("cache"), Duration.ZERO);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** Writes as FUSE does, 128 KiB at a time. */
  private void write(long fh, long offset, byte[] data) throws FsException {
    for (int done = 0; done < data.length; done += 128 * 1024) {
      int n = Math.min(128 * 1024, data.length - done);
      h.fs.write(fh, offset + done, Arrays.copyOfRange(data, done, done + n), n);
    }
  }

  private long create(String path) throws FsException {
    return h.fs.create(path, 0644, FileSystemCore.O_EXCL | 1, 1000, 1000);
  }

  private long count(String op, String key) {
    return h.faults.seen().stream().filter(r -> r.op().equals(op) && r.key().equals(key)).count();
  }

  /** Waits until the server has stored {@code parts} parts of {@code key}. */
  private void awaitParts(String key, int parts) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (stored(key) < parts) {
      assertTrue(System.nanoTime() < deadline, "parts of " + key + " stored while open: " + stored(key));
      Thread.sleep(10);
    }
  }

  private long stored(String key) {
    return h.faults.traced(java.util.List.of("PART [" + key + "]")).stream().filter(t -> t.endsWith(" ok")).count();
  }

  private void assertInBucket(String key, byte[] expected) {
    byte[] stored = h.store.readAll(key);
    assertEquals(expected.length, stored.length, "size of " + key);
    assertArrayEquals(expected, stored, "bytes of " + key);
  }

  @Test
  void partsGoUpWhileTheFileIsWrittenAndTheCloseCompletesThem() throws Exception {
    byte[] data = random(3 * PART + MIB, 1);
    long fh = create("/big");
    write(fh, 0, data);
    awaitParts("big", 3);
    assertTrue(h.store.head("big").isEmpty(), "nothing is visible before the upload completes");
    h.fs.release(fh);
    h.drain();

    assertInBucket("big", data);
    assertEquals(1, count("CREATE MULTIPART", "big"));
    assertEquals(4, count("PART", "big"), "three full parts early, the tail at the end");
    assertEquals(1, count("COMPLETE MULTIPART", "big"));
    assertEquals(0, count("PUT", "big"));
    assertEquals(0, count("COPY", "big"), "times moved on by writes alone cost no copy");
    assertEquals(String.valueOf(0100644), h.store.head("big").orElseThrow().metadata().get("mode"));
    assertEquals(0, h.fs.openPartStreams());
  }

  @Test
  void aPartRewrittenAfterItWasSentIsSentAgain() throws Exception {
    byte[] data = random(3 * PART, 2);
    long fh = create("/patched");
    write(fh, 0, data);
    awaitParts("patched", 2);
    byte[] header = random(4096, 3);
    write(fh, 100, header); // a header patched at the end, as tar and zip writers do
    System.arraycopy(header, 0, data, 100, header.length);
    h.fs.release(fh);
    h.drain();

    assertInBucket("patched", data);
    assertTrue(count("PART", "patched") >= 4, "part 1 went twice: " + count("PART", "patched"));
  }

  @Test
  void aCutBelowSentPartsAndNewBytesAfterItAreWhatGoesUp() throws Exception {
    byte[] first = random(3 * PART, 4);
    long fh = create("/cut");
    write(fh, 0, first);
    awaitParts("cut", 2);
    h.fs.ftruncate(fh, 7 * MIB);
    byte[] rest = random(6 * MIB, 5);
    write(fh, 7 * MIB, rest);
    h.fs.release(fh);
    h.drain();

    byte[] expected = new byte[13 * MIB];
    System.arraycopy(first, 0, expected, 0, 7 * MIB);
    System.arraycopy(rest, 0, expected, 7 * MIB, rest.length);
    assertInBucket("cut", expected);
  }

  @Test
  void partsThatFailedEarlyGoWithTheUpload() throws Exception {
    h.faults.failNext(2, StoreException.Kind.OTHER, r -> r.op().equals("PART"));
    byte[] data = random(3 * PART + 123, 6);
    long fh = create("/flaky");
    write(fh, 0, data);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (count("PART", "flaky") < 3) {
      assertTrue(System.nanoTime() < deadline, "three parts tried while open");
      Thread.sleep(10);
    }
    h.fs.release(fh);
    h.drain();

    assertInBucket("flaky", data);
    assertEquals(2, h.faults.injectedFaults());
  }

  @Test
  void aFailedStartLeavesTheFileToItsUsualUpload() throws Exception {
    h.faults.failNext(1, StoreException.Kind.OTHER, r -> r.op().equals("CREATE MULTIPART"));
    byte[] data = random(3 * PART, 7);
    long fh = create("/fallback");
    write(fh, 0, data);
    h.fs.release(fh);
    h.drain();

    assertInBucket("fallback", data);
    assertEquals(1, count("PUT", "fallback"), "the whole file, after its close");
  }

  @Test
  void aFileRenamedWhileWrittenGoesUpUnderItsNewNameOnly() throws Exception {
    byte[] data = random(3 * PART, 8);
    long fh = create("/old");
    write(fh, 0, data);
    awaitParts("old", 2);
    h.fs.rename("/old", "/new");
    h.fs.release(fh);
    h.drain();

    assertInBucket("new", data);
    assertTrue(h.store.head("old").isEmpty());
    awaitAborted("old");
  }

  @Test
  void aFileDeletedWhileWrittenLeavesNothing() throws Exception {
    long fh = create("/gone");
    write(fh, 0, random(3 * PART, 9));
    awaitParts("gone", 2);
    h.fs.unlink("/gone");
    h.fs.release(fh);
    h.drain();

    assertTrue(h.store.head("gone").isEmpty());
    awaitAborted("gone");
    assertEquals(0, count("COMPLETE MULTIPART", "gone"));
  }

  @Test
  void aChmodWhileWrittenReachesTheBucket() throws Exception {
    byte[] data = random(3 * PART, 10);
    long fh = create("/private");
    write(fh, 0, data);
    awaitParts("private", 2);
    h.fs.chmod("/private", 0600);
    h.fs.utimens("/private", -1, 1_000_000_000L * 1_500_000_000L);
    h.fs.release(fh);
    h.drain();

    assertInBucket("private", data);
    var metadata = h.store.head("private").orElseThrow().metadata();
    assertEquals(String.valueOf(0100600), metadata.get("mode"));
    assertEquals("1500000000", metadata.get("mtime"));
    assertEquals(1, count("COPY", "private"), "the metadata set after the start is written with one copy");
  }

  @Test
  void bytesAppendedAfterACloseAreInTheObject() throws Exception {
    try (CoreHarness delayed = CoreHarness.create(tmp.resolve("cache-delayed"), Duration.ofSeconds(60))) {
      byte[] first = random(3 * PART, 11);
      long fh = delayed.fs.create("/log", 0644, FileSystemCore.O_EXCL | 1, 1000, 1000);
      for (int done = 0; done < first.length; done += MIB) {
        delayed.fs.write(fh, done, Arrays.copyOfRange(first, done, done + MIB), MIB);
      }
      delayed.fs.release(fh); // queued for 60 s: its state names the data file the parts came from
      byte[] more = random(MIB, 12);
      long again = delayed.fs.open("/log", 1);
      delayed.fs.write(again, first.length, more, more.length); // a copy of the data file takes it
      delayed.fs.release(again);
      delayed.drain();

      byte[] expected = Arrays.copyOf(first, first.length + more.length);
      System.arraycopy(more, 0, expected, first.length, more.length);
      byte[] stored = delayed.store.readAll("log");
      assertArrayEquals(expected, stored);
      assertEquals(0, delayed.fs.openPartStreams());
    }
  }

  private void awaitAborted(String key) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (count("ABORT MULTIPART", key) == 0) {
      assertTrue(System.nanoTime() < deadline, "the upload of " + key + " was aborted");
      Thread.sleep(10);
    }
    while (h.fs.openPartStreams() > 0) {
      assertTrue(System.nanoTime() < deadline, "the stream of " + key + " was given up");
      Thread.sleep(10);
    }
  }
}
