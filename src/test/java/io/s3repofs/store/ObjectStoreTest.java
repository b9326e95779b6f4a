package io.s3repofs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.testing.S3TestServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

class ObjectStoreTest {

  @TempDir Path tmp;

  @Test
  void publicReadObjectsAreServedAnonymouslyAndPrivateOnesAreNot() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore publicStore = S3TestServer.store(bucket, "public-read");
         ObjectStore privateStore = S3TestServer.store(bucket, null)) {
      publicStore.putBytes("pub.txt", "hello".getBytes(), Map.of());
      privateStore.putBytes("priv.txt", "secret".getBytes(), Map.of());
      var pub = S3TestServer.anonymousGet(bucket, "pub.txt");
      assertEquals(200, pub.statusCode());
      assertEquals("hello", new String(pub.body()));
      assertEquals(403, S3TestServer.anonymousGet(bucket, "priv.txt").statusCode());
    }
  }

  @Test
  void metadataRoundTripsInS3fsLayout() {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFREG | 0640, 1000, 100,
          1_700_000_000_000_000_000L, 1_700_000_001_000_000_000L, 1_700_000_002_000_000_000L);
      store.putBytes("a/b", new byte[3], MetadataCodec.encode(attrs));
      ObjectHead head = store.head("a/b").orElseThrow();
      assertEquals("33184", head.metadata().get("mode"));
      assertEquals("1700000000", head.metadata().get("mtime"));
      PosixAttributes decoded = MetadataCodec.decode(head.metadata(), false, head.lastModified(),
          new MetadataCodec.Defaults(0, 0, 0644, 0755));
      assertEquals(attrs, decoded);
      assertEquals(3, head.size());
      assertTrue(store.head("a/missing").isEmpty());
    }
  }

  @Test
  void listsOneDirectoryLevelAndRecursively() {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, null)) {
      for (String key : new String[] {"d/", "d/x", "d/y", "d/sub/z", "d/sub2/", "e"}) {
        store.putBytes(key, new byte[1], Map.of());
      }
      DirectoryPage page = store.list("d/");
      assertEquals(List.of("d/", "d/x", "d/y"), page.objects().stream().map(ListedObject::key).sorted().toList());
      assertEquals(List.of("sub", "sub2"), page.subdirectories().stream().sorted().toList());
      assertEquals(5, store.listRecursive("d/").size());
    }
  }

  @Test
  void multipartUploadAndRangedReadsStreamTheFile() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, "public-read")) {
      byte[] data = new byte[12 * 1024 * 1024 + 17];
      new Random(7).nextBytes(data);
      Path file = tmp.resolve("big");
      Files.write(file, data);
      long before = S3TestServer.get().requestCounts().getOrDefault("UPLOAD_PART", 0L);
      store.putFile("big", file, data.length, Map.of("mode", "33188"));
      assertEquals(3, S3TestServer.get().requestCounts().get("UPLOAD_PART") - before);
      try (InputStream in = store.read("big", 5 * 1024 * 1024, data.length - 1)) {
        byte[] tail = in.readAllBytes();
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 5 * 1024 * 1024, data.length), tail);
      }
      assertEquals(200, S3TestServer.anonymousGet(bucket, "big").statusCode());
      assertEquals("33188", store.head("big").orElseThrow().metadata().get("mode"));
    }
  }

  @Test
  void copyKeepsOrReplacesMetadataAndSetsTheAcl() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = S3TestServer.store(bucket, "public-read")) {
      store.putBytes("src", "data".getBytes(), Map.of("mode", "33188"));
      store.copy("src", "kept", null);
      store.copy("src", "replaced", Map.of("mode", "33261"));
      assertEquals("33188", store.head("kept").orElseThrow().metadata().get("mode"));
      assertEquals("33261", store.head("replaced").orElseThrow().metadata().get("mode"));
      assertEquals("data", new String(S3TestServer.anonymousGet(bucket, "replaced").body()));
      store.delete("src");
      assertFalse(store.head("src").isPresent());
    }
  }

  @Test
  void errorsAreClassifiedWithOneLineMessages() {
    String bucket = S3TestServer.newBucket();
    var server = S3TestServer.get();
    StoreSettings wrongKeys = new StoreSettings(bucket, "", server.endpoint(), "us-east-1", true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(server.accessKey(), "wrong-secret")),
        null, 5 << 20, 2, 1, Duration.ofSeconds(5));
    try (ObjectStore store = new ObjectStore(wrongKeys)) {
      StoreException e = assertThrows(StoreException.class, store::checkAccess);
      assertEquals(StoreException.Kind.ACCESS_DENIED, e.kind());
      assertFalse(e.getMessage().contains("wrong-secret"));
    }
    try (ObjectStore store = S3TestServer.store("no-such-bucket-here", null)) {
      StoreException e = assertThrows(StoreException.class, store::checkAccess);
      assertEquals(StoreException.Kind.NO_SUCH_BUCKET, e.kind());
      assertEquals("bucket 'no-such-bucket-here' does not exist", e.getMessage());
    }
    StoreSettings closedPort = new StoreSettings(bucket, "", URI.create("http://127.0.0.1:9"), "us-east-1",
        true, null, null, 5 << 20, 2, 1, Duration.ofSeconds(2));
    try (ObjectStore store = new ObjectStore(closedPort)) {
      StoreException e = assertThrows(StoreException.class, store::checkAccess);
      assertEquals(StoreException.Kind.UNREACHABLE, e.kind());
      assertTrue(e.getMessage().startsWith("cannot reach http://127.0.0.1:9"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }
}
