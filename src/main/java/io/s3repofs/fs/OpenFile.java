package io.s3repofs.fs;

/**
 * One open file handle: the node it reads and writes, its reader of the bucket (read ahead), and the copy it
 * keeps of what it reads from the bucket.
 */
final class OpenFile {

  final FileNode node;
  final boolean writable;
  final Prefetcher reader;
  final ReadThrough readThrough;

  OpenFile(FileNode node, boolean writable, Prefetcher reader, ReadThrough readThrough) {
    this.node = node;
    this.writable = writable;
    this.reader = reader;
    this.readThrough = readThrough;
  }

  void close() {
    reader.close();
    readThrough.close();
  }
}
