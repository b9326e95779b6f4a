package io.s3repofs.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns TARGET arguments into {@link Target}s, refusing what cannot be one before any work. */
public final class Targets {

  static final Pattern PACKAGE_FILE = Pattern.compile(".+\\.pkg\\.tar(\\.(zst|xz|gz|bz2|lz4|lrz|lzo|Z))?$");
  /** What an AUR package name may look like (pacman's rule for package names). */
  static final Pattern AUR_NAME = Pattern.compile("[a-z0-9@_+][a-z0-9@._+-]*");

  private Targets() {}

  /** Resolves each argument; throws {@link SyncException} naming the first that is not a target. */
  public static List<Target> resolve(List<String> arguments) {
    List<Target> targets = new ArrayList<>();
    for (String argument : arguments) {
      targets.add(resolve(argument));
    }
    return targets;
  }

  static Target resolve(String argument) {
    Path path = Path.of(argument);
    if (Files.isDirectory(path)) {
      if (!Files.isRegularFile(path.resolve("PKGBUILD"))) {
        throw new SyncException("target " + argument + " is a directory without a PKGBUILD");
      }
      return new Target.PkgbuildDir(path.toAbsolutePath().normalize());
    }
    if (Files.isRegularFile(path)) {
      if (!PACKAGE_FILE.matcher(path.getFileName().toString()).matches()) {
        throw new SyncException("target " + argument
            + " is neither a PKGBUILD directory nor a package file (*.pkg.tar.zst, .xz, .gz)");
      }
      return new Target.PackageFile(path.toAbsolutePath().normalize());
    }
    boolean looksLikePath = argument.contains("/") || PACKAGE_FILE.matcher(argument).matches()
        || argument.startsWith(".");
    if (looksLikePath || !AUR_NAME.matcher(argument).matches()) {
      throw new SyncException("target " + argument + " does not exist (a TARGET is a PKGBUILD"
          + " directory, a package file or an AUR package name)");
    }
    return new Target.AurName(argument);
  }
}
