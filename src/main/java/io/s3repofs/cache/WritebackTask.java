package io.s3repofs.cache;

/** One thing the write-back queue puts in the bucket: a closed file or a symlink. */
public interface WritebackTask {

  /** What {@link #run()} achieved. */
  enum Outcome {
    /** The work is done (or no longer needed). */
    DONE,
    /** It depends on work still queued (a link's target): try again after that. */
    WAIT
  }

  /** The path, for status output. */
  String describe();

  /** Bytes to upload, for status output. */
  long bytes();

  /**
   * Whether a flush (fsync, commit point, unmount) must send this before anything queued after
   * it. A task that is not urgent (a temporary file) keeps its delay and may be overtaken then.
   */
  default boolean urgent() {
    return true;
  }

  /**
   * Whether this task may start only once every urgent task queued before it is in the bucket
   * (a database renamed into place, a symlink, a delete, an fsync'ed file). Others run in
   * parallel with what is queued before them.
   */
  default boolean ordered() {
    return false;
  }

  /**
   * Whether this is a delete. Deletes are ordered after the uploads queued before them, but not
   * after each other (an {@code rm -r} sends its DELETEs side by side), and no ordered upload
   * waits for one: deletes go last.
   */
  default boolean isDelete() {
    return false;
  }

  /** Uploads. A thrown exception is retried later with backoff; nothing is dropped. */
  Outcome run() throws Exception;
}
