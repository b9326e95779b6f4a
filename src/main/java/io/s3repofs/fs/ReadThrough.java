package io.s3repofs.fs;

import io.s3repofs.cache.ContentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps what one handle reads of an object from the bucket: when the handle reads it from the
 * first byte to the last in order, the bytes become a clean cached copy, and the next open reads
 * the cache instead of the bucket (repo-add reads a database twice, with two bsdtar runs). A
 * handle that seeks gives up. Only objects that fit in the clean cache are kept.
 */
final class ReadThrough {

  private final ContentFiles content;
  private Path file;
  private FileChannel channel;
  private long next;
  private boolean abandoned;

  ReadThrough(ContentFiles content) {
    this.content = content;
  }

  /** Records {@code length} bytes read at {@code offset} from the object of {@code node}. */
  synchronized void read(FileNode node, long offset, byte[] bytes, int length) {
    if (abandoned || node.etag == null || !content.fits(node.size)) {
      return;
    }
    try {
      if (channel == null) {
        if (offset != 0) {
          abandoned = true;
          return;
        }
        file = content.newFile();
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
      }
      if (offset != next) {
        abandon();
        return;
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      next += length;
      if (next == node.size) {
        channel.close();
        channel = null;
        content.keepClean(node.path, node.etag, file, node.size);
        file = null;
        abandoned = true; // done: nothing more to keep
      }
    } catch (IOException e) {
      abandon(); // a full cache disk only costs the copy
    }
  }

  /** Drops a partial copy (the handle closed before reading everything). */
  synchronized void close() {
    abandon();
  }

  private void abandon() {
    abandoned = true;
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // deleted next
      }
      channel = null;
    }
    ContentFiles.deleteQuietly(file);
    file = null;
  }
}
