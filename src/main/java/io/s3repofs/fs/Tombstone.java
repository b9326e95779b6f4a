package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;

/**
 * A name deleted through the mount whose object is still in the bucket. The mount shows nothing
 * there; the DELETE is queued after the uploads (so a database naming a replaced package goes up
 * before the package goes away), and is dropped if a new file takes the name first.
 */
final class Tombstone extends Node {

  final DeleteTask delete;

  Tombstone(String path, Namespace fs) {
    super(path, new PosixAttributes(0, 0, 0, 0, 0, 0), fs);
    this.remoteExists = true;
    this.delete = new DeleteTask(this, fs);
  }
}
