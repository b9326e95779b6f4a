package io.s3repofs.fs;

import io.s3repofs.cache.RemoteEntry;
import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.PosixAttributes;
import java.nio.file.Path;

/** Puts one closed file's content in the bucket under its current name. */
final class FileUpload implements WritebackTask {

  private final FileNode node;
  private final FileSystemCore fs;

  FileUpload(FileNode node, FileSystemCore fs) {
    this.node = node;
    this.fs = fs;
  }

  @Override
  public String describe() {
    return "/" + node.path;
  }

  @Override
  public long bytes() {
    return node.size;
  }

  @Override
  public Outcome run() throws Exception {
    String key;
    long version;
    long size;
    Path file;
    PosixAttributes attrs;
    String previousEtag;
    fs.namespace.lock();
    try {
      if (node.unlinked || !node.dirty) {
        return Outcome.DONE;
      }
      key = node.path;
      version = node.version;
      size = node.size;
      file = node.contentFile;
      attrs = node.attributes;
      RemoteEntry listed = fs.bucket.listedEntry(key);
      previousEtag = listed == null ? null : listed.etag();
      node.uploading = true;
    } finally {
      fs.namespace.unlock();
    }
    String etag;
    try {
      node.contentLock.readLock().lock();
      try {
        if (node.version != version) {
          // Written again since: upload the newest content instead.
          version = node.version;
          size = node.size;
        }
        etag = fs.bucket.putFile(key, file, size, MetadataCodec.encode(attrs));
      } finally {
        node.contentLock.readLock().unlock();
      }
    } catch (Exception e) {
      fs.namespace.lock();
      try {
        node.uploading = false;
      } finally {
        fs.namespace.unlock();
      }
      throw e;
    }
    fs.namespace.lock();
    try {
      node.uploading = false;
      if (node.unlinked || !node.path.equals(key)) {
        // Deleted or renamed while it went up: the object under the old name must go.
        fs.bucket.delete(key);
        if (node.unlinked) {
          if (node.openCount == 0) {
            io.s3repofs.cache.ContentFiles.deleteQuietly(node.contentFile);
          }
          return Outcome.DONE;
        }
        node.remoteExists = false;
        return Outcome.WAIT;
      }
      node.remoteExists = true;
      if (node.version == version) {
        node.dirty = false;
        node.etag = etag;
        fs.journal.remove(node.journalSequence);
        node.journalSequence = -1;
        if (node.openCount == 0) {
          fs.forget(node);
        }
      } else if (node.openCount == 0) {
        return Outcome.WAIT; // changed while closed (chmod, truncate): send the new state
      }
      fs.refreshLinksTo(key, previousEtag);
      return Outcome.DONE;
    } finally {
      fs.namespace.unlock();
    }
  }
}
