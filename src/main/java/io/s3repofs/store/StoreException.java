package io.s3repofs.store;

/**
 * A failed object-store request, classified so that callers can map it to an errno or a one-line
 * message. Messages never contain credentials.
 */
public final class StoreException extends RuntimeException {

  /** What went wrong, coarsely. */
  public enum Kind {
    NOT_FOUND,
    NO_SUCH_BUCKET,
    ACCESS_DENIED,
    PRECONDITION_FAILED,
    UNREACHABLE,
    OTHER
  }

  private final Kind kind;

  public StoreException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
