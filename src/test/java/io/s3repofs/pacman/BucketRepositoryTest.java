package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.locals3.LocalS3Server;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code s3repofs repo add -R} with 56 real packages (zst, xz, gz; every 7th a second version)
 * to a database in the in-process S3 server, directly (s3://) and through a real FUSE mount;
 * Debian's pacman syncs, searches, installs and reads file lists over anonymous HTTP; the
 * entries equal Debian's repo-add's for the same packages.
 */
class BucketRepositoryTest {
  static final int COUNT = 56;

  @TempDir
  Path tmp;

  static List<Path> packages;
  static Map<String, String> repoAddDump;

  /** Exit code, stdout, stderr of one run of the real command line. */
  record Run(int code, String out, String err) {}

  static Run s3repofs(List<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  static Run s3repofs(String... args) {
    return s3repofs(List.of(args));
  }

  @BeforeAll
  static void packagesAndRepoAddReference(@TempDir Path ref) throws Exception {
    TestPackages.assumeRepoAdd();
    packages = PackageFixtures.build(COUNT, 0);
    assertEquals(COUNT, packages.size());
    List<String> args = new ArrayList<>(List.of("ref.db.tar.gz"));
    for (Path p : packages) {
      Files.copy(p, ref.resolve(p.getFileName()));
      args.add(p.getFileName().toString());
    }
    Tools.repoTool(ref, "repo-add", args).assertOk("repo-add");
    repoAddDump = RepoAddCompatibilityTest.dump(ref.resolve("ref.db.tar.gz"));
  }

  static String options(Path dir, String bucket) throws Exception {
    S3Endpoint s3 = S3Endpoint.s3proxy();
    return s3.options(s3.passwdFile(dir, bucket)) + ",default_acl=public-read";
  }

  static List<String> add(String db, String options, String... flags) {
    List<String> args = new ArrayList<>(List.of("repo", "add", "-R", "-o", options));
    args.addAll(List.of(flags));
    args.add(db);
    packages.forEach(p -> args.add(p.toString()));
    return args;
  }

  /** Downloads the databases anonymously, as pacman would, and dumps their members. */
  Map<String, String> bucketDump(String bucket, String prefix) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("download-" + System.nanoTime()));
    for (String f : List.of("test.db.tar.gz", "test.files.tar.gz")) {
      var r = S3TestServer.anonymousGet(bucket, prefix + f);
      assertEquals(200, r.statusCode(), f);
      Files.write(dir.resolve(f.replace("test.", "ref.")), r.body());
    }
    return RepoAddCompatibilityTest.dump(dir.resolve("ref.db.tar.gz"));
  }

  /** pacman -Sy, -Ss, -Sl, -S (into a temporary root), -Fy, -Fl over anonymous HTTP. */
  void pacmanUses(String bucket, String prefix) throws Exception {
    String server = S3TestServer.get().endpoint() + "/" + bucket + "/" + prefix.replaceAll("/$", "");
    PacmanHttpClient pacman = new PacmanHttpClient(tmp.resolve("pacman-" + System.nanoTime()), "test", server, "Never", null);
    pacman.ok("-Sy");
    List<String> listed = pacman.ok("-Slq", "test").lines().sorted().toList();
    assertEquals(COUNT - COUNT / 7, listed.size(), listed.toString());
    assertTrue(pacman.ok("-Ss", "sigma").contains("test/sigma"));
    pacman.ok("-S", "-dd", "sigma", "alpha", "nu");
    String installed = pacman.ok("-Q");
    assertTrue(installed.contains("sigma ") && installed.contains("alpha ") && installed.contains("nu "), installed);
    pacman.ok("-Fy");
    String files = pacman.ok("-Fl", "nu");
    assertFalse(files.isBlank());
    assertTrue(files.lines().allMatch(l -> l.startsWith("nu ")), files);
  }

  @Test
  void fiftySixPackagesWithOneAddDirectlyInTheBucket() throws Exception {
    String bucket = S3TestServer.newBucket();
    String options = options(tmp, bucket);
    String db = "s3://" + bucket + "/repo/x86_64/test.db.tar.gz";
    LocalS3Server server = S3TestServer.get();

    // S3Proxy ignores If-Match / If-None-Match: refused, in one line, unless --single-writer
    Run refused = s3repofs(add(db, options));
    assertEquals(1, refused.code(), refused.toString());
    assertTrue(refused.err().contains("ignores conditional writes") && refused.err().contains("--single-writer"), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      assertEquals(List.of(), store.listRecursive(""), "nothing left behind");
    }

    server.resetCounts();
    long start = System.nanoTime();
    Run added = s3repofs(add(db, options, "--single-writer"));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, added.code(), added.toString());
    Map<String, Long> counts = server.requestCounts();
    System.out.printf("repo add -R of %d packages to %s: %d ms, %d requests %s%n", COUNT, db, millis,
        server.totalRequests(), counts);
    // one PUT per newest package, files db, db, 2 link copies, a LIST, the access check, 2 GETs
    assertTrue(server.totalRequests() < COUNT + 15, counts.toString());
    List<String> log = server.requestLog();
    int dbPut = indexOf(log, "PUT /" + bucket + "/repo/x86_64/test.db.tar.gz");
    int filesPut = indexOf(log, "PUT /" + bucket + "/repo/x86_64/test.files.tar.gz");
    int lastPackagePut = -1;
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).startsWith("PUT ") && log.get(i).contains(".pkg.tar.")) {
        lastPackagePut = i;
      }
    }
    assertTrue(lastPackagePut < filesPut && filesPut < dbPut, "packages, files db, db: " + log);

    assertEquals(repoAddDump, bucketDump(bucket, "repo/x86_64/"), "the entries equal repo-add's");
    // NAME.db is a copy (HTTP clients get the database), marked as a symlink for mounts
    assertTrue(java.util.Arrays.equals(S3TestServer.anonymousGet(bucket, "repo/x86_64/test.db.tar.gz").body(),
        S3TestServer.anonymousGet(bucket, "repo/x86_64/test.db").body()));
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      assertEquals("test.db.tar.gz", store.head("repo/x86_64/test.db").orElseThrow().metadata().get(MetadataCodec.SYMLINK_KEY));
      assertEquals("33188", store.head("repo/x86_64/" + packages.get(0).getFileName()).orElseThrow().metadata().get("mode"));
      // older versions named in the same run were replaced by the newer ones, so never uploaded
      List<String> packageKeys = store.list("repo/x86_64/").objects().stream()
          .map(o -> o.key()).filter(k -> k.contains(".pkg.tar.")).toList();
      assertEquals(COUNT - COUNT / 7, packageKeys.stream().filter(k -> !k.contains(" ")).count());
      // each name with '+' also has the key AWS looks up for it (the '+' read as a space)
      List<String> plusNames = packageKeys.stream().filter(k -> k.contains("+")).toList();
      assertTrue(!plusNames.isEmpty());
      for (String k : plusNames) {
        assertTrue(packageKeys.contains(k.replace('+', ' ')), "alias of " + k);
      }
    }
    pacmanUses(bucket, "repo/x86_64/");

    Run list = s3repofs("repo", "list", "-o", options, db);
    assertEquals(0, list.code(), list.toString());
    assertEquals(COUNT - COUNT / 7, list.out().lines().count());
    Run verify = s3repofs("repo", "verify", "-o", options, db);
    assertEquals(0, verify.code(), verify.toString());

    // again: nothing changes, nothing is uploaded
    server.resetCounts();
    assertEquals(0, s3repofs(add(db, options, "--single-writer")).code());
    assertFalse(server.requestCounts().containsKey("PUT"), server.requestCounts().toString());
  }

  @Test
  void verifyFindsAPackageObjectWhoseBytesChanged() throws Exception {
    String bucket = S3TestServer.newBucket();
    String options = options(tmp, bucket);
    String db = "s3://" + bucket + "/r/test.db.tar.gz";
    Path pkg = packages.get(0);
    assertEquals(0, s3repofs("repo", "add", "-o", options, "--single-writer", db, pkg.toString()).code());
    assertEquals(0, s3repofs("repo", "verify", "-o", options, db).code());
    byte[] tampered = java.nio.file.Files.readAllBytes(pkg);
    tampered[tampered.length / 2] ^= 1; // same size, other bytes
    try (ObjectStore store = S3TestServer.store(bucket, "public-read")) {
      store.putBytes("r/" + pkg.getFileName(), tampered, java.util.Map.of());
    }
    Run verify = s3repofs("repo", "verify", "-o", options, db);
    assertEquals(1, verify.code(), verify.toString());
    assertTrue(verify.toString().contains("does not match %SHA256SUM%"), verify.toString());
  }

  @Test
  void removeOldDeletesReplacedPackagesAfterTheDatabase() throws Exception {
    String bucket = S3TestServer.newBucket();
    String options = options(tmp, bucket);
    String db = "s3://" + bucket + "/r/test.db.tar.gz";
    Path v1 = packages.get(5);
    Path v2 = packages.get(6);
    assertEquals(new PackageReader().read(v1).info().name(), new PackageReader().read(v2).info().name());
    assertEquals(0, s3repofs("repo", "add", "-o", options, "--single-writer", db, v1.toString()).code());
    LocalS3Server server = S3TestServer.get();
    server.resetCounts();
    Run r = s3repofs("repo", "add", "-R", "--grace", "0", "-o", options, "--single-writer", db, v2.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> log = server.requestLog();
    int dbPut = indexOf(log, "PUT /" + bucket + "/r/test.db.tar.gz");
    int delete = indexOf(log, "DELETE /" + bucket + "/r/" + encoded(v1.getFileName().toString()));
    assertTrue(dbPut >= 0 && delete > dbPut, log.toString());
    assertEquals(404, S3TestServer.anonymousGet(bucket, "r/" + v1.getFileName()).statusCode());
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/" + v2.getFileName()).statusCode());
    assertEquals(200, S3TestServer.anonymousGet(bucket, "r/test.db.tar.gz.old").statusCode());
  }

  @Test
  void throughARealMountWithTheDatabasePathOnIt() throws Exception {
    Mounts.assumeFuse();
    String bucket = S3TestServer.newBucket();
    String options = options(tmp, bucket) + ",writeback_delay=0.2,use_cache=" + tmp.resolve("cache");
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      Path dir = Files.createDirectories(mnt.resolve("repo/x86_64"));
      List<String> args = new ArrayList<>(List.of("repo", "add", "-R", dir.resolve("test.db.tar.gz").toString()));
      for (Path p : packages) {
        Files.copy(p, dir.resolve(p.getFileName()));
        args.add(dir.resolve(p.getFileName()).toString());
      }
      Run added = s3repofs(args);
      assertEquals(0, added.code(), added.toString());
      assertTrue(Files.isSymbolicLink(dir.resolve("test.db")));
      assertEquals(0, mount.unmount());
    }
    assertEquals(repoAddDump, bucketDump(bucket, "repo/x86_64/"));
    pacmanUses(bucket, "repo/x86_64/");
    // and the s3:// commands read what the mount wrote
    Run verify = s3repofs("repo", "verify", "-o", options(tmp, bucket), "s3://" + bucket + "/repo/x86_64/test.db.tar.gz");
    assertEquals(0, verify.code(), verify.toString());
  }

  /** A key as it appears in the request log: URL-encoded. */
  static String encoded(String name) {
    return java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  static int indexOf(List<String> log, String entry) {
    for (int i = log.size() - 1; i >= 0; i--) {
      if (log.get(i).equals(entry)) {
        return i;
      }
    }
    return -1;
  }
}
