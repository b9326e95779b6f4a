package io.s3repofs.pacman;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@link LocalRepository#add}, named after repo-add's.
 *
 * @param onlyNew {@code -n}: skip a package whose name and version are already in the database
 * @param removeOld {@code -R}: after the database is written, delete the package file (and its
 *     {@code .sig}) of the entry each added package replaced
 * @param preventDowngrade {@code -p}: skip a package when the database already has a newer
 *     version of it
 * @param includeSigs {@code --include-sigs}: put each package's detached {@code .sig}, base64,
 *     into %PGPSIG% (pacman 6.1's option; Debian's repo-add 6.0.2 always does it)
 * @param lockWait how long to wait for the lock held by another process (zero: fail at once)
 */
public record AddOptions(boolean onlyNew, boolean removeOld, boolean preventDowngrade,
    boolean includeSigs, Duration lockWait) {
  /** No option set, no waiting for the lock: repo-add's defaults (of pacman 6.1). */
  public static final AddOptions DEFAULTS = new AddOptions(false, false, false, false, Duration.ZERO);

  public AddOptions {
    Objects.requireNonNull(lockWait, "lockWait");
  }

  public AddOptions withOnlyNew(boolean v) {
    return new AddOptions(v, removeOld, preventDowngrade, includeSigs, lockWait);
  }

  public AddOptions withRemoveOld(boolean v) {
    return new AddOptions(onlyNew, v, preventDowngrade, includeSigs, lockWait);
  }

  public AddOptions withPreventDowngrade(boolean v) {
    return new AddOptions(onlyNew, removeOld, v, includeSigs, lockWait);
  }

  public AddOptions withIncludeSigs(boolean v) {
    return new AddOptions(onlyNew, removeOld, preventDowngrade, v, lockWait);
  }

  public AddOptions withLockWait(Duration v) {
    return new AddOptions(onlyNew, removeOld, preventDowngrade, includeSigs, v);
  }
}
