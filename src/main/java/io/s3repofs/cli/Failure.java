package io.s3repofs.cli;

/** A command failed for a reason the user can act on: reported as one line, exit status 1. */
final class Failure extends RuntimeException {
  Failure(String message) {
    super(message);
  }

  /** One line for an unexpected exception: its class and message, never a stack trace. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.lines().findFirst().orElse(e.getClass().getSimpleName());
  }
}
