package io.s3repofs.store;

import java.util.Optional;

/**
 * S3's rules for bucket names (3 to 63 characters; lower-case letters, digits, '.' and '-';
 * a letter or digit at both ends; no "..", not an IP address), with '_' allowed for the old
 * buckets that have one. Says which rule a name breaks.
 */
public final class BucketNames {
  private BucketNames() {}

  /** What is wrong with {@code name}, or empty if it is a valid bucket name. */
  public static Optional<String> problem(String name) {
    int n = name.length();
    if (n < 3 || n > 63) {
      return Optional.of(n + (n == 1 ? " character" : " characters") + " long; a bucket name has 3 to 63");
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        return Optional.of("upper-case '" + c + "'; a bucket name has lower-case letters only");
      }
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        return Optional.of("character '" + c + "' is not allowed (lower-case letters, digits, '.', '-')");
      }
    }
    if (!Character.isLetterOrDigit(name.charAt(0)) || !Character.isLetterOrDigit(name.charAt(n - 1))) {
      return Optional.of("it must begin and end with a letter or digit");
    }
    if (name.contains("..")) {
      return Optional.of("it must not hold '..'");
    }
    if (name.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
      return Optional.of("it must not look like an IP address");
    }
    return Optional.empty();
  }

  /**
   * What is wrong with {@code name} as the name of a bucket to create, or empty: {@link #problem}'s
   * rules without the '_' that only old buckets have.
   */
  public static Optional<String> problemForNew(String name) {
    Optional<String> problem = problem(name);
    if (problem.isEmpty() && name.indexOf('_') >= 0) {
      return Optional.of("character '_' is not allowed in a new bucket (lower-case letters, digits, '.', '-')");
    }
    return problem;
  }
}
