package io.s3repofs.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code -o} option list of {@code mount}, s3fs style: {@code name[=value]} separated by
 * commas, {@code -o} repeatable. Unknown names and bad values are one-line errors.
 */
final class MountOptions {

  /** Options that take a value, with what the value must be (for messages). */
  static final Map<String, String> VALUED = new LinkedHashMap<>();
  /** Options that are flags. */
  static final Set<String> FLAGS = Set.of(
      "use_path_request_style", "allow_other", "allow_root", "nosuid", "suid", "nodev", "dev",
      "noexec", "exec", "ro", "rw", "noatime", "atime", "relatime", "_netdev", "auto", "noauto",
      "user", "nouser", "users", "sync", "async", "defaults", "nofail", "owner", "group", "default_permissions",
      "nonempty", "no_plus_aliases", "upload_on_close", "no_repo_headers", "stat_from_list",
      "streamupload", "nostreamupload");

  static {
    VALUED.put("url", "an http:// or https:// URL");
    VALUED.put("endpoint", "a region name, such as us-east-1");
    VALUED.put("passwd_file", "a file path");
    VALUED.put("default_acl", "a canned ACL: private, public-read, public-read-write, authenticated-read,"
        + " bucket-owner-read or bucket-owner-full-control");
    VALUED.put("uid", "a numeric user id");
    VALUED.put("gid", "a numeric group id");
    VALUED.put("umask", "octal permission bits, such as 022");
    VALUED.put("mp_umask", "octal permission bits, such as 022");
    VALUED.put("use_cache", "a directory");
    VALUED.put("stat_cache_expire", "seconds");
    VALUED.put("max_stat_cache_size", "a number of entries");
    VALUED.put("multipart_size", "megabytes, at least 5");
    VALUED.put("parallel_count", "a number from 1 to 64");
    VALUED.put("parallel_uploads", "a number from 1 to 64");
    VALUED.put("multireq_max", "a number from 1 to 256");
    VALUED.put("retries", "a number of attempts from 1 to 20");
    VALUED.put("connect_timeout", "seconds");
    VALUED.put("readwrite_timeout", "seconds");
    VALUED.put("cache_size", "megabytes of clean file data kept on disk");
    VALUED.put("writeback_delay", "seconds (fractions allowed)");
    VALUED.put("drain_timeout", "seconds");
    VALUED.put("symlinks", "copy or s3fs");
    VALUED.put("dbglevel", "crit, err, warn, info or debug");
    VALUED.put("fsname", "a name shown by mount and df");
    VALUED.put("pkg_max_age", "seconds packages may be cached (0: no-cache)");
    VALUED.put("db_max_age", "seconds databases may be cached (0: no-cache)");
    VALUED.put("header_rules", "a file of lines GLOB HEADER VALUE");
    VALUED.put("ahbe_conf", "a file of lines SUFFIX HEADER VALUE (s3fs's format)");
  }

  private final Map<String, String> values = new LinkedHashMap<>();

  /** Parses every {@code -o} argument; throws {@link UsageException} on the first bad one. */
  static MountOptions parse(List<String> arguments) {
    return parse(arguments, null, "mount");
  }

  /**
   * Parses {@code -o} arguments of a command that accepts only the names in {@code allowed}
   * (all names when null); a known name outside it is an error naming the command.
   */
  static MountOptions parse(List<String> arguments, Set<String> allowed, String command) {
    MountOptions options = new MountOptions();
    for (String argument : arguments) {
      for (String item : argument.split(",")) {
        String option = item.strip();
        if (option.isEmpty()) {
          continue;
        }
        int eq = option.indexOf('=');
        String name = eq < 0 ? option : option.substring(0, eq);
        if (name.startsWith("x-") || name.equals("comment")) {
          continue; // fstab's notes for systemd and mount(8) (x-systemd.automount, ...)
        }
        String value = eq < 0 ? null : option.substring(eq + 1);
        if (FLAGS.contains(name)) {
          if (value != null) {
            throw new UsageException("option '" + name + "' takes no value");
          }
        } else if (VALUED.containsKey(name)) {
          if (value == null || value.isEmpty()) {
            throw new UsageException("option '" + name + "' needs a value: " + VALUED.get(name));
          }
        } else {
          throw new UsageException("unknown option '" + name + "' in -o (see: s3repofs " + command
              + " --help)");
        }
        if (allowed != null && !allowed.contains(name)) {
          throw new UsageException("option '" + name + "' applies to mount only, not to "
              + command);
        }
        options.values.put(name, value);
      }
    }
    return options;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  String get(String name) {
    return values.get(name);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  long number(String name, long fallback, long min, long max) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(name, v);
    }
  }

  double decimal(String name, double fallback, double min, double max) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d >= min && d <= max)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw bad(name, v);
    }
  }

  int octal(String name) {
    String v = values.get(name);
    if (v == null) {
      return -1;
    }
    try {
      int n = Integer.parseInt(v, 8);
      if (n < 0 || n > 07777) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(name, v);
    }
  }

  UsageException bad(String name, String value) {
    return new UsageException("bad value for option '" + name + "': '" + value + "' (expected "
        + VALUED.get(name) + ")");
  }
}
