package io.s3repofs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Real pacman packages built once per machine by Debian's makepkg through
 * {@code scripts/make-test-packages.sh} (which builds as an unprivileged user).
 */
public final class PackageFixtures {

  private PackageFixtures() {}

  /**
   * Builds (once per machine: the script keeps a stamp, and a cache of single packages that the
   * sets share) {@code count} packages plus, when
   * {@code bigMib > 0}, one of that many MiB, and returns their directory, which holds
   * {@code packages.tsv}. {@code $S3REPOFS_TEST_PACKAGES} names another parent directory.
   */
  public static synchronized Path directory(int count, int bigMib) throws IOException, InterruptedException {
    assumeTrue(Shell.onPath("makepkg") && Shell.onPath("bsdtar"),
        "makepkg or bsdtar missing (Debian: makepkg, libarchive-tools)");
    String parent = System.getenv().getOrDefault("S3REPOFS_TEST_PACKAGES", System.getProperty("java.io.tmpdir"));
    Path dir = Path.of(parent, "s3repofs-test-packages-" + count + "-" + bigMib).toAbsolutePath();
    Path script = Path.of("scripts/make-test-packages.sh").toAbsolutePath();
    // one package cache for every set: the sets of 20, 21 and 56 share their first packages
    Path cache = Path.of(parent, "s3repofs-test-packages-cache").toAbsolutePath();
    Shell.Result r = Shell.run(null, "env", "MAKE_TEST_PACKAGES_CACHE=" + cache, "bash", script.toString(),
        dir.toString(), Integer.toString(count), Integer.toString(bigMib));
    if (r.exitCode() != 0) {
      throw new AssertionError("make-test-packages.sh failed: " + r.output());
    }
    return dir;
  }

  /** The package files in build order (packages.tsv lists the big one too, if any). */
  public static List<Path> build(int count, int bigMib) throws IOException, InterruptedException {
    Path dir = directory(count, bigMib);
    return Files.readAllLines(dir.resolve("packages.tsv")).stream()
        .filter(l -> !l.isBlank())
        .map(l -> dir.resolve(l.split("\t")[0]))
        .toList();
  }
}
