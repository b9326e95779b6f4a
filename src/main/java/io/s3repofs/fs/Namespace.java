package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.DirectoryListing;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.RemoteEntry;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The names of the filesystem: the overlay of {@link Node}s the mount holds state for, over the
 * bucket's cached listings. Resolves paths, and keeps overlay, journal and upload queue in step
 * when a node comes or goes. Every method expects {@link #lock} to be held.
 */
final class Namespace {

  final ReentrantLock lock = new ReentrantLock();
  final CachedBucket bucket;
  final ContentFiles content;
  final Journal journal;
  final WritebackQueue queue;
  final FsSettings settings;
  final MetadataCodec.Defaults defaults;
  final PlusAliases plusAliases;
  private final Map<String, Node> overlay = new HashMap<>();

  Namespace(CachedBucket bucket, ContentFiles content, Journal journal, WritebackQueue queue, FsSettings settings) {
    this.bucket = bucket;
    this.content = content;
    this.journal = journal;
    this.queue = queue;
    this.settings = settings;
    this.defaults = new MetadataCodec.Defaults(settings.ownerUid(), settings.ownerGid(), 0644, 0755);
    this.plusAliases = new PlusAliases(bucket, settings.plusAliases());
  }

  // ---------------------------------------------------------------- lookups

  /** Looks a key up; null when nothing is there. */
  Resolved resolve(String key) {
    if (key.isEmpty()) {
      return new Resolved.Root();
    }
    Node node = overlay.get(key);
    if (node instanceof Tombstone) {
      return null;
    }
    if (node != null) {
      return new Resolved.Local(node);
    }
    DirectoryListing listing = bucket.listing(KeyPaths.dirKey(KeyPaths.parent(key)));
    RemoteEntry entry = listing.get(KeyPaths.name(key));
    if (entry == null) {
      return null;
    }
    if (entry.directory()) {
      return new Resolved.RemoteDirectory(key);
    }
    Optional<ObjectHead> head = bucket.head(key);
    if (head.isEmpty()) {
      listing.remove(KeyPaths.name(key)); // gone behind our back: the listing was stale
      return null;
    }
    String linkTarget = head.get().metadata().get(MetadataCodec.SYMLINK_KEY);
    PosixAttributes attrs = decode(head.get(), false);
    if (linkTarget != null || attrs.isSymlink()) {
      String target = linkTarget != null ? linkTarget : new String(bucket.readAll(key), StandardCharsets.UTF_8);
      SymlinkNode link = new SymlinkNode(key, target, attrs.withMode(PosixAttributes.S_IFLNK | 0777), this);
      link.remoteExists = true;
      overlay.put(key, link);
      return new Resolved.Local(link);
    }
    return new Resolved.RemoteFile(key, RemoteEntry.file(head.get().size(), head.get().etag(), head.get().lastModified()));
  }

  Resolved resolveExisting(String key) throws FsException {
    Resolved r = resolve(key);
    if (r == null) {
      throw missing(key);
    }
    return r;
  }

  /**
   * Why a key is not there: ENOTDIR when the nearest existing component above it is not a
   * directory (a path through a regular file, as POSIX says), else ENOENT.
   */
  FsException missing(String key) {
    for (String p = KeyPaths.parent(key); !p.isEmpty(); p = KeyPaths.parent(p)) {
      Resolved r = resolve(p);
      if (r instanceof Resolved.RemoteDirectory) {
        break;
      }
      if (r != null) {
        return new FsException(Errno.ENOTDIR, "/" + p + ": not a directory");
      }
    }
    return notFound(key);
  }

  static FsException notFound(String key) {
    return new FsException(Errno.ENOENT, "/" + key + ": no such file or directory");
  }

  PosixAttributes decode(ObjectHead head, boolean directory) {
    return MetadataCodec.decode(head.metadata(), directory, head.lastModified(), defaults);
  }

  void requireDirectory(String key) throws FsException {
    Resolved r = resolveExisting(key);
    if (!(r instanceof Resolved.Root || r instanceof Resolved.RemoteDirectory)) {
      throw new FsException(Errno.ENOTDIR, "/" + key + ": not a directory");
    }
  }

  void requireAbsent(String key) throws FsException {
    if (resolve(key) != null) {
      throw new FsException(Errno.EEXIST, "/" + key + ": file exists");
    }
  }

  void requireEmptyDirectory(String key) throws FsException {
    for (String name : bucket.listing(KeyPaths.dirKey(key)).names()) {
      if (!(overlay.get(key.isEmpty() ? name : key + "/" + name) instanceof Tombstone)) {
        throw new FsException(Errno.ENOTEMPTY, "/" + key + ": directory not empty");
      }
    }
    for (Node n : overlay.values()) {
      if (!n.unlinked && !(n instanceof Tombstone) && KeyPaths.isWithin(n.path, key) && !n.path.equals(key)) {
        throw new FsException(Errno.ENOTEMPTY, "/" + key + ": directory not empty");
      }
    }
  }

  /** The names in a directory: the bucket's, plus the overlay's, minus deleted ones. */
  Set<String> names(String key) {
    Set<String> names = new java.util.TreeSet<>(bucket.listing(KeyPaths.dirKey(key)).names());
    for (Node n : overlay.values()) {
      if (!n.unlinked && !n.path.isEmpty() && KeyPaths.parent(n.path).equals(key)) {
        if (n instanceof Tombstone) {
          names.remove(KeyPaths.name(n.path));
        } else {
          names.add(KeyPaths.name(n.path));
        }
      }
    }
    plusAliases.hideAliases(names);
    return names;
  }

  /** Nodes at or below a key (a directory being renamed), tombstones included. */
  List<Node> nodesWithin(String key) {
    return overlay.values().stream().filter(n -> KeyPaths.isWithin(n.path, key)).toList();
  }

  List<Node> nodes() {
    return List.copyOf(overlay.values());
  }

  // ---------------------------------------------------------------- nodes coming and going

  /** Puts a node under its path; a node already there is detached (a newer one replaces it). */
  void add(Node node) {
    Node previous = overlay.get(node.path);
    if (previous != null && previous != node) {
      detach(previous);
    }
    overlay.put(node.path, node);
  }

  /** Moves a node to a new path. */
  void move(Node node, String to) {
    if (overlay.get(node.path) == node) {
      overlay.remove(node.path);
    }
    node.path = to;
    overlay.put(to, node);
  }

  /** Removes a node from the overlay (not from the bucket). */
  void remove(Node node) {
    overlay.remove(node.path, node);
  }

  /**
   * Takes a node out of the namespace: its pending upload and journal record go (no request is
   * made for a file that never reached the bucket); open handles keep its content until closed.
   */
  void detach(Node node) {
    overlay.remove(node.path, node);
    node.unlinked = true;
    journal.remove(node.journalSequence);
    node.journalSequence = -1;
    queue.cancel(taskOf(node));
    if (node instanceof FileNode f && f.openCount == 0 && !f.uploading) {
      ContentFiles.deleteQuietly(f.contentFile);
    }
  }

  static WritebackTask taskOf(Node node) {
    if (node instanceof FileNode f) {
      return f.upload;
    }
    if (node instanceof SymlinkNode link) {
      return link.upload;
    }
    return ((Tombstone) node).delete;
  }

  /** Hides a name whose object is in the bucket and queues its DELETE (after the uploads). */
  void bury(String key) {
    Tombstone tombstone = new Tombstone(key, this);
    overlay.put(key, tombstone);
    try {
      tombstone.journalSequence = journal.write(-1, key, null, null, tombstone.attributes);
    } catch (IOException e) {
      // Without a record a crash would bring the object back; delete it now instead.
      bucket.delete(key);
      overlay.remove(key, tombstone);
      return;
    }
    queue.enqueue(tombstone.delete);
  }

  /**
   * A new node takes a name: a pending DELETE there is dropped (the new object overwrites the
   * old). Returns whether an object exists under the name.
   */
  boolean reviveTombstone(String key) {
    if (overlay.get(key) instanceof Tombstone tombstone) {
      detach(tombstone);
      return true;
    }
    return false;
  }

  /** Drops a clean, closed file from the overlay; its content stays as a clean cached copy. */
  void forget(FileNode node) {
    overlay.remove(node.path, node);
    if (node.contentFile != null) {
      content.keepClean(node.path, node.etag, node.contentFile, node.size);
      node.contentFile = null;
    }
  }

  /** Writes (or rewrites, under a new close-order sequence) a node's journal record. */
  void journal(Node node) throws IOException {
    String dataFile = node instanceof FileNode f ? f.contentFile.getFileName().toString() : null;
    String target = node instanceof SymlinkNode link ? link.target : null;
    node.journalSequence = journal.write(node.journalSequence, node.path, dataFile, target, node.attributes);
  }

  /** Whether a node has changes not yet in the bucket. */
  boolean isPending(Node node) {
    if (node instanceof FileNode f) {
      return f.dirty || f.uploading;
    }
    return node instanceof SymlinkNode link && link.pending;
  }

  // ---------------------------------------------------------------- symlinks

  /**
   * After a file reached the bucket: symlinks pointing at it are rewritten so that HTTP clients
   * following them get the new content. Links the mount has not met yet are found among the
   * file's siblings by the old content's ETag (a content link is a copy of its target).
   */
  void refreshLinksTo(String key, String previousEtag) {
    if (settings.symlinks() != FsSettings.SymlinkMode.COPY) {
      return;
    }
    if (previousEtag != null) {
      String dir = KeyPaths.parent(key);
      DirectoryListing listing = bucket.cachedListing(KeyPaths.dirKey(dir));
      if (listing != null) {
        for (String name : List.copyOf(listing.names())) {
          String sibling = dir.isEmpty() ? name : dir + "/" + name;
          RemoteEntry e = listing.get(name);
          if (e != null && !e.directory() && previousEtag.equals(e.etag()) && !overlay.containsKey(sibling)
              && !sibling.equals(key)) {
            resolve(sibling); // a content link becomes a SymlinkNode in the overlay
          }
        }
      }
    }
    for (Node n : List.copyOf(overlay.values())) {
      if (n instanceof SymlinkNode link && !link.unlinked
          && key.equals(KeyPaths.resolveTarget(link.path, link.target))) {
        link.pending = true;
        queue.enqueueNow(link.upload);
      }
    }
  }
}
