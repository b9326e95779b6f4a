package io.s3repofs.fs;

import java.util.ArrayDeque;
import java.util.Deque;

/** Path arithmetic between FUSE paths ("/a/b"), keys ("a/b") and symlink targets. */
final class KeyPaths {

  private KeyPaths() {}

  /** The key of a FUSE path: no leading slash; the root is "". */
  static String key(String fusePath) throws FsException {
    String p = fusePath.startsWith("/") ? fusePath.substring(1) : fusePath;
    if (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    for (String part : p.split("/", -1)) {
      if (part.length() > 85 && part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
        throw new FsException(Errno.ENAMETOOLONG, "name too long");
      }
    }
    return p;
  }

  static String parent(String key) {
    int slash = key.lastIndexOf('/');
    return slash < 0 ? "" : key.substring(0, slash);
  }

  static String name(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  /** The directory key ("" or ending in '/') of a directory path. */
  static String dirKey(String key) {
    return key.isEmpty() ? "" : key + "/";
  }

  /** Whether {@code key} is {@code ancestor} or lies below it. */
  static boolean isWithin(String key, String ancestor) {
    return key.equals(ancestor) || ancestor.isEmpty() || key.startsWith(ancestor + "/");
  }

  /**
   * The key a symlink at {@code linkKey} points to, or null when the target is absolute or leaves
   * the mount.
   */
  static String resolveTarget(String linkKey, String target) {
    if (target.startsWith("/") || target.isEmpty()) {
      return null;
    }
    Deque<String> parts = new ArrayDeque<>();
    String parent = parent(linkKey);
    if (!parent.isEmpty()) {
      for (String p : parent.split("/")) {
        parts.addLast(p);
      }
    }
    for (String p : target.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (parts.isEmpty()) {
          return null;
        }
        parts.removeLast();
      } else {
        parts.addLast(p);
      }
    }
    return String.join("/", parts);
  }
}
