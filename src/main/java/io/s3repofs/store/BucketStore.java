package io.s3repofs.store;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The object-store operations the filesystem core needs, on one bucket and key prefix. Keys are
 * relative to the prefix; failures are {@link StoreException}s. {@link ObjectStore} is the S3
 * implementation; tests put a fault-injecting one in between (latency, errors, pauses).
 */
public interface BucketStore {

  StoreSettings settings();

  RequestCounter requests();

  Optional<ObjectHead> head(String key);

  /** The objects and sub-prefixes directly under {@code dirKey} ("" or ending in '/'). */
  DirectoryPage list(String dirKey);

  List<ListedObject> listRecursive(String keyPrefix);

  /** A ranged GET, both ends inclusive. */
  InputStream read(String key, long from, long toInclusive);

  byte[] readAll(String key);

  String putBytes(String key, byte[] body, Map<String, String> metadata);

  /** Uploads a file (multipart when large; an upload that fails is aborted); returns the ETag. */
  String putFile(String key, Path file, long size, Map<String, String> metadata);

  /**
   * Starts a multipart upload under {@code key} with the object's metadata and the key's headers
   * and ACL (one request), for a caller that sends the parts itself as they become ready.
   */
  PartUpload startMultipart(String key, Map<String, String> metadata);

  /** Server-side copy; {@code metadata} null keeps the source's. Returns the new ETag. */
  String copy(String sourceKey, String targetKey, Map<String, String> metadata);

  void delete(String key);
}
