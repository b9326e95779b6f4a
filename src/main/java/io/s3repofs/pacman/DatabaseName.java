package io.s3repofs.pacman;

import java.util.Optional;

/**
 * A database file name, {@code NAME.db.tar.EXT}, split as repo-add splits it, with the names of
 * the repository's other files derived from it.
 *
 * @param name the repository name (the part before {@code .db.})
 * @param compression the compression both databases are written with, from the extension
 */
public record DatabaseName(String name, Compression compression) {

  /**
   * Parses a file name.
   *
   * @param given the database as the user gave it, for the message
   * @throws RepoException if the name has no valid database archive extension
   */
  public static DatabaseName parse(String file, String given) throws RepoException {
    int at = file.lastIndexOf(".db.");
    Optional<Compression> compression = at > 0
        ? Compression.fromSuffix(file.substring(at + 4)) : Optional.empty();
    if (compression.isEmpty() || !file.substring(at + 4).startsWith("tar")) {
      throw new RepoException("'" + given + "' does not have a valid database archive extension"
          + " (expected NAME.db.tar.zst, .tar.xz, .tar.gz, .tar.bz2 or .tar)");
    }
    return new DatabaseName(file.substring(0, at), compression.get());
  }

  /** {@code NAME.db.tar.EXT}. */
  public String dbFile() {
    return name + ".db." + compression.suffix();
  }

  /** {@code NAME.files.tar.EXT}. */
  public String filesFile() {
    return name + ".files." + compression.suffix();
  }

  /** {@code NAME.db}, the name pacman downloads. */
  public String dbLink() {
    return name + ".db";
  }

  /** {@code NAME.files}, the name {@code pacman -F} downloads. */
  public String filesLink() {
    return name + ".files";
  }
}
