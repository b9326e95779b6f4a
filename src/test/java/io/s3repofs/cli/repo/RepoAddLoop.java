package io.s3repofs.cli.repo;

/**
 * Test helper run as a separate JVM: {@code RepoAddLoop DB PKG...} runs
 * {@code repo add --wait 60 DB PKG} once per package, exiting with the first failure's code.
 */
public final class RepoAddLoop {
  private RepoAddLoop() {}

  public static void main(String[] args) {
    for (int i = 1; i < args.length; i++) {
      int code = RepoCommand.execute("add", "--wait", "60", args[0], args[i]);
      if (code != 0) {
        System.exit(code);
      }
    }
    System.exit(0);
  }
}
