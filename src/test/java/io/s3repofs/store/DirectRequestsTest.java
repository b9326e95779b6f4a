package io.s3repofs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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
 * Requests sent around the SDK's pipeline ({@link DirectRequests}, behind {@link ObjectStore}'s
 * head, read, single PUTs and delete): what the SDK's own requests would answer, for hostile keys,
 * under a prefix, anonymously, with wrong keys, through dropped connections; the URL the SDK would
 * use; and one round trip for a small PUT.
 */
class DirectRequestsTest {

  /** Keys whose encoding differs between careless and careful clients. */
  private static final List<String> KEYS = List.of(
      "plain.txt", "with space.txt", "plus+sign.pkg.tar.zst", "per%cent", "amp&eq=q?hash#", "tilde~star*",
      "ünï cödé/ナ.txt", "brackets[1](2){3}", "semi;colon:at@dollar$comma,", "quote'dq\"back`", "dir/./x");

  /** Settings for {@code bucket} at {@code endpoint} with the test server's access key and {@code secret}. */
  private static StoreSettings signed(String bucket, URI endpoint, String secret, String acl, int attempts) {
    return new StoreSettings(bucket, "", endpoint, "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(S3TestServer.get().accessKey(), secret)),
        acl, 5 << 20, 2, attempts, Duration.ofSeconds(5));
  }

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
      DirectRequests heads = new DirectRequests(null, urls, "some-bucket", "eu-west-1", null, new RequestCounter(), 1);
      for (String key : KEYS) {
        assertEquals(urls.getUrl(b -> b.bucket("some-bucket").key(key)).toString(), heads.url(key).toString(), key);
      }
    }
    assertTrue(new DirectRequests(null, aws, "some-bucket", "eu-west-1", null, new RequestCounter(), 1).url("k")
        .toString().startsWith("https://some-bucket.s3.eu-west-1.amazonaws.com/"));
  }

  @Test
  void readsHttpDatesAsTheSdkDoes() {
    for (String date : List.of("Tue, 01 Dec 2026 21:32:10 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
        "Sun, 29 Feb 2032 23:59:59 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 7 Dec 2026 01:02:03 GMT")) {
      assertEquals(software.amazon.awssdk.utils.DateUtils.parseRfc1123Date(date), DirectRequests.httpDate(date), date);
    }
    assertThrows(RuntimeException.class, () -> DirectRequests.httpDate("Tue, 31 Feb 2026 21:32:10 GMT"));
    assertThrows(RuntimeException.class, () -> DirectRequests.httpDate("yesterday"));
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
    StoreSettings wrongKeys = signed(bucket, server.endpoint(), "wrong-secret", null, 1);
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
      StoreSettings viaProxy = signed(bucket, proxy.endpoint(), server.secretKey(), null, 4);
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
  void theBucketCheckIsOneListWithoutTheSdksClientAndRetriesOnlyWhatARetryMayCure() throws Exception {
    String bucket = S3TestServer.newBucket();
    var server = S3TestServer.get();
    for (String prefix : List.of("", "pre fix/ünï+amp&eq=/")) {
      try (ObjectStore store = new ObjectStore(S3TestServer.settings(bucket, prefix, null))) {
        store.checkAccess(); // signed over the encoded prefix: a careless encoding is SignatureDoesNotMatch
        assertEquals(Map.of("ListObjectsV2", 1L), store.requests().snapshot(), prefix);
        assertFalse(store.sdkClientStarted(), "the check needs no SDK client");
        assertTrue(store.list("").objects().isEmpty()); // the first LIST builds it
        assertTrue(store.sdkClientStarted());
      }
    }
    ObjectStore unused = new ObjectStore(S3TestServer.settings(bucket, "", null));
    unused.close(); // its SDK client was never built
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(RuntimeException.class, () -> unused.list("")),
        "a closed store's first LIST fails; it used to wait forever for a client nobody builds");
    try (FlakyProxy proxy = new FlakyProxy(server.endpoint())) {
      try (ObjectStore store = new ObjectStore(signed(bucket, proxy.endpoint(), server.secretKey(), null, 4))) {
        proxy.dropNextConnections(2);
        store.checkAccess(); // one attempt alone, then again with retries
        assertTrue(store.requests().snapshot().get("ListObjectsV2") >= 3, store.requests().snapshot().toString());
      }
      try (ObjectStore store = new ObjectStore(signed(bucket, proxy.endpoint(), "wrong-secret", null, 4))) {
        StoreException e = assertThrows(StoreException.class, store::checkAccess);
        assertEquals(StoreException.Kind.ACCESS_DENIED, e.kind());
        assertEquals("check bucket " + bucket + ": SignatureDoesNotMatch (check the access key and secret, and the"
            + " bucket's policy)", e.getMessage());
        assertEquals(1L, store.requests().snapshot().get("ListObjectsV2"), "an answer is not retried");
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

  @Test
  void rangedGetsPutsAndDeletesDoWhatTheSdksDoForHostileKeysAndUnderAPrefix() throws Exception {
    String bucket = S3TestServer.newBucket();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("direct", ".bin");
    try (ObjectStore store = new ObjectStore(S3TestServer.settings(bucket, "pre fix/", "public-read"))) {
      byte[] data = new byte[100_000];
      new java.util.Random(7).nextBytes(data);
      java.nio.file.Files.write(file, data);
      for (String key : KEYS) {
        String etag = store.putFile(key, file, data.length, Map.of("mode", "33188"));
        assertEquals(etag, store.head(key).orElseThrow().etag(), key);
        try (var in = store.read(key, 10, 20_009)) {
          assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 20_010), in.readAllBytes(), key);
        }
        assertArrayEquals(data, store.readAll(key), key); // the SDK's own GET sees the same bytes
        assertEquals("33188", store.head(key).orElseThrow().metadata().get("mode"), key);
        store.delete(key);
        assertFalse(store.head(key).isPresent(), key);
        store.delete(key); // no such object: no error, as S3 answers
      }
      Map<String, Long> sent = store.requests().snapshot();
      assertEquals((long) KEYS.size(), sent.get("PutObject"));
      assertEquals(2L * KEYS.size(), sent.get("GetObject")); // the ranged one and the SDK's whole one
      assertEquals(2L * KEYS.size(), sent.get("DeleteObject"));
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void multipartPartsGoAroundTheSdkForHostileKeysThroughDroppedConnections() throws Exception {
    String bucket = S3TestServer.newBucket();
    var server = S3TestServer.get();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("parts", ".bin");
    try (FlakyProxy proxy = new FlakyProxy(server.endpoint())) {
      int partSize = 5 << 20; // S3's smallest part
      byte[] data = new byte[2 * partSize + 12_345];
      new java.util.Random(11).nextBytes(data);
      java.nio.file.Files.write(file, data);
      StoreSettings viaProxy = new StoreSettings(bucket, "pre fix/", proxy.endpoint(), "us-east-1", true,
          StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), server.secretKey())),
          "public-read", partSize, 2, 4, Duration.ofSeconds(5));
      try (ObjectStore store = new ObjectStore(viaProxy)) {
        for (String key : List.of("with space.txt", "plus+sign.pkg.tar.zst", "ünï cödé/ナ.txt", "amp&eq=q?hash#")) {
          proxy.dropNextConnections(1);
          String etag = store.putFile(key, file, data.length, Map.of("mode", "33188"));
          assertTrue(etag.endsWith("-3"), key + ": " + etag); // a multipart ETag: three parts
          assertArrayEquals(data, store.readAll(key), key);
          assertEquals("33188", store.head(key).orElseThrow().metadata().get("mode"), key);
        }
        // every part was counted as the SDK would count it, and a dropped one was sent again
        assertTrue(store.requests().snapshot().get("UploadPart") >= 4 * 3, store.requests().snapshot().toString());
        PartUpload cut = store.startMultipart("cut", Map.of());
        proxy.dropConnections(true);
        StoreException e = assertThrows(StoreException.class, () -> cut.sendPart(1, file, 0, partSize));
        assertEquals(StoreException.Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("UPLOAD PART 1 of cut: connection to "), e.getMessage());
      }
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void errorsCarryTheServersCodeAndAreOneLine() {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      StoreException missing = assertThrows(StoreException.class, () -> store.read("missing", 0, 9));
      assertEquals(StoreException.Kind.NOT_FOUND, missing.kind());
      assertEquals("GET missing: not found", missing.getMessage());
      store.putBytes("once", new byte[1], Map.of(), WriteCondition.ifAbsent());
      String etag = store.head("once").orElseThrow().etag();
      store.putBytes("once", new byte[4], Map.of(), WriteCondition.ifMatch(etag));
      assertEquals(4, store.head("once").orElseThrow().size());
    }
    try (ObjectStore store = S3TestServer.store("no-such-bucket-" + ProcessHandle.current().pid(), null)) {
      StoreException e = assertThrows(StoreException.class, () -> store.putBytes("k", new byte[1], Map.of()));
      assertEquals(StoreException.Kind.NO_SUCH_BUCKET, e.kind()); // the code of the error's body
      e = assertThrows(StoreException.class, () -> store.read("k", 0, 0));
      assertEquals(StoreException.Kind.NO_SUCH_BUCKET, e.kind());
    }
    var server = S3TestServer.get();
    StoreSettings wrongKeys = signed(bucket, server.endpoint(), "wrong-secret", null, 1);
    try (ObjectStore store = new ObjectStore(wrongKeys)) {
      for (org.junit.jupiter.api.function.Executable request : List.<org.junit.jupiter.api.function.Executable>of(
          () -> store.putBytes("k", new byte[1], Map.of()), () -> store.read("once", 0, 0), () -> store.delete("once"))) {
        StoreException e = assertThrows(StoreException.class, request);
        assertEquals(StoreException.Kind.ACCESS_DENIED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().endsWith("(check the access key and secret, and the bucket's policy)"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-secret") || e.getMessage().contains("\n"), e.getMessage());
      }
    }
  }

  @Test
  void putsAndGetsAreRetriedPastDroppedConnections() throws Exception {
    String bucket = S3TestServer.newBucket();
    var server = S3TestServer.get();
    try (FlakyProxy proxy = new FlakyProxy(server.endpoint())) {
      StoreSettings viaProxy = signed(bucket, proxy.endpoint(), server.secretKey(), null, 4);
      try (ObjectStore store = new ObjectStore(viaProxy)) {
        proxy.dropNextConnections(2);
        store.putBytes("k", "hello".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        proxy.dropNextConnections(2);
        try (var in = store.read("k", 1, 3)) {
          assertEquals("ell", new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertTrue(store.requests().snapshot().get("PutObject") >= 2, store.requests().snapshot().toString());
        proxy.dropConnections(true);
        StoreException e = assertThrows(StoreException.class, () -> store.putBytes("k", new byte[1], Map.of()));
        assertEquals(StoreException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("PUT k: connection to " + proxy.endpoint() + " failed"), e.getMessage());
      }
    }
  }

  /**
   * A PUT of a small file costs one request/response turn each way: no wait for "100 Continue",
   * which on a real network costs a round trip before the body goes. A large one still waits, so
   * that a refused request does not send the whole body first.
   */
  @Test
  void aSmallPutIsOneRoundTripAndALargeOneWaitsForContinue() throws Exception {
    String bucket = S3TestServer.newBucket();
    var server = S3TestServer.get();
    try (io.s3repofs.locals3.LatencyProxy proxy = new io.s3repofs.locals3.LatencyProxy(server.endpoint(), Duration.ofMillis(2))) {
      StoreSettings viaProxy = signed(bucket, proxy.endpoint(), server.secretKey(), "public-read", 1);
      try (ObjectStore store = new ObjectStore(viaProxy)) {
        store.head("warm-up"); // a connection open
        long before = proxy.turns();
        store.putBytes("small", new byte[4096], Map.of("mode", "33188"));
        assertEquals(2, proxy.turns() - before, "turns of a 4 KiB PUT");
        before = proxy.turns();
        store.putBytes("large", new byte[(int) DirectRequests.EXPECT_CONTINUE_FROM], Map.of());
        assertEquals(4, proxy.turns() - before, "turns of a 1 MiB PUT (headers, 100 Continue, body, response)");
        assertEquals(4096, store.head("small").orElseThrow().size());
      }
    }
  }

  /**
   * S3Proxy ignores write conditions, so a one-shot server stands in for S3 here: it records the
   * request and refuses it as S3 does when the condition does not hold.
   */
  @Test
  void conditionalPutsSendTheConditionAndARefusalIsPreconditionFailed() throws Exception {
    for (WriteCondition condition : List.of(WriteCondition.ifAbsent(), WriteCondition.ifMatch("abc"))) {
      try (java.net.ServerSocket refusing = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        var seen = new java.util.concurrent.CompletableFuture<String>();
        Thread server = new Thread(() -> {
          try (java.net.Socket s = refusing.accept()) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
            StringBuilder head = new StringBuilder();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
              head.append(line).append('\n');
            }
            seen.complete(head.toString());
            String body = "<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>";
            s.getOutputStream().write(("HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
          } catch (java.io.IOException e) {
            seen.completeExceptionally(e);
          }
        });
        server.start();
        StoreSettings settings = new StoreSettings("b", "", URI.create("http://127.0.0.1:" + refusing.getLocalPort()),
            "us-east-1", true, StaticCredentialsProvider.create(AwsBasicCredentials.create("id", "secret")),
            "public-read", 5 << 20, 2, 1, Duration.ofSeconds(5));
        try (ObjectStore store = new ObjectStore(settings)) {
          StoreException e = assertThrows(StoreException.class,
              () -> store.putBytes("db", new byte[3], Map.of("mode", "33188"), condition));
          assertEquals(StoreException.Kind.PRECONDITION_FAILED, e.kind(), e.getMessage());
        }
        server.join(5000);
        String head = seen.get().toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.contains(condition.isIfAbsent() ? "if-none-match: *" : "if-match: \"abc\""), head);
        assertTrue(head.contains("x-amz-acl: public-read") && head.contains("x-amz-meta-mode: 33188")
            && head.contains("content-type: application/octet-stream") && head.contains("content-length: 3"), head);
        assertFalse(head.contains("expect:"), head);
      }
    }
  }

  @Test
  void findsTheCodeAndMessageOfAnErrorBody() {
    String xml = "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message> The key does not exist. </Message></Error>";
    assertEquals("NoSuchKey", DirectRequests.element(xml, "Code"));
    assertEquals("The key does not exist.", DirectRequests.element(xml, "Message"));
    assertEquals(null, DirectRequests.element(xml, "Resource"));
    assertEquals(null, DirectRequests.element("<Code>unclosed", "Code"));
  }
}
