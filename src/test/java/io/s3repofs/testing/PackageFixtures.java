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

  /** The package files in build order; the big one (if any) last. */
  public static synchronized List<Path> build(int count, int bigMib) throws IOException, InterruptedException {
    assumeTrue(Shell.onPath("makepkg") && Shell.onPath("bsdtar"),
        "makepkg or bsdtar missing (Debian: makepkg, libarchive-tools)");
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "s3repofs-test-packages-" + count + "-" + bigMib);
    Path script = Path.of("scripts/make-test-packages.sh").toAbsolutePath();
    Shell.Result r = Shell.run(null, "bash", script.toString(), dir.toString(), Integer.toString(count),
        Integer.toString(bigMib));
    if (r.exitCode() != 0) {
      throw new AssertionError("make-test-packages.sh failed: " + r.output());
    }
    List<Path> packages = new java.util.ArrayList<>(Files.readAllLines(dir.resolve("packages.tsv")).stream()
        .filter(l -> !l.isBlank())
        .map(l -> dir.resolve(l.split("\t")[0]))
        .toList());
    if (bigMib > 0) {
      try (var files = Files.list(dir)) {
        files.filter(p -> p.getFileName().toString().startsWith("bigpkg-")).forEach(packages::add);
      }
    }
    return packages;
  }
}
