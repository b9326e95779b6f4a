package io.s3repofs.fuse;

import io.s3repofs.testing.S3Endpoint;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The mount integration suite against LocalStack's S3, where Docker is available; skipped (by
 * Testcontainers, with its reason) where it is not.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackMountTest extends MountIntegrationTest {

  @Container
  static final LocalStackContainer LOCALSTACK =
      new LocalStackContainer(DockerImageName.parse("localstack/localstack:3.8")).withServices(LocalStackContainer.Service.S3);

  @Override
  S3Endpoint endpoint() {
    return new S3Endpoint("localstack", LOCALSTACK.getEndpoint(), LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey(),
        bucket -> {
          try (S3Client s3 = S3Client.builder().endpointOverride(LOCALSTACK.getEndpoint()).forcePathStyle(true)
              .region(Region.of(LOCALSTACK.getRegion()))
              .credentialsProvider(StaticCredentialsProvider.create(
                  AwsBasicCredentials.create(LOCALSTACK.getAccessKey(), LOCALSTACK.getSecretKey())))
              .build()) {
            s3.createBucket(b -> b.bucket(bucket));
          }
        });
  }

  @Override
  long requestCount() {
    return -1; // LocalStack does not count for us; the S3Proxy run checks the request budget
  }
}
