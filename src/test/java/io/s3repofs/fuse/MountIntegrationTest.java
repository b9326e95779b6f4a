package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real FUSE mounts driven by real commands (cp, mv, ln, rm, dd, tar, repo-add, pacman), checked
 * through the mount and through anonymous HTTP. Subclasses pick the S3 server.
 */
abstract class MountIntegrationTest {

  @TempDir Path tmp;

  abstract S3Endpoint endpoint();

  String newBucket() {
    String bucket = "it-" + UUID.randomUUID().toString().substring(0, 8);
    endpoint().createBucket().accept(bucket);
    return bucket;
  }

  String options(String bucket, String extra) throws Exception {
    return endpoint().options(endpoint().passwdFile(tmp, bucket)) + ",use_cache=" + tmp.resolve("cache") + extra;
  }

  byte[] get(String bucket, String key) throws Exception {
    var response = endpoint().anonymousGet(bucket, key);
    assertEquals(200, response.statusCode(), "anonymous GET of " + key);
    return response.body();
  }

  @Test
  void standardToolsWorkAndEveryFileIsInTheBucketWhenUnmountReturns() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Shell.bash(src, "head -c 12582917 /dev/urandom > big.bin; echo hello > a.txt; mkdir -p t/u; echo deep > t/u/f;"
        + " tar -cf tree.tar t");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt,
        options(bucket, ",default_acl=public-read,multipart_size=5,writeback_delay=30"))) {
      Shell.bash(mnt, "mkdir -p repo/x86_64 && cp " + src + "/a.txt repo/x86_64/"
          + " && dd if=" + src + "/big.bin of=repo/big.bin bs=1M status=none"
          + " && ln -s a.txt repo/x86_64/link && mv repo/x86_64/a.txt repo/x86_64/b.txt"
          + " && ln -sf b.txt repo/x86_64/link && tar -xf " + src + "/tree.tar -C repo"
          + " && echo temp > repo/tmp && rm repo/tmp && chmod 600 repo/t/u/f && touch -d 2020-01-02 repo/x86_64/b.txt");
      Shell.bash(mnt, "cmp repo/big.bin " + src + "/big.bin && test \"$(cat repo/x86_64/link)\" = hello"
          + " && test \"$(readlink repo/x86_64/link)\" = b.txt && test ! -e repo/x86_64/a.txt"
          + " && test \"$(stat -c %a repo/t/u/f)\" = 600 && test \"$(date -r repo/x86_64/b.txt +%F)\" = 2020-01-02"
          + " && ! rmdir repo 2>/dev/null && ls -la repo repo/x86_64 >/dev/null");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
    assertArrayEquals(Files.readAllBytes(src.resolve("big.bin")), get(bucket, "repo/big.bin"));
    assertEquals("hello\n", new String(get(bucket, "repo/x86_64/b.txt")));
    assertEquals("hello\n", new String(get(bucket, "repo/x86_64/link")), "a symlink serves its target over HTTP");
    assertEquals("deep\n", new String(get(bucket, "repo/t/u/f")));
    assertEquals(404, endpoint().anonymousGet(bucket, "repo/x86_64/a.txt").statusCode());
    assertEquals(404, endpoint().anonymousGet(bucket, "repo/tmp").statusCode());

    // A second mount sees the same tree, attributes included.
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ""))) {
      Shell.bash(mnt, "test \"$(stat -c %a repo/t/u/f)\" = 600 && test \"$(date -r repo/x86_64/b.txt +%F)\" = 2020-01-02"
          + " && test \"$(readlink repo/x86_64/link)\" = b.txt && cmp repo/big.bin " + src + "/big.bin");
      assertEquals(0, mount.unmount());
    }
  }

  @Test
  void rsyncMirrorsATreeIntoTheMountAndAgainWithoutChanges() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    Path src = Files.createDirectories(tmp.resolve("tree"));
    Shell.bash(src, "mkdir -p x86_64 any && for i in 1 2 3; do head -c $((i * 100000)) /dev/urandom > x86_64/p$i.pkg.tar.zst;"
        + " done && echo sig > x86_64/p1.pkg.tar.zst.sig && ln -s ../x86_64/p1.pkg.tar.zst any/p1 && chmod 640 x86_64/p2.pkg.tar.zst");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ",default_acl=public-read"))) {
      Shell.bash(tmp, "rsync -a tree/ " + mnt + "/repo/");
      Shell.bash(tmp, "diff -r tree " + mnt + "/repo");
      String second = Shell.bash(tmp, "rsync -ai tree/ " + mnt + "/repo/");
      assertEquals("", second.strip(), "a second rsync finds nothing to do (sizes and mtimes match)");
      Shell.bash(tmp, "echo changed > tree/x86_64/p3.pkg.tar.zst && rsync -a --delete tree/ " + mnt + "/repo/"
          + " && rm tree/x86_64/p1.pkg.tar.zst.sig && rsync -a --delete tree/ " + mnt + "/repo/ && diff -r tree " + mnt + "/repo");
      assertEquals(0, mount.unmount(), mount.stderr());
    }
    assertEquals("changed\n", new String(get(bucket, "repo/x86_64/p3.pkg.tar.zst")));
    assertArrayEquals(Files.readAllBytes(src.resolve("x86_64/p1.pkg.tar.zst")), get(bucket, "repo/any/p1"));
    assertEquals(404, endpoint().anonymousGet(bucket, "repo/x86_64/p1.pkg.tar.zst.sig").statusCode());
  }

  @Test
  void aSecondLsOfADirectoryCostsNoRequest() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ""))) {
      Shell.bash(mnt, "mkdir d && for i in $(seq 1 30); do echo $i > d/f$i; chmod 600 d/f$i; done");
      assertEquals(0, mount.unmount());
    }
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ""))) {
      long before = requestCount();
      String first = Shell.bash(mnt, "ls -l d");
      long afterFirst = requestCount();
      Thread.sleep(1100); // past the kernel's own 1 s attribute cache: the second ls asks the mount again
      String second = Shell.bash(mnt, "ls -l d");
      long afterSecond = requestCount();
      assertEquals(first, second);
      assertEquals(30, first.lines().filter(l -> l.startsWith("-rw-------")).count(), first);
      if (before >= 0) {
        // LIST of / and of d, HEAD of the d/ marker, one HEAD per file (for its mode and mtime)
        assertTrue(afterFirst - before <= 33, "requests for the first ls -l: " + (afterFirst - before));
        assertEquals(afterFirst, afterSecond, "the second ls -l is served from the caches");
      }
      assertEquals(0, mount.unmount());
    }
  }

  @Test
  void errorsReachToolsAsTheRightErrno() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ""))) {
      Shell.bash(mnt, "mkdir d && echo x > d/f && echo y > g");
      assertError(mnt, "mkdir d", "File exists");
      assertError(mnt, "rmdir d", "Directory not empty");
      assertError(mnt, "cat nope", "No such file or directory");
      assertError(mnt, "ln g hard", "Operation not permitted");
      assertError(mnt, "set -o noclobber; echo z > g", "cannot overwrite existing file");
      assertError(mnt, "mv d d/inside", "to a subdirectory of itself");
      assertError(mnt, "rm d", "Is a directory");
      assertError(mnt, "cat d/f/x", "Not a directory");
      Shell.bash(mnt, "python3 -c \"import os; fd = os.open('d', os.O_RDONLY); os.fsync(fd); os.close(fd)\"");
      assertEquals(0, mount.unmount());
    }
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ",ro"))) {
      assertEquals("y\n", Shell.bash(mnt, "cat g"));
      assertError(mnt, "echo z > h", "Read-only file system");
      assertError(mnt, "rm g", "Read-only file system");
      assertEquals(0, mount.unmount());
    }
  }

  private static void assertError(Path dir, String script, String message) throws Exception {
    Shell.Result r = Shell.run(dir, "bash", "-c", script);
    assertTrue(r.exitCode() != 0 && r.output().contains(message), script + " -> " + r.exitCode() + ": " + r.output());
  }

  @Test
  void withoutDefaultAclObjectsStayPrivate() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ""))) {
      Shell.bash(mnt, "echo secret > f");
      assertEquals(0, mount.unmount());
    }
    assertEquals(403, endpoint().anonymousGet(bucket, "f").statusCode());
  }

  @Test
  void statusShowsQueuedUploadsUntilTheyAreInTheBucket() throws Exception {
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options(bucket, ",writeback_delay=60"))) {
      Shell.bash(mnt, "echo pending > waiting.txt");
      StringWriter out = new StringWriter();
      assertEquals(0, Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter()), "status", mnt.toString()));
      assertTrue(out.toString().contains("queued:      1"), out.toString());
      assertTrue(out.toString().contains("/waiting.txt"), out.toString());
      assertTrue(out.toString().contains("in bucket:   no"), out.toString());
      assertEquals(0, mount.unmount());
      assertTrue(mount.stderr().contains("every file is in the bucket"), mount.stderr());
    }
    assertEquals(403, endpoint().anonymousGet(bucket, "waiting.txt").statusCode(), "private, but there");
  }

  /**
   * The recipe as written: 21 real packages (one of 64 MiB, and updates of two) copied in, Debian's
   * repo-add -R after each, and with no pause a fresh pacman -Sy and -Si against the bucket's
   * anonymous HTTP URL sees the new package at its new version (a stale database fails); unmount
   * at once; pacman installs all of them over HTTP.
   */
  @Test
  void repoAddOnTheMountGivesARepositoryPacmanInstallsFrom() throws Exception {
    List<Path> packages = PackageFixtures.build(20, 64);
    String bucket = newBucket();
    Path mnt = tmp.resolve("mnt");
    Path root = tmp.resolve("pacman-root");
    Shell.bash(tmp, "mkdir -p " + root + "/db " + root + "/cache && cat > pacman.conf <<EOF\n[options]\n"
        + "Architecture = auto\nSigLevel = Never\n[myrepo]\nServer = " + endpoint().url() + "/" + bucket
        + "/repo/x86_64\nEOF");
    String pacman = "pacman --config pacman.conf --root " + root + " --dbpath " + root + "/db --cachedir " + root + "/cache";
    long requestsBefore = requestCount();
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt,
        options(bucket, ",nosuid,nodev,default_acl=public-read"))) {
      Shell.bash(mnt, "mkdir -p repo/x86_64");
      for (Path pkg : packages) {
        Shell.bash(mnt, "cp '" + pkg + "' repo/x86_64/ && repo-add -q -R repo/x86_64/myrepo.db.tar.gz 'repo/x86_64/"
            + pkg.getFileName() + "'");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+)-([^-]+-[^-]+)-[^-]+\\.pkg\\.tar\\..+")
            .matcher(pkg.getFileName().toString());
        assertTrue(m.matches(), pkg.toString());
        // A fresh client each round: pacman's If-Modified-Since has one-second resolution.
        Shell.bash(tmp, "rm -rf " + root + "/db/sync && " + pacman + " -Sy --noconfirm");
        String info = Shell.bash(tmp, pacman + " -Si myrepo/" + m.group(1));
        assertTrue(info.matches("(?s).*Version\\s*: " + java.util.regex.Pattern.quote(m.group(2)) + "\n.*"),
            "right after repo-add of " + pkg.getFileName() + " pacman over HTTP sees:\n" + info);
      }
      assertEquals(0, mount.unmount(), mount.stderr());
    }
    long requests = requestCount() - requestsBefore;
    System.out.println("acceptance run on " + endpoint().name() + ": " + requests + " S3 requests");
    if (requests >= 0) {
      // Each repo-add's database is in the bucket when it exits (PUT db, COPY NAME.db, the same
      // for the files database, PUT package: ~5 a run); s3fs needs ~4,400 and is not readable.
      assertTrue(requests < 160, "far fewer requests than s3fs's ~4,400: " + requests);
    }
    Shell.bash(tmp, pacman + " -Sy --noconfirm");
    String names = Shell.bash(tmp, pacman + " -Slq myrepo");
    Shell.bash(tmp, pacman + " -S -dd --noconfirm " + names.replace('\n', ' '));
    String installed = Shell.bash(tmp, pacman + " -Q");
    long distinct = packages.stream().map(p -> p.getFileName().toString().replaceAll("-[^-]+-[^-]+-[^-]+$", "")).distinct().count();
    assertEquals(distinct, installed.lines().count(), installed);
  }

  /** Requests the server has served so far, or -1 where it cannot say. */
  abstract long requestCount();
}
