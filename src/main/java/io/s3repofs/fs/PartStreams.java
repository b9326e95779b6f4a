package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.store.MetadataCodec;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Decides which files send their parts while being written ({@link PartStream}) and owns the
 * threads that send them: {@code parallel_count} at a time across all files, as many per file.
 * A file streams once its data file holds two parts (below that one PUT at close is cheaper),
 * unless its name says it is about to be renamed (a hidden or temporary name: the upload would
 * be under the wrong key).
 *
 * <p>{@link FileNode#stream} is guarded by the state lock; the methods taking a node need it.
 */
final class PartStreams implements AutoCloseable {

  private final CachedBucket bucket;
  private final CommitPoints commitPoints;
  private final boolean enabled;
  private final long partSize;
  private final int parallel;
  private final ThreadPoolExecutor senders;
  /** Streams started and not yet finished or abandoned: aborted when the mount closes. */
  private final Set<PartStream> live = ConcurrentHashMap.newKeySet();

  PartStreams(CachedBucket bucket, CommitPoints commitPoints, boolean enabled) {
    this.bucket = bucket;
    this.commitPoints = commitPoints;
    this.enabled = enabled;
    this.partSize = bucket.storeSettings().multipartSize();
    this.parallel = Math.max(1, bucket.storeSettings().parallelCount());
    this.senders = new ThreadPoolExecutor(parallel, parallel, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "s3repofs-part-stream");
      t.setDaemon(true);
      return t;
    });
    senders.allowCoreThreadTimeOut(true);
  }

  CachedBucket bucket() {
    return bucket;
  }

  int partsPerFile() {
    return parallel;
  }

  /**
   * Bytes {@code [from, to)} of the node's current data file changed: tells its stream, or starts
   * one if the file has become worth it. Needs the state lock.
   */
  void written(FileNode node, long from, long to) {
    assert node.owned() : "state lock not held";
    PartStream stream = node.stream;
    if (stream == null) {
      if (!worthStreaming(node)) {
        return;
      }
      stream = new PartStream(node.path, node.contentFile, MetadataCodec.encode(node.attributes), partSize, this);
      node.stream = stream;
      live.add(stream);
      from = 0; // everything so far is new to it
    } else if (!stream.file.equals(node.contentFile)) {
      return; // it sends a closed state's file, which no write changes
    }
    stream.written(from, to, node.size);
  }

  private boolean worthStreaming(FileNode node) {
    if (!enabled || node.contentFile == null || node.size < 2 * partSize || node.unlinked) {
      return false;
    }
    String name = KeyPaths.name(node.path);
    return !commitPoints.isDeferrable(node.path) && !name.endsWith(".part") && !name.endsWith(".tmp");
  }

  /**
   * The node's stream, detached, if it sends {@code state}'s file under {@code key}; else null (a
   * stream of a file no state names any more is given up). Needs the state lock.
   */
  PartStream takeFor(FileNode node, ClosedState state, String key) {
    assert node.owned() : "state lock not held";
    PartStream stream = node.stream;
    if (stream == null || !stream.file.equals(state.file())) {
      release(node);
      return null;
    }
    node.stream = null;
    if (!stream.key.equals(key) || state.size() < partSize) {
      abandonLater(stream); // renamed since it started, or cut below one part: a PUT instead
      return null;
    }
    return stream;
  }

  /** Gives up the node's stream if its data file is no longer named by the node. Needs the state lock. */
  void release(FileNode node) {
    assert node.owned() : "state lock not held";
    PartStream stream = node.stream;
    if (stream != null && (node.unlinked || !node.uses(stream.file))) {
      node.stream = null;
      abandonLater(stream);
    }
  }

  private void abandonLater(PartStream stream) {
    try {
      senders.execute(stream::abandon);
    } catch (RejectedExecutionException closing) {
      live.remove(stream);
    }
  }

  void execute(Runnable task) {
    senders.execute(task);
  }

  <T> Future<T> submit(Callable<T> task) {
    return senders.submit(task);
  }

  void forget(PartStream stream) {
    live.remove(stream);
  }

  /** How many streams are open (started, not finished or given up). */
  int open() {
    return live.size();
  }

  /** Aborts what no upload completed (files still open when the mount closes) and stops the threads. */
  @Override
  public void close() {
    for (PartStream stream : live.toArray(PartStream[]::new)) {
      stream.abandon();
    }
    senders.shutdownNow();
  }
}
