package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;
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
 */
final class FileNode extends Node {

  final ReentrantReadWriteLock contentLock = new ReentrantReadWriteLock();
  /** Guarded by contentLock (opened and closed also under the state lock). */
  FileChannel channel;
  /** Current bytes, what reads see; null while they are only in the bucket. */
  volatile Path contentFile;
  /** {@link #contentFile} is also a closed state's file: copy it before changing it. */
  boolean contentShared;
  volatile long size;
  /** Bumped by every change of content or attributes. */
  long version;
  /** The version the bucket holds (0: the bucket holds no state of this node). */
  long uploadedVersion;
  /** The latest closed state not yet known to be in the bucket, or null. */
  ClosedState closed;
  /** The state being uploaded now, or null. */
  ClosedState uploading;
  /** ETag of the bucket's object when the content is clean. */
  String etag;
  int openCount;
  /** Message of the last failed upload of this node, for fsync's EIO; null after a success. */
  String uploadFailure;
  final FileUpload upload;

  FileNode(String path, PosixAttributes attributes, Namespace fs) {
    super(path, attributes);
    this.upload = new FileUpload(this, fs);
  }

  /** The content or attributes differ from what the bucket holds. */
  boolean dirty() {
    return version != uploadedVersion;
  }

  /** A closed state waits for upload or is being uploaded. */
  boolean pending() {
    return closed != null || uploading != null;
  }

  /** Whether the current state has changes that no closed state holds yet. */
  boolean hasUnclosedChanges() {
    long covered = closed != null ? closed.version() : uploading != null ? uploading.version() : uploadedVersion;
    return version > covered && version != uploadedVersion;
  }

  /** Records a change of bytes or attributes. */
  void changed() {
    version++;
  }

  /**
   * Takes the current state as closed and returns it; the caller journals it and queues the
   * upload. From now on the content file is shared with the state: the next change copies it.
   */
  ClosedState closeState() {
    ClosedState state = new ClosedState(contentFile, size, attributes, version);
    contentShared = true;
    closed = state;
    return state;
  }

  /** The upload of {@link #closed} starts; null when there is nothing to send. */
  ClosedState beginUpload() {
    if (closed == null || uploading != null) {
      return null;
    }
    uploading = closed;
    return uploading;
  }

  /** The bucket holds {@code state} now. Returns whether the node is clean. */
  boolean completeUpload(ClosedState state, String newEtag) {
    uploading = null;
    uploadFailure = null;
    uploadedVersion = Math.max(uploadedVersion, state.version());
    etag = newEtag;
    if (closed == state) {
      closed = null;
    }
    if (closed == null) {
      contentShared = false; // no pending state names the content file any more
    }
    return !dirty();
  }

  void failUpload(String message) {
    uploading = null;
    uploadFailure = message;
  }

  /** Whether a file is still named by the current content or a pending state. */
  boolean uses(java.nio.file.Path file) {
    return file != null && (file.equals(contentFile) || closed != null && file.equals(closed.file())
        || uploading != null && file.equals(uploading.file()));
  }
}
