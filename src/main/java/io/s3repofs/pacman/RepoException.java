package io.s3repofs.pacman;

import java.io.IOException;

/**
 * A repository operation failed for a reason the user can act on (a bad package, a locked or
 * broken database, a missing file). The message is one line, names the file concerned, and is
 * meant to be shown as is, without a stack trace.
 */
public class RepoException extends IOException {
  private static final long serialVersionUID = 1L;

  public RepoException(String message) {
    super(oneLine(message));
  }

  public RepoException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** Collapses line breaks so that every message stays on one line. */
  static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
