package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;

/**
 * A file or symlink the mount holds state for: open, written and not yet uploaded, or a symlink.
 * Everything else is read from the bucket's caches. Fields are guarded by the filesystem's
 * namespace lock unless noted.
 */
abstract class Node {

  /** Current path, relative to the mount root. Volatile: readers of open files use it unlocked. */
  volatile String path;
  PosixAttributes attributes;
  /** Whether an object exists under {@link #path} in the bucket (possibly older content). */
  boolean remoteExists;
  /** Sequence of this node's journal record, or -1 when it has none. */
  long journalSequence = -1;
  /** Removed from the namespace (unlinked or replaced); open handles may still use it. */
  boolean unlinked;

  Node(String path, PosixAttributes attributes) {
    this.path = path;
    this.attributes = attributes;
  }
}
