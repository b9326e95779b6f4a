package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.locals3.LatencyProxy;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 through a real mount: {@code ls -l} of a directory of objects another tool wrote, with
 * 20 ms added to every request. Counted at the S3 server: a HEAD per object, none twice; a warm
 * {@code ls -l} costs nothing; with {@code stat_from_list} the two LISTs are all.
 */
class ListingMountTest {

  static final int OBJECTS = 300;

  @TempDir Path tmp;

  private String bucketWithObjects() {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, "public-read")) {
      for (int i = 0; i < OBJECTS; i++) {
        Map<String, String> meta = i % 2 == 0
            ? Map.of("mode", Integer.toString(PosixAttributes.S_IFREG | 0600), "uid", "0", "gid", "0")
            : Map.of();
        store.putBytes(String.format("pkgs/p%04d.pkg.tar.zst", i), ("package " + i).getBytes(StandardCharsets.UTF_8),
            meta);
      }
    }
    return bucket;
  }

  /** Requests the server saw for the bucket since {@code from} (an index into its log), as "KIND key". */
  private static List<String> requestsSince(int from, String bucket) {
    List<String> log = S3TestServer.get().requestLog();
    String prefix = "/" + bucket;
    return log.subList(from, log.size()).stream()
        .filter(r -> r.substring(r.indexOf(' ') + 1).startsWith(prefix))
        .map(r -> r.substring(0, r.indexOf(' ') + 1) + r.substring(r.indexOf(' ') + 1 + prefix.length()).replaceFirst("^/", ""))
        .toList();
  }

  private static int logSize() {
    return S3TestServer.get().requestLog().size();
  }

  private String options(String bucket, LatencyProxy proxy, String extra) throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    return "url=" + proxy.endpoint() + ",use_path_request_style,passwd_file=" + s3.passwdFile(tmp, bucket)
        + ",use_cache=" + tmp.resolve("cache-" + System.nanoTime()) + extra;
  }

  private static List<String> lsLong(Path mnt) throws Exception {
    Shell.Result r = Shell.run(mnt, "ls", "-l", "pkgs");
    assertEquals(0, r.exitCode(), r.output());
    return r.output().lines().filter(l -> l.startsWith("-")).toList();
  }

  @Test
  void lsLongSendsTheHeadsManyAtATimeAndAWarmOneNothing() throws Exception {
    String bucket = bucketWithObjects();
    try (LatencyProxy proxy = new LatencyProxy(S3TestServer.get().endpoint(), Duration.ofMillis(20));
        Mounts.InProcess mount = Mounts.mount(bucket, tmp.resolve("mnt"), options(bucket, proxy, ""))) {
      int from = logSize();
      long t0 = System.nanoTime();
      List<String> files = lsLong(mount.mountPoint);
      double seconds = (System.nanoTime() - t0) / 1e9;
      List<String> cold = requestsSince(from, bucket);
      System.out.printf("cold ls -l of %d objects at 20 ms: %.2f s, %d requests%n", OBJECTS, seconds, cold.size());
      assertEquals(OBJECTS, files.size(), String.join("\n", files));
      assertEquals(OBJECTS / 2, files.stream().filter(l -> l.startsWith("-rw------- 1 root root")).count(),
          "the s3fs metadata's mode and owner: " + files.get(0));
      List<String> heads = cold.stream().filter(r -> r.startsWith("HEAD ")).toList();
      assertEquals(heads.size(), heads.stream().distinct().count(), "no HEAD twice: " + heads);
      assertTrue(heads.size() <= OBJECTS + 1, "a HEAD per object and of pkgs/ at most: " + heads.size());
      assertEquals(cold.size(), heads.size() + 2, "and two LISTs: " + cold.stream().filter(r -> !r.startsWith("HEAD")).toList());
      assertTrue(seconds < OBJECTS * 0.020, "the HEADs overlap: " + seconds + " s, one after the other would take "
          + OBJECTS * 0.020 + " s");

      from = logSize();
      assertEquals(OBJECTS, lsLong(mount.mountPoint).size());
      assertEquals(List.of(), requestsSince(from, bucket), "a warm ls -l costs no request");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }

  @Test
  void lsLongWithStatFromListCostsTheListPagesOnly() throws Exception {
    String bucket = bucketWithObjects();
    try (LatencyProxy proxy = new LatencyProxy(S3TestServer.get().endpoint(), Duration.ofMillis(20));
        Mounts.InProcess mount = Mounts.mount(bucket, tmp.resolve("mnt"), options(bucket, proxy, ",stat_from_list"))) {
      int from = logSize();
      List<String> files = lsLong(mount.mountPoint);
      assertEquals(OBJECTS, files.size());
      assertEquals(OBJECTS, files.stream().filter(l -> l.startsWith("-rw-r--r-- 1 ")).count(),
          "the default mode, not the metadata's: " + files.get(0));
      assertEquals(2, requestsSince(from, bucket).size(), "the root's LIST and pkgs/'s: " + requestsSince(from, bucket));
      assertTrue(requestsSince(from, bucket).stream().allMatch(r -> r.startsWith("LIST")), requestsSince(from, bucket).toString());
      from = logSize();
      assertEquals(OBJECTS, lsLong(mount.mountPoint).size());
      assertEquals(List.of(), requestsSince(from, bucket), "a warm ls -l costs no request");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }
}
