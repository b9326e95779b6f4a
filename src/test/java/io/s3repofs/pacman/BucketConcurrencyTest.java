package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreSettings;
import io.s3repofs.testing.ConditionalWriteProxy;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent adds to one database in a bucket lose nothing. The in-process S3Proxy ignores
 * conditional writes, so these tests put {@link ConditionalWriteProxy} in front of it: a server
 * that answers 412 as AWS S3 does.
 */
class BucketConcurrencyTest {
  @TempDir
  Path tmp;

  static List<Path> packages;

  @BeforeAll
  static void packages() throws Exception {
    packages = PackageFixtures.build(BucketRepositoryTest.COUNT, 0);
  }

  static StoreSettings settings(String bucket, String prefix, URI endpoint) {
    StoreSettings s = S3TestServer.settings(bucket, prefix, "public-read");
    return new StoreSettings(s.bucket(), s.prefix(), endpoint, s.region(), s.pathStyle(),
        s.credentials(), s.cannedAcl(), s.multipartSize(), s.parallelCount(), s.maxAttempts(), s.timeout());
  }

  /** Distinct package names: the first version of each. */
  static List<Path> distinct(int count) throws Exception {
    List<Path> out = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Path p : packages) {
      String name = new PackageReader().read(p).info().name();
      if (!names.contains(name)) {
        names.add(name);
        out.add(p);
      }
      if (out.size() == count) {
        break;
      }
    }
    return out;
  }

  @Test
  void anAddThatLosesTheRaceMergesAgainAndHealsTheFileLists() throws Exception {
    String bucket = S3TestServer.newBucket();
    List<Path> pkgs = distinct(6);
    try (ConditionalWriteProxy proxy = new ConditionalWriteProxy(S3TestServer.get().endpoint());
        ObjectStore a = new ObjectStore(settings(bucket, "repo/", proxy.endpoint()));
        ObjectStore b = new ObjectStore(settings(bucket, "repo/", proxy.endpoint()))) {
      BucketLocation location = BucketLocation.parse("s3://" + bucket + "/repo/c.db.tar.zst");
      BucketRepository repoB = new BucketRepository(b, location, new PackageReader(), RepoListener.SILENT, null, false);
      repoB.add(pkgs.subList(0, 2), AddOptions.DEFAULTS);
      AtomicBoolean interfered = new AtomicBoolean();
      RepoListener interfering = new RepoListener() {
        @Override
        public void info(String message) {
          // between A's read of the database and its commit, B adds two packages
          if (message.startsWith("Uploading updated database") && interfered.compareAndSet(false, true)) {
            try {
              repoB.add(pkgs.subList(2, 4), AddOptions.DEFAULTS);
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          }
        }

        @Override
        public void warn(String message) {}
      };
      BucketRepository repoA = new BucketRepository(a, location, new PackageReader(), interfering, null, false);
      int refusedBefore = proxy.refused();
      AddResult result = repoA.add(pkgs.subList(4, 6), AddOptions.DEFAULTS);
      assertTrue(interfered.get());
      assertEquals(2, result.added().size());
      // two 412s for A's probe of the server (If-None-Match: * on an existing key, If-Match with
      // a wrong tag), one for A's first commit
      assertEquals(3, proxy.refused() - refusedBefore, "A's first commit was refused (412)");

      RepoDatabase db = repoA.read();
      assertEquals(6, db.size(), "no entry lost: " + db.entries());
      for (RepoEntry e : db.entries()) {
        assertTrue(e.files() != null && !e.files().isEmpty(), "file list of " + e.directoryName());
      }
      assertEquals(List.of(), repoA.verify());
    }
  }

  @Test
  void fourConcurrentCommandLinesLoseNoEntry() throws Exception {
    String bucket = S3TestServer.newBucket();
    List<Path> pkgs = distinct(24);
    try (ConditionalWriteProxy proxy = new ConditionalWriteProxy(S3TestServer.get().endpoint())) {
      S3Endpoint s3 = S3Endpoint.s3proxy();
      String options = "url=" + proxy.endpoint() + ",use_path_request_style,default_acl=public-read,passwd_file="
          + s3.passwdFile(tmp, bucket);
      String db = "s3://" + bucket + "/x86_64/conc.db.tar.gz";
      assertEquals(0, addConcurrently(4, options, db, pkgs));
      var list = BucketRepositoryTest.s3repofs("repo", "list", "-o", options, db);
      assertEquals(24, list.out().lines().count(), list.toString());
      var verify = BucketRepositoryTest.s3repofs("repo", "verify", "-o", options, db);
      assertEquals(0, verify.code(), verify.toString());
      int probes = 24 * 2;
      System.out.println("4 writers x 6 adds: " + (proxy.refused() - probes) + " commits refused (412) and"
          + " merged again; " + proxy.honoured() + " conditional writes accepted (incl. " + 24 + " probes)");
    }
  }

  /**
   * Adds the packages to {@code db} from {@code writers} command lines at once, each taking every
   * n-th package; returns how many adds failed.
   */
  static int addConcurrently(int writers, String options, String db, List<Path> pkgs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        runs.add(pool.submit(() -> {
          int failures = 0;
          for (int i = writer; i < pkgs.size(); i += writers) {
            var r = BucketRepositoryTest.s3repofs("repo", "add", "-o", options, db, pkgs.get(i).toString());
            if (r.code() != 0) {
              System.out.println("writer " + writer + ": " + r);
              failures++;
            }
          }
          return failures;
        }));
      }
      int failures = 0;
      for (Future<Integer> f : runs) {
        failures += f.get();
      }
      return failures;
    } finally {
      pool.shutdown();
    }
  }
}
