package io.s3repofs.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.S3Utilities;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The object-store client: one bucket and key prefix, on the AWS SDK v2. Keys given to and
 * returned by this class are relative to the prefix. Retries are the SDK's (standard mode, with
 * backoff); errors surface as {@link StoreException}.
 */
public final class ObjectStore implements BucketStore, AutoCloseable {

  static {
    // SLF4J binds to logback here, on the one thread that first uses the store, before it starts
    // threads of its own (the SDK's client, its metadata, the bucket check's). A thread that logs
    // while another is binding gets a stand-in logger, whose calls (debug ones too) SLF4J replays
    // afterwards with three lines of warning on stderr: after a one-line error, in 1 of 10 mounts
    // with wrong keys.
    org.slf4j.LoggerFactory.getILoggerFactory();
  }

  private final StoreSettings settings;
  /**
   * The SDK's client, for LISTs, whole-object GETs, multipart uploads and COPYs: completed by the
   * first thread that needs it, or by the thread {@link #prepareClient()} starts. Building it
   * takes 0.13 s of CPU in a fresh JVM and the bucket check does not need it, so a mount builds it
   * beside the check. Thread-safe: {@link #s3Claimed} decides who builds it, once.
   */
  private final CompletableFuture<S3Client> s3 = new CompletableFuture<>();
  private final AtomicBoolean s3Claimed = new AtomicBoolean();
  /** The HTTP client (connections, timeouts) of {@link #s3}, shared with {@link #direct}. */
  private final SdkHttpClient http;
  /** The bucket check, HEADs, ranged GETs, single PUTs, multipart parts and DELETEs, around the SDK's pipeline. */
  private final DirectRequests direct;
  private final RequestCounter requests = new RequestCounter();
  private final ExecutorService partUploaders;

  public ObjectStore(StoreSettings settings) {
    this.settings = settings;
    this.http = httpClient();
    this.direct = new DirectRequests(http, urls(), settings.bucket(), settings.region(), settings.credentials(),
        requests, settings.maxAttempts());
    this.partUploaders = Executors.newFixedThreadPool(Math.max(1, settings.parallelCount()), r -> {
      Thread t = new Thread(r, "s3repofs-part-upload");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts loading, on a thread of its own, the SDK's metadata of every AWS service and region
   * (440 classes), which building an S3 client loads even with an endpoint set: a mount's main
   * thread meanwhile builds the HTTP client, and meets the classes initialised or initialising.
   */
  public static void preload() {
    Thread t = new Thread(() -> software.amazon.awssdk.regions.ServiceMetadata.of("s3"), "s3repofs-sdk-preload");
    t.setDaemon(true);
    t.start();
  }

  private SdkHttpClient httpClient() {
    ApacheHttpClient.Builder builder = ApacheHttpClient.builder()
        .maxConnections(Math.max(32, settings.parallelCount() * 2 + 4 + 16) // parts + files uploaded at once + reads
            + settings.metadataRequests()) // HEADs of a directory's entries (multireq_max)
        .connectionTimeout(settings.timeout())
        .socketTimeout(settings.timeout())
        // Apache would add "Expect: 100-continue" to every request with a body; DirectRequests
        // sets it on large PUTs only, and the SDK's S3 client on its PutObject and UploadPart.
        .expectContinueEnabled(false);
    if (settings.endpoint() != null && "http".equalsIgnoreCase(settings.endpoint().getScheme())) {
      // Every request goes to this plain-http endpoint: the SDK's TLS socket factory, which loads
      // the trust store (100 ms of a mount's start-up), would never be used.
      builder.socketFactory(org.apache.http.conn.socket.PlainConnectionSocketFactory.getSocketFactory());
    }
    return builder.build();
  }

  /** The URLs the SDK's client would send requests to (its endpoint rules), without building it. */
  private S3Utilities urls() {
    S3Utilities.Builder builder = S3Utilities.builder().region(Region.of(settings.region()))
        .s3Configuration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
    if (settings.endpoint() != null) {
      builder.endpoint(settings.endpoint());
    }
    return builder.build();
  }

  /** Starts building the SDK's client on a thread of its own, so that its first use need not wait as long. */
  public void prepareClient() {
    if (s3Claimed.compareAndSet(false, true)) {
      Thread t = new Thread(this::buildClient, "s3repofs-sdk-client");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Whether the SDK's client is built or being built (for tests of what needs it). */
  boolean sdkClientStarted() {
    return s3Claimed.get();
  }

  private S3Client s3() {
    if (s3Claimed.compareAndSet(false, true)) {
      buildClient();
    }
    try {
      return s3.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private void buildClient() {
    try {
      s3.complete(client());
    } catch (RuntimeException | Error e) {
      s3.completeExceptionally(e);
    }
  }

  /** A client on {@link #http}, which it does not close. */
  private S3Client client() {
    S3ClientBuilder builder = S3Client.builder()
        .region(Region.of(settings.region()))
        .forcePathStyle(settings.pathStyle())
        .credentialsProvider(settings.credentials() == null
            ? AnonymousCredentialsProvider.create() : settings.credentials())
        .httpClient(http)
        .overrideConfiguration(c -> c
            .retryStrategy(RetryMode.STANDARD)
            .retryStrategy(b -> b.maxAttempts(settings.maxAttempts()))
            .addExecutionInterceptor(requests));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    }
    return builder.build();
  }

  public StoreSettings settings() {
    return settings;
  }

  public RequestCounter requests() {
    return requests;
  }

  /**
   * Checks that the bucket exists and the keys may list it; throws a {@link StoreException}
   * with a one-line, user-facing message otherwise.
   */
  public void checkAccess() {
    // First without retries: wrong keys, a missing bucket, a refused connection or an unknown
    // host are answers, not accidents, and retrying them only delays the message (by ~1 s).
    try {
      checkWith(false);
    } catch (StoreException e) {
      if (!transientFailure(e)) {
        throw e;
      }
      checkWith(true);
    }
  }

  private void checkWith(boolean retries) {
    call("check bucket " + settings.bucket(), () -> {
      direct.checkList(settings.prefix(), retries);
      return null;
    });
  }

  /** A failure that a retry may cure: a timeout, a server error, a dropped connection. */
  private static boolean transientFailure(StoreException e) {
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof S3Exception s3e) {
        return s3e.statusCode() >= 500 || s3e.statusCode() == 429;
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof NoCredentialsException) {
        return false;
      }
      if (t == t.getCause()) {
        break;
      }
    }
    return e.kind() != StoreException.Kind.ACCESS_DENIED
        && e.kind() != StoreException.Kind.NO_SUCH_BUCKET;
  }

  public Optional<ObjectHead> head(String key) {
    return call("HEAD " + key, () -> direct.head(fullKey(key)));
  }

  /** Lists the objects and sub-prefixes directly under {@code dirKey} ("" or ending in '/'). */
  public DirectoryPage list(String dirKey) {
    List<ListedObject> objects = new ArrayList<>();
    List<String> subdirectories = new ArrayList<>();
    String prefix = fullKey(dirKey);
    ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
        .bucket(settings.bucket()).prefix(prefix).delimiter("/")
        .encodingType(EncodingType.URL); // keys with control characters cannot be XML text
    String token = null;
    do {
      String continuation = token;
      ListObjectsV2Response page = call("LIST " + dirKey,
          () -> s3().listObjectsV2(request.continuationToken(continuation).build()));
      for (S3Object o : page.contents()) {
        String name = o.key().substring(prefix.length());
        // Some servers (jclouds-based ones) list a lone "sub/" marker as an object, not a prefix.
        if (name.endsWith("/") && name.indexOf('/') == name.length() - 1) {
          addOnce(subdirectories, name.substring(0, name.length() - 1));
        } else {
          objects.add(toListed(o));
        }
      }
      for (CommonPrefix p : page.commonPrefixes()) {
        String name = p.prefix().substring(prefix.length());
        addOnce(subdirectories, name.substring(0, name.length() - 1));
      }
      token = page.isTruncated() ? page.nextContinuationToken() : null;
    } while (token != null);
    return new DirectoryPage(objects, subdirectories);
  }

  private static void addOnce(List<String> names, String name) {
    if (!names.contains(name)) {
      names.add(name);
    }
  }

  /** Lists every object whose key starts with {@code keyPrefix}, at any depth. */
  public List<ListedObject> listRecursive(String keyPrefix) {
    List<ListedObject> objects = new ArrayList<>();
    ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
        .bucket(settings.bucket()).prefix(fullKey(keyPrefix)).encodingType(EncodingType.URL);
    String token = null;
    do {
      String continuation = token;
      ListObjectsV2Response page = call("LIST " + keyPrefix,
          () -> s3().listObjectsV2(request.continuationToken(continuation).build()));
      page.contents().forEach(o -> objects.add(toListed(o)));
      token = page.isTruncated() ? page.nextContinuationToken() : null;
    } while (token != null);
    return objects;
  }

  /**
   * Opens a stream of the bytes {@code [from, toInclusive]} of an object. The caller closes it;
   * {@link #abort(InputStream)} drops the connection when the rest is not wanted.
   */
  public InputStream read(String key, long from, long toInclusive) {
    return call("GET " + key, () -> direct.get(fullKey(key), from, toInclusive));
  }

  /** Reads a whole small object (a symlink's target, say). */
  public byte[] readAll(String key) {
    return call("GET " + key, () -> s3().getObjectAsBytes(b -> b
        .bucket(settings.bucket()).key(fullKey(key))).asByteArray());
  }

  /** Reads a whole small object with its entity tag; empty if there is no such object. */
  public Optional<StoredObject> get(String key) {
    try {
      var response = call("GET " + key, () -> s3().getObjectAsBytes(b -> b
          .bucket(settings.bucket()).key(fullKey(key))));
      return Optional.of(new StoredObject(response.asByteArray(),
          unquote(response.response().eTag()), response.response().metadata()));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Downloads an object to a file (replaced if it exists). */
  public void download(String key, Path file) {
    call("GET " + key, () -> s3().getObject(b -> b.bucket(settings.bucket()).key(fullKey(key)),
        software.amazon.awssdk.core.sync.ResponseTransformer.toFile(file)));
  }

  public static void abort(InputStream stream) {
    if (stream instanceof software.amazon.awssdk.http.Abortable response) {
      response.abort();
    }
    try {
      stream.close();
    } catch (IOException ignored) {
      // aborted: nothing more to release
    }
  }

  /** Uploads a small object from memory; returns its ETag. */
  public String putBytes(String key, byte[] body, Map<String, String> metadata) {
    return unquote(call("PUT " + key, () -> direct.put(fullKey(key), putHeaders(key, metadata, null),
        DirectRequests.Body.of(body))));
  }

  /**
   * Uploads a small object from memory only if {@code condition} holds; returns its ETag.
   *
   * @throws StoreException of kind {@link StoreException.Kind#PRECONDITION_FAILED} if the server
   *     refuses the write because the condition does not hold (servers that ignore conditions
   *     write anyway)
   */
  public String putBytes(String key, byte[] body, Map<String, String> metadata,
      WriteCondition condition) {
    return unquote(call("PUT " + key + " (" + condition + ")", () -> direct.put(fullKey(key),
        putHeaders(key, metadata, condition), DirectRequests.Body.of(body))));
  }

  /**
   * Uploads a file, streamed from disk: one PUT below the multipart size, else a multipart upload
   * with {@code parallelCount} parts in flight. Returns the object's ETag.
   */
  public String putFile(String key, Path file, long size, Map<String, String> metadata) {
    if (size < settings.multipartSize()) {
      return unquote(call("PUT " + key, () -> direct.put(fullKey(key), putHeaders(key, metadata, null),
          DirectRequests.Body.of(file, size))));
    }
    return multipartUpload(key, file, size, metadata);
  }

  private String multipartUpload(String key, Path file, long size, Map<String, String> metadata) {
    PartUpload upload = startMultipart(key, metadata);
    try {
      long partSize = settings.multipartSize();
      int partCount = (int) ((size + partSize - 1) / partSize);
      List<Future<String>> sent = new ArrayList<>();
      for (int i = 0; i < partCount; i++) {
        int partNumber = i + 1;
        long offset = i * partSize;
        long length = Math.min(partSize, size - offset);
        sent.add(partUploaders.submit(() -> upload.sendPart(partNumber, file, offset, length)));
      }
      java.util.SortedMap<Integer, String> parts = new java.util.TreeMap<>();
      for (int i = 0; i < partCount; i++) {
        parts.put(i + 1, sent.get(i).get());
      }
      return upload.complete(parts);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      upload.abort();
      throw new StoreException(StoreException.Kind.OTHER, "upload of " + key + " interrupted", e);
    } catch (ExecutionException e) {
      upload.abort();
      if (e.getCause() instanceof StoreException se) {
        throw se;
      }
      throw new StoreException(StoreException.Kind.OTHER, "upload of " + key + " failed: " + e.getCause(), e);
    } catch (RuntimeException e) {
      upload.abort();
      throw e;
    }
  }

  @Override
  public PartUpload startMultipart(String key, Map<String, String> metadata) {
    String fullKey = fullKey(key);
    String uploadId = call("CREATE MULTIPART " + key, () -> s3().createMultipartUpload(b -> {
      b.bucket(settings.bucket()).key(fullKey).metadata(metadata);
      Map<String, String> h = settings.headers().headersFor(key);
      ObjectHeaders.apply(h, b::cacheControl, b::contentType, b::contentDisposition,
          b::contentEncoding, b::contentLanguage);
      acl(b::acl);
    })).uploadId();
    return new SdkPartUpload(key, fullKey, uploadId);
  }

  /** A multipart upload on the SDK client: one request per call. */
  private final class SdkPartUpload implements PartUpload {
    private final String key;
    private final String fullKey;
    private final String uploadId;

    SdkPartUpload(String key, String fullKey, String uploadId) {
      this.key = key;
      this.fullKey = fullKey;
      this.uploadId = uploadId;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public String sendPart(int number, Path file, long offset, long length) {
      return call("UPLOAD PART " + number + " of " + key,
          () -> direct.uploadPart(fullKey, uploadId, number, DirectRequests.Body.of(file, offset, length)));
    }

    @Override
    public String complete(java.util.SortedMap<Integer, String> parts) {
      List<CompletedPart> completed = new ArrayList<>();
      parts.forEach((number, etag) -> completed.add(CompletedPart.builder().partNumber(number).eTag(etag).build()));
      return unquote(call("COMPLETE MULTIPART " + key, () -> s3().completeMultipartUpload(b -> b
          .bucket(settings.bucket()).key(fullKey).uploadId(uploadId)
          .multipartUpload(m -> m.parts(completed)))).eTag());
    }

    @Override
    public void abort() {
      try {
        s3().abortMultipartUpload(b -> b.bucket(settings.bucket()).key(fullKey).uploadId(uploadId));
      } catch (SdkException ignored) {
        // best effort: a lifecycle rule or the next upload cleans up
      }
    }
  }

  /**
   * Server-side copy. With {@code metadata} null the source's metadata and headers are kept
   * (COPY directive), unless the header rules give the target name headers the source name does
   * not get: then the source's metadata and headers are read (one HEAD) and written again with
   * the target's rules over them. With {@code metadata} given, metadata and headers are replaced
   * (REPLACE directive, which drops every header not sent): the headers are the source name's
   * rules with the target name's over them, or, where no rule names either, the source's own
   * headers (one HEAD). Returns the new object's ETag.
   */
  public String copy(String sourceKey, String targetKey, Map<String, String> metadata) {
    HeaderRules rules = settings.headers();
    Map<String, String> target = rules.headersFor(targetKey);
    Map<String, String> source = rules.headersFor(sourceKey);
    Map<String, String> replaceMetadata = metadata;
    Map<String, String> headers = null;
    if (metadata == null) {
      if (!target.isEmpty() && !target.equals(source)) {
        HeadObjectResponse r = headRaw(sourceKey);
        replaceMetadata = r.metadata();
        headers = new java.util.TreeMap<>(ObjectHeaders.of(r));
        headers.putAll(target);
      }
    } else if (target.isEmpty() && source.isEmpty()) {
      headers = ObjectHeaders.of(headRaw(sourceKey));
    } else {
      headers = new java.util.TreeMap<>(source);
      headers.putAll(target);
    }
    Map<String, String> finalMetadata = replaceMetadata;
    Map<String, String> finalHeaders = headers;
    return unquote(call("COPY " + sourceKey + " -> " + targetKey, () -> s3().copyObject(b -> {
      b.sourceBucket(settings.bucket()).sourceKey(fullKey(sourceKey))
          .destinationBucket(settings.bucket()).destinationKey(fullKey(targetKey));
      if (finalMetadata != null) {
        b.metadataDirective(MetadataDirective.REPLACE).metadata(finalMetadata);
        ObjectHeaders.apply(finalHeaders, b::cacheControl, b::contentType, b::contentDisposition,
            b::contentEncoding, b::contentLanguage);
      }
      acl(b::acl);
    })).copyObjectResult().eTag());
  }

  private HeadObjectResponse headRaw(String key) {
    return call("HEAD " + key,
        () -> s3().headObject(b -> b.bucket(settings.bucket()).key(fullKey(key))));
  }

  public void delete(String key) {
    call("DELETE " + key, () -> {
      direct.delete(fullKey(key));
      return null;
    });
  }

  @Override
  public void close() {
    partUploaders.shutdownNow();
    if (!s3Claimed.compareAndSet(false, true)) { // built, or being built: wait, then close it
      try {
        s3.join().close();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        // it was never built: nothing to close
      }
    } else { // never built, and now never will be: a use after close fails instead of waiting
      s3.completeExceptionally(new IllegalStateException("the object store is closed"));
    }
    http.close();
  }

  /**
   * The headers of a PUT of {@code key}, as the SDK's PutObject would send them: the key's HTTP
   * headers, the canned ACL, the metadata ({@code x-amz-meta-NAME}) and the condition, if any.
   */
  private Map<String, String> putHeaders(String key, Map<String, String> metadata, WriteCondition condition) {
    Map<String, String> h = new java.util.LinkedHashMap<>();
    ObjectHeaders.apply(settings.headers().headersFor(key), v -> h.put("Cache-Control", v),
        v -> h.put("Content-Type", v), v -> h.put("Content-Disposition", v), v -> h.put("Content-Encoding", v),
        v -> h.put("Content-Language", v));
    acl(v -> h.put("x-amz-acl", v));
    metadata.forEach((name, value) -> h.put("x-amz-meta-" + name, value));
    if (condition != null && condition.isIfAbsent()) {
      h.put("If-None-Match", "*");
    } else if (condition != null) {
      h.put("If-Match", condition.quotedEtag());
    }
    return h;
  }

  private <T> void acl(java.util.function.Function<String, T> setter) {
    if (settings.cannedAcl() != null) {
      setter.apply(settings.cannedAcl());
    }
  }

  private String fullKey(String key) {
    return settings.prefix() + key;
  }

  private ListedObject toListed(S3Object o) {
    return new ListedObject(o.key().substring(settings.prefix().length()), o.size(),
        unquote(o.eTag()), o.lastModified());
  }

  static String unquote(String etag) {
    if (etag != null && etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")) {
      return etag.substring(1, etag.length() - 1);
    }
    return etag;
  }

  private <T> T call(String what, java.util.function.Supplier<T> request) {
    try {
      return request.get();
    } catch (S3Exception e) {
      throw classify(what, e);
    } catch (SdkClientException e) {
      throw unreachable(what, e);
    } catch (UncheckedIOException e) {
      throw new StoreException(StoreException.Kind.OTHER, what + ": " + e.getCause().getMessage(), e);
    }
  }

  private StoreException classify(String what, S3Exception e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    int status = e.statusCode();
    if ("NoSuchBucket".equals(code)) {
      return new StoreException(StoreException.Kind.NO_SUCH_BUCKET,
          "bucket '" + settings.bucket() + "' does not exist", e);
    }
    if (status == 404) {
      return new StoreException(StoreException.Kind.NOT_FOUND, what + ": not found", e);
    }
    if (status == 403 || status == 401) {
      String detail = code == null ? "access denied" : code;
      return new StoreException(StoreException.Kind.ACCESS_DENIED,
          what + ": " + detail + " (check the access key and secret, and the bucket's policy)", e);
    }
    if (status == 412 || (status == 409 && "ConditionalRequestConflict".equals(code))) {
      return new StoreException(StoreException.Kind.PRECONDITION_FAILED, what + ": precondition failed", e);
    }
    return new StoreException(StoreException.Kind.OTHER,
        what + ": HTTP " + status + (code == null ? "" : " " + code), e);
  }

  private StoreException unreachable(String what, SdkClientException e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof NoCredentialsException) {
        return new StoreException(StoreException.Kind.ACCESS_DENIED, t.getMessage(), e);
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String endpoint = settings.endpoint() == null ? "the S3 endpoint" : settings.endpoint().toString();
    if (root instanceof ConnectException || root instanceof UnknownHostException
        || root instanceof java.net.SocketTimeoutException || root instanceof java.net.NoRouteToHostException) {
      String reason = root instanceof UnknownHostException ? "unknown host " + root.getMessage()
          : root instanceof java.net.SocketTimeoutException ? "timed out"
          : root instanceof ConnectException ? "connection refused"
          : "no route to host";
      return new StoreException(StoreException.Kind.UNREACHABLE, "cannot reach " + endpoint + ": " + reason, e);
    }
    if (root instanceof UncheckedIOException || root instanceof IOException) {
      return new StoreException(StoreException.Kind.UNREACHABLE,
          what + ": connection to " + endpoint + " failed: " + root.getMessage(), e);
    }
    return new StoreException(StoreException.Kind.OTHER, what + ": " + oneLine(e.getMessage()), e);
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
