package io.s3repofs.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.commons.io.input.BoundedInputStream;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.s3.S3Utilities;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.DateUtils;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The requests a mount sends by the thousand (HEAD, ranged GET, PUT, part, DELETE) sent straight
 * through the SDK's HTTP client and signed with the SDK's SigV4 signer, without the SDK's request
 * pipeline. That pipeline (endpoint rules evaluated per request, auth-scheme resolution, some
 * twenty interceptors, metrics) costs more than the request itself: measured with 10,000 HEADs
 * from 64 threads against S3Proxy on a 2-core machine, 355 against 117 µs of CPU per HEAD in a
 * warm JVM, 1,035 against 426 µs in a fresh one; a 4 KiB PUT through it took 1.5 ms of CPU in a
 * fresh mount. And the SDK sends every PUT with {@code Expect: 100-continue}, which costs a
 * round trip before the body goes: a small file's PUT paid the latency twice. A multipart
 * upload's parts go here too: over plain http the SDK's S3 client sends them in its signed
 * chunked encoding, which copied every 128 KiB into a new array and took 28% of the upload
 * threads' CPU in a 1 GiB {@code dd}; a part signed whole costs one hash over it (measured: the
 * mount's CPU for 1 GiB written, 5.6-5.9 s before, 5.0-5.1 s after).
 *
 * <p>What stays the SDK's: the URL (resolved once by the SDK's endpoint rules, for the client's
 * endpoint, region and addressing style), the connections and their timeouts (the client's own
 * {@link SdkHttpClient}), the credentials provider, the signer (over plain http it signs the
 * payload, as the SDK does; over https a PUT is {@code UNSIGNED-PAYLOAD}, as the SDK's S3 client
 * sends it), and the retry strategy (standard mode: exponential backoff with jitter, a retry
 * quota). Failures come out as the SDK client's would, an {@link S3Exception} with the status and
 * the error code of the body, or an {@link SdkClientException} around the I/O error, so
 * {@link ObjectStore} classifies them in one place. A HEAD's 404 is no exception here: lookups of
 * names that do not exist are common and a stack trace per miss is not free.
 */
final class DirectRequests {

  private static final String META_PREFIX = "x-amz-meta-";
  /**
   * A PUT body this large or larger waits for {@code 100 Continue}, so that a refused request
   * (wrong keys, a full bucket) does not send it all first; smaller ones go at once (curl's rule).
   */
  static final long EXPECT_CONTINUE_FROM = 1L << 20;
  /** How much of an error response's body is read for its code and message. */
  private static final int ERROR_BODY_LIMIT = 64 << 10;

  private final SdkHttpClient http;
  /** The URL of the empty key in the bucket; a key's URL is this plus the key, encoded. */
  private final String bucketUrl;
  private final String region;
  /** Null: anonymous requests, not signed. */
  private final AwsCredentialsProvider credentials;
  private final RequestCounter counter;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
  private final RetryStrategy retries;

  DirectRequests(SdkHttpClient http, S3Utilities urls, String bucket, String region,
      AwsCredentialsProvider credentials, RequestCounter counter, int maxAttempts) {
    this.http = http;
    String probe = urls.getUrl(b -> b.bucket(bucket).key("k")).toString();
    this.bucketUrl = probe.substring(0, probe.length() - 1);
    this.region = region;
    this.credentials = credentials;
    this.counter = counter;
    this.retries = DefaultRetryStrategy.standardStrategyBuilder()
        .maxAttempts(Math.max(1, maxAttempts))
        .retryOnException(DirectRequests::retryable)
        .build();
  }

  /** A request body that can be read more than once (to sign it, and again on a retry). */
  record Body(ContentStreamProvider content, long length) {

    static Body of(byte[] bytes) {
      return new Body(ContentStreamProvider.fromByteArrayUnsafe(bytes), bytes.length);
    }

    static Body of(Path file, long length) {
      return new Body(() -> {
        try {
          return Files.newInputStream(file);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, length);
    }

    /** Bytes {@code [offset, offset + length)} of {@code file}. */
    static Body of(Path file, long offset, long length) {
      return new Body(() -> {
        try {
          FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
          channel.position(offset);
          return BoundedInputStream.builder().setInputStream(Channels.newInputStream(channel)).setMaxCount(length).get();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }, length);
    }
  }

  /** The HEAD of a full key (prefix included), or empty when there is no such object. */
  Optional<ObjectHead> head(String fullKey) {
    SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.HEAD).uri(url(fullKey)).build();
    return withRetries("HeadObject", () -> {
      try (Response response = send("HeadObject", request, null)) {
        if (response.status() == 404) {
          return Optional.empty();
        }
        response.failUnlessSuccessful();
        return Optional.of(parse(response.head()));
      }
    });
  }

  /**
   * The bytes {@code [from, toInclusive]} of a full key, as a stream the caller closes (or
   * {@linkplain AbortableInputStream#abort() aborts} when the rest is not wanted).
   */
  AbortableInputStream get(String fullKey, long from, long toInclusive) {
    SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(url(fullKey))
        .putHeader("Range", "bytes=" + from + "-" + toInclusive).build();
    return withRetries("GetObject", () -> {
      Response response = send("GetObject", request, null);
      try {
        response.failUnlessSuccessful();
        return response.takeBody();
      } finally {
        response.close();
      }
    });
  }

  /**
   * PUTs one object; returns its ETag as the server sent it (quoted).
   *
   * @param headers the request's headers besides the length and the signature's
   */
  String put(String fullKey, Map<String, String> headers, Body body) {
    SdkHttpFullRequest.Builder builder = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).uri(url(fullKey));
    headers.forEach(builder::putHeader);
    return putBody("PutObject", builder, body);
  }

  /**
   * Sends one part of a multipart upload; returns its ETag as the server sent it (quoted). Like a
   * large PUT it waits for {@code 100 Continue} before the body goes.
   */
  String uploadPart(String fullKey, String uploadId, int partNumber, Body body) {
    return putBody("UploadPart", SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).uri(url(fullKey))
        .putRawQueryParameter("partNumber", Integer.toString(partNumber))
        .putRawQueryParameter("uploadId", uploadId), body);
  }

  /** Sends a PUT with a body (waiting for {@code 100 Continue} when it is large); returns the ETag header. */
  private String putBody(String operation, SdkHttpFullRequest.Builder builder, Body body) {
    builder.putHeader("Content-Length", Long.toString(body.length()));
    if (body.length() >= EXPECT_CONTINUE_FROM) {
      builder.putHeader("Expect", "100-continue");
    }
    SdkHttpFullRequest request = builder.build();
    return withRetries(operation, () -> {
      try (Response response = send(operation, request, body.content())) {
        response.failUnlessSuccessful();
        return response.head().firstMatchingHeader("ETag").orElse(null);
      }
    });
  }

  /**
   * Lists at most one key under {@code prefix} (ListObjectsV2, {@code max-keys=1}) and reads only
   * the status of the answer: the bucket check, which fails as the SDK's ListObjectsV2 would (a
   * missing bucket, wrong keys) without building the SDK's client or loading its XML parsing
   * (700 classes, 0.2 s of a mount's start).
   *
   * @param retries whether to retry as other requests are (off: a first check's failure is an answer)
   */
  void checkList(String prefix, boolean retries) {
    String url = bucketUrl;
    if (url.endsWith("/") && !URI.create(url).getPath().equals("/")) {
      url = url.substring(0, url.length() - 1); // path style: /BUCKET, as the SDK sends it
    }
    SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(URI.create(url))
        .putRawQueryParameter("list-type", "2").putRawQueryParameter("max-keys", "1")
        .putRawQueryParameter("prefix", prefix).build();
    Supplier<Void> attempt = () -> {
      try (Response response = send("ListObjectsV2", request, null)) {
        response.failUnlessSuccessful();
        return null;
      }
    };
    if (retries) {
      withRetries("ListObjectsV2", attempt);
    } else {
      attempt.get();
    }
  }

  /** Deletes a full key (no error if there is no such object). */
  void delete(String fullKey) {
    SdkHttpFullRequest request = SdkHttpFullRequest.builder().method(SdkHttpMethod.DELETE).uri(url(fullKey)).build();
    withRetries("DeleteObject", () -> {
      try (Response response = send("DeleteObject", request, null)) {
        response.failUnlessSuccessful();
        return null;
      }
    });
  }

  /** The URL of a full key, encoded as the SDK encodes it. */
  URI url(String fullKey) {
    return URI.create(bucketUrl + SdkHttpUtils.urlEncodeIgnoreSlashes(fullKey));
  }

  private <T> T withRetries(String operation, Supplier<T> attempt) {
    AcquireInitialTokenResponse first = retries.acquireInitialToken(AcquireInitialTokenRequest.create(operation));
    RetryToken token = first.token();
    pause(first.delay(), operation);
    while (true) {
      try {
        T result = attempt.get();
        retries.recordSuccess(RecordSuccessRequest.create(token));
        return result;
      } catch (RuntimeException failure) {
        try {
          var next = retries.refreshRetryToken(RefreshRetryTokenRequest.builder().token(token).failure(failure).build());
          token = next.token();
          pause(next.delay(), operation);
        } catch (TokenAcquisitionFailedException noMore) {
          throw failure;
        }
      }
    }
  }

  private Response send(String operation, SdkHttpFullRequest unsigned, ContentStreamProvider body) {
    SdkHttpFullRequest request = sign(unsigned, body);
    counter.count(operation);
    try {
      HttpExecuteResponse executed = http.prepareRequest(
          HttpExecuteRequest.builder().request(request).contentStreamProvider(body).build()).call();
      return new Response(executed.httpResponse(), executed.responseBody().orElse(null));
    } catch (IOException e) {
      throw SdkClientException.create(unsigned.method() + " failed: " + e.getMessage(), e);
    } // an UncheckedIOException (the body's file could not be read) goes up as it is: no retry cures it
  }

  private SdkHttpFullRequest sign(SdkHttpFullRequest unsigned, ContentStreamProvider body) {
    if (credentials == null) {
      return unsigned;
    }
    AwsCredentials identity = credentials.resolveCredentials();
    if (identity.accessKeyId() == null) { // AnonymousCredentialsProvider's
      return unsigned;
    }
    // Payload signing off: UNSIGNED-PAYLOAD over https; over http the signer hashes the body anyway.
    return (SdkHttpFullRequest) signer.sign(r -> r.identity(identity).request(unsigned).payload(body)
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, region)
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false) // S3 signs the key as sent
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
  }

  /** A response: its head, and its body until someone takes it or it is closed. */
  private static final class Response implements AutoCloseable {
    private final SdkHttpResponse head;
    private AbortableInputStream body;

    Response(SdkHttpResponse head, AbortableInputStream body) {
      this.head = head;
      this.body = body;
    }

    SdkHttpResponse head() {
      return head;
    }

    int status() {
      return head.statusCode();
    }

    AbortableInputStream takeBody() {
      AbortableInputStream taken = body == null ? AbortableInputStream.createEmpty() : body;
      body = null;
      return taken;
    }

    /** Throws what the SDK would for an error status, with the error code and message of the body. */
    void failUnlessSuccessful() {
      if (head.isSuccessful()) {
        return;
      }
      String xml = body == null ? "" : errorBody(body);
      String code = element(xml, "Code");
      String message = element(xml, "Message");
      throw S3Exception.builder()
          .statusCode(status())
          .message(message != null ? message : "HTTP " + status())
          .awsErrorDetails(AwsErrorDetails.builder().sdkHttpResponse(head).serviceName("S3")
              .errorCode(code).errorMessage(message).build())
          .build();
    }

    /** Drains a small body so the connection is kept; aborts a large or unread one. */
    @Override
    public void close() {
      if (body == null) {
        return;
      }
      try {
        body.close();
      } catch (IOException e) {
        body.abort();
      }
      body = null;
    }

    private static String errorBody(AbortableInputStream in) {
      try {
        return new String(in.readNBytes(ERROR_BODY_LIMIT), java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }

  /** The text of the first {@code <name>} element, or null (S3's error bodies are this simple). */
  static String element(String xml, String name) {
    int open = xml.indexOf("<" + name + ">");
    if (open < 0) {
      return null;
    }
    int from = open + name.length() + 2;
    int close = xml.indexOf("</" + name + ">", from);
    return close < 0 ? null : xml.substring(from, close).trim();
  }

  /** Size, ETag, Last-Modified and the x-amz-meta-* headers (names as sent, the prefix removed), as the SDK reads them. */
  private static ObjectHead parse(SdkHttpResponse response) {
    long size = response.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(0L);
    String etag = response.firstMatchingHeader("ETag").map(ObjectStore::unquote).orElse(null);
    Instant modified = response.firstMatchingHeader("Last-Modified").map(DirectRequests::httpDate).orElse(null);
    Map<String, String> metadata = new HashMap<>();
    for (Map.Entry<String, List<String>> h : response.headers().entrySet()) {
      String name = h.getKey();
      if (name.regionMatches(true, 0, META_PREFIX, 0, META_PREFIX.length()) && !h.getValue().isEmpty()) {
        metadata.put(name.substring(META_PREFIX.length()), h.getValue().get(0));
      }
    }
    return new ObjectHead(size, etag, modified, metadata);
  }

  private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

  /**
   * An HTTP date as servers send it ({@code Tue, 01 Dec 2026 21:32:10 GMT}), read without
   * java.time's formatter, which took 8% of a HEAD's CPU; any other form goes to the SDK's parser.
   */
  static Instant httpDate(String text) {
    if (text.length() == 29 && text.charAt(3) == ',' && text.endsWith(" GMT")) {
      int month = MONTHS.indexOf(text.substring(8, 11));
      int day = digits(text, 5, 2);
      int year = digits(text, 12, 4);
      int hour = digits(text, 17, 2);
      int minute = digits(text, 20, 2);
      int second = digits(text, 23, 2);
      if (month >= 0 && month % 3 == 0 && day > 0 && year >= 0 && hour >= 0 && minute >= 0 && second >= 0
          && text.charAt(16) == ' ' && text.charAt(19) == ':' && text.charAt(22) == ':') {
        try {
          long days = java.time.LocalDate.of(year, month / 3 + 1, day).toEpochDay();
          return Instant.ofEpochSecond(days * 86400 + hour * 3600L + minute * 60L + second);
        } catch (java.time.DateTimeException e) {
          // not a real date: let the SDK's parser say so
        }
      }
    }
    return DateUtils.parseRfc1123Date(text);
  }

  /** The decimal number in {@code text[from, from + count)}, or -1. */
  private static int digits(String text, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** What a retry may cure: a dropped or refused connection, a server error, throttling. */
  private static boolean retryable(Throwable failure) {
    if (failure instanceof S3Exception e) {
      return e.statusCode() >= 500 || e.statusCode() == 429;
    }
    return failure instanceof SdkClientException && failure.getCause() instanceof IOException
        && !(failure.getCause() instanceof java.net.UnknownHostException);
  }

  private static void pause(Duration delay, String operation) {
    if (delay.isZero() || delay.isNegative()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SdkClientException.create(operation + " interrupted while waiting to retry");
    }
  }
}
