package io.s3repofs.pacman;

import java.nio.file.Path;

/** A repository database file is unreadable or is not a proper pacman database. */
public class DatabaseException extends RepoException {
  private static final long serialVersionUID = 1L;

  public DatabaseException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public DatabaseException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
