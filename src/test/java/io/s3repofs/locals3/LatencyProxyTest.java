package io.s3repofs.locals3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The latency proxy delays every request/response turn, also on keep-alive connections, and changes no byte. */
class LatencyProxyTest {

  private static final Duration LATENCY = Duration.ofMillis(50);
  private static LocalS3Server server;
  private static LatencyProxy proxy;
  private static S3Client s3;

  @BeforeAll
  static void start() throws Exception {
    server = LocalS3Server.startInMemory();
    server.createBucket("lat");
    proxy = new LatencyProxy(server.endpoint(), LATENCY);
    s3 = S3Client.builder()
        .endpointOverride(proxy.endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
    s3.putObject(b -> b.bucket("lat").key("small"), RequestBody.fromString("hello"));
    s3.headObject(b -> b.bucket("lat").key("small")); // connection open, classes loaded
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
    proxy.close();
    server.close();
  }

  @Test
  void oneHeadPaysTheLatency() {
    long t0 = System.nanoTime();
    s3.headObject(b -> b.bucket("lat").key("small"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= LATENCY.toMillis(), "HEAD took " + ms + " ms");
  }

  @Test
  void everyRequestOnAKeepAliveConnectionPaysIt() {
    int connectionsBefore = proxy.connections();
    long t0 = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      s3.headObject(b -> b.bucket("lat").key("small"));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms >= 10 * LATENCY.toMillis(), "10 HEADs took " + ms + " ms");
    // the SDK reuses its connection: the latency is paid per request, not per connection
    assertTrue(proxy.connections() - connectionsBefore <= 1,
        "new connections: " + (proxy.connections() - connectionsBefore));
  }

  @Test
  void bytesPassUnchanged() throws Exception {
    byte[] data = new byte[5 * 1024 * 1024];
    new Random(42).nextBytes(data);
    s3.putObject(b -> b.bucket("lat").key("five-mib"), RequestBody.fromBytes(data));
    byte[] back = s3.getObjectAsBytes(b -> b.bucket("lat").key("five-mib")).asByteArray();
    assertEquals(data.length, back.length);
    assertArrayEquals(sha256(data), sha256(back));
  }

  @Test
  void parsesLatencies() {
    assertEquals(Duration.ofMillis(20), LatencyProxy.parseLatency("20ms"));
    assertEquals(Duration.ofMillis(20), LatencyProxy.parseLatency("20"));
    assertEquals(Duration.ofMillis(500), LatencyProxy.parseLatency("0.5s"));
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }
}
