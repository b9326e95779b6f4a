package io.s3repofs.fs;

import io.s3repofs.cache.ContentFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;

/**
 * Keeps what one handle reads of an object from the bucket: when the handle reads it from the
 * first byte to the last, the bytes become a clean cached copy, and the next open reads the cache
 * instead of the bucket (repo-add reads a database twice, with two bsdtar runs). The kernel sends
 * a sequential reader's reads from several threads, a little out of order, so each read is
 * written where it belongs and the copy is complete when the reads cover the whole object; a
 * read more than {@link #SLACK} past the bytes covered so far from the start (a seek) gives up,
 * as does a handle that closes first. Only objects up to a quarter of the clean cache are kept.
 */
final class ReadThrough {

  /** How far past the covered start a read may land and still be part of reading it all. */
  static final long SLACK = 8L << 20;
  /**
   * Only objects up to this share of the clean cache are kept: one long read of a big file (a
   * 1 GiB stream) would otherwise evict everything else, and cost a disk write of its size
   * while it is read (a third of the mount's CPU on a cold read). Databases are far smaller.
   */
  static final int KEEP_SHARE = 4;
  /** Pieces past the covered start kept track of at most (reads out of order). */
  private static final int MAX_PIECES = 256;

  private final ContentFiles content;
  private Path file;
  private FileChannel channel;
  private long covered; // bytes [0, covered) are in the file
  private final TreeMap<Long, Long> pieces = new TreeMap<>(); // start -> end of pieces past covered
  private boolean abandoned;
  private String key; // the object the copy is of: its key, ETag and size
  private String etag;
  private long size;

  ReadThrough(ContentFiles content) {
    this.content = content;
  }

  /**
   * Records {@code length} bytes read at {@code offset} from the object {@code key} as it was
   * (ETag, size) when the GET started. Reads of another key, ETag or size (a rename, an upload
   * of a newer version meanwhile) give up: one copy holds the bytes of one object.
   */
  synchronized void read(String key, String etag, long size, long offset, ByteBuffer bytes, int length) {
    if (abandoned || length <= 0 || etag == null || !content.fits(size * KEEP_SHARE)) {
      return;
    }
    if (this.key == null) {
      this.key = key;
      this.etag = etag;
      this.size = size;
    } else if (!this.key.equals(key) || !this.etag.equals(etag) || this.size != size) {
      abandon();
      return;
    }
    if (offset > covered + SLACK) {
      abandon();
      return;
    }
    long end = offset + length;
    if (end <= covered) {
      return; // read again: the file has these bytes
    }
    try {
      if (channel == null) {
        file = content.newFile();
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
      }
      long from = Math.max(offset, covered);
      ByteBuffer buffer = bytes.duplicate().limit(length).position((int) (from - offset));
      long position = from;
      while (buffer.hasRemaining()) {
        position += channel.write(buffer, position);
      }
      if (from == covered) {
        covered = end;
      } else {
        Long known = pieces.get(from);
        if (known == null || known < end) {
          pieces.put(from, end);
        }
        if (pieces.size() > MAX_PIECES) {
          abandon();
          return;
        }
      }
      for (var first = pieces.firstEntry(); first != null && first.getKey() <= covered; first = pieces.firstEntry()) {
        covered = Math.max(covered, first.getValue());
        pieces.pollFirstEntry();
      }
      if (covered == size) {
        channel.close();
        channel = null;
        content.keepClean(key, etag, file, size);
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
    pieces.clear();
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
