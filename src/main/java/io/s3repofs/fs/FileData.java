package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.store.PosixAttributes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of open files: reads from the cache's data file or, for a file not in the cache,
 * ranged GETs; writes and truncation to the data file, fetched from the bucket first when needed,
 * and copied first when a closed state still names it (copy-on-write, see {@link FileNode}).
 * Lock order: the node's content lock, then the state lock; no S3 request under the state lock.
 */
final class FileData {

  private final Namespace names;
  private final CachedBucket bucket;
  private final ContentFiles content;

  FileData(Namespace names) {
    this.names = names;
    this.bucket = names.bucket;
    this.content = names.content;
  }

  /**
   * Reads up to {@code buffer.limit()} bytes into {@code buffer} from index 0; short only at the
   * end of the file. Takes the read lock.
   */
  int read(OpenFile file, long offset, ByteBuffer buffer) throws IOException {
    int length = buffer.limit();
    FileNode node = file.node;
    node.contentLock.readLock().lock();
    try {
      if (node.contentFile == null) {
        // The object as it is before the GET: an upload that completes meanwhile changes the
        // ETag (and a rename the key); bytes read across such a change are kept under neither.
        String key;
        String etag;
        long size = node.size; // stable under the content lock
        names.lock.lock();
        try {
          key = node.path;
          etag = node.etag;
        } finally {
          names.lock.unlock();
        }
        int n = file.reader.read(bucket, key, size, offset, buffer);
        boolean unchanged;
        names.lock.lock();
        try {
          unchanged = key.equals(node.path) && java.util.Objects.equals(etag, node.etag);
        } finally {
          names.lock.unlock();
        }
        if (unchanged) {
          file.readThrough.read(key, etag, size, offset, buffer, n);
        } else {
          file.readThrough.close(); // which version the bytes are of is not known: keep none
        }
        return n;
      }
      file.reader.drop(); // the cache has the bytes now: parts fetched before are not needed
      long available = node.size - offset;
      if (available <= 0) {
        return 0;
      }
      FileChannel channel = node.channel;
      ByteBuffer target = buffer.duplicate().position(0).limit((int) Math.min(length, available));
      int total = 0;
      while (target.hasRemaining()) {
        int n = channel.read(target, offset + total);
        if (n < 0) {
          int rest = target.remaining(); // a sparse tail past the data written reads as zeros
          target.put(new byte[rest]);
          total += rest;
          break;
        }
        total += n;
      }
      return total;
    } finally {
      node.contentLock.readLock().unlock();
    }
  }

  /** Writes {@code source}'s remaining bytes at an offset. Takes the write lock. */
  void write(FileNode node, long offset, ByteBuffer source) throws IOException {
    int length = source.remaining();
    node.contentLock.writeLock().lock();
    try {
      FileChannel channel = writable(node, false);
      long position = offset;
      while (source.hasRemaining()) {
        position += channel.write(source, position);
      }
      names.lock.lock();
      try {
        node.size = Math.max(node.size, offset + length);
        changed(node);
        names.streams.written(node, offset, offset + length);
      } finally {
        names.lock.unlock();
      }
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  /** Cuts or extends a file. Takes the write lock. */
  void truncate(FileNode node, long size) throws IOException, FsException {
    if (size < 0) {
      throw new FsException(Errno.EINVAL, "negative size");
    }
    node.contentLock.writeLock().lock();
    try {
      FileChannel channel = writable(node, size == 0);
      long before = node.size;
      if (size < channel.size()) {
        channel.truncate(size);
      } else if (size > channel.size()) {
        channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
      names.lock.lock();
      try {
        node.size = size;
        changed(node);
        names.streams.written(node, Math.min(before, size), Math.max(before, size));
      } finally {
        names.lock.unlock();
      }
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  /**
   * Copies an open file's content from the bucket to the cache, so that its handles keep working
   * after its object is deleted (unlink or replacement of an open file). Takes the write lock;
   * call it without the state lock.
   */
  void keepForOpenHandles(FileNode node) throws IOException {
    node.contentLock.writeLock().lock();
    try {
      boolean needed;
      names.lock.lock();
      try {
        needed = node.openCount > 0 && node.contentFile == null;
      } finally {
        names.lock.unlock();
      }
      if (needed) {
        writable(node, false);
      }
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  /** Opens the node's data file for reading and writing if it has one and it is not open. */
  static void openChannel(FileNode node) throws IOException {
    if (node.contentFile != null && node.channel == null) {
      node.channel = FileChannel.open(node.contentFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  /**
   * The channel to change the node's bytes through: a data file of its own, fetched from the
   * bucket if only the bucket has the bytes, copied if a closed state still names the current
   * one, a new empty file if {@code discard} (the change replaces every byte). Needs the write lock.
   */
  private FileChannel writable(FileNode node, boolean discard) throws IOException {
    Path current;
    boolean shared;
    long size;
    names.lock.lock();
    try {
      current = node.contentFile;
      shared = node.contentShared;
      size = node.size;
      if (current != null && !shared) {
        openChannel(node);
        return node.channel;
      }
    } finally {
      names.lock.unlock();
    }
    Path file = content.newFile();
    try {
      if (!discard && size > 0) {
        if (current == null) {
          try (InputStream in = bucket.read(node.path, 0, size - 1);
               OutputStream out = Files.newOutputStream(file)) {
            in.transferTo(out);
          }
        } else {
          Files.copy(current, file, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException | RuntimeException e) {
      ContentFiles.deleteQuietly(file);
      throw e;
    }
    names.lock.lock();
    try {
      if (node.channel != null) {
        node.channel.close();
        node.channel = null;
      }
      Path previous = node.contentFile;
      node.contentFile = file;
      node.contentShared = false;
      if (previous != null && !node.uses(previous)) {
        ContentFiles.deleteQuietly(previous);
      }
      names.streams.release(node);
      openChannel(node);
      return node.channel;
    } finally {
      names.lock.unlock();
    }
  }

  /** Marks a file changed: a new version, new mtime and ctime. Needs the state lock. */
  static void changed(FileNode node) {
    long now = FileSystemCore.now();
    node.changed();
    PosixAttributes a = node.attributes;
    node.attributes = a.withTimes(a.atimeNanos(), now, now);
  }
}
