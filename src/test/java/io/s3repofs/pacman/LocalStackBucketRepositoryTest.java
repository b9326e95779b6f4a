package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreSettings;
import io.s3repofs.testing.PackageFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Concurrent {@code repo add} runs on one s3:// database against LocalStack's S3, which (unlike
 * S3Proxy) honours conditional writes itself: no entry is lost, without --single-writer. Runs
 * where Docker is available; skipped by Testcontainers, with its reason, where it is not.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackBucketRepositoryTest {
  @Container
  static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer(DockerImageName.parse("localstack/localstack:4.0")).withServices(LocalStackContainer.Service.S3);

  @TempDir
  Path tmp;

  @Test
  void concurrentAddsLoseNothing() throws Exception {
    String bucket = "repo-" + System.nanoTime();
    StoreSettings settings = new StoreSettings(bucket, "", LOCALSTACK.getEndpoint(), LOCALSTACK.getRegion(), true,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())),
        null, 5L << 20, 4, 3, Duration.ofSeconds(30));
    try (ObjectStore store = new ObjectStore(settings);
        software.amazon.awssdk.services.s3.S3Client s3 = software.amazon.awssdk.services.s3.S3Client.builder()
            .endpointOverride(LOCALSTACK.getEndpoint()).forcePathStyle(true)
            .region(software.amazon.awssdk.regions.Region.of(LOCALSTACK.getRegion()))
            .credentialsProvider(settings.credentials()).build()) {
      s3.createBucket(b -> b.bucket(bucket));
      Assumptions.assumeTrue(ConditionalWrites.honoured(store, "probe"),
          "this LocalStack version ignores conditional writes");
    }
    Path passwd = tmp.resolve("passwd");
    Files.writeString(passwd, LOCALSTACK.getAccessKey() + ":" + LOCALSTACK.getSecretKey() + "\n");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
    String options = "url=" + LOCALSTACK.getEndpoint() + ",use_path_request_style,endpoint=" + LOCALSTACK.getRegion()
        + ",passwd_file=" + passwd;
    String db = "s3://" + bucket + "/x86_64/ls.db.tar.zst";
    BucketConcurrencyTest.packages = PackageFixtures.build(BucketRepositoryTest.COUNT, 0);
    List<Path> pkgs = BucketConcurrencyTest.distinct(16);
    assertEquals(0, BucketConcurrencyTest.addConcurrently(4, options, db, pkgs));
    assertEquals(16, BucketRepositoryTest.s3repofs("repo", "list", "-o", options, db).out().lines().count());
    assertEquals(0, BucketRepositoryTest.s3repofs("repo", "verify", "-o", options, db).code());
  }
}
