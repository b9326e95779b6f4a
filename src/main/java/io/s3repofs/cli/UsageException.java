package io.s3repofs.cli;

/** A mistake on the command line: reported as one line, exit status 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
