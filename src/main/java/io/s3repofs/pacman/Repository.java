package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A pacman repository that {@code s3repofs repo} maintains: in a directory
 * ({@link LocalRepository}, also on a mount) or directly in a bucket ({@link BucketRepository}).
 * Both apply the same rules ({@link PackageSelection}, {@link DatabaseMerge}); they differ only
 * in where the files live and how concurrent writers are kept apart.
 */
public interface Repository {

  /**
   * Adds packages (local files) to the database, creating it if needed, like {@code repo-add}.
   *
   * @throws RepoException if a package is missing or broken, the database is locked or not a
   *     proper one; the database is unchanged then
   */
  AddResult add(List<Path> packages, AddOptions options) throws IOException;

  /**
   * Removes the entries of the named packages, like {@code repo-remove}.
   *
   * @throws RepoException if the database does not exist or a name is not in it (then nothing
   *     is removed)
   */
  RemoveResult remove(List<String> names, Duration lockWait) throws IOException;

  /**
   * Reads the database, with file lists from the files database.
   *
   * @throws RepoException if it does not exist or is not a proper database
   */
  RepoDatabase read() throws IOException;

  /** Checks the repository's consistency; returns the problems found, empty if none. */
  List<VerifyProblem> verify() throws IOException;

  /**
   * Deletes the package files replaced with {@code -R} whose grace period has ended (every one
   * waiting, with {@code all}); files the database names again are kept and forgotten.
   *
   * @return the files deleted, as paths or URLs
   */
  List<String> prune(boolean all, Duration lockWait) throws IOException;

  /** The replaced package files waiting for their grace period to end. */
  List<PendingDeletes.Entry> pendingDeletes() throws IOException;

  /** The database as the user named it, for messages. */
  String displayName();
}
