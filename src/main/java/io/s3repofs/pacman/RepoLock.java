package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Objects;

/**
 * The repository lock, compatible with repo-add's: the file {@code NAME.db.tar.EXT.lck} created
 * with an exclusive create (repo-add's {@code set -o noclobber}), holding the owner's process id,
 * deleted on {@link #close()}. repo-add and s3repofs exclude each other.
 *
 * <p>repo-add fails at once when the lock exists; {@link #acquire(Path, Duration)} can instead
 * wait up to a given time, polling, which lets concurrent CI jobs queue up. A lock left by a
 * killed process is never broken automatically (on a shared bucket its owner may be another
 * machine); the error message says which file to delete.
 */
public final class RepoLock implements AutoCloseable {
  private static final long POLL_MIN_MILLIS = 20;
  private static final long POLL_MAX_MILLIS = 500;

  private final Path file;
  private final Object fileKey;
  private boolean released;

  private RepoLock(Path file, Object fileKey) {
    this.file = file;
    this.fileKey = fileKey;
  }

  /**
     * Takes the lock, waiting up to {@code wait} (zero: fail at once, like repo-add).
     *
     * @throws RepoException if the lock is held by someone else after the wait, or cannot be
     *     created (directory missing, no permission)
     */
  public static RepoLock acquire(Path lockFile, Duration wait) throws RepoException {
    long deadline = System.nanoTime() + wait.toNanos();
    long pause = POLL_MIN_MILLIS;
    while (true) {
      try {
        Files.write(lockFile, (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Object key = fileKey(lockFile);
        return new RepoLock(lockFile, key);
      } catch (FileAlreadyExistsException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new RepoException(lockedMessage(lockFile, wait));
        }
      } catch (NoSuchFileException e) {
        throw new RepoException("cannot create lock file " + lockFile + ": "
            + lockFile.getParent() + " does not exist or is not a directory", e);
      } catch (IOException e) {
        throw new RepoException("cannot create lock file " + lockFile + ": " + e.getMessage(), e);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RepoException("interrupted while waiting for the lock " + lockFile, e);
      }
      pause = Math.min(POLL_MAX_MILLIS, pause * 2);
    }
  }

  private static String lockedMessage(Path lockFile, Duration wait) {
    String holder = "";
    try {
      String pid = Files.readString(lockFile, StandardCharsets.US_ASCII).trim();
      if (!pid.isEmpty() && pid.length() < 20) {
        holder = ", held by process " + pid;
      }
    } catch (IOException | RuntimeException e) {
      // it may just have been released
    }
    return "database is locked by another process (" + lockFile + " exists" + holder + ")"
        + (wait.isZero() ? "; retry later or use --wait SECONDS" : " and was not released within "
        + wait.toSeconds() + " s")
        + "; if no repo-add or s3repofs is running on it, delete that file";
  }

  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /** The lock file. */
  public Path file() {
    return file;
  }

  /**
     * Deletes the lock file, unless it has been replaced by someone else's meanwhile (only then
     * it is left alone). Idempotent.
     */
  @Override
  public synchronized void close() throws RepoException {
    if (released) {
      return;
    }
    released = true;
    Object now = fileKey(file);
    if (fileKey != null && now != null && !Objects.equals(fileKey, now)) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new RepoException("cannot remove lock file " + file + ": " + e.getMessage(), e);
    }
  }
}
