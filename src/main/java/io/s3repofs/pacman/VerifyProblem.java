package io.s3repofs.pacman;

/**
 * One thing {@link LocalRepository#verify()} found wrong.
 *
 * @param subject the entry ({@code name-version}) or file concerned
 * @param problem what is wrong, one line
 */
public record VerifyProblem(String subject, String problem) {
  @Override
  public String toString() {
    return subject + ": " + problem;
  }
}
