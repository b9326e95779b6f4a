package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to {@code s3repofs sync}: each is one line on stderr (no stack trace), a non-zero
 * exit, and nothing published: the bucket's keys and its database bytes are what they were.
 */
class SyncErrorsTest {

  @TempDir
  Path tmp;

  SyncFixtures f;
  List<Path> packages;
  Map<String, Long> before;
  byte[] dbBefore;

  @BeforeEach
  void publishARepository() throws Exception {
    f = new SyncFixtures(tmp);
    packages = PackageFixtures.build(21, 4);
    SyncFixtures.Run r = f.sync(packages.get(0).toString(), packages.get(1).toString());
    assertEquals(0, r.exit(), r.toString());
    before = f.keys();
    dbBefore = f.object("repo/x86_64/e2e.db.tar.gz");
    assertTrue(dbBefore != null && dbBefore.length > 0, before.toString());
  }

  private void assertOneLineErrorAndNothingPublished(SyncFixtures.Run r, int exit, String expected) {
    assertEquals(exit, r.exit(), r.toString());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("s3repofs")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).contains(expected), errors.get(0));
    assertTrue(r.err().lines().allMatch(l -> l.startsWith("s3repofs") || l.startsWith("==> ")
        || l.startsWith("Try '")), "only progress lines besides the error: " + r.err());
    assertTrue(!r.err().contains("\tat ") && !r.err().contains("Exception"), r.err());
    assertEquals(before, f.keys(), "nothing published");
    assertArrayEquals(dbBefore, f.object("repo/x86_64/e2e.db.tar.gz"), "database unchanged");
  }

  @Test
  void aPkgbuildThatFailsToBuildPublishesNothingElseEither() throws Exception {
    Path broken = f.pkgbuild("broken", "1.0", "any", "broken");
    Files.writeString(broken.resolve("PKGBUILD"), Files.readString(broken.resolve("PKGBUILD"))
        .replace("install -d", "echo 'compiler exploded' >&2; false; install -d"));
    // a good package file in the same run is not published either
    SyncFixtures.Run r = f.sync(packages.get(2).toString(), broken.toString());
    assertOneLineErrorAndNothingPublished(r, 1, "makepkg failed for " + broken);
  }

  @Test
  void aMissingTargetIsRefusedBeforeMounting() {
    SyncFixtures.Run r = f.sync(tmp.resolve("no-such-dir").toString());
    assertOneLineErrorAndNothingPublished(r, 1, "target " + tmp.resolve("no-such-dir") + " does not exist");
    assertTrue(r.err().lines().noneMatch(l -> l.contains("mounting")), r.err());
  }

  @Test
  void aDatabaseNameOtherThanTheRootsIsRefused() {
    SyncFixtures.Run r = SyncFixtures.run("sync", f.bucket, "--repo", "other", "--root", "repo/x86_64",
        "-o", f.options, packages.get(2).toString());
    assertOneLineErrorAndNothingPublished(r, 1, "the root holds the database 'e2e', not 'other'");
  }

  @Test
  void wrongOrMissingKeysAreOneLineBeforeAnythingIsWritten() throws Exception {
    Path wrong = tmp.resolve("wrong-passwd");
    Files.writeString(wrong, f.bucket + ":" + S3TestServer.get().accessKey() + ":not-the-secret\n");
    Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String endpoint = "url=" + S3TestServer.get().endpoint() + ",use_path_request_style,use_cache=" + tmp.resolve("c2");
    SyncFixtures.Run r = SyncFixtures.run("sync", f.bucket, "--repo", "e2e", "--root", "repo/x86_64",
        "-o", endpoint + ",passwd_file=" + wrong, packages.get(2).toString());
    assertOneLineErrorAndNothingPublished(r, 1, "s3repofs: ");
    // no passwd file at all, no AWS environment: the SDK finds no keys
    SyncFixtures.Run none = SyncFixtures.run("sync", f.bucket, "--repo", "e2e", "--root", "repo/x86_64",
        "-o", endpoint, packages.get(2).toString());
    assertOneLineErrorAndNothingPublished(none, 1, "no keys for bucket '" + f.bucket + "'");
  }

  @Test
  void aMissingToolIsNamedWithHowToGetIt() {
    SyncFixtures.Run r = f.sync("--tool", "repose", packages.get(2).toString());
    assertOneLineErrorAndNothingPublished(r, 1, "repose is not installed");
    SyncFixtures.Run aur = f.sync("some-aur-package");
    assertOneLineErrorAndNothingPublished(aur, 1, "aurutils is not installed");
  }
}
