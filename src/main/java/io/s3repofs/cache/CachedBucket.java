package io.s3repofs.cache;

import io.s3repofs.store.DirectoryPage;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.BucketStore;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.RequestCounter;
import io.s3repofs.store.StoreSettings;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bucket as the filesystem core sees it: the store's operations behind the metadata caches,
 * which every write through here keeps current. Keys are relative to the mount's prefix; a
 * directory's key is {@code ""} (the root) or ends with '/'.
 */
public final class CachedBucket {

  private final BucketStore store;
  private final MetadataCache cache;
  private final ListingFilter listingFilter = new ListingFilter();
  private final HeadFetcher heads;
  /** Directories readdir listed lately: the stat calls that follow get their HEADs many at a time. */
  private final com.github.benmanes.caffeine.cache.Cache<String, ReadDirectory> readDirectories;
  /**
   * Most HEADs one prefetch queues, and most prefetched answers kept: half the HEAD cache's size
   * (so the HEADs of a mount are at most one and a half max_stat_cache_size).
   */
  private final int prefetchWindow;

  public CachedBucket(BucketStore store, CacheSettings settings) {
    this.store = store;
    this.cache = new MetadataCache(settings);
    this.readDirectories = com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
        .expireAfterWrite(settings.statCacheExpiry()).maximumSize(64).build();
    this.prefetchWindow = (int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.statCacheSize() / 2));
    this.heads = new HeadFetcher(store, cache.heads, store.settings().metadataRequests(), prefetchWindow,
        settings.statCacheExpiry());
  }

  public StoreSettings storeSettings() {
    return store.settings();
  }

  public RequestCounter requests() {
    return store.requests();
  }

  /** The children of a directory, listed once per cache lifetime. */
  public DirectoryListing listing(String dirKey) {
    return cache.listings.get(dirKey, this::fetchListing);
  }

  /**
   * Thrown by the cache-only lookups ({@link #listingOrMiss}, {@link #headOrMiss}) when the answer
   * needs a request: the filesystem core releases its state lock, runs {@link #fetch} (which fills
   * the cache) and starts the operation again, so no request is made under that lock.
   */
  public static final class CacheMiss extends RuntimeException {
    private final transient java.util.function.Supplier<?> fetch;

    /** @param what the request, such as {@code "HEAD key"}: also the key of what it fetched */
    public CacheMiss(String what, java.util.function.Supplier<?> fetch) {
      super(what, null, false, false);
      this.fetch = fetch;
    }

    /** Makes the request (filling the cache) and returns what it fetched. */
    public Object fetch() {
      return fetch.get();
    }
  }

  /** The cached listing of a directory; a {@link CacheMiss} when it is not cached. */
  public DirectoryListing listingOrMiss(String dirKey) {
    DirectoryListing listing = cachedListing(dirKey);
    if (listing == null) {
      throw new CacheMiss("LIST " + dirKey, () -> listing(dirKey));
    }
    return listing;
  }

  /**
   * The cached HEAD of an object (or its cached absence); a {@link CacheMiss} when unknown. In a
   * directory that readdir just listed, the miss also starts the HEADs of the entries that follow
   * (see {@link #directoryRead}).
   */
  public Optional<ObjectHead> headOrMiss(String key) {
    Optional<ObjectHead> head = heads.cached(key);
    if (head == null) {
      throw new CacheMiss("HEAD " + key, () -> {
        prefetchAfterMiss(key);
        return head(key);
      });
    }
    return head;
  }

  /** A directory readdir listed, with how many HEADs of its entries missed the cache since. */
  private static final class ReadDirectory {
    final java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();
    /** Where this pass's first prefetch began: a later window wraps round to it, not past it. */
    final java.util.concurrent.atomic.AtomicReference<String> firstPrefetch =
        new java.util.concurrent.atomic.AtomicReference<>();
  }

  /**
   * Records that readdir listed a directory. What usually follows is a stat of every entry
   * ({@code ls -l}, {@code rm -r}, {@code find}): from the second HEAD of its entries that misses
   * the cache, the HEADs of the entries after it (in name order, then from the start; at most half
   * the HEAD cache) are fetched {@code multireq_max} at a time, so each stat waits for a HEAD
   * already in flight instead of sending its own after the one before. A lone stat after a
   * readdir (a glob, then one file) costs no prefetch.
   */
  public void directoryRead(String dirKey) {
    readDirectories.put(dirKey, new ReadDirectory());
  }

  private void prefetchAfterMiss(String key) {
    String dirKey = parentKey(key);
    ReadDirectory read = readDirectories.getIfPresent(dirKey);
    if (read == null || heads.inFlight(key) || read.misses.incrementAndGet() < 2) {
      return;
    }
    DirectoryListing listing = cachedListing(dirKey);
    if (listing != null) {
      // The windows go on in name order and wrap round to the start, for stats that began in
      // the middle; not past the first window's start: those were fetched already (and may
      // have left the prefetch buffer), so fetching them again would double the last HEADs.
      String name = nameOf(key);
      String first = read.firstPrefetch.updateAndGet(f -> f == null ? name : f);
      heads.prefetch(listing.keysFrom(dirKey, name, prefetchWindow, first));
    }
  }

  /** The cached HEAD of an object (empty: known absent), or null when it is not cached. */
  public Optional<ObjectHead> cachedHead(String key) {
    return heads.cached(key);
  }

  /** The cached listing of a directory, or null when it is not cached. */
  public DirectoryListing cachedListing(String dirKey) {
    return cache.listings.getIfPresent(dirKey);
  }

  /** Records that a directory is known to be empty (one the mount just made). */
  public void rememberEmptyDirectory(String dirKey) {
    cache.listings.put(dirKey, new DirectoryListing(true));
  }

  /** Forgets every listing and HEAD at or below a directory key (after a directory rename). */
  public void forgetTree(String dirKey) {
    cache.listings.asMap().keySet().removeIf(k -> k.startsWith(dirKey));
    heads.changedAll(dirKey);
    cache.heads.asMap().keySet().removeIf(k -> k.startsWith(dirKey));
  }

  /** Sets the cached HEAD of a key (a HEAD in flight for it is then not cached). */
  private void setHead(String key, Optional<ObjectHead> head) {
    heads.changed(key);
    cache.heads.put(key, head);
  }

  private void dropHead(String key) {
    heads.changed(key);
    cache.heads.invalidate(key);
  }

  public void forgetListing(String dirKey) {
    cache.listings.invalidate(dirKey);
  }

  /**
   * Changes recorded per directory (striped), so that a LIST that was in flight while the mount
   * wrote or deleted an object in that directory is not cached without that change: the cache
   * lookup that fetches it runs without the filesystem's lock, so writes go on meanwhile.
   */
  private final java.util.concurrent.atomic.AtomicLongArray listingEpochs =
      new java.util.concurrent.atomic.AtomicLongArray(1024);

  private int stripe(String dirKey) {
    return (dirKey.hashCode() & 0x7fffffff) % listingEpochs.length();
  }

  private void changed(String dirKey) {
    listingEpochs.incrementAndGet(stripe(dirKey));
  }

  private DirectoryListing fetchListing(String dirKey) {
    for (int attempt = 1; ; attempt++) {
      long epoch = listingEpochs.get(stripe(dirKey));
      DirectoryPage page = store.list(dirKey);
      if (listingEpochs.get(stripe(dirKey)) == epoch || attempt >= 5) {
        return listingFilter.listing(dirKey, page);
      }
      // the directory changed while it was listed: list again
    }
  }

  /**
   * HEAD of an object, cached (a miss is cached too). A HEAD of the key already in flight is
   * waited for, not sent twice.
   */
  public Optional<ObjectHead> head(String key) {
    return heads.get(key);
  }

  public InputStream read(String key, long from, long toInclusive) {
    return store.read(key, from, toInclusive);
  }

  /** Closes a stream from {@link #read} that was not read to its end, dropping the connection. */
  public static void abort(InputStream stream) {
    ObjectStore.abort(stream);
  }

  public byte[] readAll(String key) {
    return store.readAll(key);
  }

  /** Uploads a file (multipart when large) and records the new object in the caches. */
  public String putFile(String key, Path file, long size, Map<String, String> metadata) {
    String etag = store.putFile(key, file, size, metadata);
    remember(key, size, etag, metadata);
    return etag;
  }

  /** Starts a multipart upload whose parts the caller sends as they become ready. */
  public io.s3repofs.store.PartUpload startMultipart(String key, Map<String, String> metadata) {
    return store.startMultipart(key, metadata);
  }

  /** Completes a multipart upload of {@code size} bytes and records the new object in the caches. */
  public String complete(io.s3repofs.store.PartUpload upload, java.util.SortedMap<Integer, String> parts, long size,
      Map<String, String> metadata) {
    String etag = upload.complete(parts);
    remember(upload.key(), size, etag, metadata);
    return etag;
  }

  public String putBytes(String key, byte[] body, Map<String, String> metadata) {
    String etag = store.putBytes(key, body, metadata);
    remember(key, body.length, etag, metadata);
    return etag;
  }

  /** Puts a directory's {@code dir/} marker object with its attributes. */
  public void putDirectoryMarker(String dirKey, Map<String, String> metadata) {
    String etag = store.putBytes(dirKey, new byte[0], metadata);
    changed(dirKey);
    changed(parentKey(dirKey));
    setHead(dirKey, Optional.of(new ObjectHead(0, etag, Instant.now(), metadata)));
    DirectoryListing own = cachedListing(dirKey);
    if (own != null) {
      own.markerPresent(true);
    }
    String name = nameOf(dirKey);
    DirectoryListing parent = cachedListing(parentKey(dirKey));
    if (parent != null) {
      parent.replace(name, RemoteEntry.directoryEntry());
    }
  }

  /**
   * Server-side copy; {@code metadata} null keeps the source's. The copy's HEAD is remembered when
   * its metadata is known.
   */
  public String copy(String sourceKey, String targetKey, Map<String, String> metadata) {
    String etag = store.copy(sourceKey, targetKey, metadata);
    Map<String, String> known = metadata;
    long size = -1;
    Optional<ObjectHead> source = heads.cached(sourceKey);
    if (source != null && source.isPresent()) {
      size = source.get().size();
      if (known == null) {
        known = source.get().metadata();
      }
    }
    if (size < 0) {
      RemoteEntry listed = listedEntry(sourceKey);
      size = listed == null ? -1 : listed.size();
    }
    if (size >= 0 && known != null) {
      remember(targetKey, size, etag, known);
    } else {
      changed(parentKey(targetKey));
      dropHead(targetKey);
      forgetListing(parentKey(targetKey));
    }
    return etag;
  }

  /** Deletes an object (a file, or a directory's marker) and records that it is gone. */
  public void delete(String key) {
    store.delete(key);
    changed(parentKey(key));
    if (key.endsWith("/")) {
      changed(key);
    }
    setHead(key, Optional.empty());
    if (key.endsWith("/")) {
      DirectoryListing own = cachedListing(key);
      if (own != null) {
        own.markerPresent(false);
      }
      return;
    }
    DirectoryListing parent = cachedListing(parentKey(key));
    if (parent != null) {
      parent.remove(nameOf(key));
    }
  }

  /** Forgets that a directory exists, after its last object is gone. */
  public void forgetDirectory(String dirKey) {
    changed(dirKey);
    changed(parentKey(dirKey));
    cache.listings.invalidate(dirKey);
    dropHead(dirKey);
    DirectoryListing parent = cachedListing(parentKey(dirKey));
    if (parent != null) {
      parent.remove(nameOf(dirKey));
    }
  }

  /** Records that a directory exists (implicitly, through an object below it). */
  public void rememberDirectory(String dirKey) {
    changed(parentKey(dirKey));
    DirectoryListing parent = cachedListing(parentKey(dirKey));
    if (parent != null) {
      parent.replace(nameOf(dirKey), RemoteEntry.directoryEntry());
    }
  }

  public List<ListedObject> listRecursive(String keyPrefix) {
    return store.listRecursive(keyPrefix);
  }

  /** The listing entry of a key when its directory's listing is cached, else null. */
  public RemoteEntry listedEntry(String key) {
    DirectoryListing parent = cachedListing(parentKey(key));
    return parent == null ? null : parent.get(nameOf(key));
  }

  private void remember(String key, long size, String etag, Map<String, String> metadata) {
    changed(parentKey(key));
    Instant now = Instant.now();
    setHead(key, Optional.of(new ObjectHead(size, etag, now, metadata)));
    DirectoryListing parent = cachedListing(parentKey(key));
    if (parent != null) {
      parent.replace(nameOf(key), RemoteEntry.file(size, etag, now));
    }
  }

  /** The key of the directory holding {@code key}: "" for top-level names. */
  public static String parentKey(String key) {
    String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    int slash = k.lastIndexOf('/');
    return slash < 0 ? "" : k.substring(0, slash + 1);
  }

  /** The last component of a key, without a trailing slash. */
  public static String nameOf(String key) {
    String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    return k.substring(k.lastIndexOf('/') + 1);
  }
}
