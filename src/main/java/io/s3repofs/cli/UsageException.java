package io.s3repofs.cli;

/** A mistake on the command line: reported as one line, exit status 2. */
public final class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
