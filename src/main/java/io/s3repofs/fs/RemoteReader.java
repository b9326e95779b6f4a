package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams an object's bytes for one open handle with ranged GETs: a sequential reader gets
 * windows that double up to {@value #MAX_WINDOW} bytes, a seek starts a new window. Nothing is
 * buffered beyond what the caller asked for, so memory stays flat for any file size.
 */
final class RemoteReader {

  private static final long MIN_WINDOW = 1L << 20;
  private static final long MAX_WINDOW = 64L << 20;

  private InputStream stream;
  private long position;
  private long windowEnd; // exclusive
  private long window = MIN_WINDOW;

  /** Reads up to {@code length} bytes at {@code offset}, fewer only at the end of the object. */
  synchronized int read(CachedBucket bucket, String key, long objectSize, long offset, byte[] buffer, int length)
      throws IOException {
    if (offset >= objectSize) {
      return 0;
    }
    int wanted = (int) Math.min(length, objectSize - offset);
    if (stream != null && offset != position) {
      window = MIN_WINDOW;
      close();
    }
    int done = 0;
    while (done < wanted) {
      if (stream == null || position >= windowEnd) {
        if (stream != null) {
          stream.close();
          window = Math.min(MAX_WINDOW, window * 2);
        }
        long end = Math.min(objectSize, offset + done + window);
        stream = bucket.read(key, offset + done, end - 1);
        position = offset + done;
        windowEnd = end;
      }
      int n = stream.read(buffer, done, (int) Math.min(wanted - done, windowEnd - position));
      if (n < 0) {
        throw new IOException("object " + key + " ended early at byte " + position);
      }
      done += n;
      position += n;
    }
    return done;
  }

  synchronized void close() {
    if (stream != null) {
      if (position < windowEnd) {
        CachedBucket.abort(stream);
      } else {
        try {
          stream.close();
        } catch (IOException ignored) {
          // nothing left to read
        }
      }
      stream = null;
    }
  }
}
