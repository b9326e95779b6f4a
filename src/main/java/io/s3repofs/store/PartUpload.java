package io.s3repofs.store;

import java.nio.file.Path;
import java.util.SortedMap;

/**
 * A multipart upload in progress under one key: parts are sent in any order and at any time (a
 * part sent again under the same number replaces the earlier one), and nothing is visible under
 * the key until {@link #complete}. Each method is one request; failures are {@link
 * StoreException}s. Safe to use from several threads at once.
 */
public interface PartUpload {

  /** The key the object will have (relative to the store's prefix). */
  String key();

  /** Sends bytes {@code [offset, offset + length)} of {@code file} as part {@code number} (from 1); returns its ETag. */
  String sendPart(int number, Path file, long offset, long length);

  /** Makes the object from these parts (number to ETag); returns the object's ETag. */
  String complete(SortedMap<Integer, String> parts);

  /** Gives the upload up; the parts sent are discarded. Best effort: never throws. */
  void abort();
}
