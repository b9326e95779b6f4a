package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Real pacman packages for tests, built once per test JVM by
 * {@code scripts/make-test-packages.sh} with Debian's makepkg (as an unprivileged user) into a
 * cached directory ({@code target/test-packages}, or {@code $S3REPOFS_TEST_PACKAGES}); the
 * script's stamp file makes later runs instant. Tests are skipped (with a message) only where
 * makepkg is not installed; any other failure of the script fails the test.
 */
public final class TestPackages {
  /** How many package files the fixture holds (the script's default). */
  public static final int COUNT = 21;
  /** Size of the extra incompressible package, "bigpkg". */
  public static final int BIG_MIB = 4;

  /** One built package, as listed in the script's {@code packages.tsv}. */
  public record Pkg(Path path, String name, String version, String compression) {
    public String fileName() {
      return path.getFileName().toString();
    }
  }

  private static List<Pkg> packages;

  private TestPackages() {}

  /** Skips the calling test unless makepkg and bsdtar are installed. */
  public static void assumeMakepkg() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/makepkg"))
            && Files.isExecutable(Path.of("/usr/bin/bsdtar")),
        "skipped: Debian's makepkg (and bsdtar) are not installed: apt-get install makepkg libarchive-tools");
  }

  /** Skips the calling test unless repo-add is installed. */
  public static void assumeRepoAdd() {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/repo-add")),
        "skipped: Debian's repo-add is not installed: apt-get install pacman-package-manager");
  }

  /** All {@value #COUNT} regular packages, in build order (second versions after first ones). */
  public static synchronized List<Pkg> all() {
    assumeMakepkg();
    if (packages == null) {
      packages = build();
    }
    return packages.stream().filter(p -> !p.name().equals("bigpkg")).toList();
  }

  /** The package of {@value #BIG_MIB} MiB of incompressible data. */
  public static synchronized Pkg big() {
    all();
    return packages.stream().filter(p -> p.name().equals("bigpkg")).findFirst().orElseThrow();
  }

  /** The first package of each compression: zst, xz, gz. */
  public static List<Pkg> oneOfEachCompression() {
    List<Pkg> out = new ArrayList<>();
    for (String c : List.of("zst", "xz", "gz")) {
      out.add(all().stream().filter(p -> p.compression().equals(c)).findFirst().orElseThrow());
    }
    return out;
  }

  /** Copies packages into a directory (a repository under test); returns the copies. */
  public static List<Path> copy(List<Pkg> pkgs, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (Pkg p : pkgs) {
      Path target = dir.resolve(p.fileName());
      Files.copy(p.path(), target, StandardCopyOption.REPLACE_EXISTING);
      out.add(target);
    }
    return out;
  }

  private static List<Pkg> build() {
    try {
      Path dir = io.s3repofs.testing.PackageFixtures.directory(COUNT, BIG_MIB);
      List<Pkg> list = new ArrayList<>();
      for (String line : Files.readAllLines(dir.resolve("packages.tsv"))) {
        String[] f = line.split("\t");
        list.add(new Pkg(dir.resolve(f[0]), f[1], f[2], f[3]));
      }
      return List.copyOf(list);
    } catch (IOException e) {
      throw new IllegalStateException("cannot build the test packages: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
