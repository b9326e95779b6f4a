package io.s3repofs.store;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Keys from the AWS SDK's default chain (environment, profiles, container and instance roles),
 * used when no passwd file has them. When the chain finds none, the failure is one line saying
 * where keys were looked for and how to give them, not the SDK's list of providers.
 */
public final class FallbackCredentials implements AwsCredentialsProvider {
  private final List<Path> passwdFiles;
  private final String bucket;
  private final AwsCredentialsProvider chain;

  /** @param passwdFiles the passwd files looked in before, for the message */
  public FallbackCredentials(List<Path> passwdFiles, String bucket) {
    this(passwdFiles, bucket, DefaultCredentialsProvider.create());
  }

  FallbackCredentials(List<Path> passwdFiles, String bucket, AwsCredentialsProvider chain) {
    this.passwdFiles = List.copyOf(passwdFiles);
    this.bucket = bucket;
    this.chain = chain;
  }

  @Override
  public AwsCredentials resolveCredentials() {
    try {
      return chain.resolveCredentials();
    } catch (SdkClientException e) {
      throw new NoCredentialsException(message());
    }
  }

  /** The one-line message for no keys anywhere. */
  public String message() {
    String files = passwdFiles.stream().map(Path::toString).collect(Collectors.joining(", "));
    Path home = UserHome.directory();
    return "no keys for bucket '" + bucket + "': none in " + files
        + ", none in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, no AWS profile in " + home.resolve(".aws")
        + "; put a line " + bucket + ":ACCESS_KEY:SECRET_KEY in " + home.resolve(".passwd-s3fs")
        + " (chmod 600), or pass -o passwd_file=FILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
  }
}
