package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.DirectoryListing;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.JournalRecord;
import io.s3repofs.cache.RemoteEntry;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The filesystem: POSIX operations over a bucket, independent of FUSE. Paths are FUSE paths
 * ("/a/b"). Names that the mount holds state for (open, written, not yet uploaded, symlinks) live
 * in an overlay of {@link Node}s; everything else is answered from the bucket's caches.
 *
 * <p>Namespace changes (create, rename, unlink, mkdir, ...) are serialized by one lock, so a rename
 * over an existing file swaps atomically as seen through the mount. Reads and writes of open
 * files take only the file's own content lock.
 */
public final class FileSystemCore implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileSystemCore.class);

  public static final int O_ACCMODE = 3;
  public static final int O_RDONLY = 0;
  public static final int O_TRUNC = 01000;
  public static final int O_EXCL = 0200;

  final CachedBucket bucket;
  final ContentFiles content;
  final Journal journal;
  final WritebackQueue queue;
  final FsSettings settings;
  final ReentrantLock namespace = new ReentrantLock();
  private final Map<String, Node> overlay = new HashMap<>();
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final long mountTimeNanos = System.currentTimeMillis() * 1_000_000L;
  private final MetadataCodec.Defaults defaults;

  public FileSystemCore(CachedBucket bucket, ContentFiles content, Journal journal,
      WritebackQueue queue, FsSettings settings) {
    this.bucket = bucket;
    this.content = content;
    this.journal = journal;
    this.queue = queue;
    this.settings = settings;
    this.defaults = new MetadataCodec.Defaults(settings.ownerUid(), settings.ownerGid(), 0644, 0755);
  }

  // ---------------------------------------------------------------- recovery and shutdown

  /**
   * Replays the journal left by an earlier run on the same cache: every file closed but not yet
   * uploaded shows in the mount again and is queued for upload. Returns how many.
   */
  public int recover() throws IOException {
    List<JournalRecord> records = journal.load();
    Set<String> keep = new HashSet<>();
    namespace.lock();
    try {
      for (JournalRecord r : records) {
        Node node;
        if (r.isDelete()) {
          node = new Tombstone(r.key(), this);
        } else if (r.isSymlink()) {
          SymlinkNode link = new SymlinkNode(r.key(), r.symlinkTarget(), r.attributes(), this);
          link.pending = true;
          node = link;
        } else {
          Path file = content.resolve(r.dataFile());
          if (!Files.exists(file)) {
            journal.remove(r.sequence());
            continue;
          }
          keep.add(r.dataFile());
          FileNode f = new FileNode(r.key(), r.attributes(), this);
          f.contentFile = file;
          f.size = Files.size(file);
          f.dirty = true;
          f.version = 1;
          node = f;
        }
        node.remoteExists = true; // unknown: deleting a key that is absent is harmless
        node.journalSequence = r.sequence();
        Node replaced = overlay.put(r.key(), node);
        if (replaced != null) {
          replaced.unlinked = true;
        }
        queue.enqueueNow(taskOf(node));
      }
      content.deleteAllExcept(keep);
      return (int) overlay.values().stream().filter(n -> !n.unlinked && !(n instanceof Tombstone)).count();
    } finally {
      namespace.unlock();
    }
  }

  /** Uploads everything pending; returns how many uploads are still pending after the timeout. */
  public int drain(Duration timeout) throws InterruptedException {
    return queue.drain(timeout);
  }

  /** What is dirty (open and changed), for status output. */
  public List<String> dirtyOpenFiles() {
    namespace.lock();
    try {
      List<String> result = new ArrayList<>();
      for (Node n : overlay.values()) {
        if (n instanceof FileNode f && f.dirty && f.openCount > 0) {
          result.add("/" + f.path);
        }
      }
      result.sort(null);
      return result;
    } finally {
      namespace.unlock();
    }
  }

  public WritebackQueue.Status writebackStatus() {
    return queue.status();
  }

  @Override
  public void close() {
    queue.close();
    for (OpenFile handle : handles.values()) {
      handle.reader.close();
    }
  }

  // ---------------------------------------------------------------- attributes

  public FileAttributes getattr(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      return attributesOf(key, resolve(key));
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /** Attributes of an open file, also after it was unlinked. */
  public FileAttributes fgetattr(long handle) throws FsException {
    OpenFile file = handle(handle);
    namespace.lock();
    try {
      return display(file.node.attributes, file.node.size);
    } finally {
      namespace.unlock();
    }
  }

  /** A name resolved against the overlay and the bucket. */
  private sealed interface Resolved permits Root, LocalNode, RemoteFile, RemoteDirectory {}

  private record Root() implements Resolved {}

  private record LocalNode(Node node) implements Resolved {}

  private record RemoteFile(String key, RemoteEntry entry) implements Resolved {}

  private record RemoteDirectory(String key) implements Resolved {}

  /** Looks a key up; null when nothing is there. Callers hold the namespace lock. */
  private Resolved resolve(String key) {
    if (key.isEmpty()) {
      return new Root();
    }
    Node node = overlay.get(key);
    if (node instanceof Tombstone) {
      return null;
    }
    if (node != null) {
      return new LocalNode(node);
    }
    DirectoryListing listing = bucket.listing(KeyPaths.dirKey(KeyPaths.parent(key)));
    RemoteEntry entry = listing.get(KeyPaths.name(key));
    if (entry == null) {
      return null;
    }
    if (entry.directory()) {
      return new RemoteDirectory(key);
    }
    Optional<ObjectHead> head = bucket.head(key);
    if (head.isEmpty()) {
      // Gone behind our back: the listing was stale.
      listing.remove(KeyPaths.name(key));
      return null;
    }
    String linkTarget = head.get().metadata().get(MetadataCodec.SYMLINK_KEY);
    PosixAttributes attrs = decode(head.get(), false);
    if (linkTarget != null || attrs.isSymlink()) {
      String target = linkTarget != null ? linkTarget
          : new String(bucket.readAll(key), StandardCharsets.UTF_8);
      SymlinkNode link = new SymlinkNode(key, target, attrs.withMode(PosixAttributes.S_IFLNK | 0777), this);
      link.remoteExists = true;
      overlay.put(key, link);
      return new LocalNode(link);
    }
    return new RemoteFile(key, RemoteEntry.file(head.get().size(), head.get().etag(), head.get().lastModified()));
  }

  private Resolved resolveExisting(String key) throws FsException {
    Resolved r = resolve(key);
    if (r == null) {
      throw new FsException(Errno.ENOENT, "/" + key + ": no such file or directory");
    }
    return r;
  }

  private PosixAttributes decode(ObjectHead head, boolean directory) {
    return MetadataCodec.decode(head.metadata(), directory, head.lastModified(), defaults);
  }

  private FileAttributes attributesOf(String key, Resolved r) throws FsException {
    if (r == null) {
      throw new FsException(Errno.ENOENT, "/" + key + ": no such file or directory");
    }
    if (r instanceof Root) {
      PosixAttributes root = new PosixAttributes(PosixAttributes.S_IFDIR | 0777 & ~mountPointUmask(),
          settings.ownerUid(), settings.ownerGid(), mountTimeNanos, mountTimeNanos, mountTimeNanos);
      return display(root, 4096);
    }
    if (r instanceof LocalNode local) {
      Node n = local.node();
      long size = n instanceof FileNode f ? f.size
          : ((SymlinkNode) n).target.getBytes(StandardCharsets.UTF_8).length;
      return display(n.attributes, size);
    }
    if (r instanceof RemoteFile file) {
      ObjectHead head = bucket.head(file.key()).orElseThrow(
          () -> new FsException(Errno.ENOENT, "/" + key + ": no such file or directory"));
      return display(decode(head, false), head.size());
    }
    return display(directoryAttributes(key), 4096);
  }

  private PosixAttributes directoryAttributes(String key) {
    Optional<ObjectHead> marker = bucket.head(KeyPaths.dirKey(key));
    if (marker.isPresent()) {
      return decode(marker.get(), true);
    }
    return new PosixAttributes(PosixAttributes.S_IFDIR | 0755, settings.ownerUid(), settings.ownerGid(),
        mountTimeNanos, mountTimeNanos, mountTimeNanos);
  }

  private int mountPointUmask() {
    return settings.mountPointUmask() < 0 ? 0 : settings.mountPointUmask();
  }

  /** Applies the mount's uid, gid and umask options to stored attributes. */
  private FileAttributes display(PosixAttributes a, long size) {
    int mode = a.mode();
    if (settings.umask() >= 0 && !a.isSymlink()) {
      mode = (mode & ~07777) | (mode & 07777 & ~settings.umask());
    }
    int uid = settings.forcedUid() >= 0 ? settings.forcedUid() : a.uid();
    int gid = settings.forcedGid() >= 0 ? settings.forcedGid() : a.gid();
    return new FileAttributes(mode, uid, gid, size, a.atimeNanos(), a.mtimeNanos(), a.ctimeNanos(),
        a.isDirectory() ? 2 : 1);
  }

  // ---------------------------------------------------------------- directories

  /** The names in a directory, without "." and "..". */
  public List<String> readdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireDirectory(key);
      TreeSet<String> names = new TreeSet<>(bucket.listing(KeyPaths.dirKey(key)).names());
      for (Node n : overlay.values()) {
        if (!n.unlinked && KeyPaths.parent(n.path).equals(key) && !n.path.isEmpty()) {
          if (n instanceof Tombstone) {
            names.remove(KeyPaths.name(n.path));
          } else {
            names.add(KeyPaths.name(n.path));
          }
        }
      }
      return new ArrayList<>(names);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  private void requireDirectory(String key) throws FsException {
    Resolved r = resolveExisting(key);
    if (!(r instanceof Root || r instanceof RemoteDirectory)) {
      throw new FsException(Errno.ENOTDIR, "/" + key + ": not a directory");
    }
  }

  public void mkdir(String fusePath, int mode, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      requireAbsent(key);
      requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFDIR | (mode & 07777), uid, gid, now, now, now);
      String dirKey = KeyPaths.dirKey(key);
      bucket.putDirectoryMarker(dirKey, MetadataCodec.encode(attrs));
      bucket.rememberEmptyDirectory(dirKey);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  public void rmdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      if (key.isEmpty()) {
        throw new FsException(Errno.EBUSY, "cannot remove the mount point");
      }
      requireDirectory(key);
      requireEmptyDirectory(key);
      String dirKey = KeyPaths.dirKey(key);
      if (bucket.listing(dirKey).markerPresent() || bucket.head(dirKey).isPresent()) {
        bucket.delete(dirKey);
      }
      bucket.forgetDirectory(dirKey);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  private void requireEmptyDirectory(String key) throws FsException {
    boolean remoteChildren = false;
    for (String name : bucket.listing(KeyPaths.dirKey(key)).names()) {
      if (!(overlay.get(key.isEmpty() ? name : key + "/" + name) instanceof Tombstone)) {
        remoteChildren = true;
        break;
      }
    }
    if (remoteChildren || hasOverlayChildren(key)) {
      throw new FsException(Errno.ENOTEMPTY, "/" + key + ": directory not empty");
    }
  }

  private boolean hasOverlayChildren(String key) {
    for (Node n : overlay.values()) {
      if (!n.unlinked && !(n instanceof Tombstone) && KeyPaths.isWithin(n.path, key) && !n.path.equals(key)) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- open, create, read, write

  /** Creates and opens a regular file; EEXIST when the name is taken. */
  public long create(String fusePath, int mode, int flags, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      Resolved existing = resolve(key);
      if (existing != null) {
        if ((flags & O_EXCL) != 0) {
          throw new FsException(Errno.EEXIST, "/" + key + ": file exists");
        }
        namespace.unlock();
        try {
          return open(fusePath, flags);
        } finally {
          namespace.lock();
        }
      }
      requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFREG | (mode & 07777), uid, gid, now, now, now);
      FileNode node = new FileNode(key, attrs, this);
      node.contentFile = content.newFile();
      node.dirty = true;
      node.version = 1;
      node.remoteExists = reviveTombstone(key);
      overlay.put(key, node);
      return openNode(node, true);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  public long open(String fusePath, int flags) throws FsException {
    String key = KeyPaths.key(fusePath);
    boolean writable = (flags & O_ACCMODE) != O_RDONLY;
    namespace.lock();
    try {
      if (writable || (flags & O_TRUNC) != 0) {
        requireWritable();
      }
      FileNode node = fileNodeFor(key, resolveExisting(key));
      if ((flags & O_TRUNC) != 0 && writable) {
        truncateNode(node, 0);
      }
      return openNode(node, writable);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /** The overlay node of a regular file, made from its object when the mount holds none yet. */
  private FileNode fileNodeFor(String key, Resolved r) throws FsException {
    if (r instanceof LocalNode local) {
      if (local.node() instanceof FileNode f) {
        return f;
      }
      throw new FsException(Errno.ELOOP, "/" + key + ": is a symlink");
    }
    if (!(r instanceof RemoteFile remote)) {
      throw new FsException(Errno.EISDIR, "/" + key + ": is a directory");
    }
    ObjectHead head = bucket.head(key).orElseThrow(
        () -> new FsException(Errno.ENOENT, "/" + key + ": no such file or directory"));
    FileNode node = new FileNode(key, decode(head, false), this);
    node.size = head.size();
    node.etag = head.etag();
    node.remoteExists = true;
    node.contentFile = content.takeClean(key, head.etag());
    overlay.put(key, node);
    return node;
  }

  private long openNode(FileNode node, boolean writable) throws IOException {
    if (writable) {
      // Reopened for writing: it goes up again after this close (in close order), not before.
      queue.cancel(node.upload);
    }
    node.openCount++;
    if (node.contentFile != null && node.channel == null) {
      node.channel = FileChannel.open(node.contentFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    long handle = nextHandle.getAndIncrement();
    handles.put(handle, new OpenFile(node, writable));
    return handle;
  }

  public int read(long handle, long offset, byte[] buffer, int length) throws FsException {
    OpenFile file = handle(handle);
    FileNode node = file.node;
    node.contentLock.readLock().lock();
    try {
      if (node.contentFile == null) {
        return file.reader.read(bucket, node.path, node.size, offset, buffer, length);
      }
      long available = node.size - offset;
      if (available <= 0) {
        return 0;
      }
      ByteBuffer target = ByteBuffer.wrap(buffer, 0, (int) Math.min(length, available));
      int total = 0;
      while (target.hasRemaining()) {
        int n = node.channel.read(target, offset + total);
        if (n < 0) {
          // Sparse tail past the data written: zeros.
          int rest = target.remaining();
          target.put(new byte[rest]);
          total += rest;
          break;
        }
        total += n;
      }
      return total;
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      node.contentLock.readLock().unlock();
    }
  }

  public int write(long handle, long offset, byte[] data, int length) throws FsException {
    OpenFile file = handle(handle);
    if (!file.writable) {
      throw new FsException(Errno.EBADF, "not open for writing");
    }
    FileNode node = file.node;
    node.contentLock.writeLock().lock();
    try {
      ensureLocalContent(node);
      ByteBuffer source = ByteBuffer.wrap(data, 0, length);
      long position = offset;
      while (source.hasRemaining()) {
        position += node.channel.write(source, position);
      }
      node.size = Math.max(node.size, offset + length);
      touchContent(node);
      return length;
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  /** Marks a file changed: dirty, a new version, new mtime and ctime. */
  private void touchContent(FileNode node) {
    long now = now();
    node.dirty = true;
    node.version++;
    PosixAttributes a = node.attributes;
    node.attributes = a.withTimes(a.atimeNanos(), now, now);
  }

  /** Brings a file's content from the bucket to the cache before it is changed. */
  private void ensureLocalContent(FileNode node) throws IOException {
    if (node.contentFile != null) {
      return;
    }
    Path file = content.newFile();
    if (node.size > 0) {
      try (InputStream in = bucket.read(node.path, 0, node.size - 1);
           OutputStream out = Files.newOutputStream(file)) {
        in.transferTo(out);
      } catch (IOException | RuntimeException e) {
        ContentFiles.deleteQuietly(file);
        throw e;
      }
    }
    node.contentFile = file;
    node.channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  public void truncate(String fusePath, long size) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      FileNode node = fileNodeFor(key, resolveExisting(key));
      truncateNode(node, size);
      if (node.openCount == 0) {
        closed(node);
      }
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  public void ftruncate(long handle, long size) throws FsException {
    OpenFile file = handle(handle);
    try {
      truncateNode(file.node, size);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    }
  }

  private void truncateNode(FileNode node, long size) throws IOException, FsException {
    if (size < 0) {
      throw new FsException(Errno.EINVAL, "negative size");
    }
    node.contentLock.writeLock().lock();
    try {
      if (size == 0 && node.contentFile == null) {
        node.contentFile = content.newFile();
      }
      ensureLocalContent(node);
      if (node.channel == null) {
        node.channel = FileChannel.open(node.contentFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
      }
      if (size < node.channel.size()) {
        node.channel.truncate(size);
      } else if (size > node.channel.size()) {
        node.channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
      }
      node.size = size;
      touchContent(node);
    } finally {
      node.contentLock.writeLock().unlock();
    }
  }

  public void flush(long handle) throws FsException {
    handle(handle);
  }

  /** Returns once the file's content is in the bucket (files closed before it go first). */
  public void fsync(long handle) throws FsException {
    FileNode node = handle(handle).node;
    namespace.lock();
    try {
      if (!node.dirty || node.unlinked) {
        return;
      }
      journalNode(node);
      queue.enqueueNow(node.upload);
    } catch (IOException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
    try {
      queue.awaitUploaded(node.upload);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EIO, "interrupted");
    }
    if (node.dirty && !node.unlinked && node.openCount == 0) {
      throw new FsException(Errno.EIO, "/" + node.path + ": upload failed: " + queue.status().lastError());
    }
  }

  public void release(long handle) throws FsException {
    OpenFile file = handles.remove(handle);
    if (file == null) {
      throw new FsException(Errno.EBADF, "bad file handle");
    }
    file.reader.close();
    FileNode node = file.node;
    namespace.lock();
    try {
      node.openCount--;
      if (node.openCount > 0) {
        return;
      }
      if (node.channel != null) {
        node.channel.close();
        node.channel = null;
      }
      if (node.unlinked) {
        if (!node.uploading) {
          ContentFiles.deleteQuietly(node.contentFile);
        }
        return;
      }
      closed(node);
    } catch (IOException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /** A file's last handle closed (or it changed while closed): queue it, or let it go. */
  private void closed(FileNode node) throws IOException {
    if (node.channel != null && node.openCount == 0) {
      node.channel.close();
      node.channel = null;
    }
    if (node.dirty) {
      try {
        journalNode(node);
      } catch (IOException e) {
        // A full cache disk: the content is safe in its data file; only crash safety is lost.
        LOG.warn("cannot journal /{} ({}); it is queued, but would not survive a crash", node.path, e.getMessage());
      }
      queue.enqueue(node.upload);
    } else if (!node.uploading && !queue.isQueued(node.upload)) {
      forget(node);
    }
  }

  /** Drops a clean, closed file from the overlay; its content stays as a clean cached copy. */
  void forget(FileNode node) {
    if (overlay.get(node.path) == node) {
      overlay.remove(node.path);
    }
    if (node.contentFile != null) {
      content.keepClean(node.path, node.etag, node.contentFile, node.size);
      node.contentFile = null;
    }
  }

  void journalNode(Node node) throws IOException {
    String dataFile = null;
    String target = null;
    if (node instanceof FileNode f) {
      dataFile = f.contentFile.getFileName().toString();
    } else if (node instanceof SymlinkNode link) {
      target = link.target;
    }
    node.journalSequence = journal.write(node.journalSequence, node.path, dataFile, target, node.attributes);
  }

  private OpenFile handle(long handle) throws FsException {
    OpenFile file = handles.get(handle);
    if (file == null) {
      throw new FsException(Errno.EBADF, "bad file handle");
    }
    return file;
  }

  // ---------------------------------------------------------------- unlink, rename, links

  public void unlink(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      Resolved r = resolveExisting(key);
      if (r instanceof Root || r instanceof RemoteDirectory) {
        throw new FsException(Errno.EISDIR, "/" + key + ": is a directory");
      }
      if (r instanceof LocalNode local) {
        boolean remote = local.node().remoteExists;
        detach(local.node());
        if (remote) {
          bury(key);
        }
      } else {
        bury(key);
      }
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /**
   * Takes a node out of the namespace: its pending upload and journal record go (no request is
   * made for a file that never reached the bucket); open handles keep its content until closed.
   */
  private void detach(Node node) {
    overlay.remove(node.path);
    node.unlinked = true;
    journal.remove(node.journalSequence);
    node.journalSequence = -1;
    queue.cancel(taskOf(node));
    if (node instanceof FileNode f && f.openCount == 0 && !f.uploading) {
      ContentFiles.deleteQuietly(f.contentFile);
    }
  }

  private static io.s3repofs.cache.WritebackTask taskOf(Node node) {
    if (node instanceof FileNode f) {
      return f.upload;
    }
    if (node instanceof SymlinkNode link) {
      return link.upload;
    }
    return ((Tombstone) node).delete;
  }

  /** Hides a name whose object is in the bucket and queues its DELETE. */
  private void bury(String key) {
    Tombstone tombstone = new Tombstone(key, this);
    overlay.put(key, tombstone);
    try {
      tombstone.journalSequence = journal.write(-1, key, null, null, tombstone.attributes);
    } catch (IOException e) {
      // Without a record a crash would bring the object back; delete it now instead.
      bucket.delete(key);
      overlay.remove(key);
      return;
    }
    queue.enqueue(tombstone.delete);
  }

  /**
   * A new node takes a name: a pending DELETE there is dropped (the new object overwrites the
   * old). Returns whether an object exists under the name.
   */
  private boolean reviveTombstone(String key) {
    if (overlay.get(key) instanceof Tombstone tombstone) {
      detach(tombstone);
      return true;
    }
    return false;
  }

  public void rename(String fromPath, String toPath) throws FsException {
    String from = KeyPaths.key(fromPath);
    String to = KeyPaths.key(toPath);
    namespace.lock();
    try {
      requireWritable();
      if (from.isEmpty() || to.isEmpty()) {
        throw new FsException(Errno.EBUSY, "cannot rename the mount point");
      }
      Resolved source = resolveExisting(from);
      if (from.equals(to)) {
        return;
      }
      requireDirectory(KeyPaths.parent(to));
      Resolved target = resolve(to);
      if (source instanceof RemoteDirectory) {
        if (KeyPaths.isWithin(to, from)) {
          throw new FsException(Errno.EINVAL, "cannot move a directory into itself");
        }
        if (target != null) {
          if (!(target instanceof RemoteDirectory)) {
            throw new FsException(Errno.ENOTDIR, "/" + to + ": not a directory");
          }
          requireEmptyDirectory(to);
          String targetDirKey = KeyPaths.dirKey(to);
          if (bucket.head(targetDirKey).isPresent()) {
            bucket.delete(targetDirKey);
          }
        }
        renameDirectory(from, to);
        return;
      }
      if (target instanceof RemoteDirectory) {
        throw new FsException(Errno.EISDIR, "/" + to + ": is a directory");
      }
      boolean objectAtTarget = target instanceof RemoteFile || reviveTombstone(to);
      if (target instanceof LocalNode replaced) {
        objectAtTarget = replaced.node().remoteExists;
        detach(replaced.node());
      }
      if (source instanceof LocalNode local) {
        moveNode(local.node(), to, objectAtTarget);
      } else {
        bucket.copy(from, to, null);
        bury(from);
      }
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /**
   * Moves a node. One not yet in the bucket just changes its name (its upload goes to the new
   * key, nothing is sent for the old one); one whose object is current is copied server-side.
   */
  private void moveNode(Node node, String to, boolean objectAtTarget) throws IOException {
    String from = node.path;
    boolean pending = node instanceof FileNode f ? f.dirty || f.uploading : ((SymlinkNode) node).pending;
    overlay.remove(from);
    if (pending) {
      if (node.remoteExists) {
        bury(from); // an older version under the old name
      }
      node.remoteExists = objectAtTarget;
    } else {
      bucket.copy(from, to, null);
      bury(from);
      node.remoteExists = true;
    }
    node.path = to;
    overlay.put(to, node);
    if (node.journalSequence >= 0) {
      journalNode(node);
    }
    if (node instanceof FileNode f && f.contentFile == null && !pending) {
      f.etag = bucket.head(to).map(ObjectHead::etag).orElse(f.etag);
    }
  }

  private void renameDirectory(String from, String to) throws IOException {
    String fromDir = KeyPaths.dirKey(from);
    String toDir = KeyPaths.dirKey(to);
    List<Node> moved = new ArrayList<>();
    Set<String> buried = new HashSet<>();
    for (Node n : List.copyOf(overlay.values())) {
      if (n instanceof Tombstone t && KeyPaths.isWithin(n.path, from)) {
        buried.add(t.path);
        detach(t); // deleted below, with the rest of the old tree
      } else if (KeyPaths.isWithin(n.path, from)) {
        moved.add(n);
      }
    }
    Set<String> pendingKeys = new HashSet<>();
    for (Node n : moved) {
      boolean pending = n instanceof FileNode f ? f.dirty || f.uploading : ((SymlinkNode) n).pending;
      if (pending) {
        pendingKeys.add(n.path);
      }
    }
    for (ListedObject o : bucket.listRecursive(fromDir)) {
      String rest = o.key().substring(fromDir.length());
      if (!pendingKeys.contains(o.key()) && !buried.contains(o.key())) {
        bucket.copy(o.key(), toDir + rest, null);
      }
      bucket.delete(o.key());
    }
    for (Node n : moved) {
      overlay.remove(n.path);
    }
    for (Node n : moved) {
      String oldPath = n.path;
      n.path = to + oldPath.substring(from.length());
      // Current objects were copied; pending ones were not (their old versions are deleted).
      n.remoteExists = !pendingKeys.contains(oldPath);
      overlay.put(n.path, n);
      if (n.journalSequence >= 0) {
        journalNode(n);
      }
    }
    bucket.forgetTree(fromDir);
    bucket.forgetTree(toDir);
    bucket.forgetDirectory(fromDir);
    bucket.rememberDirectory(toDir);
  }

  public void symlink(String target, String linkPath, int uid, int gid) throws FsException {
    String key = KeyPaths.key(linkPath);
    namespace.lock();
    try {
      requireWritable();
      requireAbsent(key);
      requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFLNK | 0777, uid, gid, now, now, now);
      SymlinkNode link = new SymlinkNode(key, target, attrs, this);
      link.pending = true;
      link.remoteExists = reviveTombstone(key);
      overlay.put(key, link);
      journalNode(link);
      queue.enqueue(link.upload);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  public String readlink(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      if (resolveExisting(key) instanceof LocalNode local && local.node() instanceof SymlinkNode link) {
        return link.target;
      }
      throw new FsException(Errno.EINVAL, "/" + key + ": not a symlink");
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  /** Hard links cannot be kept in an object store; tools such as repo-add fall back to mv or cp. */
  public void link(String fromPath, String toPath) throws FsException {
    throw new FsException(Errno.EPERM, "hard links are not supported");
  }

  // ---------------------------------------------------------------- attributes: chmod, chown, utimens

  public void chmod(String fusePath, int mode) throws FsException {
    changeAttributes(fusePath, a -> a.withMode((a.mode() & PosixAttributes.S_IFMT) | (mode & 07777)));
  }

  /** Changes owner and group; -1 keeps the current value. */
  public void chown(String fusePath, int uid, int gid) throws FsException {
    changeAttributes(fusePath, a -> a.withOwner(uid < 0 ? a.uid() : uid, gid < 0 ? a.gid() : gid));
  }

  /** Sets access and modification times (nanoseconds); a negative value keeps the current one. */
  public void utimens(String fusePath, long atimeNanos, long mtimeNanos) throws FsException {
    changeAttributes(fusePath, a -> a.withTimes(atimeNanos < 0 ? a.atimeNanos() : atimeNanos,
        mtimeNanos < 0 ? a.mtimeNanos() : mtimeNanos, a.ctimeNanos()));
  }

  private void changeAttributes(String fusePath, java.util.function.UnaryOperator<PosixAttributes> change)
      throws FsException {
    String key = KeyPaths.key(fusePath);
    namespace.lock();
    try {
      requireWritable();
      Resolved r = resolveExisting(key);
      long now = now();
      if (r instanceof Root) {
        return; // the mount point's attributes come from the mount options
      }
      if (r instanceof LocalNode local) {
        Node n = local.node();
        PosixAttributes changed = change.apply(n.attributes);
        n.attributes = changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now);
        boolean pending = n instanceof FileNode f ? f.dirty || f.uploading || queue.isQueued(f.upload)
            : ((SymlinkNode) n).pending;
        if (n instanceof FileNode f) {
          f.version++;
        }
        if (pending) {
          if (n.journalSequence >= 0) {
            journalNode(n);
          }
        } else if (n instanceof FileNode f) {
          f.etag = bucket.copy(key, key, MetadataCodec.encode(n.attributes));
        }
        // A stored symlink's attributes are not shown by anything; they stay as they are.
        return;
      }
      if (r instanceof RemoteFile) {
        PosixAttributes a = decode(bucket.head(key).orElseThrow(
            () -> new FsException(Errno.ENOENT, "/" + key + ": no such file or directory")), false);
        PosixAttributes changed = change.apply(a);
        bucket.copy(key, key, MetadataCodec.encode(changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now)));
        return;
      }
      PosixAttributes changed = change.apply(directoryAttributes(key));
      bucket.putDirectoryMarker(KeyPaths.dirKey(key),
          MetadataCodec.encode(changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now)));
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      namespace.unlock();
    }
  }

  // ---------------------------------------------------------------- upload callbacks

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

  /** The node a symlink's target names, for {@link SymlinkUpload}; null when there is none. */
  Object lookupForLink(String key) {
    Resolved r = resolve(key);
    if (r instanceof LocalNode local) {
      return local.node();
    }
    if (r instanceof RemoteFile remote) {
      return remote.entry();
    }
    return r == null ? null : "directory";
  }

  Map<String, Node> overlay() {
    return overlay;
  }

  // ---------------------------------------------------------------- helpers

  private void requireAbsent(String key) throws FsException {
    if (resolve(key) != null) {
      throw new FsException(Errno.EEXIST, "/" + key + ": file exists");
    }
  }

  private void requireWritable() throws FsException {
    if (settings.readOnly()) {
      throw new FsException(Errno.EROFS, "read-only mount");
    }
  }

  static long now() {
    java.time.Instant i = java.time.Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
