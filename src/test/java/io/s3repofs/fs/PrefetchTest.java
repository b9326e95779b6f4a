package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.StoreException;
import io.s3repofs.testing.FaultyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cold reads of objects only the bucket has, the way the kernel sends them: 128 KiB reads of one
 * handle from several threads, a little out of order. They get the right bytes from few, large,
 * parallel GETs; random reads get small GETs; failures are errors, never wrong bytes; memory
 * stays within the limits.
 */
class PrefetchTest {

  private static final int FUSE_READ = 128 << 10;
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;
  CoreHarness h;

  @BeforeEach
  void setUp() throws Exception {
    h = CoreHarness.create(tmp.resolve("cache"), Duration.ofSeconds(30));
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  /** Puts an object of random bytes straight into the bucket; returns its bytes. */
  private byte[] object(String key, int size, long seed) throws Exception {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    Path file = tmp.resolve("upload-" + key);
    Files.write(file, data);
    h.store.putFile(key, file, size, Map.of());
    Files.delete(file);
    return data;
  }

  private long gets(String key) {
    return h.faults.seen().stream().filter(r -> r.op().equals("GET") && r.key().equals(key)).count();
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  /**
   * The block numbers of a file in reading order, shuffled within windows of {@code window}
   * blocks: several kernel threads taking the reads of one sequential reader.
   */
  private static ConcurrentLinkedQueue<Integer> jittered(int blocks, int window, long seed) {
    List<Integer> order = new ArrayList<>();
    Random random = new Random(seed);
    for (int from = 0; from < blocks; from += window) {
      List<Integer> batch = new ArrayList<>();
      for (int i = from; i < Math.min(blocks, from + window); i++) {
        batch.add(i);
      }
      java.util.Collections.shuffle(batch, random);
      order.addAll(batch);
    }
    return new ConcurrentLinkedQueue<>(order);
  }

  /**
   * Reads a whole file with {@code threads} threads taking 128 KiB blocks slightly out of order,
   * as the kernel sends them: no read starts more than {@code SPREAD} blocks past the first one
   * not yet answered (the kernel reads ahead of the reader by a bounded window).
   */
  private byte[] readConcurrently(String path, int size, int threads, long seed) throws Exception {
    long handle = h.fs.open(path, 0);
    byte[] all = new byte[size];
    int blocks = (size + FUSE_READ - 1) / FUSE_READ;
    ConcurrentLinkedQueue<Integer> work = jittered(blocks, 8, seed);
    boolean[] answered = new boolean[blocks];
    int[] prefix = {0}; // blocks [0, prefix) are answered; guarded by answered
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          byte[] buffer = new byte[FUSE_READ];
          for (Integer block = work.poll(); block != null; block = work.poll()) {
            synchronized (answered) {
              while (block - prefix[0] > SPREAD) {
                answered.wait();
              }
            }
            long offset = (long) block * FUSE_READ;
            int n = h.fs.read(handle, offset, buffer, FUSE_READ);
            assertEquals(Math.min(FUSE_READ, size - offset), n, "read at " + offset);
            System.arraycopy(buffer, 0, all, (int) offset, n);
            synchronized (answered) {
              answered[block] = true;
              while (prefix[0] < blocks && answered[prefix[0]]) {
                prefix[0]++;
              }
              answered.notifyAll();
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
      h.fs.release(handle);
    }
    return all;
  }

  /** How many blocks past the first unanswered one a read may be sent (2 MiB). */
  private static final int SPREAD = 16;

  @Test
  void aSequentialReaderOnSeveralThreadsGetsTheBytesFromFewLargeGets() throws Exception {
    int maxPart = 8 * MIB;
    h.fs.readAhead(new ReadAhead.Settings(4, 128 << 10, maxPart, 64L * MIB, 64L * MIB));
    int size = 72 * MIB + 12345;
    byte[] data = object("big.bin", size, 1);
    for (int threads : new int[] {2, 4}) {
      long before = gets("big.bin");
      byte[] read = readConcurrently("/big.bin", size, threads, threads);
      assertEquals(sha256(data), sha256(read), threads + " threads");
      long gets = gets("big.bin") - before;
      // the ramp (128 KiB, 512 KiB, 2 MiB), then 8 MiB parts
      assertTrue(gets <= size / maxPart + 5, threads + " threads: " + gets + " GETs for " + size + " bytes");
      assertEquals(0, h.fs.readAhead().reserved(), "the closed handle holds no memory");
    }
    assertTrue(h.fs.readAhead().peakReserved() <= 64L * MIB, "peak " + h.fs.readAhead().peakReserved());
    long chunkBytes = h.fs.readAhead().allocatedChunks() * ReadAhead.CHUNK;
    assertTrue(chunkBytes <= 64L * MIB, "two reads of " + size + " bytes allocated " + chunkBytes
        + " bytes of chunks: the pool reuses them");
  }

  @Test
  void theFirstReadsOfAFileSentOutOfOrderCostOneGetBeforeTheStream() throws Exception {
    int size = 4 * MIB;
    byte[] data = object("first.bin", size, 4);
    long handle = h.fs.open("/first.bin", 0);
    byte[] buffer = new byte[FUSE_READ];
    // a whole-file reader whose first reads reached the mount on other threads first
    for (int block : new int[] {4, 3, 0, 1, 2}) {
      long offset = (long) block * FUSE_READ;
      assertEquals(FUSE_READ, h.fs.read(handle, offset, buffer, FUSE_READ));
      assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + FUSE_READ), buffer,
          "read at " + offset);
    }
    h.fs.release(handle);
    // block 4's part, then one for blocks 0 to 3 (not one for 3 and another for 0 to 2); the
    // parts after block 4 are the read-ahead
    List<String> first = h.faults.traced(List.of("GET [first.bin]")).stream()
        .filter(t -> Long.parseLong(t.replaceAll(".* bytes=(\\d+)-.*", "$1")) < 5 * FUSE_READ).toList();
    assertEquals(2, first.size(), "GETs before the read-ahead: " + first);
  }

  @Test
  void randomReadsGetTheirBytesWithSmallGets() throws Exception {
    int size = 24 * MIB;
    byte[] data = object("random.bin", size, 2);
    Random random = new Random(5);
    long handle = h.fs.open("/random.bin", 0);
    int reads = 150;
    for (int i = 0; i < reads; i++) {
      int length = 1 + random.nextInt(64 << 10);
      long offset = random.nextInt(size);
      byte[] buffer = new byte[length];
      int n = h.fs.read(handle, offset, buffer, length);
      int expected = (int) Math.min(length, size - offset);
      assertEquals(expected, n);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + expected),
          java.util.Arrays.copyOf(buffer, n), "read at " + offset);
    }
    h.fs.release(handle);
    assertTrue(gets("random.bin") <= reads + reads / 5, gets("random.bin") + " GETs for " + reads + " random reads");
    assertTrue(h.fs.readAhead().peakReserved() <= 2 * MIB,
        "random reads fetch little ahead: peak " + h.fs.readAhead().peakReserved());
  }

  @Test
  void aBodyThatEndsEarlyIsAnErrorNeverWrongBytes() throws Exception {
    int size = 16 * MIB;
    byte[] data = object("cut.bin", size, 3);
    h.faults.truncateReads(true);
    long handle = h.fs.open("/cut.bin", 0);
    byte[] buffer = new byte[FUSE_READ];
    long offset = 0;
    FsException failure = null;
    for (; offset < size; offset += FUSE_READ) {
      try {
        int n = h.fs.read(handle, offset, buffer, FUSE_READ);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + n),
            java.util.Arrays.copyOf(buffer, n), "bytes at " + offset);
      } catch (FsException e) {
        failure = e;
        break;
      }
    }
    assertTrue(failure != null, "every read succeeded although every body was cut");
    assertEquals(Errno.EIO, failure.errno(), failure.getMessage());
    // The network heals: the same handle reads on, correctly.
    h.faults.truncateReads(false);
    for (; offset < size; offset += FUSE_READ) {
      int n = h.fs.read(handle, offset, buffer, FUSE_READ);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + n),
          java.util.Arrays.copyOf(buffer, n), "bytes at " + offset);
    }
    h.fs.release(handle);
    assertEquals(0, h.fs.readAhead().reserved());
  }

  @Test
  void aFailedGetIsEioAndTheNextReadAsksAgain() throws Exception {
    h.fs.readAhead(new ReadAhead.Settings(4, 128 << 10, 4 * MIB, 8L * MIB, 8L * MIB));
    int size = 40 * MIB;
    byte[] data = object("fail.bin", size, 4);
    long handle = h.fs.open("/fail.bin", 0);
    byte[] buffer = new byte[FUSE_READ];
    for (long offset = 0; offset < 1 * MIB; offset += FUSE_READ) {
      h.fs.read(handle, offset, buffer, FUSE_READ); // the stream is up, parts ahead in flight
    }
    h.faults.failNext(1000, StoreException.Kind.OTHER, r -> r.op().equals("GET"));
    FsException e = assertThrows(FsException.class, () -> {
      for (long offset = 1 * MIB; offset < size; offset += FUSE_READ) {
        int n = h.fs.read(handle, offset, buffer, FUSE_READ);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + n),
            java.util.Arrays.copyOf(buffer, n), "bytes at " + offset);
      }
    });
    assertEquals(Errno.EIO, e.errno());
    h.faults.failNext(0, StoreException.Kind.OTHER, r -> false);
    byte[] all = new byte[size];
    for (long offset = 0; offset < size; offset += FUSE_READ) {
      int n = h.fs.read(handle, offset, buffer, FUSE_READ);
      System.arraycopy(buffer, 0, all, (int) offset, n);
    }
    assertArrayEquals(data, all);
    h.fs.release(handle);
  }

  @Test
  void twoReadersTogetherStayWithinTheMemoryLimit() throws Exception {
    long global = 12L * MIB;
    h.fs.readAhead(new ReadAhead.Settings(4, 128 << 10, 4 * MIB, 8L * MIB, global));
    int size = 40 * MIB;
    byte[] a = object("a.bin", size, 6);
    byte[] b = object("b.bin", size, 7);
    h.faults.latency(Duration.ofMillis(5));
    ExecutorService two = Executors.newFixedThreadPool(2);
    try {
      Future<byte[]> readA = two.submit(() -> readConcurrently("/a.bin", size, 3, 11));
      Future<byte[]> readB = two.submit(() -> readConcurrently("/b.bin", size, 3, 12));
      assertEquals(sha256(a), sha256(readA.get()));
      assertEquals(sha256(b), sha256(readB.get()));
    } finally {
      two.shutdown();
    }
    assertTrue(h.fs.readAhead().peakReserved() <= global, "peak " + h.fs.readAhead().peakReserved());
    assertTrue(h.fs.readAhead().peakReserved() > 4 * MIB, "it did read ahead: " + h.fs.readAhead().peakReserved());
    assertEquals(0, h.fs.readAhead().reserved());
  }

  @Test
  void aWholeReadOutOfOrderIsKeptAndTheNextOpenCostsNoGet() throws Exception {
    int size = 6 * MIB + 7;
    byte[] data = object("db.tar.gz", size, 8);
    assertArrayEquals(data, readConcurrently("/db.tar.gz", size, 3, 21));
    long gets = gets("db.tar.gz");
    assertArrayEquals(data, readConcurrently("/db.tar.gz", size, 2, 22));
    assertEquals(gets, gets("db.tar.gz"), "the second read comes from the clean copy");
  }

  @Test
  void partsAheadAreFetchedInParallel() throws Exception {
    h.fs.readAhead(new ReadAhead.Settings(4, 128 << 10, 8 * MIB, 64L * MIB, 64L * MIB));
    int size = 12 * MIB;
    byte[] data = object("parallel.bin", size, 9);
    long handle = h.fs.open("/parallel.bin", 0);
    byte[] buffer = new byte[FUSE_READ];
    h.fs.read(handle, 0, buffer, FUSE_READ); // the stream's first part
    h.fs.read(handle, FUSE_READ, buffer, FUSE_READ); // sequential: the next part, to cover it
    FaultyStore.Gate gate = h.faults.pause(FaultyStore.op("GET", "parallel.bin"));
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> second = one.submit(() -> {
        byte[] b = new byte[FUSE_READ];
        int n = h.fs.read(handle, 2 * FUSE_READ, b, FUSE_READ); // the third: parts ahead start
        return java.util.Arrays.copyOf(b, n);
      });
      long deadline = System.currentTimeMillis() + 10_000;
      while (gate.held() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      int held = gate.held();
      gate.release();
      assertEquals(3, held, "GETs at once");
      assertArrayEquals(java.util.Arrays.copyOfRange(data, 2 * FUSE_READ, 3 * FUSE_READ), second.get());
    } finally {
      one.shutdown();
    }
    byte[] all = new byte[size];
    for (long offset = 0; offset < size; offset += FUSE_READ) {
      System.arraycopy(buffer, 0, all, (int) offset, h.fs.read(handle, offset, buffer, FUSE_READ));
    }
    assertArrayEquals(data, all);
    h.fs.release(handle);
    assertEquals(5, gets("parallel.bin"), "128 KiB, 512 KiB, then 2 MiB, 8 MiB and the rest at once");
  }

  @Test
  void aReaderThatGoesBackToTheStartGetsAStreamAgain() throws Exception {
    h.fs.readAhead(new ReadAhead.Settings(4, 128 << 10, 4 * MIB, 16L * MIB, 16L * MIB));
    int size = 24 * MIB;
    byte[] data = object("again.bin", size, 10);
    long handle = h.fs.open("/again.bin", 0);
    byte[] buffer = new byte[FUSE_READ];
    long[] gets = new long[2];
    for (int pass = 0; pass < 2; pass++) {
      long before = gets("again.bin");
      byte[] all = new byte[size];
      for (long offset = 0; offset < size; offset += FUSE_READ) {
        System.arraycopy(buffer, 0, all, (int) offset, h.fs.read(handle, offset, buffer, FUSE_READ));
      }
      assertArrayEquals(data, all, "pass " + pass);
      gets[pass] = gets("again.bin") - before;
    }
    h.fs.release(handle);
    // 128 KiB, 512 KiB, 2 MiB, then 4 MiB parts; going back costs two reads of their own first
    assertTrue(gets[0] <= size / (4 * MIB) + 4, "first pass: " + gets[0]);
    assertTrue(gets[1] <= gets[0] + 2, "second pass: " + gets[1] + " (first: " + gets[0] + ")");
  }
}
