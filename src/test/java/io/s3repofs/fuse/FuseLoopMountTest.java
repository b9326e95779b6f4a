package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.locals3.LatencyProxy;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE session loop through a real mount ({@link FuseLoop}): callbacks run on the loop's own
 * Java threads, so thousands of calls start no thread each (jffi attached libfuse's threads
 * anew for each of a thread's first 1,000 calls: a cold read of 1 GiB started 7,893); calls
 * that block on S3 at once each get a worker; idle workers beyond libfuse's ten leave.
 */
class FuseLoopMountTest {

  @TempDir Path tmp;

  private String options(String bucket, String endpoint) throws Exception {
    return "url=" + endpoint + ",use_path_request_style,passwd_file="
        + S3Endpoint.s3proxy().passwdFile(tmp, bucket) + ",use_cache=" + tmp.resolve("cache-" + System.nanoTime());
  }

  @Test
  void thousandsOfCallsStartNoThreadPerCall() throws Exception {
    String bucket = S3TestServer.newBucket();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    try (Mounts.InProcess mount = Mounts.mount(bucket, tmp.resolve("mnt"),
        options(bucket, S3TestServer.get().endpoint().toString()))) {
      long before = threads.getTotalStartedThreadCount();
      // 400 files: a lookup, create, write, flush, release and getattr or two each, in one shell
      Shell.Result r = Shell.run(mount.mountPoint, "bash", "-c",
          "for i in $(seq 400); do echo \"file $i\" > f$i; done; cat f*  | wc -l; ls -l | wc -l");
      long started = threads.getTotalStartedThreadCount() - before;
      assertEquals(0, r.exitCode(), r.output());
      assertEquals("400\n401\n", r.output(), "every file written and listed");
      System.out.println("threads started for about 3,000 FUSE calls: " + started);
      assertTrue(started < 100, started + " threads started: one per FUSE call is jffi attaching libfuse's threads");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }

  @Test
  void callsBlockedOnS3AtOnceEachGetAWorkerAndIdleOnesLeaveAfter() throws Exception {
    String bucket = S3TestServer.newBucket();
    int readers = 14;
    try (ObjectStore store = S3TestServer.store(bucket, "private")) {
      for (int i = 0; i < readers; i++) {
        store.putBytes("r" + i, new byte[64 << 10], Map.of());
      }
    }
    try (LatencyProxy proxy = new LatencyProxy(S3TestServer.get().endpoint(), Duration.ofMillis(400));
        Mounts.InProcess mount = Mounts.mount(bucket, tmp.resolve("mnt"), options(bucket, proxy.endpoint().toString()))) {
      Shell.run(mount.mountPoint, "ls", "-l"); // the listing and HEADs first: the reads below block on GETs
      AtomicBoolean reading = new AtomicBoolean(true);
      CompletableFuture<Integer> peak = CompletableFuture.supplyAsync(() -> {
        int most = 0;
        while (reading.get()) {
          most = Math.max(most, fuseWorkers());
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            break;
          }
        }
        return most;
      });
      StringBuilder script = new StringBuilder();
      for (int i = 0; i < readers; i++) {
        script.append("cat r").append(i).append(" | wc -c & ");
      }
      script.append("wait");
      Shell.Result r = Shell.run(mount.mountPoint, "bash", "-c", script.toString());
      reading.set(false);
      assertEquals(0, r.exitCode(), r.output());
      assertEquals(readers, r.output().lines().filter(l -> l.strip().equals("65536")).count(), r.output());
      int most = peak.get();
      System.out.println("FUSE workers at most, " + readers + " cold reads at 400 ms: " + most);
      assertTrue(most > FuseLoop.MAX_IDLE + 1, most + " workers for " + readers + " reads blocked at once");
      // after the burst every worker is idle; all but ten of them leave after their request
      assertTrue(fuseWorkers() <= FuseLoop.MAX_IDLE + 1, fuseWorkers() + " workers idle after the reads");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }

  private static int fuseWorkers() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("s3repofs-fuse-worker-")).count();
  }
}
