package io.s3repofs.fs;

/** One open file handle: the node it reads and writes, and its streaming reader. */
final class OpenFile {

  final FileNode node;
  final boolean writable;
  final RemoteReader reader = new RemoteReader();

  OpenFile(FileNode node, boolean writable) {
    this.node = node;
    this.writable = writable;
  }
}
