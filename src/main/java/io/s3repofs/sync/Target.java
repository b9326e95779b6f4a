package io.s3repofs.sync;

import java.nio.file.Path;

/** One thing named on the sync command line. */
public sealed interface Target {

  /** A directory holding a PKGBUILD, built with makepkg. */
  record PkgbuildDir(Path directory) implements Target {
    @Override
    public String toString() {
      return directory.toString();
    }
  }

  /** A built package file, published with its {@code .sig} if there is one. */
  record PackageFile(Path file) implements Target {
    @Override
    public String toString() {
      return file.toString();
    }
  }

  /** A package name in the AUR, handed to aurutils. */
  record AurName(String name) implements Target {
    @Override
    public String toString() {
      return name;
    }
  }
}
