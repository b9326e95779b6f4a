package io.s3repofs.fs;

import java.util.regex.Pattern;

/**
 * Which changes must be in the bucket when the call that made them returns, so that an HTTP
 * client (pacman) asking right after sees them: the publishing tools' last steps. repo-add
 * renames {@code .tmp.NAME.db.tar.gz} into place and links {@code NAME.db} to it; repose writes
 * {@code NAME.db} in place and closes it. A rename onto, a symlink named, or a close of a file
 * named like a repository database is a commit point; with {@code upload_on_close} every close is.
 * A commit point returns once it and everything closed before it are uploaded, except
 * {@linkplain #isDeferrable deferrable} files, which keep their write-back delay.
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

  /**
   * Whether a file under this key may wait out its write-back delay even when a commit point
   * closed after it is flushed: temporary and hidden names (repo-add's {@code .tmp.NAME}, rsync's
   * {@code .NAME.XXXXXX}), lock files and {@code .old} backups. HTTP clients need none of them,
   * and most are renamed or deleted before their delay ends, costing no request at all.
   */
  boolean isDeferrable(String key) {
    String name = KeyPaths.name(key);
    return name.startsWith(".") || name.endsWith(".lck") || name.endsWith(".old") || name.endsWith(".old.sig")
        || name.endsWith("~");
  }

  /** Whether closing a written file under this key commits. */
  boolean onClose(String key) {
    return everyClose || isDatabase(key);
  }
}
