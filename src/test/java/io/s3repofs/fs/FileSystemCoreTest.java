package io.s3repofs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.testing.S3TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemCoreTest {

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

  private List<String> putsOf(String key) {
    return h.requests().stream().filter(r -> r.equals("PUT " + key) || r.startsWith("COPY " + key)).toList();
  }

  @Test
  void closedFileIsUploadedWithS3fsMetadataAndPublicRead() throws Exception {
    h.fs.mkdir("/repo", 0755, 1000, 1000);
    h.writeFile("/repo/a.txt", "hello");
    assertEquals("hello", h.readFile("/repo/a.txt"));
    assertTrue(h.store.head("repo/a.txt").isEmpty(), "not uploaded before the write-back delay");
    h.drain();
    ObjectHead head = h.store.head("repo/a.txt").orElseThrow();
    assertEquals(5, head.size());
    assertEquals(Integer.toString(PosixAttributes.S_IFREG | 0644), head.metadata().get("mode"));
    assertEquals("1000", head.metadata().get("uid"));
    assertEquals("hello", new String(S3TestServer.anonymousGet(h.bucketName, "repo/a.txt").body()));
    assertTrue(h.store.head("repo/").isPresent(), "mkdir writes a dir/ marker");
  }

  /**
   * The '+' alias of a link stored as a copy has the ETag of the link's old target: when the
   * target is rewritten, the alias must not be taken for a link of its own (found by the model
   * test: after the link was deleted, its alias stayed in the mount as a symlink named "e f").
   */
  @Test
  void aliasOfALinkIsNotTakenForALinkWhenTheTargetChanges() throws Exception {
    h.writeFile("/x", "first");
    h.fs.symlink("x", "/lnk", 1000, 1000);
    h.drain();
    h.fs.rename("/lnk", "/e+f"); // a COPY of the content link, and its alias "e f"
    h.drain();
    assertTrue(h.store.head("e f").isPresent(), "the alias is in the bucket");
    h.writeFile("/x", "second");
    h.drain();
    h.fs.unlink("/e+f");
    h.drain();
    assertEquals(List.of("x"), h.fs.readdir("/"));
    assertFalse(h.store.head("e f").isPresent(), "the alias went with its name");
  }

  /**
   * Small files written one after another (cp -r) go up side by side, one PUT each and no HEAD or
   * GET; their deletes (rm -r) too, after the uploads. With 20 ms per request, one at a time would
   * take 40 x 20 ms per pass.
   */
  @Test
  void smallFilesAndTheirDeletesGoUpSideBySideWithOneRequestEach() throws Exception {
    h.fs.mkdir("/many", 0755, 1000, 1000);
    h.drain();
    h.faults.latency(Duration.ofMillis(20));
    var before = h.faults.seen().size();
    for (int i = 0; i < 40; i++) {
      h.writeFile("/many/f" + i, "x".repeat(4096));
    }
    h.drain();
    var requests = h.faults.seen().subList(before, h.faults.seen().size());
    assertEquals(40, requests.stream().filter(r -> r.op().equals("PUT")).count(), requests.toString());
    assertEquals(0, requests.stream().filter(r -> r.op().equals("HEAD") || r.op().equals("GET")).count(), requests.toString());
    assertTrue(h.faults.maxInFlight("PUT") > 1, "PUTs overlap: " + h.faults.maxInFlight("PUT"));
    for (String name : h.fs.readdir("/many")) {
      h.fs.unlink("/many/" + name);
    }
    h.fs.rmdir("/many");
    h.drain();
    assertTrue(h.faults.maxInFlight("DELETE") > 1, "DELETEs overlap: " + h.faults.maxInFlight("DELETE"));
    assertEquals(List.of(), h.fs.readdir("/"));
    assertTrue(h.store.list("many/").objects().isEmpty(), "nothing left in the bucket");
  }

  @Test
  void exclusiveCreateOfAnExistingNameFails() throws Exception {
    h.writeFile("/lock", "1");
    FsException e = assertThrows(FsException.class,
        () -> h.fs.create("/lock", 0644, FileSystemCore.O_EXCL | 1, 0, 0));
    assertEquals(Errno.EEXIST, e.errno());
    h.drain();
    e = assertThrows(FsException.class, () -> h.fs.create("/lock", 0644, FileSystemCore.O_EXCL | 1, 0, 0));
    assertEquals(Errno.EEXIST, e.errno());
  }

  @Test
  void fileRenamedOrDeletedBeforeUploadCostsNoRequestUnderItsOldName() throws Exception {
    h.writeFile("/.tmp.db", "new database");
    h.fs.rename("/.tmp.db", "/db");
    h.writeFile("/scratch", "gone soon");
    h.fs.unlink("/scratch");
    h.drain();
    assertEquals(List.of(), h.requests().stream().filter(r -> r.contains(".tmp.db") || r.contains("scratch")).toList());
    assertEquals("new database", new String(S3TestServer.anonymousGet(h.bucketName, "db").body()));
  }

  @Test
  void renameOverAnExistingFileSwapsAtOnceAndReplacesTheObject() throws Exception {
    h.writeFile("/db", "old");
    h.drain();
    h.writeFile("/db.tmp", "new");
    h.fs.rename("/db.tmp", "/db");
    assertEquals("new", h.readFile("/db"));
    assertThrows(FsException.class, () -> h.fs.getattr("/db.tmp"));
    assertEquals("old", new String(S3TestServer.anonymousGet(h.bucketName, "db").body()),
        "the bucket keeps the old version until the new one is uploaded");
    h.drain();
    assertEquals("new", new String(S3TestServer.anonymousGet(h.bucketName, "db").body()));
    assertEquals(List.of("db"), h.fs.readdir("/"));
  }

  @Test
  void fileRewrittenWithinTheDelayGoesUpOnce() throws Exception {
    for (int i = 0; i < 5; i++) {
      h.writeFile("/db", "version " + i);
    }
    h.drain();
    assertEquals(1, putsOf("db").size(), h.requests().toString());
    assertEquals("version 4", new String(S3TestServer.anonymousGet(h.bucketName, "db").body()));
  }

  @Test
  void filesGoUpInCloseOrderLinksAfterTargetsAndDeletesLast() throws Exception {
    h.writeFile("/old.pkg", "old package");
    h.drain();
    h.writeFile("/new.pkg", "package");
    h.fs.unlink("/old.pkg");
    h.writeFile("/repo.db.tar.gz", "database");
    h.fs.symlink("repo.db.tar.gz", "/repo.db", 1000, 1000);
    h.writeFile("/zz.pkg", "another");
    h.drain();
    List<String> order = h.requests().stream()
        .filter(r -> r.startsWith("PUT") || r.startsWith("COPY") || r.startsWith("DELETE"))
        .filter(r -> !r.endsWith("old.pkg") || r.startsWith("DELETE"))
        .toList();
    // repo.db is a commit point: symlink() returned once it (after its target) was in the bucket.
    assertEquals(List.of("PUT new.pkg", "PUT repo.db.tar.gz", "COPY repo.db", "PUT zz.pkg", "DELETE old.pkg"),
        order);
  }

  @Test
  void symlinkToAFileServesTheFileOverHttpAndFollowsRewrites() throws Exception {
    h.writeFile("/repo.db.tar.gz", "db v1");
    h.fs.symlink("repo.db.tar.gz", "/repo.db", 1000, 1000);
    h.drain();
    assertEquals("repo.db.tar.gz", h.fs.readlink("/repo.db"));
    assertEquals(PosixAttributes.S_IFLNK, h.fs.getattr("/repo.db").mode() & PosixAttributes.S_IFMT);
    assertEquals("db v1", new String(S3TestServer.anonymousGet(h.bucketName, "repo.db").body()));
    Map<String, String> meta = h.store.head("repo.db").orElseThrow().metadata();
    assertEquals("repo.db.tar.gz", meta.get(MetadataCodec.SYMLINK_KEY));

    h.writeFile("/repo.db.tar.gz", "db v2");
    h.drain();
    assertEquals("db v2", new String(S3TestServer.anonymousGet(h.bucketName, "repo.db").body()));
  }

  @Test
  void linkWrittenByAnEarlierMountIsRefreshedWhenItsTargetIsRewritten() throws Exception {
    h.writeFile("/r.db.tar.gz", "db v1");
    h.fs.symlink("r.db.tar.gz", "/r.db", 1000, 1000);
    h.drain();
    h.close();
    h = new CoreHarness(h.bucketName, tmp.resolve("cache2"), Duration.ofSeconds(30), "public-read");
    h.writeFile("/r.db.tar.gz", "db v2");
    h.drain();
    assertEquals("db v2", new String(S3TestServer.anonymousGet(h.bucketName, "r.db").body()));
    assertEquals("r.db.tar.gz", h.fs.readlink("/r.db"));
  }

  @Test
  void symlinkToNothingIsStoredAsS3fsDoes() throws Exception {
    h.fs.symlink("/etc/hostname", "/abs", 0, 0);
    h.drain();
    ObjectHead head = h.store.head("abs").orElseThrow();
    assertEquals(Integer.toString(PosixAttributes.S_IFLNK | 0777), head.metadata().get("mode"));
    assertEquals("/etc/hostname", new String(h.store.readAll("abs"), StandardCharsets.UTF_8));
  }

  @Test
  void unlinkedOpenFileStaysReadableAndNeverReachesTheBucket() throws Exception {
    long w = h.fs.create("/t", 0600, FileSystemCore.O_EXCL | 2, 0, 0);
    byte[] data = "temporary".getBytes();
    h.fs.write(w, 0, data, data.length);
    h.fs.unlink("/t");
    assertThrows(FsException.class, () -> h.fs.getattr("/t"));
    byte[] buffer = new byte[64];
    assertEquals(9, h.fs.read(w, 0, buffer, 64));
    assertEquals(9, h.fs.fgetattr(w).size());
    h.fs.release(w);
    h.drain();
    assertTrue(h.requests().stream().noneMatch(r -> r.endsWith(" t")), h.requests().toString());
  }

  @Test
  void aFileOpenForReadingStaysReadableAfterItsObjectIsDeletedOrReplaced() throws Exception {
    h.writeFile("/a", "first object");
    h.writeFile("/b", "second object");
    h.drain();
    h.close();
    h = new CoreHarness(h.bucketName, tmp.resolve("fresh-cache"), Duration.ofSeconds(30), "public-read");
    long ra = h.fs.open("/a", 0);
    long rb = h.fs.open("/b", 0);
    h.fs.unlink("/a");
    h.writeFile("/c", "replacement");
    h.fs.rename("/c", "/b");
    h.drain(); // the DELETE of a and the new b are in the bucket now
    byte[] buffer = new byte[64];
    assertEquals("first object", new String(buffer, 0, h.fs.read(ra, 0, buffer, 64)));
    assertEquals("second object", new String(buffer, 0, h.fs.read(rb, 0, buffer, 64)));
    h.fs.release(ra);
    h.fs.release(rb);
    assertEquals("replacement", h.readFile("/b"));
  }

  @Test
  void directoriesListTheirChildrenAndRefuseToBeRemovedWhenNotEmpty() throws Exception {
    h.fs.mkdir("/d", 0755, 0, 0);
    h.writeFile("/d/x", "1");
    FsException e = assertThrows(FsException.class, () -> h.fs.rmdir("/d"));
    assertEquals(Errno.ENOTEMPTY, e.errno());
    h.drain();
    assertEquals(List.of("x"), h.fs.readdir("/d"));
    h.fs.unlink("/d/x");
    h.fs.rmdir("/d");
    assertEquals(List.of(), h.fs.readdir("/"));
    h.drain();
    assertTrue(h.store.listRecursive("").isEmpty(), h.store.listRecursive("").toString());
  }

  @Test
  void repeatedListingAndStatCostNoRequests() throws Exception {
    for (int i = 0; i < 20; i++) {
      h.store.putBytes("dir/f" + i, new byte[i], Map.of("mode", "33188"));
    }
    h.fs.readdir("/dir");
    for (String name : h.fs.readdir("/dir")) {
      h.fs.getattr("/dir/" + name);
    }
    int before = h.requests().size();
    for (String name : h.fs.readdir("/dir")) {
      assertEquals(Integer.parseInt(name.substring(1)), h.fs.getattr("/dir/" + name).size());
    }
    assertThrows(FsException.class, () -> h.fs.getattr("/dir/missing"));
    assertEquals(before, h.requests().size(), "second ls -l and a negative lookup are served from the caches");
    assertTrue(h.requests().stream().filter(r -> r.startsWith("LIST")).count() <= 2);
  }

  @Test
  void attributesWrittenByS3fsAreShown() throws Exception {
    h.store.putBytes("s3fs-file", "x".getBytes(), Map.of("mode", "33261", "uid", "42", "gid", "43", "mtime", "1600000000"));
    h.store.putBytes("implicit/child", new byte[0], Map.of());
    FileAttributes a = h.fs.getattr("/s3fs-file");
    assertEquals(0100755, a.mode());
    assertEquals(42, a.uid());
    assertEquals(43, a.gid());
    assertEquals(1_600_000_000_000_000_000L, a.mtimeNanos());
    assertEquals(PosixAttributes.S_IFDIR, h.fs.getattr("/implicit").mode() & PosixAttributes.S_IFMT);
  }

  @Test
  void chmodChownAndUtimensReachTheObject() throws Exception {
    h.writeFile("/f", "data");
    h.drain();
    h.fs.chmod("/f", 0600);
    h.fs.chown("/f", 7, 8);
    h.fs.utimens("/f", -1, 1_500_000_000_000_000_000L);
    Map<String, String> meta = h.store.head("f").orElseThrow().metadata();
    assertEquals(Integer.toString(PosixAttributes.S_IFREG | 0600), meta.get("mode"));
    assertEquals("7", meta.get("uid"));
    assertEquals("1500000000", meta.get("mtime"));
    assertEquals("data", new String(S3TestServer.anonymousGet(h.bucketName, "f").body()));
  }

  @Test
  void writesAtOffsetsTruncateAndExtend() throws Exception {
    h.writeFile("/f", "0123456789");
    h.drain();
    long w = h.fs.open("/f", 2);
    h.fs.write(w, 8, "AB".getBytes(), 2);
    h.fs.write(w, 12, "Z".getBytes(), 1);
    // a direct buffer, as FUSE's request is handed over: its remaining bytes, and it is used up
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(8).put("xyCDw".getBytes());
    direct.flip().position(2).limit(4);
    assertEquals(2, h.fs.write(w, 2, direct));
    assertEquals(4, direct.position());
    h.fs.release(w);
    assertEquals("01CD4567AB\0\0Z", h.readFile("/f"));
    h.fs.truncate("/f", 3);
    assertEquals("01C", h.readFile("/f"));
    h.drain();
    assertEquals("01C", new String(S3TestServer.anonymousGet(h.bucketName, "f").body()));
  }

  @Test
  void renameOfADirectoryMovesEverythingBelowIt() throws Exception {
    h.fs.mkdir("/a", 0755, 0, 0);
    h.fs.mkdir("/a/b", 0755, 0, 0);
    h.writeFile("/a/b/up", "uploaded");
    h.drain();
    h.writeFile("/a/pending", "not yet");
    h.fs.rename("/a", "/c");
    assertEquals(List.of("b", "pending"), h.fs.readdir("/c"));
    assertEquals("uploaded", h.readFile("/c/b/up"));
    h.drain();
    List<String> keys = h.store.listRecursive("").stream().map(o -> o.key()).sorted().toList();
    assertEquals(List.of("c/", "c/b/", "c/b/up", "c/pending"), keys);
  }

  @Test
  void aCrashAfterCloseLosesNothing() throws Exception {
    h.writeFile("/pkg", "package bytes");
    h.fs.symlink("pkg", "/link", 0, 0);
    h.writeFile("/gone", "x");
    h.fs.unlink("/gone");
    // No drain: this mount "crashes" with everything still in its cache.
    h.close();
    h = new CoreHarness(h.bucketName, tmp.resolve("cache"), Duration.ofSeconds(30), "public-read");
    assertEquals(2, h.fs.recover());
    assertEquals("package bytes", h.readFile("/pkg"));
    h.drain();
    assertEquals("package bytes", new String(S3TestServer.anonymousGet(h.bucketName, "pkg").body()));
    assertEquals("package bytes", new String(S3TestServer.anonymousGet(h.bucketName, "link").body()));
    assertFalse(h.store.head("gone").isPresent());
  }

  @Test
  void largeFilesGoUpInPartsAndAreReadWithRangedGets() throws Exception {
    byte[] data = new byte[11 * 1024 * 1024 + 5];
    new Random(3).nextBytes(data);
    long w = h.fs.create("/big", 0644, FileSystemCore.O_EXCL | 1, 0, 0);
    for (int off = 0; off < data.length; off += 131072) {
      int n = Math.min(131072, data.length - off);
      h.fs.write(w, off, java.util.Arrays.copyOfRange(data, off, off + n), n);
    }
    h.fs.release(w);
    h.drain();
    assertTrue(h.requests().contains("COMPLETE_MULTIPART big"), h.requests().toString());
    // A new mount reads it from the bucket, in windows.
    h.close();
    h = new CoreHarness(h.bucketName, tmp.resolve("cache3"), Duration.ofSeconds(30), "public-read");
    long r = h.fs.open("/big", 0);
    byte[] chunk = new byte[131072];
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (long pos = 0; pos < data.length; pos += 131072) {
      int n = h.fs.read(r, pos, chunk, chunk.length);
      all.write(chunk, 0, n);
    }
    h.fs.release(r);
    assertArrayEquals(data, all.toByteArray());
    long gets = h.requests().stream().filter(q -> q.equals("GET big")).count();
    assertTrue(gets >= 2 && gets <= 6, "sequential reads use a few growing windows: " + gets);
  }

  @Test
  void aFileWithAPlusInItsNameHasAnAliasForAwsThatFollowsIt() throws Exception {
    h.writeFile("/libc++-1-1-any.pkg.tar.zst", "package");
    h.drain();
    // S3Proxy, unlike AWS, takes a '+' in a URL literally, so the alias is read with a signed GET.
    assertEquals("package", new String(h.store.readAll("libc  -1-1-any.pkg.tar.zst"), StandardCharsets.UTF_8),
        "the key AWS looks up for a GET of the name with '+'");
    assertEquals(List.of("libc++-1-1-any.pkg.tar.zst"), h.fs.readdir("/"), "the alias is not listed");
    h.fs.rename("/libc++-1-1-any.pkg.tar.zst", "/libc++-2-1-any.pkg.tar.zst");
    h.drain();
    assertEquals(List.of("libc  -2-1-any.pkg.tar.zst", "libc++-2-1-any.pkg.tar.zst"),
        h.store.listRecursive("").stream().map(o -> o.key()).sorted().toList());
    h.fs.unlink("/libc++-2-1-any.pkg.tar.zst");
    h.drain();
    assertEquals(List.of(), h.store.listRecursive(""));
  }

  @Test
  void aFileReadWholeFromTheBucketIsReadFromTheCacheNextTime() throws Exception {
    h.writeFile("/db.tar.gz", "database bytes");
    h.writeFile("/other", "other bytes");
    h.drain();
    h.close();
    h = new CoreHarness(h.bucketName, tmp.resolve("cold-cache"), Duration.ofSeconds(30), "public-read");
    assertEquals("database bytes", h.readFile("/db.tar.gz"));
    long gets = h.requests().stream().filter(r -> r.startsWith("GET")).count();
    assertEquals("database bytes", h.readFile("/db.tar.gz"));
    assertEquals(gets, h.requests().stream().filter(r -> r.startsWith("GET")).count(), "read from the cache");

    long r = h.fs.open("/other", 0); // read in part only: nothing is kept
    h.fs.read(r, 3, new byte[4], 4);
    h.fs.release(r);
    assertEquals("other bytes", h.readFile("/other"));
    assertEquals(gets + 2, h.requests().stream().filter(q -> q.startsWith("GET")).count());
  }

  @Test
  void fsyncReturnsOnceTheFileIsInTheBucket() throws Exception {
    long w = h.fs.create("/f", 0644, FileSystemCore.O_EXCL | 1, 0, 0);
    h.fs.write(w, 0, "synced".getBytes(), 6);
    h.fs.fsync(w);
    assertEquals("synced", new String(S3TestServer.anonymousGet(h.bucketName, "f").body()));
    h.fs.release(w);
  }

  /** repo-add's rotate_db, three runs: the database and its .old always hold the right runs. */
  @Test
  void repoAddRotationKeepsEveryDatabase() throws Exception {
    for (int run = 1; run <= 3; run++) {
      for (String db : List.of("r.db.tar.gz", "r.files.tar.gz")) {
        h.writeFile("/.tmp." + db, db + " run " + run);
        if (run == 2) {
          h.drain(); // the temporary file is in the bucket before its rename (as after a commit point)
        }
        if (run > 1) {
          h.fs.rename("/" + db, "/" + db + ".old");
        }
        h.fs.rename("/.tmp." + db, "/" + db);
        String link = db.substring(0, db.indexOf(".tar"));
        if (run > 1) {
          h.fs.unlink("/" + link);
        }
        h.fs.symlink(db, "/" + link, 1000, 1000);
        assertEquals(db + " run " + run, new String(S3TestServer.anonymousGet(h.bucketName, link).body()),
            h.requests().toString());
        assertEquals(db + " run " + run, h.readFile("/" + db));
        if (run > 1) {
          assertEquals(db + " run " + (run - 1), h.readFile("/" + db + ".old"));
        }
      }
    }
    h.drain();
    assertEquals("r.files.tar.gz run 3", new String(S3TestServer.anonymousGet(h.bucketName, "r.files.tar.gz").body()));
    assertEquals("r.files.tar.gz run 2", new String(S3TestServer.anonymousGet(h.bucketName, "r.files.tar.gz.old").body()));
  }
}
