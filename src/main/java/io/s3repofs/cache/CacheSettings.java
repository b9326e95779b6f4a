package io.s3repofs.cache;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the mount caches.
 *
 * @param directory where file data and the upload journal live (s3fs {@code use_cache})
 * @param statCacheExpiry how long attributes, listings and negative lookups stay valid
 * @param statCacheSize most entries kept in each of those caches
 * @param cleanBytesLimit clean (uploaded) file data kept on disk for reads; dirty data is never
 *     evicted
 * @param writeBackDelay how long a closed file waits before it is uploaded
 * @param uploadConcurrency how many files are uploaded at once
 */
public record CacheSettings(
    Path directory, Duration statCacheExpiry, long statCacheSize, long cleanBytesLimit,
    Duration writeBackDelay, int uploadConcurrency) {

  /** Settings with the default upload concurrency. */
  public CacheSettings(Path directory, Duration statCacheExpiry, long statCacheSize, long cleanBytesLimit,
      Duration writeBackDelay) {
    this(directory, statCacheExpiry, statCacheSize, cleanBytesLimit, writeBackDelay,
        WritebackQueue.DEFAULT_CONCURRENCY);
  }
}
