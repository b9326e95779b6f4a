package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import java.util.Set;

/**
 * AWS S3 reads a '+' in a URL path as a space, so pacman's GET of {@code libc++-1-1-x86_64.pkg.tar.zst}
 * asks for the key {@code libc  -1-1-x86_64.pkg.tar.zst}. For every file whose key holds a '+', the
 * mount therefore keeps a server-side copy under the key with spaces (the alias), deletes it with
 * the file, and hides aliases from directory listings.
 */
final class PlusAliases {

  private final CachedBucket bucket;
  private final boolean enabled;

  PlusAliases(CachedBucket bucket, boolean enabled) {
    this.bucket = bucket;
    this.enabled = enabled;
  }

  static String aliasOf(String key) {
    return key.replace('+', ' ');
  }

  private boolean applies(String key) {
    return enabled && key.indexOf('+') >= 0;
  }

  /** After a file reached the bucket under {@code key}: its alias gets the same bytes. */
  void written(String key) {
    if (applies(key)) {
      bucket.copy(key, aliasOf(key), null);
    }
  }

  /** After the object under {@code key} was deleted: so is its alias. */
  void deleted(String key) {
    if (applies(key)) {
      bucket.delete(aliasOf(key));
    }
  }

  /** Whether {@code name} is the alias of another name among {@code names} (so not a file of its own). */
  boolean isAliasAmong(String name, java.util.Collection<String> names) {
    return enabled && name.indexOf(' ') >= 0
        && names.stream().anyMatch(other -> other.indexOf('+') >= 0 && aliasOf(other).equals(name));
  }

  /** Removes from a directory's names the aliases of names that are there. */
  void hideAliases(Set<String> names) {
    if (!enabled) {
      return;
    }
    names.removeIf(name -> name.indexOf(' ') >= 0 && names.stream()
        .anyMatch(other -> other.indexOf('+') >= 0 && aliasOf(other).equals(name)));
  }
}
