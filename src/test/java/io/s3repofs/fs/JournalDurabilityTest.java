package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closes made durable (record and data file fsync'ed) share fsyncs when they come together (a
 * group commit), and every closed file has its record. Prints the cost in closes per second,
 * durable against not, on this machine's disk (figures, not a gate).
 */
class JournalDurabilityTest {

  @TempDir Path tmp;

  private double closesPerSecond(CoreHarness h, int threads, int files) throws Exception {
    byte[] data = "x".repeat(4096).getBytes(StandardCharsets.UTF_8);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long start = System.nanoTime();
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        for (int i = 0; i < files / threads; i++) {
          long fh = h.fs.create("/f" + thread + "-" + i, 0644, 1, 1000, 1000);
          h.fs.write(fh, 0, data, data.length);
          h.fs.release(fh);
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    return files / ((System.nanoTime() - start) / 1e9);
  }

  private static long records(Path cache) throws Exception {
    try (Stream<Path> s = Files.list(cache.resolve("journal"))) {
      return s.filter(p -> p.toString().endsWith(".pending")).count();
    }
  }

  @Test
  void concurrentClosesShareFsyncsAndEveryCloseIsJournaled() throws Exception {
    int files = 400;
    double durable;
    double plain;
    long rounds;
    try (CoreHarness h = new CoreHarness(S3TestServer.newBucket(), tmp.resolve("a"), Duration.ofHours(1), null, true)) {
      durable = closesPerSecond(h, 8, files);
      rounds = h.journal.syncRounds();
      assertEquals(files, records(tmp.resolve("a")), "one record per closed file");
    }
    try (CoreHarness h = new CoreHarness(S3TestServer.newBucket(), tmp.resolve("b"), Duration.ofHours(1), null, false)) {
      plain = closesPerSecond(h, 8, files);
      assertEquals(0, h.journal.syncRounds());
    }
    System.out.printf("journal: %d closes from 8 threads: %.0f closes/s durable (%d fsync rounds), %.0f closes/s without fsync%n",
        files, durable, rounds, plain);
    assertTrue(rounds > 0 && rounds < files, "closes from 8 threads share fsync rounds: " + rounds);
  }
}
