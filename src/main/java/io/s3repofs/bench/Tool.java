package io.s3repofs.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The filesystems compared (s3repofs also with {@code -o stat_from_list}, as
 * {@code s3repofs-listonly}), each mounted in the foreground (so the mount process is our
 * child: we know its pid, its peak RSS, and when it exits), with the options of the classic
 * "pacman repository on a bucket" recipe: path-style requests, public-read objects.
 */
enum Tool {
  S3FS("s3fs"),
  RCLONE("rclone"),
  S3REPOFS("s3repofs"),
  /** s3repofs with {@code -o stat_from_list}: stat from the LIST pages, no HEAD per file. */
  S3REPOFS_LISTONLY("s3repofs-listonly");

  final String label;

  Tool(String label) {
    this.label = label;
  }

  static Tool of(String name) {
    for (Tool t : values()) {
      if (t.label.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown tool: " + name + " (s3fs, rclone, s3repofs, s3repofs-listonly)");
  }

  /** The command line that mounts {@code bucket} on {@code mountPoint} and stays in the foreground. */
  List<String> mountCommand(Path launcher, String bucket, Path mountPoint, URI endpoint, Path passwd, Path cache) {
    String common = "url=" + endpoint + ",use_path_request_style,passwd_file=" + passwd
        + ",default_acl=public-read,nosuid,nodev";
    return switch (this) {
      case S3FS -> List.of("s3fs", bucket, mountPoint.toString(), "-f", "-o", common);
      case RCLONE -> List.of("rclone", "mount", "bench:" + bucket, mountPoint.toString(),
          "--vfs-cache-mode", "writes", "--cache-dir", cache.toString(), "--log-level", "NOTICE");
      case S3REPOFS -> List.of(launcher.toString(), "mount", bucket, mountPoint.toString(), "-f",
          "-o", common + ",use_cache=" + cache);
      case S3REPOFS_LISTONLY -> List.of(launcher.toString(), "mount", bucket, mountPoint.toString(), "-f",
          "-o", common + ",use_cache=" + cache + ",stat_from_list");
    };
  }

  /** Environment of the mount process (rclone takes its remote from the environment). */
  Map<String, String> environment(URI endpoint, String accessKey, String secretKey) {
    if (this != RCLONE) {
      return Map.of();
    }
    return Map.of(
        "RCLONE_CONFIG_BENCH_TYPE", "s3",
        "RCLONE_CONFIG_BENCH_PROVIDER", "Other",
        "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID", accessKey,
        "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY", secretKey,
        "RCLONE_CONFIG_BENCH_ENDPOINT", endpoint.toString(),
        "RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE", "true",
        "RCLONE_CONFIG_BENCH_REGION", "us-east-1",
        "RCLONE_CONFIG_BENCH_ACL", "public-read");
  }

  boolean isS3repofs() {
    return this == S3REPOFS || this == S3REPOFS_LISTONLY;
  }

  String version() {
    try {
      Shell.Result r = switch (this) {
        case S3FS -> Shell.run(java.time.Duration.ofSeconds(10), null, "s3fs", "--version");
        case RCLONE -> Shell.run(java.time.Duration.ofSeconds(10), null, "rclone", "version");
        case S3REPOFS, S3REPOFS_LISTONLY -> Shell.run(java.time.Duration.ofSeconds(10), null, "git", "rev-parse", "--short", "HEAD");
      };
      String first = r.output().strip().lines().findFirst().orElse("");
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("[vV]?(\\d+\\.\\d+(\\.\\d+)?)").matcher(first);
      return isS3repofs() ? first : m.find() ? m.group(1) : first;
    } catch (Exception e) {
      return "?";
    }
  }
}
