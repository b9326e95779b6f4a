package io.s3repofs.fs;

import io.s3repofs.cache.RemoteEntry;

/** What a path names: the root, a node the mount holds, or a file or directory in the bucket. */
sealed interface Resolved {

  /** The mount point. */
  record Root() implements Resolved {}

  /** A file or symlink with state in the mount (open, pending, or a symlink). */
  record Local(Node node) implements Resolved {}

  /** A file known only from the bucket. */
  record RemoteFile(String key, RemoteEntry entry) implements Resolved {}

  /** A directory: a {@code dir/} marker or a common prefix. */
  record RemoteDirectory(String key) implements Resolved {}
}
