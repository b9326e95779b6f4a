package io.s3repofs.cli;

import io.s3repofs.cache.CacheSettings;
import io.s3repofs.daemon.MountConfig;
import io.s3repofs.fs.FsSettings;
import io.s3repofs.store.PasswdFile;
import io.s3repofs.store.StoreSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Turns {@code BUCKET[:/PREFIX] MOUNTPOINT -o ...} into a {@link MountConfig}. */
final class MountConfigFactory {

  private static final Set<String> ACLS = Set.of("private", "public-read", "public-read-write",
      "authenticated-read", "bucket-owner-read", "bucket-owner-full-control", "aws-exec-read");
  private static final Set<String> FUSE_PASSTHROUGH = Set.of("allow_other", "allow_root", "nosuid", "suid",
      "nodev", "dev", "noexec", "exec", "ro", "rw", "noatime", "atime", "relatime", "sync", "async", "nonempty");

  private MountConfigFactory() {}

  /** Where the bucket and prefix come from: {@code BUCKET} or {@code BUCKET:/PREFIX}. */
  record BucketSpec(String bucket, String prefix) {
    static BucketSpec parse(String spec) {
      String bucket = spec;
      String prefix = "";
      int colon = spec.indexOf(':');
      if (colon >= 0) {
        bucket = spec.substring(0, colon);
        prefix = spec.substring(colon + 1).replaceAll("^/+", "").replaceAll("/+$", "");
        if (!prefix.isEmpty()) {
          prefix = prefix + "/";
        }
      }
      if (!bucket.matches("[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}")) {
        throw new UsageException("bad bucket name '" + bucket + "' (expected BUCKET or BUCKET:/PREFIX)");
      }
      return new BucketSpec(bucket, prefix);
    }
  }

  static MountConfig create(String bucketSpec, Path mountPoint, MountOptions o) {
    BucketSpec spec = BucketSpec.parse(bucketSpec);
    URI endpoint = null;
    if (o.has("url")) {
      try {
        endpoint = URI.create(o.get("url").replaceAll("/+$", ""));
      } catch (IllegalArgumentException e) {
        throw o.bad("url", o.get("url"));
      }
      if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme())) || endpoint.getHost() == null) {
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
    String symlinks = o.get("symlinks", "copy");
    if (!symlinks.equals("copy") && !symlinks.equals("s3fs")) {
      throw o.bad("symlinks", symlinks);
    }
    long multipartMb = o.number("multipart_size", 10, 5, 5 * 1024);
    int parallel = (int) o.number("parallel_count", 5, 1, 64);
    int retries = (int) o.number("retries", 5, 1, 20);
    long connectTimeout = o.number("connect_timeout", 30, 1, 3600);
    long rwTimeout = o.number("readwrite_timeout", 120, 1, 3600);
    StoreSettings store = new StoreSettings(spec.bucket(), spec.prefix(), endpoint,
        o.get("endpoint", "us-east-1"), o.has("use_path_request_style"),
        credentials(spec.bucket(), o), acl, multipartMb * 1024 * 1024, parallel, retries,
        Duration.ofSeconds(Math.max(connectTimeout, rwTimeout)));

    Path cacheRoot = o.has("use_cache") ? Path.of(o.get("use_cache")) : defaultCacheRoot();
    Path cacheDir = cacheRoot.resolve(spec.bucket() + (spec.prefix().isEmpty() ? ""
        : "~" + spec.prefix().replace('/', '~')));
    CacheSettings cache = new CacheSettings(cacheDir,
        Duration.ofSeconds(o.number("stat_cache_expire", 900, 0, 365L * 24 * 3600)),
        o.number("max_stat_cache_size", 100_000, 16, 10_000_000),
        o.number("cache_size", 1024, 0, 1L << 30) * 1024 * 1024,
        Duration.ofMillis((long) (o.decimal("writeback_delay", 5, 0, 3600) * 1000)));

    int uid = currentUid();
    int gid = currentGid();
    FsSettings fs = new FsSettings(uid, gid,
        (int) o.number("uid", -1, 0, Integer.MAX_VALUE), (int) o.number("gid", -1, 0, Integer.MAX_VALUE),
        o.octal("umask"), o.octal("mp_umask"), o.has("ro"),
        symlinks.equals("copy") ? FsSettings.SymlinkMode.COPY : FsSettings.SymlinkMode.S3FS,
        !o.has("no_plus_aliases"));

    List<String> fuse = new ArrayList<>();
    fuse.add("fsname=" + o.get("fsname", "s3repofs:" + spec.bucket()));
    fuse.add("subtype=s3repofs");
    fuse.add("default_permissions");
    fuse.add("big_writes");
    fuse.add("max_write=131072");
    for (String flag : FUSE_PASSTHROUGH) {
      if (o.has(flag)) {
        fuse.add(flag);
      }
    }
    return new MountConfig(mountPoint.toAbsolutePath().normalize(), store, cache, fs, fuse,
        Duration.ofSeconds(o.number("drain_timeout", 3600, 1, 365L * 24 * 3600)));
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
      return fromFile(file, bucket).orElseThrow(() -> new UsageException(
          "passwd file " + file + " has no line for bucket '" + bucket + "' and no access_key:secret_key line"));
    }
    for (Path file : io.s3repofs.store.PasswdFile.defaultLocations()) {
      if (Files.exists(file)) {
        Optional<AwsCredentialsProvider> found = fromFile(file, bucket);
        if (found.isPresent()) {
          return found.get();
        }
      }
    }
    return DefaultCredentialsProvider.create();
  }

  private static Optional<AwsCredentialsProvider> fromFile(Path file, String bucket) {
    try {
      Optional<AwsBasicCredentials> keys = PasswdFile.read(file, bucket);
      return keys.map(StaticCredentialsProvider::create);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static Path defaultCacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("s3repofs");
  }

  static int currentUid() {
    return (int) new com.sun.security.auth.module.UnixSystem().getUid();
  }

  static int currentGid() {
    return (int) new com.sun.security.auth.module.UnixSystem().getGid();
  }
}
