package io.s3repofs.sync;

/** A sync that cannot go on, for a reason the user can act on: reported as one line. */
public final class SyncException extends RuntimeException {
  public SyncException(String message) {
    super(message);
  }
}
