package io.s3repofs.pacman;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The heart of repo-add, independent of where the database lives: merges the selected packages
 * into a database read under the lock (or at the start of an optimistic attempt), with repo-add's
 * warnings and its {@code -n} and {@code -p} rules.
 *
 * @param added the entries put into the database (new or changed) and still there at the end
 *     (packages are merged in the order given, so a later version named in the same run
 *     replaces an earlier one, as in repo-add)
 * @param skipped file names not added
 * @param replaced for {@code -R}: the entries replaced by a different version (also one added
 *     earlier in the same run), whose package files are deleted once the new database is in
 *     place, unless the final database names them
 */
public record DatabaseMerge(List<RepoEntry> added, List<String> skipped, List<Replacement> replaced) {

  /** An entry whose package file an added package replaces. */
  public record Replacement(RepoEntry old, PackageFile by) {}

  /** Merges {@code selection} into {@code db} (changed in place). */
  public static DatabaseMerge apply(RepoDatabase db, PackageSelection selection,
      AddOptions options, RepoListener listener) {
    List<RepoEntry> added = new ArrayList<>();
    List<String> skipped = new ArrayList<>(selection.skipped());
    List<Replacement> replaced = new ArrayList<>();
    java.util.Map<String, RepoEntry> original = new java.util.HashMap<>();
    for (PackageFile pkg : selection.packages()) {
      db.get(pkg.info().name()).ifPresent(e -> original.putIfAbsent(e.name(), e));
    }
    for (PackageFile pkg : selection.packages()) {
      PackageInfo info = pkg.info();
      Optional<RepoEntry> current = db.get(info.name());
      listener.info("Adding package '" + pkg.path() + "'");
      if (current.isPresent() && current.get().version().equals(info.version())) {
        listener.warn("An entry for '" + info.entryName() + "' already existed");
        if (options.onlyNew()) {
          skipped.add(pkg.fileName());
          continue;
        }
      } else if (current.isPresent()) {
        if (Vercmp.compare(current.get().version(), info.version()) > 0) {
          listener.warn("A newer version for '" + info.name()
              + "' is already present in database (" + current.get().version() + ")");
          if (options.preventDowngrade()) {
            skipped.add(pkg.fileName());
            continue;
          }
        }
        if (options.removeOld() && current.get().fileName() != null
            && !current.get().fileName().equals(pkg.fileName())) {
          replaced.add(new Replacement(current.get(), pkg));
        }
      }
      RepoEntry entry = RepoEntry.of(pkg, selection.signatures().get(pkg.path()));
      if (current.isEmpty() || !current.get().equals(entry)) {
        db.put(entry);
        added.add(entry);
      }
    }
    // a version added and then replaced by a later one named in the same run is not "added",
    // nor is an entry that ends as it was (v2 in the database, a run naming v1 then v2)
    added.removeIf(e -> !db.get(e.name()).map(e::equals).orElse(false) || e.equals(original.get(e.name())));
    return new DatabaseMerge(List.copyOf(added), List.copyOf(skipped), List.copyOf(replaced));
  }
}
