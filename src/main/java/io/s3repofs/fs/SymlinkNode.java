package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;

/**
 * A symlink. Symlinks stay known to the mount once seen, so that links to a rewritten file can be
 * refreshed after the file is uploaded.
 */
final class SymlinkNode extends Node {

  final String target;
  /** The link's object is missing or stale (its target changed since it was written). */
  @com.google.errorprone.annotations.concurrent.GuardedBy("stateLock")
  boolean pending;
  final SymlinkUpload upload;

  SymlinkNode(String path, String target, PosixAttributes attributes, Namespace fs) {
    super(path, attributes, fs);
    this.target = target;
    this.upload = new SymlinkUpload(this, fs);
  }
}
