package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A regular file with local state. Its content is either in the bucket only
 * ({@link #contentFile} null: reads are ranged GETs) or in a cache data file.
 *
 * <h2>Ownership (the rule the core keeps)</h2>
 * <ul>
 *   <li>The <b>state lock</b> ({@code Namespace.lock}) guards every field below except
 *       {@link #channel} and the bytes of {@link #contentFile}: size, version, attributes, open
 *       count, the closed and uploading states, the ETag. It is held for memory-only work and
 *       local bookkeeping, never across an S3 request.</li>
 *   <li>The <b>content lock</b> guards the bytes of {@link #contentFile} and {@link #channel}:
 *       writes and truncation hold the write lock, reads the read lock. It is taken before the
 *       state lock, never after. Uploads take neither: they read a {@link ClosedState}'s file,
 *       which nothing writes any more.</li>
 * </ul>
 *
 * <h2>Upload state</h2>
 * Every change of bytes or attributes bumps {@link #version}. A close (or a change while closed)
 * that has something new calls {@link #closeState}: the current bytes become an immutable
 * {@link ClosedState} (journaled), and the content file is marked shared, so the next write copies
 * it first. The upload takes that state with {@link #beginUpload}, sends it with no lock held, and
 * {@link #completeUpload} clears only what it covered: a newer close or a change since stays
 * pending. So: clean → dirty (changed, open) → closed (journaled, queued) → uploading → clean, or
 * back to closed when something changed meanwhile. A failed upload stays closed and is retried.
 *
 * <p>What each operation does in each state:
 * <ul>
 *   <li><b>write / truncate</b>: dirty from any state; while closed or uploading, the bytes go to a
 *       copy (the state's file is never written again); the upload in flight is not disturbed and
 *       its completion leaves the node dirty.</li>
 *   <li><b>chmod / chown / utimens</b>: a change of {@link #attributes} and {@link #version}; with no
 *       handle open it is closed at once (a new journaled state), so an upload in flight, which
 *       sent the older attributes, does not clear it.</li>
 *   <li><b>close (flush) / reopen</b>: a close with unclosed changes makes a new closed state
 *       (replacing the queued one: the journal keeps only the newest); a reopen changes nothing
 *       until it writes.</li>
 *   <li><b>rename</b>: a pending node moves with its states (its upload goes to the new key,
 *       {@link #ordered} from then on); a clean one is copied server-side. An upload holds its
 *       key's path lock, so a rename waits for it, and re-validates the path after.</li>
 *   <li><b>unlink</b>: detached: the queued upload and journal record go; an upload in flight
 *       finds {@link Node#unlinked} when it ends and buries the key it wrote.</li>
 * </ul>
 * Uploads of different nodes run in parallel ({@code WritebackQueue}); one node's upload runs
 * once at a time.
 */
final class FileNode extends Node {

  final ReentrantReadWriteLock contentLock = new ReentrantReadWriteLock();
  /** Opened and closed under contentLock and the state lock; used under contentLock. */
  @GuardedBy("contentLock")
  FileChannel channel;
  /**
   * Current bytes, what reads see; null while they are only in the bucket. Written under the state
   * lock (and the content write lock, or with no handle open); volatile for unlocked readers.
   */
  volatile Path contentFile;
  /** {@link #contentFile} is also a closed state's file: copy it before changing it. */
  @GuardedBy("stateLock")
  boolean contentShared;
  /** Written under the state lock; volatile for readers of open files. */
  volatile long size;
  /** Bumped by every change of content or attributes. */
  @GuardedBy("stateLock")
  long version;
  /** The version the bucket holds (0: the bucket holds no state of this node). */
  @GuardedBy("stateLock")
  long uploadedVersion;
  /** The latest closed state not yet known to be in the bucket, or null. */
  @GuardedBy("stateLock")
  ClosedState closed;
  /** The state being uploaded now, or null. */
  @GuardedBy("stateLock")
  ClosedState uploading;
  /** ETag of the bucket's object when the content is clean. */
  @GuardedBy("stateLock")
  String etag;
  @GuardedBy("stateLock")
  int openCount;
  /**
   * Its upload must wait for every file closed before it (see {@code WritebackTask#ordered}): it
   * was renamed into place or fsync'ed. Volatile: the queue reads it without the state lock.
   */
  volatile boolean ordered;
  /** Message of the last failed upload of this node, for fsync's EIO; null after a success. */
  @GuardedBy("stateLock")
  String uploadFailure;
  final FileUpload upload;
  /** The parts of {@link #contentFile} (or of a closed state's file) sent while written, or null. */
  @GuardedBy("stateLock")
  PartStream stream;

  FileNode(String path, PosixAttributes attributes, Namespace fs) {
    super(path, attributes, fs);
    this.upload = new FileUpload(this, fs);
  }

  /** The content or attributes differ from what the bucket holds. */
  boolean dirty() {
    assert owned() : "state lock not held";
    return version != uploadedVersion;
  }

  /** A closed state waits for upload or is being uploaded. */
  boolean pending() {
    assert owned() : "state lock not held";
    return closed != null || uploading != null;
  }

  /** Whether the current state has changes that no closed state holds yet. */
  boolean hasUnclosedChanges() {
    assert owned() : "state lock not held";
    long covered = closed != null ? closed.version() : uploading != null ? uploading.version() : uploadedVersion;
    return version > covered && version != uploadedVersion;
  }

  /** Records a change of bytes or attributes. */
  void changed() {
    assert owned() : "state lock not held";
    version++;
  }

  /**
   * Takes the current state as closed and returns it; the caller journals it and queues the
   * upload. From now on the content file is shared with the state: the next change copies it.
   */
  ClosedState closeState() {
    assert owned() : "state lock not held";
    ClosedState state = new ClosedState(contentFile, size, attributes, version);
    contentShared = true;
    closed = state;
    return state;
  }

  /** The upload of {@link #closed} starts; null when there is nothing to send. */
  ClosedState beginUpload() {
    assert owned() : "state lock not held";
    if (closed == null || uploading != null) {
      return null;
    }
    uploading = closed;
    return uploading;
  }

  /** The bucket holds {@code state} now. Returns whether the node is clean. */
  boolean completeUpload(ClosedState state, String newEtag) {
    assert owned() : "state lock not held";
    uploading = null;
    uploadFailure = null;
    uploadedVersion = Math.max(uploadedVersion, state.version());
    etag = newEtag;
    if (closed == state) {
      closed = null;
    }
    if (closed == null) {
      contentShared = false; // no pending state names the content file any more
      ordered = false;
    }
    return !dirty();
  }

  void failUpload(String message) {
    assert owned() : "state lock not held";
    uploading = null;
    uploadFailure = message;
  }

  /** Whether a file is still named by the current content or a pending state. */
  boolean uses(java.nio.file.Path file) {
    assert owned() : "state lock not held";
    return file != null && (file.equals(contentFile) || closed != null && file.equals(closed.file())
        || uploading != null && file.equals(uploading.file()));
  }
}
