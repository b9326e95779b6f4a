package io.s3repofs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import io.s3repofs.store.BucketStore;
import io.s3repofs.store.ObjectHead;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Fills the HEAD cache: one request per key however many callers want it at once (a caller that
 * finds a HEAD of its key in flight waits for it instead of sending a second), and many keys at a
 * time when a directory's entries are about to be stat'ed ({@link #prefetch}), with at most
 * {@code concurrency} requests in flight (s3fs's {@code multireq_max}). No lock is held while a
 * request runs.
 *
 * <p>A HEAD that was in flight while the mount wrote, deleted or forgot the key is not cached
 * (its answer may predate the change): every other change of the HEAD cache goes through
 * {@link #changed} or {@link #changedAll} first, and a fetch caches its answer only if neither
 * moved while it ran.
 */
final class HeadFetcher {

  private final BucketStore store;
  private final Cache<String, Optional<ObjectHead>> heads;
  private final ThreadPoolExecutor pool;
  /** Keys whose HEAD is queued or running. */
  private final ConcurrentHashMap<String, Fetch> inFlight = new ConcurrentHashMap<>();
  /** Changes per key (striped) and of everything, see the class comment. */
  private final AtomicLongArray epochs = new AtomicLongArray(1024);
  private final AtomicLong allEpoch = new AtomicLong();

  HeadFetcher(BucketStore store, Cache<String, Optional<ObjectHead>> heads, int concurrency) {
    this.store = store;
    this.heads = heads;
    this.pool = new ThreadPoolExecutor(concurrency, concurrency, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "s3repofs-head");
          t.setDaemon(true);
          return t;
        });
    pool.allowCoreThreadTimeOut(true);
  }

  /** One HEAD of one key: queued (a prefetch) or running; whoever claims it first sends it. */
  private final class Fetch {
    final String key;
    final CompletableFuture<Optional<ObjectHead>> result = new CompletableFuture<>();
    private final AtomicBoolean claimed = new AtomicBoolean();

    Fetch(String key) {
      this.key = key;
    }

    /** Sends the HEAD on this thread unless another thread did; true when this thread did. */
    boolean claimAndRun() {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      long epoch = epochs.get(stripe(key));
      long all = allEpoch.get();
      try {
        Optional<ObjectHead> head = store.head(key);
        heads.asMap().compute(key, (k, old) ->
            epochs.get(stripe(key)) == epoch && allEpoch.get() == all ? head : old);
        result.complete(head);
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      } finally {
        inFlight.remove(key, this);
      }
      return true;
    }
  }

  /** The HEAD of a key: cached, or the one in flight, or one sent now on the caller's thread. */
  Optional<ObjectHead> get(String key) {
    boolean retried = false;
    while (true) {
      Optional<ObjectHead> cached = heads.getIfPresent(key);
      if (cached != null) {
        return cached;
      }
      Fetch fetch = register(key);
      if (fetch == null) {
        continue; // cached meanwhile
      }
      boolean ranHere = fetch.claimAndRun(); // a queued prefetch is taken over: no waiting in line
      try {
        return fetch.result.join();
      } catch (CompletionException e) {
        if (!ranHere && !retried) {
          retried = true; // another caller's (or the prefetch's) request failed: try once ourselves
          continue;
        }
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }
  }

  /** The fetch in flight for a key, or a new one registered; null when the key got cached meanwhile. */
  private Fetch register(String key) {
    Fetch existing = inFlight.get(key);
    if (existing != null) {
      return existing;
    }
    Fetch fresh = new Fetch(key);
    existing = inFlight.putIfAbsent(key, fresh);
    if (existing != null) {
      return existing;
    }
    Optional<ObjectHead> cached = heads.getIfPresent(key);
    if (cached != null) { // a fetch ended between our look at the cache and the registration
      inFlight.remove(key, fresh);
      fresh.claimed.set(true);
      fresh.result.complete(cached);
      return null;
    }
    return fresh;
  }

  /** Queues HEADs of the keys not cached and not in flight; returns how many were queued. */
  int prefetch(List<String> keys) {
    int queued = 0;
    for (String key : keys) {
      if (heads.asMap().containsKey(key) || inFlight.containsKey(key)) {
        continue;
      }
      Fetch fresh = new Fetch(key);
      if (inFlight.putIfAbsent(key, fresh) == null) {
        pool.execute(fresh::claimAndRun);
        queued++;
      }
    }
    return queued;
  }

  boolean inFlight(String key) {
    return inFlight.containsKey(key);
  }

  /** Call before changing a key's cached HEAD: a HEAD in flight for it will not be cached. */
  void changed(String key) {
    epochs.incrementAndGet(stripe(key));
  }

  /** Call before dropping many cached HEADs at once. */
  void changedAll() {
    allEpoch.incrementAndGet();
  }

  private int stripe(String key) {
    return (key.hashCode() & 0x7fffffff) % epochs.length();
  }
}
