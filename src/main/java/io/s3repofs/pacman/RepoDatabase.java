package io.s3repofs.pacman;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory content of a repository: at most one {@link RepoEntry} per package name, as in
 * repo-add's databases. Entries are kept in bytewise order of their directory names, the order
 * in which they are written. Not thread-safe.
 */
public final class RepoDatabase {
  private final TreeMap<String, RepoEntry> byName = new TreeMap<>(ByteOrder.UTF8);

  /** An empty database. */
  public RepoDatabase() {}

  /** A database holding the given entries (a later entry replaces an earlier one of the same name). */
  public RepoDatabase(Collection<RepoEntry> entries) {
    entries.forEach(this::put);
  }

  /** Adds an entry, replacing any entry of the same package name; returns the replaced one. */
  public Optional<RepoEntry> put(RepoEntry entry) {
    return Optional.ofNullable(byName.put(entry.name(), entry));
  }

  /** Removes the entry of a package name; returns it. */
  public Optional<RepoEntry> remove(String name) {
    return Optional.ofNullable(byName.remove(name));
  }

  /** The entry of a package name. */
  public Optional<RepoEntry> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The entries in directory-name order. */
  public List<RepoEntry> entries() {
    List<RepoEntry> list = new ArrayList<>(byName.values());
    list.sort((a, b) -> ByteOrder.compare(a.directoryName(), b.directoryName()));
    return Collections.unmodifiableList(list);
  }

  public int size() {
    return byName.size();
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RepoDatabase d && byName.equals(d.byName);
  }

  @Override
  public int hashCode() {
    return byName.hashCode();
  }
}
