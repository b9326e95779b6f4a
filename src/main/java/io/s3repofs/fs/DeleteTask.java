package io.s3repofs.fs;

import io.s3repofs.cache.WritebackTask;

/** Deletes the object of a {@link Tombstone} once no upload is queued before or after it. */
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
  public Outcome run() {
    names.lock.lock();
    try {
      if (tombstone.unlinked) {
        return Outcome.DONE;
      }
      if (names.queue.hasQueued(t -> !(t instanceof DeleteTask))) {
        return Outcome.WAIT;
      }
      names.bucket.delete(tombstone.path);
      names.plusAliases.deleted(tombstone.path);
      names.remove(tombstone);
      tombstone.unlinked = true;
      names.journal.remove(tombstone.journalSequence);
      return Outcome.DONE;
    } finally {
      names.lock.unlock();
    }
  }
}
