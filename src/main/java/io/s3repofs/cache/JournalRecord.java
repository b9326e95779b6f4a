package io.s3repofs.cache;

import io.s3repofs.store.PosixAttributes;

/**
 * One closed-but-not-uploaded file or symlink, as the journal keeps it across a crash.
 *
 * @param sequence close order: records are replayed lowest first
 * @param key where it goes in the bucket
 * @param dataFile name of the file in the cache's data directory holding the content; null for a
 *     symlink
 * @param symlinkTarget the link's target; null for a file
 */
public record JournalRecord(
    long sequence, String key, String dataFile, String symlinkTarget, PosixAttributes attributes) {

  /** A record of neither content nor link target is a pending delete. */
  public boolean isDelete() {
    return dataFile == null && symlinkTarget == null;
  }

  public boolean isSymlink() {
    return symlinkTarget != null;
  }
}
