package io.s3repofs.fs;

import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.store.ObjectHead;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Writes a symlink's object. A link to a regular file becomes a server-side copy of the file,
 * marked as a link (so HTTP clients get the file's bytes), once the file itself is in the bucket;
 * any other link is stored as s3fs stores it.
 */
final class SymlinkUpload implements WritebackTask {

  private final SymlinkNode link;
  private final Namespace names;

  SymlinkUpload(SymlinkNode link, Namespace names) {
    this.link = link;
    this.names = names;
  }

  @Override
  public String describe() {
    return "/" + link.path + " -> " + link.target;
  }

  @Override
  public long bytes() {
    return 0;
  }

  @Override
  public boolean ordered() {
    return true; // links after their targets, and after every file closed before them
  }

  @Override
  public Outcome run() {
    String lockedKey = link.path;
    try (PathLocks.Held held = names.paths.lock(lockedKey)) {
      return upload(lockedKey);
    }
  }

  /** Whether the bucket (as cached) holds under {@code key} a link copy of the target's current object. */
  private boolean alreadyCurrent(String key, String targetKey, String target) {
    Optional<ObjectHead> linkHead = names.bucket.cachedHead(key);
    Optional<ObjectHead> targetHead = names.bucket.cachedHead(targetKey);
    return linkHead != null && targetHead != null && linkHead.isPresent() && targetHead.isPresent()
        && linkHead.get().etag() != null && linkHead.get().etag().equals(targetHead.get().etag())
        && target.equals(linkHead.get().metadata().get(MetadataCodec.SYMLINK_KEY));
  }

  private Outcome upload(String lockedKey) {
    String key;
    String copySource = null;
    PosixAttributes attrs;
    names.lock.lock();
    try {
      if (link.unlinked || !link.pending) {
        return Outcome.DONE;
      }
      if (!link.path.equals(lockedKey)) {
        return Outcome.WAIT; // renamed (with its directory) since: again, under the new name's lock
      }
      key = link.path;
      attrs = link.attributes;
      String targetKey = KeyPaths.resolveTarget(key, link.target);
      if (targetKey != null && names.settings.symlinks() == FsSettings.SymlinkMode.COPY) {
        Resolved target;
        try {
          target = names.resolve(targetKey);
        } catch (io.s3repofs.cache.CachedBucket.CacheMiss miss) {
          names.lock.unlock();
          try {
            miss.fetch();
          } finally {
            names.lock.lock();
          }
          return Outcome.WAIT; // looked up now; decide on the next run
        }
        if (target instanceof Resolved.Local local && local.node() instanceof FileNode file) {
          if (file.dirty() || file.pending() || names.queue.isQueued(file.upload)) {
            return Outcome.WAIT; // links after their targets
          }
          if (file.remoteExists) {
            copySource = targetKey;
          }
        } else if (target instanceof Resolved.RemoteFile) {
          copySource = targetKey;
        }
      }
    } finally {
      names.lock.unlock();
    }
    if (copySource != null && alreadyCurrent(key, copySource, link.target)) {
      // The object under the link's name is a copy of the target's current content already
      // (repo-add removes NAME.db and links it again right after the refresh): no request.
    } else if (copySource != null) {
      names.bucket.copy(copySource, key, MetadataCodec.encodeContentLink(attrs, link.target));
    } else {
      names.bucket.putBytes(key, link.target.getBytes(StandardCharsets.UTF_8),
          MetadataCodec.encode(attrs.withMode(PosixAttributes.S_IFLNK | 0777)));
    }
    names.lock.lock();
    try {
      if (link.unlinked || !link.path.equals(key)) {
        if (names.overlayNode(key) == null) {
          names.bury(key); // deleted or renamed while it went up: the old name goes, in order
        }
        return link.unlinked ? Outcome.DONE : Outcome.WAIT;
      }
      link.remoteExists = true;
      link.pending = false;
      names.uploadsChanged.signalAll();
      names.journal.remove(link.journalSequence);
      link.journalSequence = -1;
      return Outcome.DONE;
    } finally {
      names.lock.unlock();
    }
  }
}
