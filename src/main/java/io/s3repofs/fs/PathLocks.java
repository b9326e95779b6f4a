package io.s3repofs.fs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A lock per path, as cryptomator's fuse-nio-adapter keeps them: an operation that changes names
 * write-locks the paths it changes and read-locks their ancestors, so a directory rename excludes
 * every change below it while changes in unrelated directories run side by side. Operations may
 * make S3 requests while holding these (they are needed only by operations on the same paths),
 * never while holding the state lock. All locks of one operation are taken at once, in path
 * order, so two operations cannot deadlock.
 */
final class PathLocks {

  private static final class Entry {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    int users;
  }

  /** Guarded by itself. */
  private final Map<String, Entry> entries = new HashMap<>();

  /** Locks held by one operation; closing releases them. */
  final class Held implements AutoCloseable {
    private final List<Map.Entry<String, Boolean>> taken = new ArrayList<>();

    @Override
    public void close() {
      for (int i = taken.size() - 1; i >= 0; i--) {
        Map.Entry<String, Boolean> e = taken.get(i);
        release(e.getKey(), e.getValue());
      }
      taken.clear();
    }
  }

  /**
   * Read-locks the ancestors of a key: an upload holds these while it sends, so that a rename or
   * removal of a directory above it waits for it (and it for them), while changes of the file
   * itself do not.
   */
  Held lockAncestors(String key) {
    return lock(new String[] {key}, false);
  }

  /** Write-locks the given keys and read-locks all their ancestors (the root is ""). */
  Held lock(String... writeKeys) {
    return lock(writeKeys, true);
  }

  private Held lock(String[] writeKeys, boolean lockKeys) {
    TreeMap<String, Boolean> wanted = new TreeMap<>(); // key -> exclusive
    for (String key : writeKeys) {
      for (String a = KeyPaths.parent(key); ; a = KeyPaths.parent(a)) {
        wanted.putIfAbsent(a, false);
        if (a.isEmpty()) {
          break;
        }
      }
    }
    if (lockKeys) {
      for (String key : writeKeys) {
        wanted.put(key, true);
      }
    }
    Held held = new Held();
    for (Map.Entry<String, Boolean> e : wanted.entrySet()) {
      Entry entry = acquire(e.getKey());
      if (e.getValue()) {
        entry.lock.writeLock().lock();
      } else {
        entry.lock.readLock().lock();
      }
      held.taken.add(Map.entry(e.getKey(), e.getValue()));
    }
    return held;
  }

  private Entry acquire(String key) {
    synchronized (entries) {
      Entry e = entries.computeIfAbsent(key, k -> new Entry());
      e.users++;
      return e;
    }
  }

  private void release(String key, boolean exclusive) {
    synchronized (entries) {
      Entry e = entries.get(key);
      if (exclusive) {
        e.lock.writeLock().unlock();
      } else {
        e.lock.readLock().unlock();
      }
      if (--e.users == 0) {
        entries.remove(key);
      }
    }
  }
}
