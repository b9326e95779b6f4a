package io.s3repofs.fs;

/**
 * One open file handle: the node it reads and writes, its streaming reader, and the copy it
 * keeps of what it reads from the bucket.
 */
final class OpenFile {

  final FileNode node;
  final boolean writable;
  final RemoteReader reader = new RemoteReader();
  final ReadThrough readThrough;

  OpenFile(FileNode node, boolean writable, ReadThrough readThrough) {
    this.node = node;
    this.writable = writable;
    this.readThrough = readThrough;
  }

  void close() {
    reader.close();
    readThrough.close();
  }
}
