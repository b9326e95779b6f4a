package io.s3repofs.store;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How to reach one bucket, and how to write to it.
 *
 * @param bucket the bucket name
 * @param prefix the key prefix everything lives under: empty, or ending with '/'
 * @param endpoint the service URL (s3fs {@code url=}); null for AWS's own endpoint
 * @param region the signing region (s3fs {@code endpoint=})
 * @param pathStyle path-style requests (s3fs {@code use_path_request_style})
 * @param credentials where the keys come from; anonymous when null
 * @param cannedAcl the canned ACL set on every object written (s3fs {@code default_acl}), or null
 * @param multipartSize files at least this large go up as multipart uploads of parts this size
 * @param parallelCount parts uploaded in parallel (s3fs {@code parallel_count})
 * @param maxAttempts attempts per request, the first included, before an error is reported
 * @param timeout connection and socket timeout
 * @param headers the HTTP headers (Cache-Control, Content-Type, ...) objects get by their key
 * @param metadataRequests HEAD requests in flight at once when the attributes of a listed
 *     directory's entries are fetched (s3fs {@code multireq_max}); the connection pool makes room
 *     for them
 */
public record StoreSettings(
    String bucket,
    String prefix,
    URI endpoint,
    String region,
    boolean pathStyle,
    AwsCredentialsProvider credentials,
    String cannedAcl,
    long multipartSize,
    int parallelCount,
    int maxAttempts,
    Duration timeout,
    HeaderRules headers,
    int metadataRequests) {

  /** HEADs in flight at once unless {@code multireq_max} says otherwise. */
  public static final int DEFAULT_METADATA_REQUESTS = 64;

  /** Settings that add no HTTP headers to any object. */
  public StoreSettings(String bucket, String prefix, URI endpoint, String region,
      boolean pathStyle, AwsCredentialsProvider credentials, String cannedAcl,
      long multipartSize, int parallelCount, int maxAttempts, Duration timeout) {
    this(bucket, prefix, endpoint, region, pathStyle, credentials, cannedAcl, multipartSize,
        parallelCount, maxAttempts, timeout, HeaderRules.NONE);
  }

  /** Settings with the default number of metadata requests in flight. */
  public StoreSettings(String bucket, String prefix, URI endpoint, String region,
      boolean pathStyle, AwsCredentialsProvider credentials, String cannedAcl,
      long multipartSize, int parallelCount, int maxAttempts, Duration timeout, HeaderRules headers) {
    this(bucket, prefix, endpoint, region, pathStyle, credentials, cannedAcl, multipartSize,
        parallelCount, maxAttempts, timeout, headers, DEFAULT_METADATA_REQUESTS);
  }

  /** The same settings with other header rules. */
  public StoreSettings withHeaders(HeaderRules rules) {
    return new StoreSettings(bucket, prefix, endpoint, region, pathStyle, credentials, cannedAcl,
        multipartSize, parallelCount, maxAttempts, timeout, rules, metadataRequests);
  }

  public StoreSettings {
    if (headers == null) {
      headers = HeaderRules.NONE;
    }
    if (metadataRequests < 1) {
      throw new IllegalArgumentException("metadataRequests must be at least 1: " + metadataRequests);
    }
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      throw new IllegalArgumentException("prefix must be empty or end with '/': " + prefix);
    }
  }

  /** A human-readable name of the bucket and prefix, for messages. */
  public String displayName() {
    return prefix.isEmpty() ? bucket : bucket + ":/" + prefix.substring(0, prefix.length() - 1);
  }
}
