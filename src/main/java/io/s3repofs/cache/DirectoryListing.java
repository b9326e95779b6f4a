package io.s3repofs.cache;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The children of one directory as the bucket holds them, kept current with the mount's own
 * writes while it is cached, so that lookups and {@code readdir} need no request.
 */
public final class DirectoryListing {

  private final Map<String, RemoteEntry> entries = new ConcurrentSkipListMap<>();
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
