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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The names of the filesystem: the overlay of {@link Node}s the mount holds state for, over the
 * bucket's cached listings. Resolves paths, and keeps overlay, journal and upload queue in step
 * when a node comes or goes. Every method expects {@link #lock} to be held.
 *
 * <p>{@link #lock} is the state lock: it guards the overlay and the fields of every node, and is
 * held only for memory and local-disk bookkeeping. Lookups under it use the bucket's caches
 * only; a miss ({@link CachedBucket.CacheMiss}) makes {@link #underLock} release the lock, fetch,
 * and run the operation again from the start — so operations look everything up before they
 * change anything. Operations that must make S3 requests to change names do so holding their
 * {@link PathLocks} only.
 */
final class Namespace {

  private static final Logger LOG = LoggerFactory.getLogger(Namespace.class);

  /** The state lock (see the class comment). */
  final ReentrantLock lock = new ReentrantLock();
  /** Signalled (with {@link #lock} held) when an upload of a file completes or fails. */
  final java.util.concurrent.locks.Condition uploadsChanged = lock.newCondition();
  final PathLocks paths = new PathLocks();
  /** Bodies of s3fs-style symlink objects (key + ETag -> target), read outside the lock. */
  private final Map<String, String> linkBodies = new java.util.concurrent.ConcurrentHashMap<>();
  /** Set on a thread whose operation missed the cache too often: it may fetch under the lock. */
  private static final ThreadLocal<Boolean> FETCH_UNDER_LOCK = ThreadLocal.withInitial(() -> false);
  /**
   * What this thread's current operation fetched after its cache misses ("LIST dir/", "HEAD key"),
   * so that its rerun finds them even if the cache evicted them meanwhile: an operation misses at
   * most once per lookup, and never needs to fetch under the lock.
   */
  private static final ThreadLocal<Map<String, Object>> FETCHED = new ThreadLocal<>();
  /** Only as a last resort (a rerun that keeps looking up new keys): then it fetches under the lock. */
  private static final int MAX_MISSES = 64;
  final CachedBucket bucket;
  final ContentFiles content;
  final Journal journal;
  final WritebackQueue queue;
  final FsSettings settings;
  final MetadataCodec.Defaults defaults;
  final PlusAliases plusAliases;
  final CommitPoints commitPoints;
  final PartStreams streams;
  @com.google.errorprone.annotations.concurrent.GuardedBy("lock")
  private final Map<String, Node> overlay = new HashMap<>();

  Namespace(CachedBucket bucket, ContentFiles content, Journal journal, WritebackQueue queue, FsSettings settings) {
    this.bucket = bucket;
    this.content = content;
    this.journal = journal;
    this.queue = queue;
    this.settings = settings;
    this.defaults = new MetadataCodec.Defaults(settings.ownerUid(), settings.ownerGid(), 0644, 0755);
    this.plusAliases = new PlusAliases(bucket, settings.plusAliases());
    this.commitPoints = new CommitPoints(settings.uploadOnClose());
    this.streams = new PartStreams(bucket, commitPoints, settings.streamUploads());
  }

  /** An operation that runs under the state lock; it may be run again after a cache miss. */
  @FunctionalInterface
  interface Body<T> {
    T run() throws FsException, IOException;
  }

  /**
   * Runs {@code body} with the state lock held. When it needs something the caches do not hold,
   * the lock is released, the request made, and the body run again from the start.
   */
  <T> T underLock(Body<T> body) throws FsException, IOException {
    Map<String, Object> outer = FETCHED.get();
    Map<String, Object> fetched = new HashMap<>();
    FETCHED.set(fetched);
    try {
      for (int misses = 0; ; misses++) {
        CachedBucket.CacheMiss miss;
        boolean fallback = misses >= MAX_MISSES;
        if (fallback && misses == MAX_MISSES) {
          LOG.warn("an operation missed the cache {} times; it looks up what is left under the lock", misses);
        }
        lock.lock();
        try {
          FETCH_UNDER_LOCK.set(fallback);
          return body.run();
        } catch (CachedBucket.CacheMiss m) {
          miss = m;
        } finally {
          FETCH_UNDER_LOCK.set(false);
          lock.unlock();
        }
        fetched.put(miss.getMessage(), miss.fetch());
      }
    } finally {
      FETCHED.set(outer);
    }
  }

  /** What the current operation fetched under {@code what} after a miss, or null. */
  private static Object fetched(String what) {
    Map<String, Object> fetched = FETCHED.get();
    return fetched == null ? null : fetched.get(what);
  }

  /** A directory's listing: from the cache, or a {@link CachedBucket.CacheMiss}. */
  DirectoryListing listing(String dirKey) {
    if (FETCH_UNDER_LOCK.get()) {
      return bucket.listing(dirKey);
    }
    DirectoryListing cached = bucket.cachedListing(dirKey);
    if (cached == null && fetched("LIST " + dirKey) instanceof DirectoryListing justFetched) {
      return justFetched;
    }
    return bucket.listingOrMiss(dirKey);
  }

  /** An object's HEAD: from the cache, or a {@link CachedBucket.CacheMiss}. */
  @SuppressWarnings("unchecked")
  Optional<ObjectHead> head(String key) {
    if (FETCH_UNDER_LOCK.get()) {
      return bucket.head(key);
    }
    Optional<ObjectHead> cached = bucket.cachedHead(key);
    if (cached == null && fetched("HEAD " + key) instanceof Optional<?> justFetched) {
      return (Optional<ObjectHead>) justFetched;
    }
    return bucket.headOrMiss(key);
  }

  /**
   * An object's HEAD for stat: as {@link #head}, except that with {@code stat_from_list} a key
   * whose HEAD is not cached gets one made up from its LIST entry (size, ETag, Last-Modified; no
   * metadata, so default mode and owner) and a directory marker none (an implicit directory's
   * defaults): no request.
   */
  Optional<ObjectHead> statHead(String key) {
    if (settings.statFromList()) {
      Optional<ObjectHead> cached = bucket.cachedHead(key);
      if (cached != null) {
        return cached;
      }
      RemoteEntry listed = bucket.listedEntry(key);
      if (listed != null) {
        return listed.directory() ? Optional.empty()
            : Optional.of(new ObjectHead(listed.size(), listed.etag(), listed.lastModified(), Map.of()));
      }
    }
    return head(key);
  }

  // ---------------------------------------------------------------- lookups

  /** Looks a key up; null when nothing is there. */
  Resolved resolve(String key) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
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
    DirectoryListing listing = listing(KeyPaths.dirKey(KeyPaths.parent(key)));
    RemoteEntry entry = listing.get(KeyPaths.name(key));
    if (entry == null) {
      return null;
    }
    if (entry.directory()) {
      return new Resolved.RemoteDirectory(key);
    }
    Optional<ObjectHead> head = statHead(key);
    if (head.isEmpty()) {
      listing.remove(KeyPaths.name(key)); // gone behind our back: the listing was stale
      return null;
    }
    String linkTarget = head.get().metadata().get(MetadataCodec.SYMLINK_KEY);
    PosixAttributes attrs = decode(head.get(), false);
    if (linkTarget != null || attrs.isSymlink()) {
      String target = linkTarget != null ? linkTarget : linkBody(key, head.get().etag());
      SymlinkNode link = new SymlinkNode(key, target, attrs.withMode(PosixAttributes.S_IFLNK | 0777), this);
      link.remoteExists = true;
      overlay.put(key, link);
      return new Resolved.Local(link);
    }
    return new Resolved.RemoteFile(key, RemoteEntry.file(head.get().size(), head.get().etag(), head.get().lastModified()));
  }

  /** The target stored as the body of an s3fs-style link object, read outside the lock. */
  private String linkBody(String key, String etag) {
    String cacheKey = key + "\n" + etag;
    String body = linkBodies.get(cacheKey);
    if (body == null) {
      if (FETCH_UNDER_LOCK.get()) {
        return new String(bucket.readAll(key), StandardCharsets.UTF_8);
      }
      throw new CachedBucket.CacheMiss("GET " + key, () ->
          linkBodies.put(cacheKey, new String(bucket.readAll(key), StandardCharsets.UTF_8)));
    }
    return body;
  }

  /** The overlay's node (or tombstone) under a key, or null. */
  Node overlayNode(String key) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    return overlay.get(key);
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
    assert lock.isHeldByCurrentThread() : "state lock not held";
    Set<String> listed = listing(KeyPaths.dirKey(key)).names();
    for (String name : listed) {
      // A '+' alias goes with its name: it counts only through that name (deleted or not).
      if (!(overlay.get(key.isEmpty() ? name : key + "/" + name) instanceof Tombstone)
          && !plusAliases.isAliasAmong(name, listed)) {
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
    assert lock.isHeldByCurrentThread() : "state lock not held";
    Set<String> names = new java.util.TreeSet<>(listing(KeyPaths.dirKey(key)).names());
    Set<String> deleted = new java.util.HashSet<>();
    for (Node n : overlay.values()) {
      if (!n.unlinked && !n.path.isEmpty() && KeyPaths.parent(n.path).equals(key)) {
        if (n instanceof Tombstone) {
          deleted.add(KeyPaths.name(n.path));
        } else {
          names.add(KeyPaths.name(n.path));
        }
      }
    }
    // Aliases of names whose DELETE is still queued are hidden too (they go with them).
    plusAliases.hideAliases(names);
    names.removeAll(deleted);
    return names;
  }

  /** Nodes at or below a key (a directory being renamed), tombstones included. */
  List<Node> nodesWithin(String key) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    return overlay.values().stream().filter(n -> KeyPaths.isWithin(n.path, key)).toList();
  }

  List<Node> nodes() {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    return List.copyOf(overlay.values());
  }

  // ---------------------------------------------------------------- nodes coming and going

  /** Puts a node under its path; a node already there is detached (a newer one replaces it). */
  void add(Node node) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    Node previous = overlay.get(node.path);
    if (previous != null && previous != node) {
      detach(previous);
    }
    overlay.put(node.path, node);
  }

  /** Moves a node to a new path. */
  void move(Node node, String to) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    if (overlay.get(node.path) == node) {
      overlay.remove(node.path);
    }
    node.path = to;
    overlay.put(to, node);
  }

  /** Removes a node from the overlay (not from the bucket). */
  void remove(Node node) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    overlay.remove(node.path, node);
  }

  /**
   * Takes a node out of the namespace: its pending upload and journal record go (no request is
   * made for a file that never reached the bucket); open handles keep its content until closed.
   */
  void detach(Node node) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    overlay.remove(node.path, node);
    node.unlinked = true;
    journal.remove(node.journalSequence);
    node.journalSequence = -1;
    queue.cancel(taskOf(node));
    if (node instanceof FileNode f) {
      f.closed = null;
      releaseFiles(f);
    }
  }

  /**
   * Deletes the data files of a detached file that nothing uses any more: not an open handle,
   * not an upload in flight (which cleans up when it ends).
   */
  void releaseFiles(FileNode f) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    if (!f.unlinked || f.uploading != null) {
      return;
    }
    streams.release(f);
    if (f.openCount == 0) {
      ContentFiles.deleteQuietly(f.contentFile);
      f.contentFile = null;
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
    assert lock.isHeldByCurrentThread() : "state lock not held";
    Tombstone tombstone = new Tombstone(key, this);
    overlay.put(key, tombstone);
    try {
      tombstone.journalSequence = journal.write(-1, key, null, null, tombstone.attributes);
    } catch (IOException e) {
      // A full cache disk: the delete is still queued, but a crash before it runs brings the name back.
      LOG.warn("cannot journal the delete of /{} ({}); it would not survive a crash", key, e.getMessage());
    }
    queue.enqueue(tombstone.delete);
  }

  /**
   * A new node takes a name: a pending DELETE there is dropped (the new object overwrites the
   * old). Returns whether an object exists under the name.
   */
  boolean reviveTombstone(String key) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    if (overlay.get(key) instanceof Tombstone tombstone) {
      detach(tombstone);
      return true;
    }
    return false;
  }

  /** Drops a clean, closed file from the overlay; its content stays as a clean cached copy. */
  void forget(FileNode node) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    overlay.remove(node.path, node);
    if (node.contentFile != null) {
      content.keepClean(node.path, node.etag, node.contentFile, node.size);
      node.contentFile = null;
      node.contentShared = false;
    }
  }

  /** Writes (or rewrites, under a new close-order sequence) a node's journal record. */
  void journal(Node node) throws IOException {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    String dataFile = null;
    PosixAttributes attrs = node.attributes;
    if (node instanceof FileNode f) {
      if (f.closed == null) {
        return; // nothing promised: the journal holds closed states only
      }
      dataFile = f.closed.file().getFileName().toString();
      attrs = f.closed.attributes();
    }
    String target = node instanceof SymlinkNode link ? link.target : null;
    node.journalSequence = journal.write(node.journalSequence, node.path, dataFile, target, attrs);
  }

  /** Whether a node has changes not yet in the bucket. */
  boolean isPending(Node node) {
    assert lock.isHeldByCurrentThread() : "state lock not held";
    if (node instanceof FileNode f) {
      return f.pending() || f.dirty();
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
    assert lock.isHeldByCurrentThread() : "state lock not held";
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
          // An alias of a '+' name is a copy too (same ETag), but no link: it goes with its name.
          if (e != null && !e.directory() && previousEtag.equals(e.etag()) && !overlay.containsKey(sibling)
              && !sibling.equals(key) && !plusAliases.isAliasAmong(name, listing.names())) {
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
