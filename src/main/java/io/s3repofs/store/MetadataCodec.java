package io.s3repofs.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Translates {@link PosixAttributes} to and from S3 user metadata in the layout s3fs-fuse uses
 * ({@code x-amz-meta-mode} as decimal st_mode, {@code uid}, {@code gid}, {@code mtime},
 * {@code ctime}, {@code atime} as epoch seconds), so that s3fs and s3repofs read each other's
 * objects. A symlink whose object carries its target's bytes (see DESIGN.md) is recorded with
 * the extra key {@value #SYMLINK_KEY}; its mode header stays a regular file's, so that s3fs
 * shows it as a readable copy instead of a dangling link.
 */
public final class MetadataCodec {

  /** Metadata key (after {@code x-amz-meta-}) naming the target of a content-carrying symlink. */
  public static final String SYMLINK_KEY = "s3repofs-symlink";

  /** The keys of the times (seconds since the epoch). */
  public static final java.util.Set<String> TIMES = java.util.Set.of("mtime", "ctime", "atime");

  private MetadataCodec() {}

  /** The user metadata to store for a file, directory or s3fs-style symlink object. */
  public static Map<String, String> encode(PosixAttributes attrs) {
    Map<String, String> meta = new HashMap<>();
    meta.put("mode", Integer.toString(attrs.mode()));
    meta.put("uid", Integer.toString(attrs.uid()));
    meta.put("gid", Integer.toString(attrs.gid()));
    meta.put("mtime", seconds(attrs.mtimeNanos()));
    meta.put("ctime", seconds(attrs.ctimeNanos()));
    meta.put("atime", seconds(attrs.atimeNanos()));
    if (attrs.rdev() != 0) {
      meta.put("rdev", Long.toString(attrs.rdev()));
    }
    return meta;
  }

  /** The user metadata for a symlink whose object holds a copy of its target's bytes. */
  public static Map<String, String> encodeContentLink(PosixAttributes linkAttrs, String target) {
    Map<String, String> meta = encode(linkAttrs.withMode(PosixAttributes.S_IFREG | 0644));
    meta.put(SYMLINK_KEY, target);
    return meta;
  }

  /**
   * Reads attributes from user metadata; missing or malformed values take the given defaults
   * (objects written by other tools carry no metadata at all).
   */
  public static PosixAttributes decode(
      Map<String, String> meta, boolean directory, Instant lastModified, Defaults defaults) {
    int fallbackMode = directory
        ? PosixAttributes.S_IFDIR | defaults.directoryPermissions()
        : PosixAttributes.S_IFREG | defaults.filePermissions();
    int mode = parseInt(meta.get("mode"), fallbackMode);
    if ((mode & PosixAttributes.S_IFMT) == 0) {
      mode |= fallbackMode & PosixAttributes.S_IFMT;
    }
    if (directory) {
      mode = PosixAttributes.S_IFDIR | (mode & 07777);
    }
    if (meta.containsKey(SYMLINK_KEY)) {
      mode = PosixAttributes.S_IFLNK | 0777;
    }
    long lastModifiedNanos = lastModified == null ? 0 : toNanos(lastModified);
    long mtime = parseSeconds(meta.get("mtime"), lastModifiedNanos);
    long ctime = parseSeconds(meta.get("ctime"), mtime);
    long atime = parseSeconds(meta.get("atime"), mtime);
    int uid = parseInt(meta.get("uid"), defaults.uid());
    int gid = parseInt(meta.get("gid"), defaults.gid());
    long rdev = parseLong(meta.get("rdev"), 0);
    return new PosixAttributes(mode, uid, gid, mtime, ctime, atime, rdev);
  }

  /** Defaults for objects without metadata: the mount's owner and permission bits. */
  public record Defaults(int uid, int gid, int filePermissions, int directoryPermissions) {}

  public static long toNanos(Instant instant) {
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }

  private static String seconds(long nanos) {
    return Long.toString(Math.floorDiv(nanos, 1_000_000_000L));
  }

  private static int parseInt(String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return (int) Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static long parseLong(String value, long fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** s3fs writes whole seconds; some versions and tools write fractions: accept both. */
  private static long parseSeconds(String value, long fallbackNanos) {
    if (value == null) {
      return fallbackNanos;
    }
    try {
      return new java.math.BigDecimal(value.trim()).movePointRight(9).longValue();
    } catch (NumberFormatException e) {
      return fallbackNanos;
    }
  }
}
