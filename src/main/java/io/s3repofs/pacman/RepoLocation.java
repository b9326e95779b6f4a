package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a repository's files live, derived from the database path given on the command line the
 * way repo-add derives them: for {@code /srv/repo/NAME.db.tar.gz} the database is that file, the
 * files database {@code NAME.files.tar.gz}, the links {@code NAME.db} and {@code NAME.files},
 * the lock {@code NAME.db.tar.gz.lck}, the backups {@code *.old}, the temporary files
 * {@code .tmp.*}, all in {@code /srv/repo}.
 */
public final class RepoLocation {
  private final Path directory;
  private final String name;
  private final Compression compression;
  private final Path given;

  private RepoLocation(Path given, Path directory, String name, Compression compression) {
    this.given = given;
    this.directory = directory;
    this.name = name;
    this.compression = compression;
  }

  /**
     * Parses a database path ({@code NAME.db.tar.EXT}; a {@code NAME.db} symlink made by repo-add
     * is followed to its target's name).
     *
     * @throws RepoException if the name has no valid database archive extension
     */
  public static RepoLocation of(Path dbPath) throws RepoException {
    Path absolute = dbPath.toAbsolutePath().normalize();
    Path fileName = absolute.getFileName();
    if (fileName == null) {
      throw new RepoException("'" + dbPath + "' does not have a valid database archive extension");
    }
    String file = fileName.toString();
    if (file.endsWith(".db") && Files.isSymbolicLink(absolute)) {
      try {
        Path target = Files.readSymbolicLink(absolute);
        if (target.getFileName() != null) {
          file = target.getFileName().toString();
        }
      } catch (IOException e) {
        // fall through to the extension check
      }
    }
    DatabaseName parsed = DatabaseName.parse(file, dbPath.toString());
    return new RepoLocation(dbPath, absolute.getParent(), parsed.name(), parsed.compression());
  }

  /** The path as given by the user. */
  public Path given() {
    return given;
  }

  /** The directory holding the database and, normally, the packages. */
  public Path directory() {
    return directory;
  }

  /** The repository name (the part before {@code .db.}). */
  public String name() {
    return name;
  }

  /** The compression both databases are written with, from the extension. */
  public Compression compression() {
    return compression;
  }

  /** {@code NAME.db.tar.EXT}. */
  public Path dbFile() {
    return directory.resolve(name + ".db." + compression.suffix());
  }

  /** {@code NAME.files.tar.EXT}. */
  public Path filesFile() {
    return directory.resolve(name + ".files." + compression.suffix());
  }

  /** {@code NAME.db}, the name pacman downloads (a symlink to {@link #dbFile()}). */
  public Path dbLink() {
    return directory.resolve(name + ".db");
  }

  /** {@code NAME.files}, the name {@code pacman -F} downloads. */
  public Path filesLink() {
    return directory.resolve(name + ".files");
  }

  /** {@code NAME.db.tar.EXT.lck}, the lock repo-add uses too. */
  public Path lockFile() {
    return directory.resolve(dbFile().getFileName() + ".lck");
  }

  @Override
  public String toString() {
    return dbFile().toString();
  }
}
