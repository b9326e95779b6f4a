package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.JournalRecord;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filesystem: POSIX operations over a bucket, independent of FUSE. Paths are FUSE paths
 * ("/a/b"). Names that the mount holds state for (open, written, not yet uploaded, symlinks,
 * deletes not yet sent) live in the {@link Namespace}'s overlay; everything else is answered from
 * the bucket's caches.
 *
 * <p>Namespace changes (create, rename, unlink, mkdir, ...) are serialized by one lock, so a rename
 * over an existing file swaps atomically as seen through the mount. Reads and writes of open
 * files take only the file's own content lock.
 */
public final class FileSystemCore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileSystemCore.class);

  public static final int O_ACCMODE = 3;
  public static final int O_RDONLY = 0;
  public static final int O_TRUNC = 01000;
  public static final int O_EXCL = 0200;

  private final Namespace names;
  private final AttributeView view;
  private final FileData data;
  private final Renamer renamer;
  private final CachedBucket bucket;
  private final WritebackQueue queue;
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);

  public FileSystemCore(CachedBucket bucket, ContentFiles content, Journal journal,
      WritebackQueue queue, FsSettings settings) {
    this.names = new Namespace(bucket, content, journal, queue, settings);
    this.view = new AttributeView(names);
    this.data = new FileData(bucket, content);
    this.renamer = new Renamer(names, data);
    this.bucket = bucket;
    this.queue = queue;
  }

  /** A namespace operation; it runs with the namespace lock held. */
  @FunctionalInterface
  private interface Locked<T> {
    T run() throws FsException, IOException;
  }

  /** Runs an operation under the namespace lock, turning store and cache failures into errnos. */
  private <T> T locked(Locked<T> operation) throws FsException {
    names.lock.lock();
    try {
      return operation.run();
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      names.lock.unlock();
    }
  }

  private void changing() throws FsException {
    if (names.settings.readOnly()) {
      throw new FsException(Errno.EROFS, "read-only mount");
    }
  }

  // ---------------------------------------------------------------- recovery and shutdown

  /**
   * Replays the journal left by an earlier run on the same cache: every file closed but not yet
   * uploaded shows in the mount again and is queued for upload. Returns how many.
   */
  public int recover() throws IOException {
    List<JournalRecord> records = names.journal.load();
    Set<String> keep = new HashSet<>();
    int recovered = 0;
    names.lock.lock();
    try {
      for (JournalRecord r : records) {
        Node node;
        if (r.isDelete()) {
          node = new Tombstone(r.key(), names);
        } else if (r.isSymlink()) {
          SymlinkNode link = new SymlinkNode(r.key(), r.symlinkTarget(), r.attributes(), names);
          link.pending = true;
          node = link;
        } else {
          Path file = names.content.resolve(r.dataFile());
          if (!Files.exists(file)) {
            names.journal.remove(r.sequence());
            continue;
          }
          keep.add(r.dataFile());
          FileNode f = new FileNode(r.key(), r.attributes(), names);
          f.contentFile = file;
          f.size = Files.size(file);
          f.dirty = true;
          f.version = 1;
          node = f;
        }
        node.remoteExists = true; // unknown: deleting a key that is absent is harmless
        node.journalSequence = r.sequence();
        names.add(node);
        queue.enqueueNow(Namespace.taskOf(node));
        recovered += node instanceof Tombstone ? 0 : 1;
      }
      names.content.deleteAllExcept(keep);
      return recovered;
    } finally {
      names.lock.unlock();
    }
  }

  /** Uploads everything pending; returns how many uploads are still pending after the timeout. */
  public int drain(Duration timeout) throws InterruptedException {
    return queue.drain(timeout);
  }

  /** Open files with changes not yet closed, for status output. */
  public List<String> dirtyOpenFiles() {
    names.lock.lock();
    try {
      List<String> result = new ArrayList<>();
      for (Node n : names.nodes()) {
        if (n instanceof FileNode f && f.dirty && f.openCount > 0) {
          result.add("/" + f.path);
        }
      }
      result.sort(null);
      return result;
    } finally {
      names.lock.unlock();
    }
  }

  public WritebackQueue.Status writebackStatus() {
    return queue.status();
  }

  @Override
  public void close() {
    queue.close();
    handles.values().forEach(OpenFile::close);
  }

  // ---------------------------------------------------------------- attributes

  public FileAttributes getattr(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    return locked(() -> view.of(key, names.resolve(key)));
  }

  /** Attributes of an open file, also after it was unlinked. */
  public FileAttributes fgetattr(long handle) throws FsException {
    FileNode node = handle(handle).node;
    return locked(() -> view.display(node.attributes, node.size));
  }

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

  /**
   * Changes stored attributes: in the journal for a file not yet uploaded (they go up with it),
   * else in the object's metadata with a server-side copy onto itself.
   */
  private void changeAttributes(String fusePath, UnaryOperator<PosixAttributes> change) throws FsException {
    String key = KeyPaths.key(fusePath);
    locked(() -> {
      changing();
      Resolved r = names.resolveExisting(key);
      long now = now();
      if (r instanceof Resolved.Root) {
        return null; // the mount point's attributes come from the mount options
      }
      if (r instanceof Resolved.Local local) {
        Node n = local.node();
        PosixAttributes changed = change.apply(n.attributes);
        n.attributes = changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now);
        if (n instanceof FileNode f) {
          f.version++;
          if (names.isPending(f) || queue.isQueued(f.upload)) {
            if (f.journalSequence >= 0) {
              names.journal(f);
            }
          } else {
            f.etag = bucket.copy(key, key, MetadataCodec.encode(f.attributes));
          }
        } else if (n instanceof SymlinkNode link && link.pending && link.journalSequence >= 0) {
          names.journal(link);
        }
        return null; // a stored symlink's own attributes are shown by nothing; they stay
      }
      PosixAttributes current = r instanceof Resolved.RemoteFile
          ? names.decode(bucket.head(key).orElseThrow(() -> Namespace.notFound(key)), false)
          : view.directory(key);
      PosixAttributes changed = change.apply(current);
      changed = changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now);
      if (r instanceof Resolved.RemoteFile) {
        bucket.copy(key, key, MetadataCodec.encode(changed));
      } else {
        bucket.putDirectoryMarker(KeyPaths.dirKey(key), MetadataCodec.encode(changed));
      }
      return null;
    });
  }

  // ---------------------------------------------------------------- directories

  /** The names in a directory, without "." and "..". */
  public List<String> readdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    return locked(() -> {
      names.requireDirectory(key);
      return List.copyOf(names.names(key));
    });
  }

  public void mkdir(String fusePath, int mode, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    locked(() -> {
      changing();
      names.requireAbsent(key);
      names.requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFDIR | (mode & 07777), uid, gid, now, now, now);
      String dirKey = KeyPaths.dirKey(key);
      bucket.putDirectoryMarker(dirKey, MetadataCodec.encode(attrs));
      bucket.rememberEmptyDirectory(dirKey);
      return null;
    });
  }

  public void rmdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    locked(() -> {
      changing();
      if (key.isEmpty()) {
        throw new FsException(Errno.EBUSY, "cannot remove the mount point");
      }
      names.requireDirectory(key);
      names.requireEmptyDirectory(key);
      String dirKey = KeyPaths.dirKey(key);
      if (bucket.listing(dirKey).markerPresent() || bucket.head(dirKey).isPresent()) {
        bucket.delete(dirKey);
      }
      bucket.forgetDirectory(dirKey);
      return null;
    });
  }

  // ---------------------------------------------------------------- open, create, read, write

  /** Creates and opens a regular file; EEXIST when the name is taken and O_EXCL is set. */
  public long create(String fusePath, int mode, int flags, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    return locked(() -> {
      changing();
      if (names.resolve(key) != null) {
        if ((flags & O_EXCL) != 0) {
          throw new FsException(Errno.EEXIST, "/" + key + ": file exists");
        }
        return openLocked(key, flags);
      }
      names.requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFREG | (mode & 07777), uid, gid, now, now, now);
      FileNode node = new FileNode(key, attrs, names);
      node.contentFile = names.content.newFile();
      node.dirty = true;
      node.version = 1;
      node.remoteExists = names.reviveTombstone(key);
      names.add(node);
      return openNode(node, true);
    });
  }

  public long open(String fusePath, int flags) throws FsException {
    String key = KeyPaths.key(fusePath);
    return locked(() -> openLocked(key, flags));
  }

  private long openLocked(String key, int flags) throws FsException, IOException {
    boolean writable = (flags & O_ACCMODE) != O_RDONLY;
    if (writable || (flags & O_TRUNC) != 0) {
      changing();
    }
    FileNode node = fileNodeFor(key, names.resolveExisting(key));
    if ((flags & O_TRUNC) != 0 && writable) {
      data.truncate(node, 0);
    }
    return openNode(node, writable);
  }

  /** The overlay node of a regular file, made from its object when the mount holds none yet. */
  private FileNode fileNodeFor(String key, Resolved r) throws FsException {
    if (r instanceof Resolved.Local local) {
      if (local.node() instanceof FileNode f) {
        return f;
      }
      throw new FsException(Errno.ELOOP, "/" + key + ": is a symlink");
    }
    if (!(r instanceof Resolved.RemoteFile)) {
      throw new FsException(Errno.EISDIR, "/" + key + ": is a directory");
    }
    ObjectHead head = bucket.head(key).orElseThrow(() -> Namespace.notFound(key));
    FileNode node = new FileNode(key, names.decode(head, false), names);
    node.size = head.size();
    node.etag = head.etag();
    node.remoteExists = true;
    node.contentFile = names.content.takeClean(key, head.etag());
    names.add(node);
    return node;
  }

  private long openNode(FileNode node, boolean writable) throws IOException {
    if (writable) {
      // Reopened for writing: it goes up again after this close (in close order), not before.
      queue.cancel(node.upload);
    }
    node.openCount++;
    FileData.openChannel(node);
    long handle = nextHandle.getAndIncrement();
    handles.put(handle, new OpenFile(node, writable, new ReadThrough(names.content)));
    return handle;
  }

  public int read(long handle, long offset, byte[] buffer, int length) throws FsException {
    OpenFile file = handle(handle);
    file.node.contentLock.readLock().lock();
    try {
      return data.read(file, offset, buffer, length);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      file.node.contentLock.readLock().unlock();
    }
  }

  public int write(long handle, long offset, byte[] bytes, int length) throws FsException {
    OpenFile file = handle(handle);
    if (!file.writable) {
      throw new FsException(Errno.EBADF, "not open for writing");
    }
    file.node.contentLock.writeLock().lock();
    try {
      data.write(file.node, offset, bytes, length);
      return length;
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    } finally {
      file.node.contentLock.writeLock().unlock();
    }
  }

  public void truncate(String fusePath, long size) throws FsException {
    String key = KeyPaths.key(fusePath);
    locked(() -> {
      changing();
      FileNode node = fileNodeFor(key, names.resolveExisting(key));
      data.truncate(node, size);
      if (node.openCount == 0) {
        closed(node);
      }
      return null;
    });
  }

  public void ftruncate(long handle, long size) throws FsException {
    FileNode node = handle(handle).node;
    try {
      data.truncate(node, size);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    }
  }

  public void flush(long handle) throws FsException {
    handle(handle);
  }

  /** Returns once the file's content is in the bucket (files closed before it go first). */
  public void fsync(long handle) throws FsException {
    FileNode node = handle(handle).node;
    boolean wait = locked(() -> {
      if (!node.dirty || node.unlinked) {
        return false;
      }
      names.journal(node);
      queue.enqueueNow(node.upload);
      return true;
    });
    if (!wait) {
      return;
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
    file.close();
    FileNode node = file.node;
    locked(() -> {
      node.openCount--;
      if (node.openCount > 0) {
        return null;
      }
      if (node.channel != null) {
        node.channel.close();
        node.channel = null;
      }
      if (node.unlinked) {
        if (!node.uploading) {
          ContentFiles.deleteQuietly(node.contentFile);
        }
        return null;
      }
      closed(node);
      return null;
    });
  }

  /** A file's last handle closed (or it changed while closed): queue it, or let it go. */
  private void closed(FileNode node) throws IOException {
    if (node.channel != null && node.openCount == 0) {
      node.channel.close();
      node.channel = null;
    }
    if (node.dirty) {
      try {
        names.journal(node);
      } catch (IOException e) {
        // A full cache disk: the content is safe in its data file; only crash safety is lost.
        LOG.warn("cannot journal /{} ({}); it is queued, but would not survive a crash", node.path, e.getMessage());
      }
      queue.enqueue(node.upload);
    } else if (!node.uploading && !queue.isQueued(node.upload)) {
      names.forget(node);
    }
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
    locked(() -> {
      changing();
      Resolved r = names.resolveExisting(key);
      if (r instanceof Resolved.Root || r instanceof Resolved.RemoteDirectory) {
        throw new FsException(Errno.EISDIR, "/" + key + ": is a directory");
      }
      boolean objectThere = true;
      if (r instanceof Resolved.Local local) {
        objectThere = local.node().remoteExists;
        if (local.node() instanceof FileNode f) {
          data.keepForOpenHandles(f);
        }
        names.detach(local.node());
      }
      if (objectThere) {
        names.bury(key);
      }
      return null;
    });
  }

  public void rename(String fromPath, String toPath) throws FsException {
    String from = KeyPaths.key(fromPath);
    String to = KeyPaths.key(toPath);
    locked(() -> {
      changing();
      renamer.rename(from, to);
      return null;
    });
  }

  /**
   * A FIFO, unix socket, character or block device node (or an empty regular file), stored as
   * s3fs stores them: an empty object whose {@code x-amz-meta-mode} holds the file type and
   * {@code x-amz-meta-rdev} the device number. Only the node is kept: the kernel serves FIFOs and
   * sockets locally, nothing passes through the bucket.
   */
  public void mknod(String fusePath, int mode, long rdev, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    int type = (mode & PosixAttributes.S_IFMT) == 0 ? PosixAttributes.S_IFREG : mode & PosixAttributes.S_IFMT;
    if (!Set.of(PosixAttributes.S_IFREG, PosixAttributes.S_IFIFO, PosixAttributes.S_IFSOCK, PosixAttributes.S_IFCHR,
        PosixAttributes.S_IFBLK).contains(type)) {
      throw new FsException(Errno.EPERM, "/" + key + ": mknod cannot make this file type");
    }
    boolean device = type == PosixAttributes.S_IFCHR || type == PosixAttributes.S_IFBLK;
    locked(() -> {
      changing();
      names.requireAbsent(key);
      names.requireDirectory(KeyPaths.parent(key));
      long now = now();
      FileNode node = new FileNode(key, new PosixAttributes(type | (mode & 07777), uid, gid, now, now, now,
          device ? rdev : 0), names);
      node.contentFile = names.content.newFile();
      node.dirty = true;
      node.version = 1;
      node.remoteExists = names.reviveTombstone(key);
      names.add(node);
      closed(node);
      return null;
    });
  }

  public void symlink(String target, String linkPath, int uid, int gid) throws FsException {
    String key = KeyPaths.key(linkPath);
    locked(() -> {
      changing();
      names.requireAbsent(key);
      names.requireDirectory(KeyPaths.parent(key));
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFLNK | 0777, uid, gid, now, now, now);
      SymlinkNode link = new SymlinkNode(key, target, attrs, names);
      link.pending = true;
      link.remoteExists = names.reviveTombstone(key);
      names.add(link);
      names.journal(link);
      queue.enqueue(link.upload);
      return null;
    });
  }

  public String readlink(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    return locked(() -> {
      if (names.resolveExisting(key) instanceof Resolved.Local local && local.node() instanceof SymlinkNode link) {
        return link.target;
      }
      throw new FsException(Errno.EINVAL, "/" + key + ": not a symlink");
    });
  }

  /** Hard links cannot be kept in an object store; tools such as repo-add fall back to mv or cp. */
  public void link(String fromPath, String toPath) throws FsException {
    throw new FsException(Errno.EPERM, "hard links are not supported");
  }

  static long now() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}
