package io.s3repofs.cli;

import io.s3repofs.cache.CacheSettings;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.daemon.MountConfig;
import io.s3repofs.fs.FsSettings;
import io.s3repofs.store.StoreSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Turns {@code BUCKET[:/PREFIX] MOUNTPOINT -o ...} into a {@link MountConfig}. */
final class MountConfigFactory {

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
    StoreSettings store = StoreOptions.settings(spec.bucket(), spec.prefix(), o);
    String symlinks = o.get("symlinks", "copy");
    if (!symlinks.equals("copy") && !symlinks.equals("s3fs")) {
      throw o.bad("symlinks", symlinks);
    }

    Path cacheRoot = o.has("use_cache") ? Path.of(o.get("use_cache")) : defaultCacheRoot();
    Path cacheDir = cacheRoot.resolve(spec.bucket() + (spec.prefix().isEmpty() ? ""
        : "~" + spec.prefix().replace('/', '~')));
    CacheSettings cache = new CacheSettings(cacheDir,
        Duration.ofSeconds(o.number("stat_cache_expire", 900, 0, 365L * 24 * 3600)),
        o.number("max_stat_cache_size", 100_000, 16, 10_000_000),
        o.number("cache_size", 1024, 0, 1L << 30) * 1024 * 1024,
        Duration.ofMillis((long) (o.decimal("writeback_delay", 5, 0, 3600) * 1000)),
        (int) o.number("parallel_uploads", WritebackQueue.DEFAULT_CONCURRENCY, 1, 64));

    int uid = currentUid();
    int gid = currentGid();
    FsSettings fs = new FsSettings(uid, gid,
        (int) o.number("uid", -1, 0, Integer.MAX_VALUE), (int) o.number("gid", -1, 0, Integer.MAX_VALUE),
        o.octal("umask"), o.octal("mp_umask"), o.has("ro"),
        symlinks.equals("copy") ? FsSettings.SymlinkMode.COPY : FsSettings.SymlinkMode.S3FS,
        !o.has("no_plus_aliases"), o.has("upload_on_close"), o.has("stat_from_list"))
        .withStreamUploads(!o.has("nostreamupload"));

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

  static Path defaultCacheRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : io.s3repofs.store.UserHome.directory().resolve(".cache");
    return base.resolve("s3repofs");
  }

  static int currentUid() {
    return (int) new com.sun.security.auth.module.UnixSystem().getUid();
  }

  static int currentGid() {
    return (int) new com.sun.security.auth.module.UnixSystem().getGid();
  }
}
