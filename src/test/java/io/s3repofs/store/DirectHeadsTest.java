package io.s3repofs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.FlakyProxy;
import io.s3repofs.testing.S3TestServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Utilities;

/**
 * HEADs sent around the SDK's pipeline ({@link DirectHeads}, behind {@link ObjectStore#head}):
 * what the SDK's own HEAD would answer, for hostile keys, under a prefix, anonymously, with wrong
 * keys, through dropped connections; and the URL the SDK would use.
 */
class DirectHeadsTest {

  /** Keys whose encoding differs between careless and careful clients. */
  private static final List<String> KEYS = List.of(
      "plain.txt", "with space.txt", "plus+sign.pkg.tar.zst", "per%cent", "amp&eq=q?hash#", "tilde~star*",
      "ünï cödé/ナ.txt", "brackets[1](2){3}", "semi;colon:at@dollar$comma,", "quote'dq\"back`", "dir/./x");

  @Test
  void answersWhatTheSdkAnswersForHostileKeysAndUnderAPrefix() {
    String bucket = S3TestServer.newBucket();
    for (String prefix : List.of("", "pre fix/")) {
      try (ObjectStore store = new ObjectStore(S3TestServer.settings(bucket, prefix, null))) {
        for (String key : KEYS) {
          Instant before = Instant.now().minusSeconds(5);
          store.putBytes(key, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("mode", "33188", "mtime", "1700000000"));
          ObjectHead head = store.head(key).orElseThrow(() -> new AssertionError("no HEAD of " + key));
          assertEquals(key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, head.size(), key);
          assertEquals(Map.of("mode", "33188", "mtime", "1700000000"), head.metadata(), key);
          assertTrue(head.etag().matches("[0-9a-f]{32}"), head.etag());
          assertTrue(head.lastModified().isAfter(before), key);
          assertFalse(store.head(key + ".missing").isPresent(), key);
        }
        assertEquals(2L * KEYS.size(), store.requests().snapshot().get("HeadObject"));
      }
    }
  }

  @Test
  void usesTheSdksUrlForEveryAddressingStyle() {
    var server = S3TestServer.get();
    S3Utilities pathStyle = S3Utilities.builder().region(Region.US_EAST_1).endpoint(server.endpoint())
        .s3Configuration(software.amazon.awssdk.services.s3.S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
    S3Utilities aws = S3Utilities.builder().region(Region.EU_WEST_1).build();
    for (S3Utilities urls : List.of(pathStyle, aws)) {
      DirectHeads heads = new DirectHeads(null, urls, "some-bucket", "eu-west-1", null, new RequestCounter(), 1);
      for (String key : KEYS) {
        assertEquals(urls.getUrl(b -> b.bucket("some-bucket").key(key)).toString(), heads.url(key).toString(), key);
      }
    }
    assertTrue(new DirectHeads(null, aws, "some-bucket", "eu-west-1", null, new RequestCounter(), 1).url("k")
        .toString().startsWith("https://some-bucket.s3.eu-west-1.amazonaws.com/"));
  }

  @Test
  void readsHttpDatesAsTheSdkDoes() {
    for (String date : List.of("Tue, 01 Dec 2026 21:32:10 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sun, 29 Feb 2032 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 7 Dec 2026 01:02:03 GMT")) {
      assertEquals(software.amazon.awssdk.utils.DateUtils.parseRfc1123Date(date), DirectHeads.httpDate(date), date);
    }
    assertThrows(RuntimeException.class, () -> DirectHeads.httpDate("Tue, 31 Feb 2026 21:32:10 GMT"));
    assertThrows(RuntimeException.class, () -> DirectHeads.httpDate("yesterday"));
  }

  @Test
  void anonymousHeadsSeePublicObjectsOnlyAndWrongKeysAreOneLine() {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, "public-read")) {
      store.putBytes("public.txt", new byte[3], Map.of());
    }
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      store.putBytes("private.txt", new byte[3], Map.of());
    }
    var server = S3TestServer.get();
    StoreSettings anonymous = new StoreSettings(bucket, "", server.endpoint(), "us-east-1", true, null, null,
        5 << 20, 2, 1, Duration.ofSeconds(5));
    try (ObjectStore store = new ObjectStore(anonymous)) {
      assertEquals(3, store.head("public.txt").orElseThrow().size());
      StoreException e = assertThrows(StoreException.class, () -> store.head("private.txt"));
      assertEquals(StoreException.Kind.ACCESS_DENIED, e.kind());
    }
    StoreSettings wrongKeys = new StoreSettings(bucket, "", server.endpoint(), "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), "wrong-secret")),
        null, 5 << 20, 2, 1, Duration.ofSeconds(5));
    try (ObjectStore store = new ObjectStore(wrongKeys)) {
      StoreException e = assertThrows(StoreException.class, () -> store.head("public.txt"));
      assertEquals(StoreException.Kind.ACCESS_DENIED, e.kind());
      assertEquals("HEAD public.txt: access denied (check the access key and secret, and the bucket's policy)", e.getMessage());
    }
  }

  @Test
  void retriesDroppedConnectionsAndThenSaysTheServerIsUnreachable() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore direct = S3TestServer.store(bucket, null)) {
      direct.putBytes("k", new byte[7], Map.of());
    }
    var server = S3TestServer.get();
    try (FlakyProxy proxy = new FlakyProxy(server.endpoint())) {
      StoreSettings viaProxy = new StoreSettings(bucket, "", proxy.endpoint(), "us-east-1", true,
          StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())),
          null, 5 << 20, 2, 4, Duration.ofSeconds(5));
      try (ObjectStore store = new ObjectStore(viaProxy)) {
        assertEquals(7, store.head("k").orElseThrow().size());
        proxy.dropNextConnections(2);
        assertEquals(7, store.head("k").orElseThrow().size()); // retried past the two dropped connections
        long sent = store.requests().snapshot().get("HeadObject");
        assertTrue(sent >= 3, "the dropped attempts are counted too: " + sent);

        proxy.dropConnections(true);
        StoreException e = assertThrows(StoreException.class, () -> store.head("k"));
        assertEquals(StoreException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("HEAD k: connection to " + proxy.endpoint() + " failed"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(sent + 4, store.requests().snapshot().get("HeadObject"), "four attempts (retries=4)");
      }
    }
  }

  @Test
  void aClosedPortSaysConnectionRefused() {
    String bucket = S3TestServer.newBucket();
    StoreSettings closedPort = new StoreSettings(bucket, "", URI.create("http://127.0.0.1:9"), "us-east-1",
        true, null, null, 5 << 20, 2, 3, Duration.ofSeconds(2));
    try (ObjectStore store = new ObjectStore(closedPort)) {
      StoreException e = assertThrows(StoreException.class, () -> store.head("k"));
      assertEquals(StoreException.Kind.UNREACHABLE, e.kind());
      assertEquals("cannot reach http://127.0.0.1:9: connection refused", e.getMessage());
    }
  }
}
