package io.s3repofs.locals3;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.s3repofs.store.BucketNames;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.LoggerFactory;

/**
 * An S3 server in this process (S3Proxy over jclouds' filesystem or in-memory store) that counts
 * the requests it serves by kind. It is the embedded endpoint of {@code s3repofs local-s3} and the
 * tests' S3 server; it enforces signatures and canned ACLs like S3 does (an anonymous GET of a
 * public-read object is served, of a private one refused).
 */
public final class LocalS3Server implements AutoCloseable {

  public static final String DEFAULT_ACCESS_KEY = "local-access-key";
  public static final String DEFAULT_SECRET_KEY = "local-secret-key";

  private static final String HANDLER_LOGGER = "org.gaul.s3proxy.S3ProxyHandler";

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final String accessKey;
  private final String secretKey;
  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final CountingAppender appender = new CountingAppender();
  private final java.util.List<String> log = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  private LocalS3Server(BlobStoreContext context, S3Proxy proxy, String accessKey, String secretKey) {
    this.context = context;
    this.proxy = proxy;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /**
   * Starts a server on 127.0.0.1.
   *
   * @param port the port, or 0 for any free one
   * @param dataDirectory where objects are kept (survives restarts); null keeps them in memory
   */
  public static LocalS3Server start(int port, Path dataDirectory, String accessKey, String secretKey)
      throws Exception {
    Properties properties = new Properties();
    String provider = "transient";
    if (dataDirectory != null) {
      Files.createDirectories(dataDirectory);
      properties.setProperty("jclouds.filesystem.basedir", dataDirectory.toAbsolutePath().toString());
      provider = "filesystem";
    }
    BlobStoreContext context = ContextBuilder.newBuilder(provider)
        .credentials(accessKey, secretKey)
        .overrides(properties)
        .build(BlobStoreContext.class);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:" + port))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .ignoreUnknownHeaders(true)
        .build();
    LocalS3Server server = new LocalS3Server(context, proxy, accessKey, secretKey);
    server.attachCounter();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(5);
    }
    return server;
  }

  /** An in-memory server on a free port with the default keys, for tests. */
  public static LocalS3Server startInMemory() throws Exception {
    return start(0, null, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  public BlobStore blobStore() {
    return context.getBlobStore();
  }

  /**
   * Creates {@code bucket}.
   *
   * @throws IllegalArgumentException if the name breaks S3's rules ({@link #checkBucketName})
   */
  public void createBucket(String bucket) {
    checkBucketName(bucket);
    blobStore().createContainerInLocation(null, bucket);
  }

  /**
   * Refuses a name S3 would refuse. The store under S3Proxy creates any directory it is given,
   * but S3Proxy answers NoSuchBucket for such a name afterwards, so a mount of it would fail with
   * a misleading error.
   *
   * @throws IllegalArgumentException saying which rule {@code bucket} breaks
   */
  public static void checkBucketName(String bucket) {
    BucketNames.problemForNew(bucket).ifPresent(problem -> {
      throw new IllegalArgumentException("bucket name '" + bucket + "' is not valid in S3: " + problem);
    });
  }

  /** Requests served so far, by kind (HEAD, GET, LIST, PUT, COPY, DELETE, multipart steps). */
  public Map<String, Long> requestCounts() {
    Map<String, Long> snapshot = new TreeMap<>();
    requests.forEach((kind, n) -> snapshot.put(kind, n.sum()));
    return snapshot;
  }

  public long totalRequests() {
    return requests.values().stream().mapToLong(LongAdder::sum).sum();
  }


  /** Starts counting (and logging requests) from zero. */
  public void resetCounts() {
    requests.clear();
    log.clear();
  }

  /**
   * The requests served so far, in order, as "KIND /bucket/key" (the first 100,000), for tests
   * that check what was sent and in which order.
   */
  public java.util.List<String> requestLog() {
    synchronized (log) {
      return java.util.List.copyOf(log);
    }
  }

  @Override
  public void close() throws Exception {
    appender.stop();
    ((Logger) LoggerFactory.getLogger(HANDLER_LOGGER)).detachAppender(appender);
    proxy.stop();
    context.close();
  }

  /** S3Proxy logs every request it handles at DEBUG ("request: {}"); we count those events. */
  private void attachCounter() {
    Logger handlerLogger = (Logger) LoggerFactory.getLogger(HANDLER_LOGGER);
    handlerLogger.setLevel(Level.DEBUG);
    handlerLogger.setAdditive(false);
    appender.setContext(handlerLogger.getLoggerContext());
    appender.start();
    handlerLogger.addAppender(appender);
  }

  private final class CountingAppender extends AppenderBase<ILoggingEvent> {
    @Override
    protected void append(ILoggingEvent event) {
      Object[] args = event.getArgumentArray();
      if (!"request: {}".equals(event.getMessage()) || args == null || args.length == 0
          || !(args[0] instanceof HttpServletRequest request)) {
        return;
      }
      String kind = RequestKind.of(request);
      requests.computeIfAbsent(kind, k -> new LongAdder()).increment();
      if (log.size() < 100_000) {
        log.add(kind + " " + request.getRequestURI());
      }
    }
  }
}
