package io.s3repofs.fs;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.s3repofs.store.PosixAttributes;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A file or symlink the mount holds state for: open, written and not yet uploaded, or a symlink.
 * Everything else is read from the bucket's caches. Fields are guarded by the filesystem's state
 * lock ({@link #stateLock}, which is {@code Namespace.lock}) unless noted; the state transitions
 * assert that it is held ({@link #owned}), and the tests run with assertions on.
 */
abstract class Node {

  /** The state lock of the namespace this node belongs to. */
  final ReentrantLock stateLock;
  /** Current path, relative to the mount root. Written under the state lock; volatile: readers of open files and the queue read it unlocked. */
  volatile String path;
  @GuardedBy("stateLock")
  PosixAttributes attributes;
  /** Whether an object exists under {@link #path} in the bucket (possibly older content). */
  @GuardedBy("stateLock")
  boolean remoteExists;
  /** Sequence of this node's journal record, or -1 when it has none. */
  @GuardedBy("stateLock")
  long journalSequence = -1;
  /** Removed from the namespace (unlinked or replaced); open handles may still use it. */
  @GuardedBy("stateLock")
  boolean unlinked;

  Node(String path, PosixAttributes attributes, Namespace names) {
    this.stateLock = names.lock;
    this.path = path;
    this.attributes = attributes;
  }

  /** Whether the calling thread holds the state lock: {@code assert owned()} before touching state. */
  final boolean owned() {
    return stateLock.isHeldByCurrentThread();
  }
}
