package io.s3repofs.cache;

import com.github.benmanes.caffeine.cache.Cache;
import io.s3repofs.store.BucketStore;
import io.s3repofs.store.ObjectHead;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>A prefetch's answers are kept apart from the HEAD cache, first in first out, at most
 * {@code prefetchCapacity} of them: in a full Caffeine cache (W-TinyLFU) a new entry that was
 * used no more often than the one it would replace is dropped at once, so a directory larger
 * than the cache would have its prefetched answers evicted before its stats came to them, and
 * each HEAD sent again. The stats that follow find them there; a HEAD a caller waits for itself
 * goes into the HEAD cache.
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
  /** Answers of prefetches (see the class comment), with when they came; guarded by itself. */
  private final LinkedHashMap<String, Prefetched> prefetched;
  /** How long a prefetched answer is valid (the HEAD cache's lifetime), in nanoseconds. */
  private final long lifetimeNanos;

  private record Prefetched(Optional<ObjectHead> head, long at) {}

  HeadFetcher(BucketStore store, Cache<String, Optional<ObjectHead>> heads, int concurrency, int prefetchCapacity,
      java.time.Duration lifetime) {
    this.store = store;
    this.heads = heads;
    this.lifetimeNanos = lifetime.toNanos();
    this.prefetched = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Prefetched> eldest) {
        return size() > prefetchCapacity;
      }
    };
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

    /**
     * Sends the HEAD on this thread unless another thread did; true when this thread did. A
     * prefetch's answer goes with the prefetched ones, a caller's into the HEAD cache.
     */
    boolean claimAndRun(boolean prefetch) {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      long epoch = epochs.get(stripe(key));
      long all = allEpoch.get();
      try {
        Optional<ObjectHead> head = store.head(key);
        if (prefetch) {
          synchronized (prefetched) {
            if (unchanged(key, epoch, all)) {
              prefetched.put(key, new Prefetched(head, System.nanoTime()));
            }
          }
        } else {
          heads.asMap().compute(key, (k, old) -> unchanged(key, epoch, all) ? head : old);
        }
        result.complete(head);
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      } finally {
        inFlight.remove(key, this);
      }
      return true;
    }
  }

  private boolean unchanged(String key, long epoch, long all) {
    return epochs.get(stripe(key)) == epoch && allEpoch.get() == all;
  }

  /** The cached HEAD of a key (also a prefetched one), or null. */
  Optional<ObjectHead> cached(String key) {
    Optional<ObjectHead> head = heads.getIfPresent(key);
    if (head != null) {
      return head;
    }
    synchronized (prefetched) {
      Prefetched p = prefetched.get(key);
      if (p == null) {
        return null;
      }
      if (System.nanoTime() - p.at() > lifetimeNanos) {
        prefetched.remove(key);
        return null;
      }
      return p.head();
    }
  }

  /** The HEAD of a key: cached, or the one in flight, or one sent now on the caller's thread. */
  Optional<ObjectHead> get(String key) {
    boolean retried = false;
    while (true) {
      Optional<ObjectHead> cached = cached(key);
      if (cached != null) {
        return cached;
      }
      Fetch fetch = register(key);
      if (fetch == null) {
        continue; // cached meanwhile
      }
      boolean ranHere = fetch.claimAndRun(false); // a queued prefetch is taken over: no waiting in line
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
    Optional<ObjectHead> cached = cached(key);
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
      if (heads.asMap().containsKey(key) || inFlight.containsKey(key) || isPrefetched(key)) {
        continue;
      }
      Fetch fresh = new Fetch(key);
      if (inFlight.putIfAbsent(key, fresh) == null) {
        pool.execute(() -> fresh.claimAndRun(true));
        queued++;
      }
    }
    return queued;
  }

  boolean inFlight(String key) {
    return inFlight.containsKey(key);
  }

  private boolean isPrefetched(String key) {
    return cached(key) != null;
  }

  /**
   * Call before changing a key's cached HEAD: a HEAD in flight for it will not be cached, and a
   * prefetched answer is dropped.
   */
  void changed(String key) {
    epochs.incrementAndGet(stripe(key));
    synchronized (prefetched) {
      prefetched.remove(key);
    }
  }

  /** Call before dropping the cached HEADs of every key under a prefix. */
  void changedAll(String prefix) {
    allEpoch.incrementAndGet();
    synchronized (prefetched) {
      prefetched.keySet().removeIf(k -> k.startsWith(prefix));
    }
  }

  private int stripe(String key) {
    return (key.hashCode() & 0x7fffffff) % epochs.length();
  }
}
