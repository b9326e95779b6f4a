package io.s3repofs.fs;

import io.s3repofs.cache.RemoteEntry;
import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.PosixAttributes;
import java.nio.file.Path;

/** Puts one closed file's content in the bucket under its current name. */
final class FileUpload implements WritebackTask {

  private final FileNode node;
  private final Namespace names;

  FileUpload(FileNode node, Namespace names) {
    this.node = node;
    this.names = names;
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
    names.lock.lock();
    try {
      if (node.unlinked || !node.dirty) {
        return Outcome.DONE;
      }
      key = node.path;
      version = node.version;
      size = node.size;
      file = node.contentFile;
      attrs = node.attributes;
      RemoteEntry listed = names.bucket.listedEntry(key);
      previousEtag = listed == null ? null : listed.etag();
      node.uploading = true;
    } finally {
      names.lock.unlock();
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
        etag = names.bucket.putFile(key, file, size, MetadataCodec.encode(attrs));
      } finally {
        node.contentLock.readLock().unlock();
      }
    } catch (Exception e) {
      names.lock.lock();
      try {
        node.uploading = false;
      } finally {
        names.lock.unlock();
      }
      throw e;
    }
    names.lock.lock();
    try {
      node.uploading = false;
      if (node.unlinked || !node.path.equals(key)) {
        // Deleted or renamed while it went up: the object under the old name must go.
        names.bucket.delete(key);
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
        names.journal.remove(node.journalSequence);
        node.journalSequence = -1;
        if (node.openCount == 0) {
          names.forget(node);
        }
      } else if (node.openCount == 0) {
        return Outcome.WAIT; // changed while closed (chmod, truncate): send the new state
      }
      names.plusAliases.written(key);
      names.refreshLinksTo(key, previousEtag);
      return Outcome.DONE;
    } finally {
      names.lock.unlock();
    }
  }
}
