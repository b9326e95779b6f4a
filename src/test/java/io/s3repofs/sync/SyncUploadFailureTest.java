package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.FlakyProxy;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sync returns only once every file is in the bucket: when the network goes down (a real TCP
 * proxy dropping every connection) after the database is written on the mount, the run exits 1
 * naming the files that are not in the bucket; the next sync, with the network back, uploads
 * them from the cache and publishes the repository.
 */
class SyncUploadFailureTest {

  @TempDir
  Path tmp;

  @Test
  void filesThatCannotBeUploadedAreNamedAndGoUpWithTheNextSync() throws Exception {
    SyncFixtures f = new SyncFixtures(tmp);
    Path pkg = PackageFixtures.build(21, 4).get(0);
    S3Endpoint s3 = S3Endpoint.s3proxy();
    try (FlakyProxy proxy = new FlakyProxy(s3.url())) {
      String options = "url=" + proxy.endpoint() + ",use_path_request_style,passwd_file=" + s3.passwdFile(tmp, f.bucket)
          + ",default_acl=public-read,use_cache=" + tmp.resolve("cache") + ",writeback_delay=30,drain_timeout=3"
          + ",retries=1,connect_timeout=2";
      String[] args = {"sync", f.bucket, "--repo", "e2e", "--root", "repo/x86_64", "-o", options, pkg.toString()};
      // cut the network once the package is on the mount, before the database is written (whose
      // rename and symlink are commit points: they would upload everything at once)
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Void> cutter = CompletableFuture.runAsync(() -> {
        while (!stop.get()) {
          try (var dirs = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "s3repofs-sync.*")) {
            for (Path d : dirs) {
              if (Files.exists(d.resolve("mnt/repo/x86_64").resolve(pkg.getFileName()))) {
                proxy.dropConnections(true);
                return;
              }
            }
            Thread.sleep(5);
          } catch (Exception e) {
            // the directory came or went meanwhile: look again
          }
        }
      });
      SyncFixtures.Run failed = SyncFixtures.run(args);
      stop.set(true);
      cutter.get(10, TimeUnit.SECONDS);
      assertEquals(1, failed.exit(), failed.toString());
      String error = failed.err().lines().filter(l -> l.startsWith("s3repofs: ")).findFirst().orElseThrow();
      assertTrue(error.contains("could not be uploaded") && error.contains(pkg.getFileName().toString())
          && error.contains("e2e.db.tar.gz"), error);
      assertTrue(f.keys().keySet().stream().noneMatch(k -> k.endsWith(".db") || k.contains(".pkg.tar")),
          "nothing published: " + f.keys());

      System.out.println("failed run:\n" + failed);
      proxy.dropConnections(false);
      SyncFixtures.Run again = SyncFixtures.run(args);
      assertEquals(0, again.exit(), again.toString());
      var entries = io.s3repofs.pacman.DatabaseReader.read(f.object("repo/x86_64/e2e.db"), "e2e.db").entries();
      assertEquals(List.of(pkg.getFileName().toString()), entries.stream().map(e -> e.fileName()).toList());
      assertEquals(200, S3TestServer.anonymousGet(f.bucket, "repo/x86_64/" + pkg.getFileName()).statusCode());
    }
  }
}
