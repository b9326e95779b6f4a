package io.s3repofs.store;

import static io.s3repofs.testing.S3TestServer.servedHeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The headers each write path puts on objects, as an anonymous HTTP client (a CDN, pacman) sees
 * them from the in-process S3 server (S3Proxy stores and serves Cache-Control and Content-Type,
 * keeps them on a COPY and drops them on a REPLACE that does not send them).
 */
class ObjectStoreHeadersTest {
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  @TempDir Path tmp;

  ObjectStore store(String bucket, HeaderRules rules) {
    return new ObjectStore(S3TestServer.settings(bucket, "repo/", "public-read").withHeaders(rules));
  }

  @Test
  void everyPutPathSetsTheHeadersOfItsKey() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = store(bucket, RepositoryHeaders.defaults())) {
      store.putBytes("r.db.tar.gz", new byte[10], Map.of());
      store.putBytes("r.db.tar.zst", new byte[10], Map.of(), WriteCondition.ifAbsent());
      Path small = Files.write(tmp.resolve("small"), new byte[100]);
      store.putFile("a-1-1-any.pkg.tar.zst", small, 100, Map.of());
      byte[] big = new byte[6 * 1024 * 1024];
      new Random(1).nextBytes(big);
      Path large = Files.write(tmp.resolve("large"), big);
      store.putFile("b-1-1-any.pkg.tar.xz", large, big.length, Map.of()); // multipart (5 MiB parts)
      store.putFile("b-1-1-any.pkg.tar.xz.sig", small, 100, Map.of());
      store.putFile("notes.txt", small, 100, Map.of());
      assertEquals("no-cache | application/gzip", servedHeaders(bucket, "repo/r.db.tar.gz"));
      assertEquals("no-cache | application/zstd", servedHeaders(bucket, "repo/r.db.tar.zst"));
      assertEquals(IMMUTABLE + " | application/zstd", servedHeaders(bucket, "repo/a-1-1-any.pkg.tar.zst"));
      assertEquals(IMMUTABLE + " | application/x-xz", servedHeaders(bucket, "repo/b-1-1-any.pkg.tar.xz"));
      assertEquals(IMMUTABLE + " | application/pgp-signature",
          servedHeaders(bucket, "repo/b-1-1-any.pkg.tar.xz.sig"));
      assertEquals("- | application/octet-stream", servedHeaders(bucket, "repo/notes.txt"));
    }
  }

  @Test
  void copiesKeepHeadersAndReplacingCopiesSetThemAgain() throws Exception {
    String bucket = S3TestServer.newBucket();
    HeaderRules custom = HeaderRules.parse("*.html Content-Type text/html\n", "test");
    try (ObjectStore store = store(bucket, RepositoryHeaders.defaults().then(custom))) {
      store.putBytes("r.db.tar.gz", new byte[10], Map.of("mode", "33188"));
      store.putBytes("page.html", new byte[10], Map.of());
      // COPY directive: the '+' alias, the .old copy
      store.copy("r.db.tar.gz", "r.db.tar.gz.old", null);
      store.putBytes("c++-1-1-any.pkg.tar.zst", new byte[10], Map.of());
      store.copy("c++-1-1-any.pkg.tar.zst", "c  -1-1-any.pkg.tar.zst", null);
      assertEquals("no-cache | application/gzip", servedHeaders(bucket, "repo/r.db.tar.gz.old"));
      // (S3Proxy answers 404 to anonymous requests for keys with spaces: ask with the keys)
      assertEquals(IMMUTABLE + " | application/zstd", signedHead(bucket, "repo/c  -1-1-any.pkg.tar.zst"));
      // REPLACE (a symlink copy, a chmod): the headers are sent again
      store.copy("r.db.tar.gz", "r.db", Map.of("mode", "41471"));
      store.copy("r.db.tar.gz", "r.db.tar.gz", Map.of("mode", "33152"));
      assertEquals("no-cache | application/gzip", servedHeaders(bucket, "repo/r.db"));
      assertEquals("no-cache | application/gzip", servedHeaders(bucket, "repo/r.db.tar.gz"));
      assertEquals("33152", store.head("r.db.tar.gz").orElseThrow().metadata().get("mode"));
      // REPLACE of an object no rule names: its own headers are read and kept
      store.copy("page.html", "page.html", Map.of("mode", "33152"));
      assertEquals("- | text/html", servedHeaders(bucket, "repo/page.html"));
      try (ObjectStore plain = store(bucket, HeaderRules.NONE)) {
        plain.putBytes("tmp123", new byte[10], Map.of("mode", "33188"));
        plain.copy("r.db.tar.gz", "kept.bin", Map.of("mode", "33188"));
        assertEquals("no-cache | application/gzip", servedHeaders(bucket, "repo/kept.bin"));
      }
      // a rename (COPY) onto a name the rules give other headers: they are set, metadata kept
      store.copy("tmp123", "s.files.tar.xz", null);
      assertEquals("no-cache | application/x-xz", servedHeaders(bucket, "repo/s.files.tar.xz"));
      assertEquals("33188", store.head("s.files.tar.xz").orElseThrow().metadata().get("mode"));
    }
  }

  /** "Cache-Control | Content-Type" of a signed HEAD. */
  static String signedHead(String bucket, String key) {
    var server = S3TestServer.get();
    try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1).forcePathStyle(true)
        .endpointOverride(server.endpoint()).credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(server.accessKey(), server.secretKey()))).build()) {
      var r = s3.headObject(b -> b.bucket(bucket).key(key));
      return (r.cacheControl() == null ? "-" : r.cacheControl()) + " | " + r.contentType();
    }
  }

  @Test
  void optionsChangeTheHeaders() throws Exception {
    String bucket = S3TestServer.newBucket();
    try (ObjectStore store = store(bucket, RepositoryHeaders.rules(86400, 60))) {
      store.putBytes("r.db.tar.gz", new byte[10], Map.of());
      store.putBytes("a-1-1-any.pkg.tar.zst", new byte[10], Map.of());
      assertEquals("public, max-age=60 | application/gzip", servedHeaders(bucket, "repo/r.db.tar.gz"));
      assertEquals("public, max-age=86400, immutable | application/zstd",
          servedHeaders(bucket, "repo/a-1-1-any.pkg.tar.zst"));
    }
    try (ObjectStore store = store(bucket, HeaderRules.NONE)) {
      store.putBytes("r2.db.tar.gz", new byte[10], Map.of());
      assertEquals("- | application/octet-stream", servedHeaders(bucket, "repo/r2.db.tar.gz"));
    }
  }
}
