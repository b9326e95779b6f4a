package io.s3repofs.pacman;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How long package files replaced with {@code -R} stay after the database stops naming them,
 * so that a client (or a CDN) holding the previous database can still download them.
 *
 * @param grace zero deletes them at once (repo-add's behaviour)
 * @param clock the time source (tests pass a fixed or offset clock)
 */
public record Retention(Duration grace, Clock clock) {
  /** No grace period: replaced files go at once. */
  public static final Retention NONE = new Retention(Duration.ZERO, Clock.systemUTC());

  public Retention {
    Objects.requireNonNull(grace, "grace");
    Objects.requireNonNull(clock, "clock");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("negative grace period");
    }
  }

  public static Retention of(Duration grace) {
    return new Retention(grace, Clock.systemUTC());
  }

  boolean immediate() {
    return grace.isZero();
  }
}
