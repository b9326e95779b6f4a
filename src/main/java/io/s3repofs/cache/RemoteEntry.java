package io.s3repofs.cache;

import java.time.Instant;

/**
 * What a listing says of one name in a directory: a file (an object) or a directory (a common
 * prefix or a {@code name/} marker).
 */
public record RemoteEntry(boolean directory, long size, String etag, Instant lastModified) {

  public static RemoteEntry directoryEntry() {
    return new RemoteEntry(true, 0, null, null);
  }

  public static RemoteEntry file(long size, String etag, Instant lastModified) {
    return new RemoteEntry(false, size, etag, lastModified);
  }
}
