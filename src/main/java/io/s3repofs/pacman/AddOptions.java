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
 * @param verifySignatures {@code -v}/{@code --verify}: check each package's {@code .sig} with
 *     gpg before adding anything
 */
public record AddOptions(boolean onlyNew, boolean removeOld, boolean preventDowngrade,
    boolean includeSigs, Duration lockWait, boolean verifySignatures) {
  /** No option set, no waiting for the lock: repo-add's defaults (of pacman 6.1). */
  public static final AddOptions DEFAULTS = new AddOptions(false, false, false, false, Duration.ZERO);

  public AddOptions {
    Objects.requireNonNull(lockWait, "lockWait");
  }

  /** Options without signature checks. */
  public AddOptions(boolean onlyNew, boolean removeOld, boolean preventDowngrade,
      boolean includeSigs, Duration lockWait) {
    this(onlyNew, removeOld, preventDowngrade, includeSigs, lockWait, false);
  }

  public AddOptions withOnlyNew(boolean v) {
    return new AddOptions(v, removeOld, preventDowngrade, includeSigs, lockWait, verifySignatures);
  }

  public AddOptions withRemoveOld(boolean v) {
    return new AddOptions(onlyNew, v, preventDowngrade, includeSigs, lockWait, verifySignatures);
  }

  public AddOptions withPreventDowngrade(boolean v) {
    return new AddOptions(onlyNew, removeOld, v, includeSigs, lockWait, verifySignatures);
  }

  public AddOptions withIncludeSigs(boolean v) {
    return new AddOptions(onlyNew, removeOld, preventDowngrade, v, lockWait, verifySignatures);
  }

  public AddOptions withLockWait(Duration v) {
    return new AddOptions(onlyNew, removeOld, preventDowngrade, includeSigs, v, verifySignatures);
  }

  public AddOptions withVerifySignatures(boolean v) {
    return new AddOptions(onlyNew, removeOld, preventDowngrade, includeSigs, lockWait, v);
  }
}
