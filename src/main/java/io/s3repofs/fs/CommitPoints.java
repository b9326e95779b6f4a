package io.s3repofs.fs;

import java.util.regex.Pattern;

/**
 * Which changes must be in the bucket when the call that made them returns, so that an HTTP
 * client (pacman) asking right after sees them: the publishing tools' last steps. repo-add
 * renames {@code .tmp.NAME.db.tar.gz} into place and links {@code NAME.db} to it; repose writes
 * {@code NAME.db} in place and closes it. A rename onto, a symlink named, or a close of a file
 * named like a repository database is a commit point; with {@code upload_on_close} every close is.
 * A commit point returns once it and everything closed before it are uploaded.
 */
final class CommitPoints {

  /** NAME.db, NAME.files, NAME.db.tar[.EXT], with .sig; not hidden temporary names, not .old. */
  private static final Pattern DATABASE = Pattern.compile("[^.][^/]*\\.(db|files)(\\.tar(\\.[a-z0-9]+)?)?(\\.sig)?");

  private final boolean everyClose;

  CommitPoints(boolean everyClose) {
    this.everyClose = everyClose;
  }

  /** Whether a rename onto, or a symlink at, this key commits. */
  boolean isDatabase(String key) {
    return DATABASE.matcher(KeyPaths.name(key)).matches();
  }

  /** Whether closing a written file under this key commits. */
  boolean onClose(String key) {
    return everyClose || isDatabase(key);
  }
}
