package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.DirectoryListing;
import io.s3repofs.cache.RemoteEntry;
import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import java.util.List;
import java.util.Map;

/**
 * Puts one file's latest closed state in the bucket under its current name: takes the state
 * under the state lock ({@link FileNode#beginUpload}), sends its immutable data file holding only
 * the key's path lock, then re-validates (still there? same name?) and commits what it covered.
 */
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
  public boolean urgent() {
    return !names.commitPoints.isDeferrable(node.path);
  }

  /** Whether a path is a commit point's, worked out once per path (the queue asks often). */
  private record NameOrder(String path, boolean ordered) {}

  private volatile NameOrder nameOrder = new NameOrder("", false);

  @Override
  public boolean ordered() {
    String path = node.path;
    NameOrder known = nameOrder;
    if (!known.path().equals(path)) {
      known = new NameOrder(path, names.commitPoints.onClose(path));
      nameOrder = known;
    }
    return node.ordered || known.ordered();
  }

  @Override
  public Outcome run() throws Exception {
    // The key's path lock: a rename or create onto the same name waits for this PUT, so the PUT
    // never lands over their object. Writes, reads and lookups take no path lock: they go on.
    String key = node.path;
    try (PathLocks.Held held = names.paths.lock(key)) {
      return upload(key);
    }
  }

  private Outcome upload(String key) throws Exception {
    ClosedState state;
    String previousEtag;
    PartStream stream;
    names.lock.lock();
    try {
      if (node.unlinked) {
        return Outcome.DONE;
      }
      if (!node.path.equals(key)) {
        return Outcome.WAIT; // renamed since: again, under the new name's locks
      }
      state = node.beginUpload();
      if (state == null) {
        return node.uploading != null ? Outcome.WAIT : Outcome.DONE;
      }
      stream = names.streams.takeFor(node, state, key);
      RemoteEntry listed = names.bucket.listedEntry(key);
      previousEtag = listed == null ? null : listed.etag();
    } finally {
      names.lock.unlock();
    }
    String etag;
    try {
      Map<String, String> metadata = MetadataCodec.encode(state.attributes());
      etag = stream == null ? null : stream.finish(state.size(), metadata);
      if (etag == null) {
        etag = names.bucket.putFile(key, state.file(), state.size(), metadata);
      }
    } catch (Exception e) {
      names.lock.lock();
      try {
        node.failUpload(e.getMessage());
        names.releaseFiles(node);
        names.streams.release(node);
        names.uploadsChanged.signalAll();
      } finally {
        names.lock.unlock();
      }
      throw e;
    }
    names.plusAliases.written(key);
    prefetchLinkCandidates(key, previousEtag);
    names.lock.lock();
    try {
      node.uploading = null;
      names.uploadsChanged.signalAll();
      names.streams.release(node);
      if (node.unlinked || !node.path.equals(key)) {
        // Deleted or renamed while it went up: the object under the old name must go, after
        // whatever is queued (unless a new file took the name meanwhile).
        if (names.overlayNode(key) == null) {
          names.bury(key);
        }
        if (node.unlinked) {
          names.releaseFiles(node);
          cleanUp(state);
          return Outcome.DONE;
        }
        node.remoteExists = false;
        return Outcome.WAIT; // the state is still closed: it goes up under the new name
      }
      node.remoteExists = true;
      boolean clean = node.completeUpload(state, etag);
      cleanUp(state);
      if (node.closed == null) {
        names.journal.remove(node.journalSequence);
        node.journalSequence = -1;
      }
      if (clean && node.openCount == 0) {
        names.forget(node);
      }
      try {
        names.refreshLinksTo(key, previousEtag);
      } catch (CachedBucket.CacheMiss miss) {
        // a link the mount has not met yet: it is refreshed when it is next looked up
      }
      return Outcome.DONE; // a newer closed state was queued by the close that made it
    } finally {
      names.lock.unlock();
    }
  }

  /** Deletes the uploaded state's data file if nothing names it any more. */
  private void cleanUp(ClosedState state) {
    if (!node.uses(state.file())) {
      ContentFiles.deleteQuietly(state.file());
    }
  }

  /**
   * Links written by an earlier mount are found among the file's siblings by the old content's
   * ETag; their HEADs are fetched here, without the state lock, so the refresh needs none.
   */
  private void prefetchLinkCandidates(String key, String previousEtag) {
    if (previousEtag == null || names.settings.symlinks() != FsSettings.SymlinkMode.COPY) {
      return;
    }
    String dir = KeyPaths.parent(key);
    DirectoryListing listing = names.bucket.cachedListing(KeyPaths.dirKey(dir));
    if (listing == null) {
      return;
    }
    List<String> siblings = List.copyOf(listing.names());
    for (String name : siblings) {
      RemoteEntry e = listing.get(name);
      if (e != null && !e.directory() && previousEtag.equals(e.etag()) && !names.plusAliases.isAliasAmong(name, siblings)) {
        names.bucket.head(dir.isEmpty() ? name : dir + "/" + name);
      }
    }
  }
}
