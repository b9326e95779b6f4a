package io.s3repofs.fs;

import static io.s3repofs.testing.FaultyStore.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.StoreException;
import io.s3repofs.testing.FaultyStore;
import io.s3repofs.testing.S3TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The findings of the core's concurrency review, each held at the exact point with a pausing
 * store between the core and a real S3 server: no lost write, no lost chmod, no fsync that
 * returns before the data is in the bucket, no frozen mount while one request hangs.
 */
class ConcurrencyFaultsTest {

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

  private String inBucket(String key) throws Exception {
    HttpResponse<byte[]> r = S3TestServer.anonymousGet(h.bucketName, key);
    return r.statusCode() == 200 ? new String(r.body(), StandardCharsets.UTF_8) : "<" + r.statusCode() + ">";
  }

  private void write(String path, String text, int flags) throws FsException {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    long fh = h.fs.open(path, flags);
    h.fs.write(fh, 0, data, data.length);
    h.fs.release(fh);
  }

  /** Finding 1: a write that lands while the file's upload runs is not marked clean and lost. */
  @Test
  void writeDuringUploadIsNotLost() throws Exception {
    FaultyStore.Gate gate = h.faults.pause(op("PUT", "f"));
    h.writeFile("/f", "version 1");
    assertTrue(gate.awaitReached(Duration.ofSeconds(10)), "the upload started");
    write("/f", "version 2", 1 | FileSystemCore.O_TRUNC);
    gate.release();
    h.drain();
    assertEquals("version 2", inBucket("f"));
    assertEquals("version 2", h.readFile("/f"));
  }

  /**
   * rmdir right after unlinking a file named with '+', while its DELETE is queued: its alias
   * (the copy under the name with spaces) is still listed, but it goes with its name, so the
   * directory is empty (found by the model test: ENOTEMPTY).
   */
  @Test
  void directoryIsEmptyWhileTheDeleteOfAPlusNameAndItsAliasIsQueued() throws Exception {
    // A long write-back delay keeps the DELETE queued (a DELETE in flight holds the key's path
    // lock, and rmdir rightly waits for it).
    try (CoreHarness delayed = CoreHarness.create(tmp.resolve("cache-delayed"), Duration.ofSeconds(60))) {
      delayed.fs.mkdir("/d", 0755, 1000, 1000);
      delayed.writeFile("/d/e+f", "x");
      delayed.drain();
      assertTrue(delayed.store.head("d/e f").isPresent(), "the alias is there");
      delayed.fs.unlink("/d/e+f");
      delayed.fs.rmdir("/d");
      delayed.drain();
      assertTrue(delayed.store.head("d/e+f").isEmpty());
      assertTrue(delayed.store.head("d/e f").isEmpty(), "the alias went with its name");
      assertEquals(List.of(), delayed.fs.readdir("/"));
    }
  }

  /**
   * rm -r: rmdir sends the queued DELETEs below the directory first and its marker's last, as
   * s3fs does (a store on a filesystem cannot remove a directory that still holds objects:
   * S3Proxy's retried for 10 s), instead of leaving them to wait out the write-back delay.
   */
  @Test
  void rmdirSendsTheQueuedDeletesBelowItBeforeItsMarker() throws Exception {
    try (CoreHarness delayed = CoreHarness.create(tmp.resolve("cache-delayed"), Duration.ofSeconds(60))) {
      delayed.fs.mkdir("/d", 0755, 1000, 1000);
      for (int i = 0; i < 20; i++) {
        delayed.writeFile("/d/f" + i, "x");
      }
      delayed.drain();
      int before = delayed.faults.seen().size();
      for (int i = 0; i < 20; i++) {
        delayed.fs.unlink("/d/f" + i);
      }
      delayed.fs.rmdir("/d");
      List<FaultyStore.Request> sent = delayed.faults.seen().subList(before, delayed.faults.seen().size());
      List<String> deleted = sent.stream().filter(r -> r.op().equals("DELETE")).map(FaultyStore.Request::key).toList();
      assertEquals(21, deleted.size(), "the files' DELETEs and the marker's, when rmdir returns: " + sent);
      assertEquals("d/", deleted.get(deleted.size() - 1), "the marker last: " + deleted);
      assertTrue(delayed.store.list("d/").objects().isEmpty(), "nothing left below d/");
      assertEquals(List.of(), delayed.fs.readdir("/"));
    }
  }

  /** Finding 2: a chmod while the upload runs reaches the bucket too. */
  @Test
  void chmodDuringUploadIsNotLost() throws Exception {
    FaultyStore.Gate gate = h.faults.pause(op("PUT", "f"));
    h.writeFile("/f", "content");
    assertTrue(gate.awaitReached(Duration.ofSeconds(10)));
    h.fs.chmod("/f", 0600);
    gate.release();
    h.drain();
    java.util.Map<String, String> meta = h.store.head("f").orElseThrow().metadata();
    assertEquals(0600, Integer.parseInt(meta.get("mode")) & 07777, "mode in the bucket: " + meta);
    try (CoreHarness fresh = CoreHarness.reopen(h, tmp.resolve("cache2"))) {
      assertEquals(0600, fresh.fs.getattr("/f").mode() & 07777);
    }
  }

  /** Finding 3: fsync returns only once the data is in the bucket, even when another handle reopens. */
  @Test
  void fsyncWaitsForTheBucketEvenWhenAnotherHandleReopens() throws Exception {
    FaultyStore.Gate gate = h.faults.pause(op("PUT", "f"));
    long a = h.fs.create("/f", 0644, 1, 1000, 1000);
    byte[] data = "synced".getBytes(StandardCharsets.UTF_8);
    h.fs.write(a, 0, data, data.length);
    long b = h.fs.open("/f", 1); // another process opens it for writing
    CompletableFuture<Void> fsync = CompletableFuture.runAsync(() -> {
      try {
        h.fs.fsync(a);
      } catch (FsException e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(gate.awaitReached(Duration.ofSeconds(10)));
    assertThrows(TimeoutException.class, () -> fsync.get(300, TimeUnit.MILLISECONDS), "fsync returned before the PUT");
    gate.release();
    fsync.get(10, TimeUnit.SECONDS);
    assertEquals("synced", inBucket("f"), "fsync returned: the bytes are in the bucket");
    h.fs.release(b);
    h.fs.release(a);
  }

  /** fsync reports an upload that fails with EIO; the data stays queued and goes up later. */
  @Test
  void fsyncReportsAFailedUploadAndTheDataStillGoesUp() throws Exception {
    h.faults.failNext(1, StoreException.Kind.OTHER, op("PUT", "f"));
    long a = h.fs.create("/f", 0644, 1, 1000, 1000);
    byte[] data = "kept".getBytes(StandardCharsets.UTF_8);
    h.fs.write(a, 0, data, data.length);
    FsException e = assertThrows(FsException.class, () -> h.fs.fsync(a));
    assertEquals(Errno.EIO, e.errno());
    h.fs.release(a);
    h.drain();
    assertEquals("kept", inBucket("f"));
  }

  /**
   * Finding 4: while one upload hangs, stat, ls and cat of other files, a cp over its neighbour
   * and an O_TRUNC open of the hanging file itself all complete at once.
   */
  @Test
  void oneHangingUploadFreezesNothingElse() throws Exception {
    h.writeFile("/other", "other");
    h.fs.mkdir("/dir", 0755, 1000, 1000);
    h.writeFile("/dir/neighbour", "old neighbour");
    h.drain();
    FaultyStore.Gate gate = h.faults.pause(op("PUT", "dir/big"));
    h.writeFile("/dir/big", "x".repeat(1 << 20));
    assertTrue(gate.awaitReached(Duration.ofSeconds(10)));
    CompletableFuture<String> others = CompletableFuture.supplyAsync(() -> {
      try {
        h.fs.getattr("/other");
        h.fs.readdir("/");
        h.fs.readdir("/dir");
        String other = h.readFile("/other");
        h.writeFile("/dir/neighbour", "new neighbour"); // cp over the neighbour
        write("/dir/big", "replaced", 1 | FileSystemCore.O_TRUNC); // and over the hanging file
        h.fs.chmod("/other", 0600);
        h.fs.mkdir("/dir2", 0755, 1000, 1000);
        return other;
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try {
      // Frozen, they would wait for the release below; 5 s leaves room for a loaded CI machine.
      assertEquals("other", others.get(5, TimeUnit.SECONDS));
    } finally {
      gate.release();
    }
    h.drain();
    assertEquals("new neighbour", inBucket("dir/neighbour"));
    assertEquals("replaced", inBucket("dir/big"));
  }

  /** A hanging LIST of one directory holds up lookups in that directory only. */
  @Test
  void aHangingLookupHoldsUpNoOtherLookup() throws Exception {
    h.writeFile("/known", "known");
    h.drain();
    h.fs.getattr("/known");
    h.store.putBytes("sub/x", "by another tool".getBytes(StandardCharsets.UTF_8), java.util.Map.of());
    FaultyStore.Gate gate = h.faults.pause(op("LIST", "sub/"));
    CompletableFuture<FileAttributes> slow = CompletableFuture.supplyAsync(() -> {
      try {
        return h.fs.getattr("/sub/x");
      } catch (FsException e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(gate.awaitReached(Duration.ofSeconds(10)), "the lookup of /sub/x is listing sub/");
    try {
      CompletableFuture<FileAttributes> known = CompletableFuture.supplyAsync(() -> {
        try {
          return h.fs.getattr("/known");
        } catch (FsException e) {
          throw new RuntimeException(e);
        }
      });
      assertEquals(5, known.get(5, TimeUnit.SECONDS).size(), "a lookup elsewhere is not held up");
    } finally {
      gate.release();
    }
    assertEquals(15, slow.get(10, TimeUnit.SECONDS).size());
  }
}
