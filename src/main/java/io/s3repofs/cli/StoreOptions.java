package io.s3repofs.cli;

import io.s3repofs.store.FallbackCredentials;
import io.s3repofs.store.HeaderRules;
import io.s3repofs.store.PasswdFile;
import io.s3repofs.store.RepositoryHeaders;
import io.s3repofs.store.StoreSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The s3fs-style {@code -o} options that say how to reach and write a bucket (endpoint, keys,
 * ACL, multipart and retry settings), turned into {@link StoreSettings}. Shared by
 * {@code mount} and the {@code repo} commands working on {@code s3://} databases, so both
 * accept the same names with the same meaning.
 */
public final class StoreOptions {

  /** The {@code -o} names that concern the bucket connection (the rest are mount-only). */
  public static final Set<String> NAMES = Set.of("url", "endpoint", "use_path_request_style",
      "passwd_file", "default_acl", "multipart_size", "parallel_count", "retries",
      "connect_timeout", "readwrite_timeout", "pkg_max_age", "db_max_age", "no_repo_headers",
      "header_rules", "ahbe_conf");

  private static final Set<String> ACLS = Set.of("private", "public-read", "public-read-write",
      "authenticated-read", "bucket-owner-read", "bucket-owner-full-control", "aws-exec-read");

  private StoreOptions() {}

  /**
   * Parses {@code -o} arguments that may only hold {@link #NAMES} (for commands other than
   * mount) and returns the settings for {@code bucket} and {@code prefix}.
   *
   * @throws UsageException with a one-line message for an unknown, mount-only or bad option
   */
  public static StoreSettings parse(List<String> arguments, String bucket, String prefix,
      String command) {
    return settings(bucket, prefix, MountOptions.parse(arguments, NAMES, command));
  }

  /** The store settings that parsed {@code -o} options ask for. */
  static StoreSettings settings(String bucket, String prefix, MountOptions o) {
    URI endpoint = null;
    if (o.has("url")) {
      try {
        endpoint = URI.create(o.get("url").replaceAll("/+$", ""));
      } catch (IllegalArgumentException e) {
        throw o.bad("url", o.get("url"));
      }
      if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
          || endpoint.getHost() == null) {
        throw o.bad("url", o.get("url"));
      }
    }
    String acl = o.get("default_acl");
    if (acl != null && !ACLS.contains(acl)) {
      throw o.bad("default_acl", acl);
    }
    if ("private".equals(acl)) {
      acl = null; // the bucket's default; no header needed
    }
    long multipartMb = o.number("multipart_size", 10, 5, 5 * 1024);
    int parallel = (int) o.number("parallel_count", 5, 1, 64);
    int retries = (int) o.number("retries", 5, 1, 20);
    long connectTimeout = o.number("connect_timeout", 30, 1, 3600);
    long rwTimeout = o.number("readwrite_timeout", 120, 1, 3600);
    return new StoreSettings(bucket, prefix, endpoint, o.get("endpoint", "us-east-1"),
        o.has("use_path_request_style"), credentials(bucket, o), acl,
        multipartMb * 1024 * 1024, parallel, retries,
        Duration.ofSeconds(Math.max(connectTimeout, rwTimeout)), headerRules(o),
        (int) o.number("multireq_max", StoreSettings.DEFAULT_METADATA_REQUESTS, 1, 256));
  }

  /**
   * The HTTP headers objects get: the repository defaults (unless {@code no_repo_headers}), with
   * {@code pkg_max_age}/{@code db_max_age}, then s3fs's {@code ahbe_conf}, then
   * {@code header_rules} (later rules win).
   */
  static HeaderRules headerRules(MountOptions o) {
    long year = RepositoryHeaders.PACKAGE_MAX_AGE;
    long pkgAge = o.number("pkg_max_age", year, 0, 10 * year);
    long dbAge = o.number("db_max_age", 0, 0, 10 * year);
    HeaderRules rules = o.has("no_repo_headers") ? HeaderRules.NONE
        : RepositoryHeaders.rules(pkgAge, dbAge);
    if (o.has("no_repo_headers") && (o.has("pkg_max_age") || o.has("db_max_age"))) {
      throw new UsageException("options 'pkg_max_age' and 'db_max_age' set the repository"
          + " headers that 'no_repo_headers' turns off: give one or the other");
    }
    try {
      if (o.has("ahbe_conf")) {
        rules = rules.then(HeaderRules.parseAhbe(readRules(o.get("ahbe_conf")), o.get("ahbe_conf")));
      }
      if (o.has("header_rules")) {
        rules = rules.then(HeaderRules.parse(readRules(o.get("header_rules")), o.get("header_rules")));
      }
    } catch (UsageException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return rules;
  }

  private static String readRules(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new UsageException("header rules file " + file + " does not exist");
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new UsageException("cannot read header rules file " + file + ": "
          + e.getClass().getSimpleName());
    }
  }

  /**
   * Keys as s3fs finds them: {@code passwd_file}, {@code ~/.passwd-s3fs}, {@code /etc/passwd-s3fs},
   * then the AWS SDK's default chain (environment, profiles, instance roles).
   */
  static AwsCredentialsProvider credentials(String bucket, MountOptions o) {
    if (o.has("passwd_file")) {
      Path file = Path.of(o.get("passwd_file"));
      if (!Files.exists(file)) {
        throw new UsageException("passwd file " + file + " does not exist");
      }
      return fromFile(file, bucket).orElseThrow(() -> new UsageException("passwd file " + file
          + " has no line for bucket '" + bucket + "' and no access_key:secret_key line"));
    }
    for (Path file : PasswdFile.defaultLocations()) {
      if (Files.exists(file)) {
        Optional<AwsCredentialsProvider> found = fromFile(file, bucket);
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    return new FallbackCredentials(PasswdFile.defaultLocations(), bucket);
  }

  private static Optional<AwsCredentialsProvider> fromFile(Path file, String bucket) {
    try {
      return PasswdFile.read(file, bucket).map(StaticCredentialsProvider::create);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
