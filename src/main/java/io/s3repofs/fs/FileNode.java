package io.s3repofs.fs;

import io.s3repofs.store.PosixAttributes;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A regular file with local state. Its content is either in the bucket only
 * ({@link #contentFile} null: reads are ranged GETs) or in a cache data file.
 */
final class FileNode extends Node {

  /** Guards the content: writers and truncation take the write lock, reads and uploads the read lock. */
  final ReentrantReadWriteLock contentLock = new ReentrantReadWriteLock();
  volatile Path contentFile;
  FileChannel channel;
  volatile long size;
  /** The content differs from the bucket's object (or there is no object yet). */
  volatile boolean dirty;
  /** Bumped by every change of content or attributes; an upload that saw an older one is stale. */
  volatile long version;
  /** ETag of the bucket's object when the content is clean. */
  String etag;
  int openCount;
  boolean uploading;
  final FileUpload upload;

  FileNode(String path, PosixAttributes attributes, Namespace fs) {
    super(path, attributes);
    this.upload = new FileUpload(this, fs);
  }
}
