package io.s3repofs.pacman;

import static io.s3repofs.testing.S3TestServer.servedHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.pacman.BucketRepositoryTest.Run;
import io.s3repofs.testing.Mounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an anonymous HTTP client (a CDN, pacman) gets in Cache-Control and Content-Type for each
 * kind of repository object, after {@code repo add} on s3:// and after Debian's repo-add on a
 * real mount, with the defaults and with the options that change them.
 */
class ServedHeadersTest {
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  @TempDir Path tmp;

  static Run s3repofs(List<String> args) {
    return BucketRepositoryTest.s3repofs(args);
  }

  /** Packages zst, xz, gz, copied into {@code dir}, the first with a (dummy) signature file. */
  List<TestPackages.Pkg> packages(Path dir) throws Exception {
    List<TestPackages.Pkg> pkgs = TestPackages.oneOfEachCompression();
    TestPackages.copy(pkgs, dir);
    Files.write(dir.resolve(pkgs.get(0).fileName() + ".sig"), new byte[] {(byte) 0x89, 1, 2, 3});
    return pkgs;
  }

  Map<String, String> served(String bucket, String prefix, List<String> keys) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, servedHeaders(bucket, prefix + k));
    }
    System.out.println("served headers:");
    out.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    return out;
  }

  static Map<String, String> expected(List<TestPackages.Pkg> pkgs, String pkgCache, String dbCache) {
    Map<String, String> e = new LinkedHashMap<>();
    Map<String, String> types = Map.of("zst", "application/zstd", "xz", "application/x-xz", "gz", "application/gzip");
    for (TestPackages.Pkg p : pkgs) {
      e.put(p.fileName(), pkgCache + " | " + types.get(p.compression()));
    }
    e.put(pkgs.get(0).fileName() + ".sig", pkgCache + " | application/pgp-signature");
    for (String db : List.of("test.db.tar.gz", "test.files.tar.gz", "test.db.tar.gz.old",
        "test.files.tar.gz.old", "test.db", "test.files")) {
      e.put(db, dbCache + " | application/gzip");
    }
    return e;
  }

  void addTwice(String db, Path dir, List<TestPackages.Pkg> pkgs, String options) {
    for (List<TestPackages.Pkg> batch : List.of(pkgs.subList(0, 1), pkgs.subList(1, pkgs.size()))) {
      List<String> args = new ArrayList<>(List.of("repo", "add", "-R", "--single-writer", "-o", options, db));
      batch.forEach(p -> args.add(dir.resolve(p.fileName()).toString()));
      Run r = s3repofs(args);
      assertEquals(0, r.code(), r.toString());
    }
  }

  @Test
  void repoAddOnS3GivesEachKindOfObjectItsHeaders() throws Exception {
    TestPackages.assumeMakepkg();
    String bucket = io.s3repofs.testing.S3TestServer.newBucket();
    Path dir = Files.createDirectories(tmp.resolve("pkgs"));
    List<TestPackages.Pkg> pkgs = packages(dir);
    addTwice("s3://" + bucket + "/repo/test.db.tar.gz", dir, pkgs, BucketRepositoryTest.options(tmp, bucket));
    Map<String, String> want = expected(pkgs, IMMUTABLE, "no-cache");
    assertEquals(want, served(bucket, "repo/", List.copyOf(want.keySet())));
  }

  @Test
  void optionsChangeTheHeaders() throws Exception {
    TestPackages.assumeMakepkg();
    String bucket = io.s3repofs.testing.S3TestServer.newBucket();
    Path dir = Files.createDirectories(tmp.resolve("pkgs"));
    List<TestPackages.Pkg> pkgs = packages(dir);
    Path rules = Files.writeString(tmp.resolve("rules"), """
        # a longer lifetime for the names pacman downloads; nothing on signatures of packages
        *.{db,files}  Cache-Control: public, max-age=30
        *.pkg.tar.*.sig Cache-Control
        """);
    addTwice("s3://" + bucket + "/repo/test.db.tar.gz", dir, pkgs, BucketRepositoryTest.options(tmp, bucket)
        + ",pkg_max_age=3600,db_max_age=10,header_rules=" + rules);
    Map<String, String> want = expected(pkgs, "public, max-age=3600, immutable", "public, max-age=10");
    want.put(pkgs.get(0).fileName() + ".sig", "- | application/pgp-signature");
    want.put("test.db", "public, max-age=30 | application/gzip");
    want.put("test.files", "public, max-age=30 | application/gzip");
    assertEquals(want, served(bucket, "repo/", List.copyOf(want.keySet())));

    Run off = s3repofs(List.of("repo", "add", "--single-writer", "-o", BucketRepositoryTest.options(tmp, bucket)
        + ",no_repo_headers", "s3://" + bucket + "/plain/test.db.tar.gz", dir.resolve(pkgs.get(1).fileName()).toString()));
    assertEquals(0, off.code(), off.toString());
    assertEquals("- | application/octet-stream", servedHeaders(bucket, "plain/test.db.tar.gz"));
    assertEquals("- | application/octet-stream", servedHeaders(bucket, "plain/" + pkgs.get(1).fileName()));

    // s3fs's ahbe_conf (suffix, header, value) is read too, after the defaults
    Path ahbe = Files.writeString(tmp.resolve("ahbe.conf"), ".pkg.tar.xz Cache-Control no-store\n");
    Run s3fsStyle = s3repofs(List.of("repo", "add", "--single-writer", "-o", BucketRepositoryTest.options(tmp, bucket)
        + ",ahbe_conf=" + ahbe, "s3://" + bucket + "/ahbe/test.db.tar.gz", dir.resolve(pkgs.get(1).fileName()).toString()));
    assertEquals(0, s3fsStyle.code(), s3fsStyle.toString());
    assertEquals("no-store | application/x-xz", servedHeaders(bucket, "ahbe/" + pkgs.get(1).fileName()));
    assertEquals("no-cache | application/gzip", servedHeaders(bucket, "ahbe/test.db.tar.gz"));

    Run bad = s3repofs(List.of("repo", "list", "-o", BucketRepositoryTest.options(tmp, bucket)
        + ",header_rules=" + Files.writeString(tmp.resolve("bad"), "*.db Expires tomorrow\n"),
        "s3://" + bucket + "/repo/test.db.tar.gz"));
    assertEquals(2, bad.code(), bad.toString());
    assertEquals("s3repofs repo list: " + tmp.resolve("bad") + " line 1: header 'Expires' is not one s3repofs sets"
        + " (Cache-Control, Content-Type, Content-Disposition, Content-Encoding, Content-Language)",
        bad.err().strip());
  }

  @Test
  void repoAddOnAMountGivesEachKindOfObjectItsHeaders() throws Exception {
    TestPackages.assumeRepoAdd();
    TestPackages.assumeMakepkg();
    String bucket = io.s3repofs.testing.S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    Path src = Files.createDirectories(tmp.resolve("pkgs"));
    List<TestPackages.Pkg> pkgs = packages(src);
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, BucketRepositoryTest.options(tmp, bucket)
        + ",writeback_delay=0")) {
      Path dir = Files.createDirectories(mnt.resolve("repo"));
      for (int i = 0; i < pkgs.size(); i++) {
        Files.copy(src.resolve(pkgs.get(i).fileName()), dir.resolve(pkgs.get(i).fileName()));
        if (i == 0) {
          Files.copy(src.resolve(pkgs.get(0).fileName() + ".sig"), dir.resolve(pkgs.get(0).fileName() + ".sig"));
        }
        Tools.repoTool(dir, "repo-add", List.of("-R", "test.db.tar.gz", pkgs.get(i).fileName())).assertOk("repo-add");
      }
      Files.writeString(dir.resolve("notes.txt"), "not part of the repository\n");
      assertEquals(0, mount.unmount());
    }
    Map<String, String> want = expected(pkgs, IMMUTABLE, "no-cache");
    want.put("notes.txt", "- | application/octet-stream");
    Map<String, String> got = served(bucket, "repo/", List.copyOf(want.keySet()));
    assertEquals(want, got);
    assertTrue(got.get("test.db").endsWith("application/gzip"));
  }

  @Test
  void mountOptionsChangeTheHeadersAndChmodKeepsThem() throws Exception {
    TestPackages.assumeMakepkg();
    String bucket = io.s3repofs.testing.S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    List<TestPackages.Pkg> pkgs = TestPackages.oneOfEachCompression();
    Path rules = Files.writeString(tmp.resolve("rules"), "*.txt Content-Type text/plain\n");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, BucketRepositoryTest.options(tmp, bucket)
        + ",writeback_delay=0,db_max_age=60,pkg_max_age=600,header_rules=" + rules)) {
      Path dir = Files.createDirectories(mnt.resolve("repo"));
      Files.copy(pkgs.get(0).path(), dir.resolve(pkgs.get(0).fileName()));
      Tools.repoTool(dir, "repo-add", List.of("test.db.tar.gz", pkgs.get(0).fileName())).assertOk("repo-add");
      Files.writeString(dir.resolve("notes.txt"), "hello\n");
      // a chmod is a copy that replaces the metadata: the headers must be sent again
      Files.setPosixFilePermissions(dir.resolve(pkgs.get(0).fileName()),
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      assertEquals(0, mount.unmount());
    }
    Map<String, String> got = served(bucket, "repo/", List.of(pkgs.get(0).fileName(), "test.db.tar.gz", "test.db", "notes.txt"));
    assertEquals("public, max-age=600, immutable | application/zstd", got.get(pkgs.get(0).fileName()));
    assertEquals("public, max-age=60 | application/gzip", got.get("test.db.tar.gz"));
    assertEquals("public, max-age=60 | application/gzip", got.get("test.db"));
    assertEquals("- | text/plain", got.get("notes.txt"));
    try (var store = io.s3repofs.testing.S3TestServer.store(bucket, null)) {
      assertEquals(Integer.toString(0100600), store.head("repo/" + pkgs.get(0).fileName()).orElseThrow().metadata().get("mode"));
    }
  }
}
