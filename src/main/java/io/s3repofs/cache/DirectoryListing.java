package io.s3repofs.cache;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The children of one directory as the bucket holds them, kept current with the mount's own
 * writes while it is cached, so that lookups and {@code readdir} need no request.
 */
public final class DirectoryListing {

  private final ConcurrentSkipListMap<String, RemoteEntry> entries = new ConcurrentSkipListMap<>();
  private volatile boolean markerPresent;

  public DirectoryListing(boolean markerPresent) {
    this.markerPresent = markerPresent;
  }

  public RemoteEntry get(String name) {
    return entries.get(name);
  }

  public Set<String> names() {
    return entries.keySet();
  }

  /**
   * The keys (under {@code dirKey}) of at most {@code max} entries, from {@code name} on in name
   * order and then from the first up to {@code wrapBefore} (exclusive) or {@code name}, whichever
   * comes first: a file's key, or a subdirectory's marker key ({@code name/}).
   */
  public java.util.List<String> keysFrom(String dirKey, String name, int max, String wrapBefore) {
    java.util.List<String> keys = new java.util.ArrayList<>(Math.min(max, 1024));
    String end = wrapBefore.compareTo(name) < 0 ? wrapBefore : name;
    for (Map<String, RemoteEntry> part : java.util.List.of(entries.tailMap(name, true), entries.headMap(end, false))) {
      for (Map.Entry<String, RemoteEntry> e : part.entrySet()) {
        if (keys.size() >= max) {
          return keys;
        }
        keys.add(dirKey + e.getKey() + (e.getValue().directory() ? "/" : ""));
      }
    }
    return keys;
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  public void put(String name, RemoteEntry entry) {
    // A name that is both a file and a prefix shows as the directory, as s3fs does.
    entries.merge(name, entry, (old, neu) -> old.directory() && !neu.directory() ? old : neu);
  }

  public void replace(String name, RemoteEntry entry) {
    entries.put(name, entry);
  }

  public void remove(String name) {
    entries.remove(name);
  }

  /** Whether the directory has its own zero-byte {@code dir/} marker object. */
  public boolean markerPresent() {
    return markerPresent;
  }

  public void markerPresent(boolean present) {
    this.markerPresent = present;
  }
}
