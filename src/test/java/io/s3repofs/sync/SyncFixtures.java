package io.s3repofs.sync;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.s3repofs.cli.Main;
import io.s3repofs.testing.S3Endpoint;
import io.s3repofs.testing.S3TestServer;
import io.s3repofs.testing.Shell;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A bucket on the in-process S3 server, PKGBUILD directories, and the real command line. */
final class SyncFixtures {

  final String bucket;
  final Path tmp;
  final String options;

  SyncFixtures(Path tmp) throws IOException {
    assumeTrue(Shell.onPath("makepkg") && Shell.onPath("bsdtar"), "makepkg or bsdtar missing (Debian: makepkg, libarchive-tools)");
    io.s3repofs.testing.Mounts.assumeFuse();
    this.tmp = Files.createDirectories(tmp);
    this.bucket = S3TestServer.newBucket();
    S3Endpoint s3 = S3Endpoint.s3proxy();
    Path passwd = s3.passwdFile(tmp, bucket);
    this.options = s3.options(passwd) + ",default_acl=public-read,use_cache=" + tmp.resolve("cache");
  }

  /** The output of one command line run in this JVM. */
  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(exit, out.toString(), err.toString());
  }

  Run sync(String... extra) {
    List<String> args = new ArrayList<>(List.of("sync", bucket, "--repo", "e2e", "--root", "repo/x86_64",
        "-o", options));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  /** A PKGBUILD directory; {@code names} with more than one entry makes a split package. */
  Path pkgbuild(String base, String version, String arch, String... names) throws IOException {
    Path dir = tmp.resolve("pkgbuilds").resolve(base);
    Files.createDirectories(dir);
    StringBuilder b = new StringBuilder();
    b.append("pkgbase=").append(base).append('\n');
    b.append("pkgname=(").append(String.join(" ", names)).append(")\n");
    b.append("pkgver=").append(version).append("\npkgrel=1\n");
    b.append("pkgdesc='s3repofs sync test package'\narch=(").append(arch).append(")\nlicense=(MIT)\n");
    for (String name : names) {
      b.append("package_").append(name).append("() {\n")
          .append("  install -d \"$pkgdir/usr/share/").append(name).append("\"\n")
          .append("  echo \"").append(name).append(" $pkgver\" > \"$pkgdir/usr/share/").append(name).append("/version\"\n")
          .append("}\n");
    }
    Files.writeString(dir.resolve("PKGBUILD"), b.toString());
    return dir;
  }

  /** The keys in the bucket, with their sizes. */
  Map<String, Long> keys() {
    Map<String, Long> keys = new TreeMap<>();
    try (var store = S3TestServer.store(bucket, null)) {
      store.listRecursive("").forEach(o -> keys.put(o.key(), o.size()));
    }
    return keys;
  }

  byte[] object(String key) {
    try (var store = S3TestServer.store(bucket, null)) {
      return store.get(key).map(io.s3repofs.store.StoredObject::bytes).orElse(null);
    }
  }

  /** Debian's pacman with a root of its own, reading the repository over anonymous HTTP. */
  final class Pacman {
    final Path conf = tmp.resolve("pacman.conf");
    final Path root = tmp.resolve("pacman-root");

    Pacman(String section) throws IOException {
      assumeTrue(Shell.onPath("pacman"), "pacman missing (Debian: pacman-package-manager)");
      Files.createDirectories(root.resolve("db"));
      Files.createDirectories(root.resolve("cache"));
      Files.writeString(conf, String.join("\n", "[options]", "Architecture = x86_64",
          "DBPath = " + root.resolve("db") + "/", "CacheDir = " + root.resolve("cache") + "/",
          "LogFile = " + root.resolve("pacman.log"), "GPGDir = " + root.resolve("gnupg") + "/", "")
          + section);
    }

    String run(String... args) throws IOException, InterruptedException {
      List<String> cmd = new ArrayList<>(List.of("pacman", "--noconfirm", "--config", conf.toString(),
          "--root", root.toString()));
      cmd.addAll(List.of(args));
      Shell.Result r = Shell.run(tmp, cmd.toArray(String[]::new));
      if (r.exitCode() != 0) {
        throw new AssertionError(cmd + " failed: " + r.output());
      }
      return r.output();
    }
  }
}
