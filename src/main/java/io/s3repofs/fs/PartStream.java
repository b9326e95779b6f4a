package io.s3repofs.fs;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.PartUpload;
import io.s3repofs.store.StoreException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One large file's multipart upload, sent while the file is still being written (s3fs's
 * {@code streamupload}; goofys, geesefs and mountpoint-s3 do the same). Each part that fills up
 * in the data file goes to the bucket in the background; the file's upload ({@link FileUpload},
 * in the write-back queue's order) sends what is missing and completes it. Nothing is visible
 * under the key before that, so the write-back rules are unchanged: only the bytes travel early.
 *
 * <p>A part rewritten after it was sent (a tool that patches a header at the end, a truncate) is
 * sent again when the upload completes: every change of the data file is counted per part
 * ({@link #written}), and a part is used only if nothing changed it since it was read. That is
 * the core's snapshot-then-I/O-then-recheck rule, part by part.
 *
 * <p>Ownership: every mutable field is guarded by this object's monitor, a leaf lock: nothing
 * else is locked and no request is made while it is held. Writers report under the node's
 * content write lock (and the state lock); part sends, {@link #finish} and {@link #abandon} run
 * with no lock held.
 */
final class PartStream {

  private static final Logger LOG = LoggerFactory.getLogger(PartStream.class);

  /** The key the upload was started under; a file renamed since does not use it. */
  final String key;
  /** The data file whose bytes are sent; a copy-on-write after a close leaves it unchanged. */
  final Path file;
  /** The metadata the upload was created with. */
  private final Map<String, String> metadata;
  private final long partSize;
  private final PartStreams owner;

  /** A part as sent: its ETag, and the file's change count for it when its bytes were read. */
  private record Sent(String etag, long change) {}

  @GuardedBy("this")
  private PartUpload upload;
  /** The creation request is in flight. */
  @GuardedBy("this")
  private boolean starting;
  /** Creation failed: the file's upload goes the usual way. */
  @GuardedBy("this")
  private boolean failed;
  /** Taken by the file's upload or given up: nothing more is started in the background. */
  @GuardedBy("this")
  private boolean closed;
  @GuardedBy("this")
  private boolean abandoned;
  /** A chmod, chown or utimens since the start: the metadata it was created with is stale. */
  @GuardedBy("this")
  private boolean attributesSet;
  /** The data file's size as last reported. */
  @GuardedBy("this")
  private long size;
  /** The lowest part index not yet sent in the background. */
  @GuardedBy("this")
  private int next;
  @GuardedBy("this")
  private final Map<Integer, Long> changes = new HashMap<>();
  @GuardedBy("this")
  private final Map<Integer, Sent> sent = new HashMap<>();
  @GuardedBy("this")
  private final Set<Integer> sending = new HashSet<>();

  PartStream(String key, Path file, Map<String, String> metadata, long partSize, PartStreams owner) {
    this.key = key;
    this.file = file;
    this.metadata = Map.copyOf(metadata);
    this.partSize = partSize;
    this.owner = owner;
  }

  /**
   * Bytes {@code [from, to)} of the data file changed (written, cut or zero-filled), and it is
   * {@code newSize} bytes long now. Starts the sends this makes possible.
   */
  synchronized void written(long from, long to, long newSize) {
    for (long k = from / partSize; to > from && k <= (to - 1) / partSize; k++) {
      changes.merge((int) k, 1L, Long::sum);
    }
    size = newSize;
    if (newSize < (long) next * partSize) {
      next = (int) (newSize / partSize); // cut below parts sent: those past the end are not needed
    }
    pump();
  }

  /** A chmod, chown or utimens changed the file's attributes. */
  synchronized void attributesSet() {
    attributesSet = true;
  }

  @GuardedBy("this")
  private long change(int part) {
    return changes.getOrDefault(part, 0L);
  }

  /** Starts the creation, or the sends of full parts, up to the per-file limit. */
  @GuardedBy("this")
  private void pump() {
    if (closed || failed || starting) {
      return;
    }
    if (upload == null) {
      starting = true;
      owner.execute(this::create);
      return;
    }
    while (sending.size() < owner.partsPerFile() && (long) (next + 1) * partSize <= size) {
      int part = next++;
      sending.add(part);
      owner.execute(() -> send(part));
    }
  }

  private void create() {
    PartUpload created = null;
    try {
      created = owner.bucket().startMultipart(key, metadata);
    } catch (RuntimeException e) {
      LOG.debug("/{}: early multipart upload not started ({}); the file goes up when it is closed", key, e.getMessage());
    }
    boolean giveUp;
    synchronized (this) {
      starting = false;
      giveUp = abandoned && created != null;
      if (created == null) {
        failed = true;
      } else if (!abandoned) {
        upload = created;
        pump();
      }
      notifyAll();
    }
    if (giveUp) {
      created.abort();
    }
  }

  /** Sends one full part in the background; a failure leaves it to {@link #finish}. */
  private void send(int part) {
    PartUpload to;
    long change;
    synchronized (this) {
      to = abandoned ? null : upload;
      change = change(part);
    }
    try {
      if (to != null) {
        String etag = to.sendPart(part + 1, file, part * partSize, partSize);
        synchronized (this) {
          sent.put(part, new Sent(etag, change));
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("/{}: part {} not sent early ({}); it goes with the upload", key, part + 1, e.getMessage());
    } finally {
      synchronized (this) {
        sending.remove(part);
        notifyAll();
        pump();
      }
    }
  }

  /**
   * Completes the upload as an object of {@code finalSize} bytes (the data file must not change
   * any more: it is a closed state's) with {@code finalMetadata}: waits for the parts in flight,
   * sends the parts not sent or changed since, and completes. Returns the object's ETag, or null
   * if the upload never started (send the file the usual way). A failure aborts the upload and is
   * thrown.
   *
   * <p>The metadata was fixed when the upload started. If a chmod, chown or utimens changed it
   * since, it is rewritten (a copy onto itself: one more request, server-side). The times that
   * writes alone moved on are not: the object keeps the times of its upload's start, at most the
   * writing's duration before the last write (as S3 dates a multipart object by its start), and
   * saves a copy of the whole object, which on AWS costs about as long as sending it.
   */
  String finish(long finalSize, Map<String, String> finalMetadata) throws InterruptedException {
    PartUpload to;
    SortedMap<Integer, String> parts = new TreeMap<>();
    List<Integer> missing = new ArrayList<>();
    boolean rewrite;
    synchronized (this) {
      rewrite = attributesSet ? !finalMetadata.equals(metadata) : !withoutTimes(finalMetadata).equals(withoutTimes(metadata));
      closed = true;
      while (starting || !sending.isEmpty()) {
        wait();
      }
      if (upload == null) {
        owner.forget(this);
        return null;
      }
      to = upload;
      int count = (int) ((finalSize + partSize - 1) / partSize);
      for (int part = 0; part < count; part++) {
        Sent s = sent.get(part);
        boolean whole = (long) (part + 1) * partSize <= finalSize;
        if (s != null && whole && s.change() == change(part)) {
          parts.put(part + 1, s.etag());
        } else {
          missing.add(part);
        }
      }
    }
    try {
      List<Future<String>> sends = new ArrayList<>();
      for (int part : missing) {
        long offset = part * partSize;
        long length = Math.min(partSize, finalSize - offset);
        sends.add(owner.submit(() -> to.sendPart(part + 1, file, offset, length)));
      }
      for (int i = 0; i < missing.size(); i++) {
        parts.put(missing.get(i) + 1, sends.get(i).get());
      }
      String etag = owner.bucket().complete(to, parts, finalSize, metadata);
      if (rewrite) {
        etag = owner.bucket().copy(key, key, finalMetadata);
      }
      LOG.debug("/{}: {} of {} parts were sent while it was written", key, parts.size() - missing.size(), parts.size());
      return etag;
    } catch (ExecutionException e) {
      to.abort();
      if (e.getCause() instanceof StoreException se) {
        throw se;
      }
      throw new StoreException(StoreException.Kind.OTHER, "upload of " + key + " failed: " + e.getCause(), e);
    } catch (RuntimeException | InterruptedException e) {
      to.abort();
      throw e;
    } finally {
      owner.forget(this);
    }
  }

  private static Map<String, String> withoutTimes(Map<String, String> metadata) {
    Map<String, String> rest = new HashMap<>(metadata);
    rest.keySet().removeAll(MetadataCodec.TIMES);
    return rest;
  }

  /** Gives the upload up (the file was deleted, renamed, or replaced): aborts it. No lock held. */
  void abandon() {
    PartUpload to;
    synchronized (this) {
      closed = true;
      abandoned = true;
      to = upload;
      upload = null;
    }
    if (to != null) {
      to.abort(); // parts still in flight are discarded with it
    }
    owner.forget(this);
  }
}
