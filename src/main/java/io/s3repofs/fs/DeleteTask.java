package io.s3repofs.fs;

import io.s3repofs.cache.WritebackTask;

/**
 * Deletes the object of a {@link Tombstone} once no upload is queued before or after it. The
 * DELETE is sent holding the key's path lock, not the state lock.
 */
final class DeleteTask implements WritebackTask {

  private final Tombstone tombstone;
  private final Namespace names;

  DeleteTask(Tombstone tombstone, Namespace names) {
    this.tombstone = tombstone;
    this.names = names;
  }

  @Override
  public String describe() {
    return "/" + tombstone.path + " (delete)";
  }

  @Override
  public long bytes() {
    return 0;
  }

  @Override
  public boolean ordered() {
    return true; // deletes go after the uploads queued before them
  }

  @Override
  public boolean isDelete() {
    return true;
  }

  @Override
  public Outcome run() {
    // The key's path lock: a rename or create that takes the name back waits for the DELETE
    // (or goes first and revives the tombstone), so the DELETE never removes their object.
    try (PathLocks.Held held = names.paths.lock(tombstone.path)) {
      return delete();
    }
  }

  private Outcome delete() {
    names.lock.lock();
    try {
      if (tombstone.unlinked) {
        return Outcome.DONE;
      }
      if (names.queue.hasQueuedUploads()) {
        return Outcome.WAIT;
      }
    } finally {
      names.lock.unlock();
    }
    names.bucket.delete(tombstone.path);
    names.plusAliases.deleted(tombstone.path);
    names.lock.lock();
    try {
      if (!tombstone.unlinked) {
        names.remove(tombstone);
        tombstone.unlinked = true;
        names.journal.remove(tombstone.journalSequence);
        tombstone.journalSequence = -1;
      }
      names.uploadsChanged.signalAll(); // an rmdir may wait for it
      return Outcome.DONE;
    } finally {
      names.lock.unlock();
    }
  }
}
