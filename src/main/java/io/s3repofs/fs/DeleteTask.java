package io.s3repofs.fs;

import io.s3repofs.cache.WritebackTask;

/** Deletes the object of a {@link Tombstone} once no upload is queued before or after it. */
final class DeleteTask implements WritebackTask {

  private final Tombstone tombstone;
  private final FileSystemCore fs;

  DeleteTask(Tombstone tombstone, FileSystemCore fs) {
    this.tombstone = tombstone;
    this.fs = fs;
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
    fs.namespace.lock();
    try {
      if (tombstone.unlinked) {
        return Outcome.DONE;
      }
      if (fs.queue.hasQueued(t -> !(t instanceof DeleteTask))) {
        return Outcome.WAIT;
      }
      fs.bucket.delete(tombstone.path);
      fs.overlay().remove(tombstone.path, tombstone);
      tombstone.unlinked = true;
      fs.journal.remove(tombstone.journalSequence);
      return Outcome.DONE;
    } finally {
      fs.namespace.unlock();
    }
  }
}
