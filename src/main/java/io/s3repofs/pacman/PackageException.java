package io.s3repofs.pacman;

import java.nio.file.Path;

/**
 * A package file cannot be used: it is missing, not a package, truncated, corrupt, or hostile
 * (absolute or {@code ..} entry names, an oversized {@code .PKGINFO}). The message has the form
 * {@code FILE: problem}.
 */
public class PackageException extends RepoException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public PackageException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = file;
  }

  public PackageException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The package file the problem is about. */
  public Path file() {
    return file;
  }
}
