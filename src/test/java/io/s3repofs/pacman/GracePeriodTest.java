package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.pacman.BucketRepositoryTest.Run;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No 404 window: with {@code repo add -R --grace}, a pacman that synced the previous database
 * still installs the version it names; the replaced file is recorded, reported by verify, and
 * deleted by a later run once the grace period is over.
 */
class GracePeriodTest {
  @TempDir Path tmp;

  static Run s3repofs(String... args) {
    return BucketRepositoryTest.s3repofs(args);
  }

  /** Two versions of one package: [v1, v2]. */
  static Path[] twoVersions() throws Exception {
    List<Path> all = PackageFixtures.build(BucketRepositoryTest.COUNT, 0);
    PackageReader reader = new PackageReader();
    for (int i = 0; i + 1 < all.size(); i++) {
      PackageInfo a = reader.read(all.get(i)).info();
      PackageInfo b = reader.read(all.get(i + 1)).info();
      if (a.name().equals(b.name()) && Vercmp.compare(a.version(), b.version()) < 0) {
        return new Path[] {all.get(i), all.get(i + 1)};
      }
    }
    throw new AssertionError("no package with two versions among the fixtures");
  }

  static String nameOf(Path pkg) throws Exception {
    return new PackageReader().read(pkg).info().name();
  }

  /** Sleeps until the latest due time in a pending-deletes record has passed. */
  static void sleepUntilDue(String record) throws InterruptedException {
    long due = record.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .mapToLong(l -> java.time.Instant.parse(l.substring(0, l.indexOf(' '))).toEpochMilli())
        .max().orElseThrow();
    long left = due + 100 - System.currentTimeMillis();
    if (left > 0) {
      Thread.sleep(left);
    }
  }

  @Test
  void onS3AClientHoldingTheOldDatabaseStillInstallsAndALaterRunDeletes() throws Exception {
    TestPackages.assumeMakepkg();
    Path[] v = twoVersions();
    Path other = PackageFixtures.build(BucketRepositoryTest.COUNT, 0).get(0);
    String bucket = S3TestServer.newBucket();
    String options = BucketRepositoryTest.options(tmp, bucket);
    String db = "s3://" + bucket + "/r/test.db.tar.gz";
    String v1 = v[0].getFileName().toString();
    assertEquals(0, s3repofs("repo", "add", "-o", options, "--single-writer", db, v[0].toString()).code());

    PacmanHttpClient pacman = new PacmanHttpClient(tmp.resolve("pacman"), "test",
        S3TestServer.get().endpoint() + "/" + bucket + "/r", "Never", null);
    pacman.ok("-Sy"); // holds the v1 database from now on

    Run add = s3repofs("repo", "add", "-R", "--grace", "8s", "-o", options, "--single-writer", db, v[1].toString());
    assertEquals(0, add.code(), add.toString());
    // before the end of the grace period a later run keeps it
    Run early = s3repofs("repo", "prune", "-o", options, db);
    assertEquals(0, early.code(), early.toString());
    assertTrue(early.out().contains("0 file(s) deleted, 1 waiting"), early.out());
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/" + v1).statusCode(), "kept for the grace period");
    String record = new String(S3TestServer.anonymousGet(bucket, "r/test.db.tar.gz.pending-deletes").body());
    assertTrue(record.contains(" " + v1 + "\n"), record);

    // the client that synced before installs v1, which the current database no longer names
    pacman.ok("-S", "-dd", nameOf(v[0]));
    assertTrue(pacman.ok("-Q").contains(nameOf(v[0]) + " " + new PackageReader().read(v[0]).info().version()));

    Run verify = s3repofs("repo", "verify", "-o", options, db);
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(verify.out().contains("waiting: " + v1 + " (replaced; deleted from "), verify.out());

    sleepUntilDue(record);
    // any later add deletes what is due (here: adding an unrelated package)
    Run later = s3repofs("repo", "add", "-o", options, "--single-writer", db, other.toString());
    assertEquals(0, later.code(), later.toString());
    assertEquals(404, S3TestServer.anonymousGet(bucket, "r/" + v1).statusCode());
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/" + v[1].getFileName()).statusCode());
    assertEquals(404, S3TestServer.anonymousGet(bucket, "r/test.db.tar.gz.pending-deletes").statusCode());
    Run clean = s3repofs("repo", "verify", "-o", options, db);
    assertEquals(0, clean.code(), clean.toString());
    assertFalse(clean.out().contains("waiting:"), clean.out());
  }

  @Test
  void onAPathPruneDeletesWhatIsDueAndKeepsWhatIsNamedAgain() throws Exception {
    TestPackages.assumeMakepkg();
    Path[] v = twoVersions();
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Path p1 = Files.copy(v[0], repo.resolve(v[0].getFileName()));
    Path p2 = Files.copy(v[1], repo.resolve(v[1].getFileName()));
    Files.write(repo.resolve(p1.getFileName() + ".sig"), new byte[] {1, 2, 3});
    String db = repo.resolve("test.db.tar.zst").toString();
    assertEquals(0, s3repofs("repo", "add", db, p1.toString()).code());
    PacmanHttpClient pacman = new PacmanHttpClient(tmp.resolve("pacman"), "test", "file://" + repo, "Never", null);
    pacman.ok("-Sy");

    Run add = s3repofs("repo", "add", "-R", "--grace", "5", db, p2.toString());
    assertEquals(0, add.code(), add.toString());
    assertTrue(Files.exists(p1) && Files.exists(repo.resolve(p1.getFileName() + ".sig")));
    pacman.ok("-S", "-dd", nameOf(v[0]));

    Run verify = s3repofs("repo", "verify", db);
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(verify.out().contains("waiting: " + p1.getFileName() + " "), verify.out());
    assertTrue(verify.out().contains("waiting: " + p1.getFileName() + ".sig "), verify.out());

    Run early = s3repofs("repo", "prune", db);
    assertEquals(0, early.code(), early.toString());
    assertTrue(early.out().contains("0 file(s) deleted, 2 waiting"), early.out());
    sleepUntilDue(Files.readString(repo.resolve("test.db.tar.zst.pending-deletes")));
    Run prune = s3repofs("repo", "prune", db);
    assertEquals(0, prune.code(), prune.toString());
    assertTrue(prune.out().contains("2 file(s) deleted, 0 waiting"), prune.out());
    assertFalse(Files.exists(p1));
    assertFalse(Files.exists(repo.resolve(p1.getFileName() + ".sig")));
    assertTrue(Files.exists(p2));
    assertFalse(Files.exists(repo.resolve("test.db.tar.zst.pending-deletes")));

    // a replaced file added back before it is due is kept, and forgotten
    Path again = Files.copy(v[0], repo.resolve(v[0].getFileName()));
    assertEquals(0, s3repofs("repo", "add", "-R", "--grace", "1h", db, p2.toString()).code());
    assertEquals(0, s3repofs("repo", "remove", db, nameOf(v[0])).code());
    assertEquals(0, s3repofs("repo", "add", db, again.toString()).code()); // v1 named again
    assertEquals(0, s3repofs("repo", "prune", "--all", db).code());
    assertTrue(Files.exists(again));
  }

  @Test
  void onS3ARemoveAlsoDeletesWhatIsDue() throws Exception {
    TestPackages.assumeMakepkg();
    Path[] v = twoVersions();
    String bucket = S3TestServer.newBucket();
    String options = BucketRepositoryTest.options(tmp, bucket);
    String db = "s3://" + bucket + "/r/test.db.tar.gz";
    assertEquals(0, s3repofs("repo", "add", "-o", options, "--single-writer", db, v[0].toString()).code());
    assertEquals(0, s3repofs("repo", "add", "-R", "--grace", "2s", "-o", options, "--single-writer", db,
        v[1].toString()).code());
    String v1 = v[0].getFileName().toString();
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/" + v1).statusCode());
    sleepUntilDue(new String(S3TestServer.anonymousGet(bucket, "r/test.db.tar.gz.pending-deletes").body()));
    Run remove = s3repofs("repo", "remove", "-o", options, "--single-writer", db, nameOf(v[1]));
    assertEquals(0, remove.code(), remove.toString());
    assertEquals(404, S3TestServer.anonymousGet(bucket, "r/" + v1).statusCode());
    assertEquals(404, S3TestServer.anonymousGet(bucket, "r/test.db.tar.gz.pending-deletes").statusCode());
    // repo remove never deletes the package files of the entries it removes
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/" + v[1].getFileName()).statusCode());
  }

  @Test
  void badDurationsAreOneLineErrors() {
    Run r = s3repofs("repo", "add", "-R", "--grace", "soon", tmp.resolve("x.db.tar.gz").toString(), "p.pkg.tar.zst");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("'soon' is not a duration (expected e.g. 0, 90, 30s, 15m, 24h, 7d)"), r.err());
  }
}
