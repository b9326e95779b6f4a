package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.cache.ContentFiles;
import io.s3repofs.cache.Journal;
import io.s3repofs.cache.JournalRecord;
import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.cache.WritebackTask;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import io.s3repofs.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <p>Locks, in the order they are taken: {@link PathLocks} (operations that change names hold
 * them for their paths, S3 requests included), a file's content lock (its bytes), the state lock
 * (overlay and node fields; memory and local disk only, never an S3 request: lookups under it
 * that miss the cache release it, fetch, and start again). See {@link FileNode} for which lock
 * guards which field and for the upload state machine.
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
  private final CommitPoints commitPoints;
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  /** Fetch threads and part memory of every handle's reads ahead; replaced by tests before any open. */
  private volatile ReadAhead readAhead;

  public FileSystemCore(CachedBucket bucket, ContentFiles content, Journal journal,
      WritebackQueue queue, FsSettings settings) {
    this.names = new Namespace(bucket, content, journal, queue, settings);
    this.view = new AttributeView(names);
    this.data = new FileData(names);
    this.renamer = new Renamer(names, data);
    this.bucket = bucket;
    this.queue = queue;
    this.commitPoints = names.commitPoints;
    this.readAhead = new ReadAhead(ReadAhead.Settings.forHeap(bucket.storeSettings().parallelCount(),
        Runtime.getRuntime().maxMemory()));
  }

  /** The reads ahead of this core (tests look at the memory they hold). */
  ReadAhead readAhead() {
    return readAhead;
  }

  /** Makes later opens read ahead with these settings (tests: small limits). */
  void readAhead(ReadAhead.Settings settings) {
    ReadAhead previous = readAhead;
    readAhead = new ReadAhead(settings);
    previous.close();
  }

  /** Runs {@code body} under the state lock (again after a cache miss), mapping failures to errnos. */
  private <T> T locked(Namespace.Body<T> body) throws FsException {
    try {
      return names.underLock(body);
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
    }
  }

  /** Runs I/O outside the state lock, mapping failures to errnos. */
  private static <T> T io(Namespace.Body<T> body) throws FsException {
    try {
      return body.run();
    } catch (IOException e) {
      throw FsException.of(e);
    } catch (StoreException e) {
      throw FsException.of(e);
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
   * uploaded shows in the mount again, with exactly the bytes of its last close, and is queued
   * for upload. Returns how many.
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
          f.version = 1;
          f.closeState();
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
        if (n instanceof FileNode f && f.hasUnclosedChanges() && f.openCount > 0) {
          result.add("/" + f.path);
        }
      }
      result.sort(null);
      return result;
    } finally {
      names.lock.unlock();
    }
  }

  /** Multipart uploads sent while files are written and not yet completed or given up. */
  public int openPartStreams() {
    return names.streams.open();
  }

  public WritebackQueue.Status writebackStatus() {
    return queue.status();
  }

  @Override
  public void close() {
    queue.close();
    names.streams.close();
    handles.values().forEach(OpenFile::close);
    readAhead.close();
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

  /** What a change of attributes still has to send once the state lock is released. */
  private record AttributeWrite(String key, PosixAttributes attributes, boolean directory, FileNode node) {}

  /**
   * Changes stored attributes: in the pending state of a file not yet uploaded (they go up with
   * it), else in the object's metadata with a server-side copy onto itself, sent holding only the
   * path's lock.
   */
  private void changeAttributes(String fusePath, UnaryOperator<PosixAttributes> change) throws FsException {
    String key = KeyPaths.key(fusePath);
    changing();
    // A file the mount holds is changed in memory (its pending state carries the attributes up)
    // without the path lock, so a chmod never waits for that file's upload. Only a change that
    // needs a request (a COPY onto itself, a directory marker) takes the path lock, and looks again.
    Closing[] closed = new Closing[1];
    AttributeWrite write = locked(() -> planAttributes(key, change, closed, false));
    finish(closed[0]);
    if (write == null) {
      return;
    }
    try (PathLocks.Held held = names.paths.lock(key)) {
      AttributeWrite again = locked(() -> planAttributes(key, change, closed, true));
      finish(closed[0]);
      if (again == null) {
        return;
      }
      String etag = io(() -> again.directory()
          ? sendDirectoryMarker(again.key(), again.attributes())
          : bucket.copy(again.key(), again.key(), MetadataCodec.encode(again.attributes())));
      if (again.node() != null) {
        locked(() -> {
          again.node().attributes = again.attributes();
          again.node().etag = etag;
          return null;
        });
      }
    }
  }

  /**
   * Applies an attribute change held in memory, or says which request it needs. Under the state
   * lock; {@code closed[0]} receives the close it made, if any.
   */
  private AttributeWrite planAttributes(String key, UnaryOperator<PosixAttributes> change, Closing[] closed,
      boolean pathLocked) throws FsException, IOException {
    closed[0] = null;
    Resolved r = names.resolveExisting(key);
    long now = now();
    if (r instanceof Resolved.Root) {
      return null; // the mount point's attributes come from the mount options
    }
    if (r instanceof Resolved.Local local) {
      Node n = local.node();
      PosixAttributes changed = change.apply(n.attributes);
      changed = changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now);
      if (n instanceof FileNode f) {
        if (f.contentFile == null && !f.pending()) {
          return new AttributeWrite(key, changed, false, f); // bytes only in the bucket
        }
        f.attributes = changed;
        f.changed();
        if (f.stream != null) {
          f.stream.attributesSet();
        }
        if (f.openCount == 0) {
          // No handle, so no writer is busy (truncate(2) counts as a handle while it runs).
          closed[0] = closeLocked(f);
        }
      } else if (n instanceof SymlinkNode link) {
        link.attributes = changed;
        if (link.pending && link.journalSequence >= 0) {
          names.journal(link);
        }
      }
      return null; // a stored symlink's own attributes are shown by nothing; they stay
    }
    PosixAttributes current = r instanceof Resolved.RemoteFile
        ? names.decode(names.head(key).orElseThrow(() -> Namespace.notFound(key)), false)
        : view.directory(key);
    PosixAttributes changed = change.apply(current);
    changed = changed.withTimes(changed.atimeNanos(), changed.mtimeNanos(), now);
    return new AttributeWrite(key, changed, r instanceof Resolved.RemoteDirectory, null);
  }

  private String sendDirectoryMarker(String key, PosixAttributes attributes) {
    bucket.putDirectoryMarker(KeyPaths.dirKey(key), MetadataCodec.encode(attributes));
    return null;
  }

  // ---------------------------------------------------------------- directories

  /** The names in a directory, without "." and "..". */
  public List<String> readdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    List<String> entries = locked(() -> {
      names.requireDirectory(key);
      return List.copyOf(names.names(key));
    });
    bucket.directoryRead(KeyPaths.dirKey(key)); // the stats that follow get their HEADs in parallel
    return entries;
  }

  public void mkdir(String fusePath, int mode, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    changing();
    try (PathLocks.Held held = names.paths.lock(key)) {
      locked(() -> {
        names.requireAbsent(key);
        names.requireDirectory(KeyPaths.parent(key));
        return null;
      });
      long now = now();
      PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFDIR | (mode & 07777), uid, gid, now, now, now);
      String dirKey = KeyPaths.dirKey(key);
      io(() -> {
        bucket.putDirectoryMarker(dirKey, MetadataCodec.encode(attrs));
        bucket.rememberEmptyDirectory(dirKey);
        return null;
      });
    }
  }

  public void rmdir(String fusePath) throws FsException {
    String key = KeyPaths.key(fusePath);
    changing();
    if (key.isEmpty()) {
      throw new FsException(Errno.EBUSY, "cannot remove the mount point");
    }
    awaitDeletesBelow(key);
    try (PathLocks.Held held = names.paths.lock(key)) {
      String dirKey = KeyPaths.dirKey(key);
      boolean marker = locked(() -> {
        names.requireDirectory(key);
        names.requireEmptyDirectory(key);
        return names.listing(dirKey).markerPresent() || names.head(dirKey).isPresent();
      });
      io(() -> {
        if (marker) {
          bucket.delete(dirKey);
        }
        bucket.forgetDirectory(dirKey);
        return null;
      });
    }
  }

  /**
   * Before rmdir deletes a directory's marker, the queued DELETEs of the names below it go
   * (hurried), so the marker goes last, as with s3fs: a store kept on a filesystem (S3Proxy's,
   * MinIO's) cannot remove a directory that still holds objects, and S3Proxy retried for 10 s.
   * Waits holding no path lock (those DELETEs take their keys' locks), and at most
   * {@link #COMMIT_PATIENCE} (deletes wait for queued uploads): then the marker goes as before.
   */
  private void awaitDeletesBelow(String key) throws FsException {
    List<Tombstone> below = locked(() -> names.nodesWithin(key).stream()
        .filter(n -> n instanceof Tombstone && !n.unlinked && !n.path.equals(key))
        .map(n -> (Tombstone) n).toList());
    if (!below.isEmpty()) {
      long deadline = System.nanoTime() + COMMIT_PATIENCE.toNanos();
      awaitCommit(below.get(0), below.get(0).delete, false,
          () -> below.stream().allMatch(t -> t.unlinked) || System.nanoTime() > deadline);
    }
  }

  // ---------------------------------------------------------------- open, create, read, write

  /** Creates and opens a regular file; EEXIST when the name is taken and O_EXCL is set. */
  public long create(String fusePath, int mode, int flags, int uid, int gid) throws FsException {
    String key = KeyPaths.key(fusePath);
    changing();
    FileNode node;
    boolean created;
    try (PathLocks.Held held = names.paths.lock(key)) {
      boolean[] isNew = new boolean[1];
      node = locked(() -> {
        if (names.resolve(key) != null) {
          if ((flags & O_EXCL) != 0) {
            throw new FsException(Errno.EEXIST, "/" + key + ": file exists");
          }
          isNew[0] = false;
          return pin(fileNodeFor(key, names.resolveExisting(key)));
        }
        names.requireDirectory(KeyPaths.parent(key));
        long now = now();
        PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFREG | (mode & 07777), uid, gid, now, now, now);
        FileNode f = new FileNode(key, attrs, names);
        f.contentFile = names.content.newFile();
        f.version = 1;
        f.remoteExists = names.reviveTombstone(key);
        names.add(f);
        isNew[0] = true;
        return pin(f);
      });
      created = isNew[0];
    }
    return openPinned(node, true, !created && (flags & O_TRUNC) != 0);
  }

  public long open(String fusePath, int flags) throws FsException {
    String key = KeyPaths.key(fusePath);
    boolean writable = (flags & O_ACCMODE) != O_RDONLY;
    if (writable || (flags & O_TRUNC) != 0) {
      changing();
    }
    FileNode node = locked(() -> pin(fileNodeFor(key, names.resolveExisting(key))));
    return openPinned(node, writable, writable && (flags & O_TRUNC) != 0);
  }

  /** Counts a handle on a node (under the state lock), so it stays in the overlay. */
  private FileNode pin(FileNode node) throws IOException {
    node.openCount++;
    FileData.openChannel(node);
    return node;
  }

  /** Finishes an open of a pinned node: truncation (O_TRUNC) and the handle. */
  private long openPinned(FileNode node, boolean writable, boolean truncate) throws FsException {
    OpenFile file = new OpenFile(node, writable, new Prefetcher(readAhead), new ReadThrough(names.content));
    long handle = nextHandle.getAndIncrement();
    handles.put(handle, file);
    if (truncate) {
      try {
        io(() -> {
          data.truncate(node, 0);
          return null;
        });
      } catch (FsException e) {
        release(handle);
        throw e;
      }
    }
    return handle;
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
    ObjectHead head = names.head(key).orElseThrow(() -> Namespace.notFound(key));
    FileNode node = new FileNode(key, names.decode(head, false), names);
    node.size = head.size();
    node.etag = head.etag();
    node.remoteExists = true;
    node.contentFile = names.content.takeClean(key, head.etag());
    names.add(node);
    return node;
  }

  public int read(long handle, long offset, byte[] buffer, int length) throws FsException {
    return read(handle, offset, ByteBuffer.wrap(buffer, 0, length));
  }

  /**
   * Reads up to {@code target.remaining()} bytes into {@code target} from its position (which does
   * not move); short only at the end of the file. A direct buffer (the kernel's reply, as FUSE
   * hands it over) gets the bytes with no copy through the heap in between.
   */
  public int read(long handle, long offset, ByteBuffer target) throws FsException {
    OpenFile file = handle(handle);
    ByteBuffer window = target.slice(); // index 0 is the target's position
    return io(() -> data.read(file, offset, window));
  }

  public int write(long handle, long offset, byte[] bytes, int length) throws FsException {
    return write(handle, offset, ByteBuffer.wrap(bytes, 0, length));
  }

  /**
   * Writes the bytes from {@code bytes}' position to its limit, and moves its position past them.
   * A direct buffer (the kernel's request, as FUSE hands it over) goes to the cache file with no
   * copy in between.
   */
  public int write(long handle, long offset, ByteBuffer bytes) throws FsException {
    OpenFile file = handle(handle);
    if (!file.writable) {
      throw new FsException(Errno.EBADF, "not open for writing");
    }
    int length = bytes.remaining();
    io(() -> {
      data.write(file.node, offset, bytes);
      return null;
    });
    return length;
  }

  public void truncate(String fusePath, long size) throws FsException {
    String key = KeyPaths.key(fusePath);
    changing();
    FileNode node;
    try (PathLocks.Held held = names.paths.lock(key)) {
      node = locked(() -> pin(fileNodeFor(key, names.resolveExisting(key))));
      try {
        io(() -> {
          data.truncate(node, size);
          return null;
        });
      } finally {
        unpin(node);
      }
    }
  }

  public void ftruncate(long handle, long size) throws FsException {
    FileNode node = handle(handle).node;
    io(() -> {
      data.truncate(node, size);
      return null;
    });
  }

  /**
   * close(2) of one descriptor (FUSE calls flush synchronously; release comes later, after
   * close(2) has returned). A written file's state is closed and journaled here, so a kill -9
   * right after close(2) returns loses nothing; at a commit point (a database name, or any file
   * with upload_on_close) the call also waits until it, and everything closed before it, is in
   * the bucket.
   */
  public void flush(long handle) throws FsException {
    OpenFile file = handle(handle);
    if (!file.writable) {
      return;
    }
    if (commitPoints.onClose(file.node.path)) {
      commit(file.node, false);
    } else {
      closeNow(file.node);
    }
  }

  /** Returns once the file's content is in the bucket (files closed before it go first). */
  public void fsync(long handle) throws FsException {
    commit(handle(handle).node, true);
  }

  /** Closes the node's current state (if it has changes) and waits until it is uploaded. */
  private void commit(FileNode node, boolean failFast) throws FsException {
    node.ordered = true; // what was closed before it goes up first
    closeNow(node);
    awaitUploaded(node, failFast);
  }

  /** Takes the node's current state as closed (journaled, durable, queued) if it has changes. */
  private void closeNow(FileNode node) throws FsException {
    Closing closing;
    node.contentLock.readLock().lock(); // no write may land while the state is taken
    try {
      closing = locked(() -> node.unlinked || !node.hasUnclosedChanges() ? null : closeLocked(node));
    } finally {
      node.contentLock.readLock().unlock();
    }
    finish(closing);
  }

  /** How long a commit point (or fsync) waits on while uploads keep failing before it returns. */
  private static final Duration COMMIT_PATIENCE = Duration.ofSeconds(10);

  /**
   * Waits until the bucket holds the node's latest closed state (or the node is gone), hurrying
   * the queue meanwhile. With {@code failFast} (fsync) a failed upload of the node is EIO at once
   * (it stays queued). Otherwise, and when uploads queued before it keep failing, it waits through
   * the retries for {@link #COMMIT_PATIENCE}: then fsync says EIO, and a commit point returns with
   * the change made and queued (logged) — the rename or close did happen.
   */
  private void awaitUploaded(FileNode node, boolean failFast) throws FsException {
    long target;
    names.lock.lock();
    try {
      target = node.closed != null ? node.closed.version() : node.uploadedVersion;
    } finally {
      names.lock.unlock();
    }
    awaitCommit(node, node.upload, failFast, () -> node.unlinked || node.uploadedVersion >= target);
  }

  /**
   * Waits, hurrying the queue, until {@code done} holds (checked under the state lock), with the
   * patience and failures described at {@link #awaitUploaded}.
   */
  private void awaitCommit(Node node, WritebackTask task, boolean failFast, java.util.function.BooleanSupplier done)
      throws FsException {
    try (WritebackQueue.Hurry hurry = queue.hurry(task)) {
      names.lock.lock();
      try {
        Patience patience = new Patience();
        while (!done.getAsBoolean()) {
          if (failFast && node instanceof FileNode f && f.uploading == null && f.uploadFailure != null
              && f.closed != null) {
            String message = f.uploadFailure;
            f.uploadFailure = null;
            throw new FsException(Errno.EIO, "/" + f.path + ": upload failed: " + message);
          }
          if (patience.exhausted()) {
            if (failFast) {
              throw new FsException(Errno.EIO, "/" + node.path + ": uploads keep failing: " + queue.status().lastError());
            }
            LOG.warn("/{} is not in the bucket yet ({}); it stays queued and is retried", node.path,
                queue.status().lastError());
            return;
          }
          names.uploadsChanged.await(1, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        names.lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FsException(Errno.EIO, "interrupted");
    }
  }

  /** Counts the time during which uploads have been failing since a wait began. */
  private final class Patience {
    private final long failuresAtStart = queue.status().failures();
    private long failingSince;

    boolean exhausted() {
      if (queue.status().failures() == failuresAtStart) {
        return false;
      }
      long now = System.nanoTime();
      if (failingSince == 0) {
        failingSince = now;
      }
      return now - failingSince > COMMIT_PATIENCE.toNanos();
    }
  }

  public void release(long handle) throws FsException {
    OpenFile file = handles.remove(handle);
    if (file == null) {
      throw new FsException(Errno.EBADF, "bad file handle");
    }
    file.close();
    unpin(file.node);
  }

  /** Drops a handle's count on a node; the last one closes the node's state. */
  private void unpin(FileNode node) throws FsException {
    Closing closing;
    node.contentLock.readLock().lock();
    try {
      closing = locked(() -> {
        node.openCount--;
        if (node.openCount > 0) {
          return null;
        }
        if (node.channel != null) {
          node.channel.close();
          node.channel = null;
        }
        if (node.unlinked) {
          names.releaseFiles(node);
          return null;
        }
        return closeLocked(node);
      });
    } finally {
      node.contentLock.readLock().unlock();
    }
    finish(closing);
  }

  /** A close that made a new closed state: what remains to do once the state lock is released. */
  private record Closing(ClosedState state, long journalSequence, long replacedSequence, Path obsoleteFile) {}

  /**
   * The node was closed (or changed while closed): its current state becomes closed, journaled
   * and queued; a clean, closed node leaves the overlay. Needs the state lock, and either the
   * content read lock or certainty that no writer is busy.
   */
  private Closing closeLocked(FileNode node) {
    if (node.hasUnclosedChanges() && node.contentFile != null) {
      ClosedState previous = node.closed;
      long replaced = node.journalSequence;
      ClosedState state = node.closeState();
      long sequence = -1;
      try {
        sequence = names.journal.write(-1, node.path, state.file().getFileName().toString(), null, state.attributes());
      } catch (IOException e) {
        // A full cache disk: the content is safe in its data file; only crash safety is lost.
        LOG.warn("cannot journal /{} ({}); it is queued, but would not survive a crash", node.path, e.getMessage());
      }
      node.journalSequence = sequence;
      Path obsolete = previous != null && !node.uses(previous.file()) ? previous.file() : null;
      names.streams.release(node);
      queue.enqueue(node.upload);
      return new Closing(state, sequence, replaced, obsolete);
    }
    if (node.openCount == 0 && !node.dirty() && !node.pending() && !queue.isQueued(node.upload)) {
      names.forget(node);
    }
    return null;
  }

  /**
   * After a close, without the state lock: the new record and its data file reach the disk (a
   * group commit: concurrent closes share the fsyncs); then the record it replaces goes.
   */
  private void finish(Closing closing) throws FsException {
    if (closing == null) {
      return;
    }
    try {
      if (closing.journalSequence() >= 0) {
        names.journal.sync(closing.state().file(), names.journal.recordFile(closing.journalSequence()));
      }
    } catch (IOException e) {
      LOG.warn("cannot sync the journal ({}); a power cut could lose this close", e.getMessage());
    }
    names.journal.remove(closing.replacedSequence());
    ContentFiles.deleteQuietly(closing.obsoleteFile());
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
    changing();
    try (PathLocks.Held held = names.paths.lock(key)) {
      FileNode open = locked(() -> {
        Resolved r = names.resolveExisting(key);
        if (r instanceof Resolved.Root || r instanceof Resolved.RemoteDirectory) {
          throw new FsException(Errno.EISDIR, "/" + key + ": is a directory");
        }
        return r instanceof Resolved.Local local && local.node() instanceof FileNode f
            && f.openCount > 0 && f.contentFile == null ? f : null;
      });
      if (open != null) {
        io(() -> {
          data.keepForOpenHandles(open); // its object goes: open handles keep reading the copy
          return null;
        });
      }
      locked(() -> {
        Resolved r = names.resolveExisting(key);
        boolean objectThere = true;
        if (r instanceof Resolved.Local local) {
          objectThere = local.node().remoteExists;
          names.detach(local.node());
        }
        if (objectThere) {
          names.bury(key);
        }
        return null;
      });
    }
  }

  public void rename(String fromPath, String toPath) throws FsException {
    String from = KeyPaths.key(fromPath);
    String to = KeyPaths.key(toPath);
    changing();
    Node moved;
    try (PathLocks.Held held = names.paths.lock(from, to)) {
      moved = io(() -> renamer.rename(from, to));
    }
    if (commitPoints.isDatabase(to) && moved instanceof FileNode f) {
      awaitUploaded(f, false);
    }
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
    changing();
    Closing closing;
    try (PathLocks.Held held = names.paths.lock(key)) {
      closing = locked(() -> {
        names.requireAbsent(key);
        names.requireDirectory(KeyPaths.parent(key));
        long now = now();
        FileNode node = new FileNode(key, new PosixAttributes(type | (mode & 07777), uid, gid, now, now, now,
            device ? rdev : 0), names);
        node.contentFile = names.content.newFile();
        node.version = 1;
        node.remoteExists = names.reviveTombstone(key);
        names.add(node);
        return closeLocked(node); // nobody has it open: no writer can be busy
      });
    }
    finish(closing);
  }

  public void symlink(String target, String linkPath, int uid, int gid) throws FsException {
    String key = KeyPaths.key(linkPath);
    changing();
    SymlinkNode link;
    try (PathLocks.Held held = names.paths.lock(key)) {
      link = locked(() -> {
        names.requireAbsent(key);
        names.requireDirectory(KeyPaths.parent(key));
        long now = now();
        PosixAttributes attrs = new PosixAttributes(PosixAttributes.S_IFLNK | 0777, uid, gid, now, now, now);
        SymlinkNode l = new SymlinkNode(key, target, attrs, names);
        l.pending = true;
        l.remoteExists = names.reviveTombstone(key);
        names.add(l);
        names.journal(l);
        queue.enqueue(l.upload);
        return l;
      });
    }
    if (commitPoints.isDatabase(key)) {
      awaitLink(link);
    }
  }

  /** Waits until a link's object is in the bucket (its target goes first). */
  private void awaitLink(SymlinkNode link) throws FsException {
    awaitCommit(link, link.upload, false, () -> link.unlinked || !link.pending);
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
