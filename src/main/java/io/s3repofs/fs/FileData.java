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
import java.nio.file.StandardOpenOption;

/**
 * The bytes of open files: reads from the cache's data file or, for a file not in the cache,
 * ranged GETs; writes and truncation to the data file, fetched from the bucket first when needed.
 * Callers hold the node's content lock as each method says.
 */
final class FileData {

  private final CachedBucket bucket;
  private final ContentFiles content;

  FileData(CachedBucket bucket, ContentFiles content) {
    this.bucket = bucket;
    this.content = content;
  }

  /** Reads up to {@code length} bytes; short only at the end of the file. Needs the read lock. */
  int read(OpenFile file, long offset, byte[] buffer, int length) throws IOException {
    FileNode node = file.node;
    if (node.contentFile == null) {
      int n = file.reader.read(bucket, node.path, node.size, offset, buffer, length);
      file.readThrough.read(node, offset, buffer, n);
      return n;
    }
    long available = node.size - offset;
    if (available <= 0) {
      return 0;
    }
    ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) Math.min(length, available));
    int total = 0;
    while (target.hasRemaining()) {
      int n = node.channel.read(target, offset + total);
      if (n < 0) {
        int rest = target.remaining(); // a sparse tail past the data written reads as zeros
        target.put(new byte[rest]);
        total += rest;
        break;
      }
      total += n;
    }
    return total;
  }

  /** Writes at an offset. Needs the write lock. */
  void write(FileNode node, long offset, byte[] data, int length) throws IOException {
    ensureLocal(node);
    ByteBuffer source = ByteBuffer.wrap(data, 0, length);
    long position = offset;
    while (source.hasRemaining()) {
      position += node.channel.write(source, position);
    }
    node.size = Math.max(node.size, offset + length);
    changed(node);
  }

  /** Cuts or extends a file. Takes the write lock itself. */
  void truncate(FileNode node, long size) throws IOException, FsException {
    if (size < 0) {
      throw new FsException(Errno.EINVAL, "negative size");
    }
    node.contentLock.writeLock().lock();
    try {
      if (size == 0 && node.contentFile == null) {
        node.contentFile = content.newFile(); // nothing of the old content is needed
      }
      ensureLocal(node);
      if (size < node.channel.size()) {
        node.channel.truncate(size);
      } else if (size > node.channel.size()) {
        node.channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
      node.size = size;
      changed(node);
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  /**
   * Copies an open file's content from the bucket to the cache, so that its handles keep working
   * after its object is deleted (unlink or replacement of an open file). Takes the write lock.
   */
  void keepForOpenHandles(FileNode node) throws IOException {
    if (node.openCount == 0 || node.contentFile != null) {
      return;
    }
    node.contentLock.writeLock().lock();
    try {
      ensureLocal(node);
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

  /** Brings a file's content from the bucket to the cache before it is changed. */
  private void ensureLocal(FileNode node) throws IOException {
    if (node.contentFile == null) {
      Path file = content.newFile();
      if (node.size > 0) {
        try (InputStream in = bucket.read(node.path, 0, node.size - 1);
             OutputStream out = Files.newOutputStream(file)) {
          in.transferTo(out);
        } catch (IOException | RuntimeException e) {
          ContentFiles.deleteQuietly(file);
          throw e;
        }
      }
      node.contentFile = file;
    }
    openChannel(node);
  }

  /** Marks a file changed: dirty, a new version, new mtime and ctime. */
  private static void changed(FileNode node) {
    long now = FileSystemCore.now();
    node.dirty = true;
    node.version++;
    PosixAttributes a = node.attributes;
    node.attributes = a.withTimes(a.atimeNanos(), now, now);
  }
}
