package io.s3repofs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;

/**
 * File data on local disk: the content of files being written or waiting for upload, and a
 * size-bounded cache of clean copies (keyed by object key and ETag) that later opens read
 * instead of the bucket. Clean copies are evicted least-recently-used past the size limit;
 * data that is not yet in the bucket is never evicted.
 */
public final class ContentFiles {

  private record Clean(Path file, long size) {}

  private final Path directory;
  private final Cache<String, Clean> clean;
  private final long cleanBytesLimit;

  public ContentFiles(Path directory, long cleanBytesLimit) {
    this.directory = directory;
    this.cleanBytesLimit = cleanBytesLimit;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.clean = Caffeine.newBuilder()
        .maximumWeight(Math.max(0, cleanBytesLimit))
        .<String, Clean>weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, Math.max(1, v.size())))
        .removalListener((String k, Clean v, RemovalCause cause) -> {
          if (v != null && cause != RemovalCause.EXPLICIT && cause != RemovalCause.REPLACED) {
            deleteQuietly(v.file());
          }
        })
        .executor(Runnable::run)
        .build();
  }

  /** A new, empty data file. */
  public Path newFile() throws IOException {
    Path file = directory.resolve(UUID.randomUUID().toString());
    Files.createFile(file);
    return file;
  }

  public Path resolve(String name) {
    return directory.resolve(name);
  }

  /** Whether a clean copy of this many bytes may be kept at all. */
  public boolean fits(long size) {
    return size > 0 && size <= cleanBytesLimit;
  }

  /** Hands a clean copy of an object's content to the cache; the cache owns the file now. */
  public void keepClean(String key, String etag, Path file, long size) {
    if (etag == null) {
      deleteQuietly(file);
      return;
    }
    Clean previous = clean.asMap().put(key + "\n" + etag, new Clean(file, size));
    if (previous != null && !previous.file().equals(file)) {
      deleteQuietly(previous.file());
    }
  }

  /** Whether a clean copy of this object's content is cached. */
  public boolean hasClean(String key, String etag) {
    return etag != null && clean.asMap().containsKey(key + "\n" + etag);
  }

  /** Takes a clean copy out of the cache (the caller owns the file now), or returns null. */
  public Path takeClean(String key, String etag) {
    if (etag == null) {
      return null;
    }
    Clean c = clean.asMap().remove(key + "\n" + etag);
    return c == null ? null : c.file();
  }

  /** Removes data files that no journal record names (left by an earlier run). */
  public void deleteAllExcept(Set<String> keep) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        if (!keep.contains(file.getFileName().toString())) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  public static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a leftover file is removed at the next mount
    }
  }
}
