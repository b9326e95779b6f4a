package io.s3repofs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.testing.Mounts;
import io.s3repofs.testing.PackageFixtures;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publisher's database is in the bucket when the publishing program exits, so a pacman that
 * asks over anonymous HTTP right after (no pause) sees the new package at its new version: with
 * {@code s3repofs repo add} on a path in the mount, and with a writer that does what repose does
 * (an uncompressed NAME.db tar opened in place with O_TRUNC, written and closed; packages
 * symlinked from a pool directory). Debian's repo-add is covered by MountIntegrationTest.
 */
class PublishVisibilityTest {

  @TempDir Path tmp;

  private static final Pattern FILE = Pattern.compile("(.+)-([^-]+-[^-]+)-[^-]+\\.pkg\\.tar\\..+");

  private String pacman(Path root) {
    return "pacman --config pacman.conf --root " + root + " --dbpath " + root + "/db --cachedir " + root + "/cache";
  }

  private String setUpPacman(S3Endpoint s3, String bucket, String dir) throws Exception {
    Path root = tmp.resolve("pacman-root");
    Shell.bash(tmp, "mkdir -p " + root + "/db " + root + "/cache && cat > pacman.conf <<EOF\n[options]\n"
        + "Architecture = auto\nSigLevel = Never\n[myrepo]\nServer = " + s3.url() + "/" + bucket + "/" + dir
        + "\nEOF");
    return pacman(root);
  }

  /** A fresh pacman over HTTP sees {@code pkg}'s name at its version. */
  private void assertVisible(String pacman, Path pkg) throws Exception {
    Matcher m = FILE.matcher(pkg.getFileName().toString());
    assertTrue(m.matches(), pkg.toString());
    Path root = tmp.resolve("pacman-root");
    Shell.bash(tmp, "rm -rf " + root + "/db/sync && " + pacman + " -Sy --noconfirm");
    String info = Shell.bash(tmp, pacman + " -Si myrepo/" + m.group(1));
    assertTrue(info.matches("(?s).*Version\\s*: " + Pattern.quote(m.group(2)) + "\n.*"),
        "right after publishing " + pkg.getFileName() + " pacman over HTTP sees:\n" + info);
  }

  @Test
  void nativeRepoAddOnTheMountIsVisibleWhenItReturns() throws Exception {
    List<Path> packages = PackageFixtures.build(20, 64).stream()
        .filter(p -> p.getFileName().toString().matches("(alpha|mu|zeta@home|kappa)-.*")).toList();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    String pacman = setUpPacman(s3, bucket, "x86_64");
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache=" + tmp.resolve("cache");
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      Shell.bash(mnt, "mkdir -p x86_64");
      for (Path pkg : packages) {
        Shell.bash(mnt, "cp '" + pkg + "' x86_64/");
        StringWriter err = new StringWriter();
        int rc = Main.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "repo", "add", "-q", "-R",
            mnt.resolve("x86_64/myrepo.db.tar.gz").toString(), mnt.resolve("x86_64").resolve(pkg.getFileName()).toString());
        assertEquals(0, rc, err.toString());
        assertVisible(pacman, pkg);
      }
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }

  @Test
  void aReposeLikeWriterIsVisibleWhenItCloses() throws Exception {
    List<Path> packages = PackageFixtures.build(20, 64).stream()
        .filter(p -> p.getFileName().toString().matches("(alpha|mu|zeta@home)-.*")).toList();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    String bucket = S3TestServer.newBucket();
    Path mnt = tmp.resolve("mnt");
    String pacman = setUpPacman(s3, bucket, "repo");
    String options = s3.options(s3.passwdFile(tmp, bucket)) + ",default_acl=public-read,use_cache=" + tmp.resolve("cache");
    Path work = tmp.resolve("work");
    Shell.bash(tmp, "mkdir -p " + work);
    // repose: the database is built elsewhere, then written in place as an uncompressed tar
    // (open O_CREAT|O_WRONLY|O_TRUNC, write, close); packages are symlinked from a pool.
    String writeDb = String.join("\n",
        "import os, sys",
        "data = open(sys.argv[1], 'rb').read()",
        "fd = os.open(sys.argv[2], os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)",
        "os.write(fd, data)",
        "os.close(fd)");
    java.nio.file.Files.writeString(tmp.resolve("writedb.py"), writeDb);
    try (Mounts.InProcess mount = Mounts.mount(bucket, mnt, options)) {
      Shell.bash(mnt, "mkdir -p repo pool");
      for (Path pkg : packages) {
        String name = pkg.getFileName().toString();
        Shell.bash(work, "cp '" + pkg + "' . && repo-add -q -R myrepo.db.tar.gz '" + name + "' >/dev/null"
            + " && zcat myrepo.db.tar.gz > myrepo.db.tar");
        Shell.bash(mnt, "cp '" + pkg + "' pool/ && ln -sf '../pool/" + name + "' 'repo/" + name + "'"
            + " && python3 " + tmp.resolve("writedb.py") + " " + work.resolve("myrepo.db.tar") + " repo/myrepo.db");
        assertVisible(pacman, pkg);
      }
      assertEquals(0, mount.unmount(), mount.stderr());
    }
  }
}
