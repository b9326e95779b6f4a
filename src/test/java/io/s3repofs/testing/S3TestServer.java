package io.s3repofs.testing;

import io.s3repofs.locals3.LocalS3Server;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** One in-process S3 server per test JVM, with a fresh bucket per test. */
public final class S3TestServer {

  private static LocalS3Server server;
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private S3TestServer() {}

  public static synchronized LocalS3Server get() {
    if (server == null) {
      try {
        server = LocalS3Server.startInMemory();
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the in-process S3 server", e);
      }
    }
    return server;
  }

  /** Creates a new, empty bucket and returns its name. */
  public static String newBucket() {
    String name = "test-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    get().createBucket(name);
    return name;
  }

  public static StoreSettings settings(String bucket, String prefix, String acl) {
    LocalS3Server s = get();
    return new StoreSettings(bucket, prefix, s.endpoint(), "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey(), s.secretKey())),
        acl, 5L * 1024 * 1024, 4, 3, Duration.ofSeconds(30));
  }

  public static ObjectStore store(String bucket, String acl) {
    return new ObjectStore(settings(bucket, "", acl));
  }

  /** An anonymous HTTP GET of one key, as pacman does it. */
  public static HttpResponse<byte[]> anonymousGet(String bucket, String key)
      throws IOException, InterruptedException {
    URI uri = URI.create(get().endpoint() + "/" + bucket + "/" + key);
    return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** An anonymous HTTP HEAD of one key, as a CDN or a browser makes it. */
  public static HttpResponse<Void> anonymousHead(String bucket, String key)
      throws IOException, InterruptedException {
    URI uri = URI.create(get().endpoint() + "/" + bucket + "/"
        + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/"));
    return HTTP.send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.discarding());
  }

  /** "Cache-Control | Content-Type" of an anonymous HEAD, or "HTTP status" when it is not 200. */
  public static String servedHeaders(String bucket, String key)
      throws IOException, InterruptedException {
    HttpResponse<Void> r = anonymousHead(bucket, key);
    if (r.statusCode() != 200) {
      return "HTTP " + r.statusCode();
    }
    return r.headers().firstValue("Cache-Control").orElse("-") + " | "
        + r.headers().firstValue("Content-Type").orElse("-");
  }
}
