package io.s3repofs.fs;

import io.s3repofs.store.StoreException;
import java.io.IOException;

/** A filesystem operation failed with an errno. */
public final class FsException extends Exception {

  private final Errno errno;

  public FsException(Errno errno, String message) {
    super(message);
    this.errno = errno;
  }

  public FsException(Errno errno, String message, Throwable cause) {
    super(message, cause);
    this.errno = errno;
  }

  public Errno errno() {
    return errno;
  }

  /** The errno a failed bucket request means to a caller. */
  static FsException of(StoreException e) {
    Errno errno = switch (e.kind()) {
      case NOT_FOUND -> Errno.ENOENT;
      case ACCESS_DENIED -> Errno.EACCES;
      default -> Errno.EIO;
    };
    return new FsException(errno, e.getMessage(), e);
  }

  /** The errno a failed local cache operation means: a full cache disk is ENOSPC. */
  static FsException of(IOException e) {
    String message = String.valueOf(e.getMessage());
    Errno errno = message.contains("No space left") || message.contains("Disk quota")
        ? Errno.ENOSPC : Errno.EIO;
    return new FsException(errno, "cache: " + message, e);
  }
}
