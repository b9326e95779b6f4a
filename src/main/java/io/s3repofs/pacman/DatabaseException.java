package io.s3repofs.pacman;

import java.nio.file.Path;

/** A repository database file is unreadable or is not a proper pacman database. */
public class DatabaseException extends RepoException {
  private static final long serialVersionUID = 1L;

  public DatabaseException(Path file, String problem) {
    super(file + ": " + problem);
  }

  /** A database named other than by a path (an {@code s3://} URL, say). */
  public DatabaseException(String where, String problem) {
    super(where + ": " + problem);
  }

  public DatabaseException(String where, String problem, Throwable cause) {
    super(where + ": " + problem, cause);
  }

  public DatabaseException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
