package io.s3repofs.pacman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The repository operations of repo-add and repo-remove, plus list and verify, on a repository
 * in a local (or mounted) directory.
 *
 * <p>Semantics follow Debian's repo-add (pacman 6.0.2): packages are added in the order given,
 * so when one run names several versions of a package the last one named wins (with repo-add's
 * warning when it is older), and {@code -R} deletes the file of every version it replaces, also
 * one named earlier in the same run: a run leaves exactly the package files repo-add leaves.
 * Deliberate differences:
 * <ul>
 *   <li>All packages are read and checked before the lock is taken and before anything is
 *       written; if any is missing or broken, nothing changes (repo-add also writes nothing
 *       then, but holds the lock meanwhile).</li>
 *   <li>{@code -R} deletes the replaced package file from the database's directory (where
 *       clients download it), after the new database is in place; repo-add looks for it next
 *       to the new package and deletes it before writing the database. With a grace period
 *       ({@link Retention}) it is recorded in {@code NAME.db.tar.EXT.pending-deletes} instead
 *       and deleted by a later add, remove or prune once due.</li>
 *   <li>{@code --include-sigs} is opt-in as in pacman 6.1 (Debian's 6.0.2 always includes).</li>
 *   <li>Optionally waits for the lock ({@link AddOptions#lockWait()}).</li>
 *   <li>An unchanged database is not rewritten.</li>
 * </ul>
 */
public final class LocalRepository implements Repository {
  private final RepoLocation location;
  private final PackageReader reader;
  private final RepoListener listener;
  private final Gpg signer;
  private final Retention retention;

  public LocalRepository(RepoLocation location, RepoListener listener) {
    this(location, new PackageReader(), listener);
  }

  public LocalRepository(RepoLocation location, PackageReader reader, RepoListener listener) {
    this(location, reader, listener, null);
  }

  /**
     * @param signer signs the databases each time they are written (repo-add's {@code --sign}),
     *     or null
     */
  public LocalRepository(RepoLocation location, PackageReader reader, RepoListener listener,
      Gpg signer) {
    this(location, reader, listener, signer, Retention.NONE);
  }

  /** @param retention how long package files replaced with {@code -R} stay */
  public LocalRepository(RepoLocation location, PackageReader reader, RepoListener listener,
      Gpg signer, Retention retention) {
    this.retention = retention;
    this.location = location;
    this.reader = reader;
    this.listener = listener;
    this.signer = signer;
  }

  public RepoLocation location() {
    return location;
  }

  @Override
  public String displayName() {
    return location.dbFile().toString();
  }

  /**
     * Adds packages to the database (creating it if needed), like {@code repo-add}.
     *
     * @throws RepoException if a package is missing or broken, the lock is held, or the database
     *     is not a proper one; the database is unchanged then
     */
  @Override
  public AddResult add(List<Path> packages, AddOptions options) throws IOException {
    if (packages.isEmpty()) {
      throw new RepoException("no package given");
    }
    checkDirectory();
    PackageSelection selection = PackageSelection.of(packages, options, reader,
        signer != null ? signer : new Gpg(null), listener);
    try (RepoLock lock = RepoLock.acquire(location.lockFile(), options.lockWait())) {
      RepoDatabase db = DatabaseReader.load(location);
      boolean existed = Files.exists(location.dbFile()) && Files.exists(location.filesFile());
      DatabaseMerge merge = DatabaseMerge.apply(db, selection, options, listener);
      List<Path> toDelete = new ArrayList<>();
      java.util.Set<String> named = new java.util.HashSet<>();
      db.entries().forEach(e -> named.add(e.fileName()));
      for (DatabaseMerge.Replacement r : merge.replaced()) {
        Path old = location.directory().resolve(r.old().fileName()).normalize();
        if (old.getParent() != null && old.getParent().equals(location.directory())
            && !named.contains(r.old().fileName()) && !toDelete.contains(old)
            && !isSameFile(old, r.by().path())) {
          toDelete.add(old);
        }
      }
      boolean write = !merge.added().isEmpty() || !existed;
      if (write) {
        listener.info("Creating updated database file '" + location.dbFile() + "'");
        DatabaseWriter.write(db, location, listener, signer);
      } else {
        listener.info("Database unchanged: '" + location.dbFile() + "'");
      }
      List<String> deleted = new ArrayList<>();
      if (retention.immediate()) {
        for (Path old : toDelete) {
          listener.info("Removing old package file '" + old.getFileName() + "'");
          for (Path f : List.of(old, old.resolveSibling(old.getFileName() + ".sig"))) {
            if (Files.deleteIfExists(f)) {
              deleted.add(f.toString());
            }
          }
        }
      } else if (!toDelete.isEmpty()) {
        keepForGrace(toDelete);
      }
      deleted.addAll(purge(db, false));
      return new AddResult(merge.added(), merge.skipped(), List.copyOf(deleted), write);
    }
  }

  /**
     * Removes the entries of the named packages, like {@code repo-remove}.
     *
     * @throws RepoException if the database does not exist, a name is not in it (then nothing is
     *     removed), or the lock is held
     */
  @Override
  public RemoveResult remove(List<String> names, Duration lockWait) throws IOException {
    if (names.isEmpty()) {
      throw new RepoException("no package name given");
    }
    checkDirectory();
    try (RepoLock lock = RepoLock.acquire(location.lockFile(), lockWait)) {
      if (!Files.exists(location.dbFile())) {
        throw new RepoException("repository file '" + location.dbFile() + "' was not found");
      }
      RepoDatabase db = DatabaseReader.load(location);
      List<RepoEntry> removed = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (String name : names) {
        listener.info("Searching for package '" + name + "'");
        Optional<RepoEntry> gone = db.remove(name);
        if (gone.isPresent()) {
          listener.info("Removing existing entry '" + gone.get().directoryName() + "'");
          removed.add(gone.get());
        } else {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new RepoException("package matching '" + String.join("', '", missing)
            + "' not found in " + location.dbFile() + " (the database is unchanged)");
      }
      listener.info("Creating updated database file '" + location.dbFile() + "'");
      DatabaseWriter.write(db, location, listener, signer);
      purge(db, false);
      return new RemoveResult(List.copyOf(removed));
    }
  }

  /**
     * Reads the database (and file lists from the files database).
     *
     * @throws RepoException if it does not exist or is not a proper database
     */
  @Override
  public RepoDatabase read() throws IOException {
    if (!Files.exists(location.dbFile())) {
      throw new RepoException("repository file '" + location.dbFile() + "' was not found");
    }
    return DatabaseReader.load(location);
  }

  /**
     * Checks that the repository is consistent: each entry's package file is next to the
     * database, its size, MD5 and SHA-256 match, its {@code .PKGINFO} names the same package and
     * version, its {@code .sig} is there and matches where %PGPSIG% is set; the files database
     * lists the same entries with the package's file list; the {@code NAME.db} and
     * {@code NAME.files} links lead to the databases.
     *
     * @return the problems found, empty if none
     * @throws RepoException if the database itself is missing or unreadable
     */
  @Override
  public List<VerifyProblem> verify() throws IOException {
    RepoDatabase db = read();
    List<VerifyProblem> problems = new ArrayList<>();
    RepoDatabase filesDb = null;
    if (!Files.exists(location.filesFile())) {
      problems.add(new VerifyProblem(location.filesFile().getFileName().toString(), "missing"));
    } else {
      filesDb = DatabaseReader.read(location.filesFile());
    }
    for (Path[] link : List.of(new Path[] {location.dbLink(), location.dbFile()},
        new Path[] {location.filesLink(), location.filesFile()})) {
      if (!Files.exists(link[0])) {
        problems.add(new VerifyProblem(link[0].getFileName().toString(), "missing (pacman downloads this name)"));
      } else if (Files.exists(link[1]) && Files.mismatch(link[0], link[1]) != -1) {
        problems.add(new VerifyProblem(link[0].getFileName().toString(), "differs from "
            + link[1].getFileName()));
      }
    }
    for (RepoEntry e : db.entries()) {
      listener.info("Checking '" + e.directoryName() + "'");
      verifyEntry(e, filesDb, problems);
    }
    if (filesDb != null) {
      for (RepoEntry f : filesDb.entries()) {
        if (db.get(f.name()).isEmpty()) {
          problems.add(new VerifyProblem(f.directoryName(), "in "
              + location.filesFile().getFileName() + " but not in " + location.dbFile().getFileName()));
        }
      }
    }
    return problems;
  }

  private void verifyEntry(RepoEntry e, RepoDatabase filesDb, List<VerifyProblem> problems) {
    String who = e.directoryName();
    String fileName = e.fileName();
    if (fileName == null || fileName.contains("/") || fileName.equals("..")) {
      problems.add(new VerifyProblem(who, "invalid %FILENAME% '" + fileName + "'"));
      return;
    }
    Path file = location.directory().resolve(fileName);
    PackageFile pkg = null;
    if (!Files.exists(file)) {
      problems.add(new VerifyProblem(who, "package file " + fileName + " is missing"));
    } else {
      try {
        pkg = reader.read(file);
      } catch (PackageException ex) {
        // a changed file is reported as such, rather than only as unreadable
        int before = problems.size();
        checkDigests(file, e, problems);
        if (problems.size() == before) {
          problems.add(new VerifyProblem(who, ex.getMessage()));
        }
      }
    }
    if (pkg != null) {
      check(problems, who, "%CSIZE%", e.first("CSIZE"), Long.toString(pkg.compressedSize()));
      if (e.first("MD5SUM") != null) {
        check(problems, who, "%MD5SUM%", e.first("MD5SUM"), pkg.md5());
      }
      if (e.first("SHA256SUM") != null) {
        check(problems, who, "%SHA256SUM%", e.first("SHA256SUM"), pkg.sha256());
      } else if (e.first("MD5SUM") == null) {
        problems.add(new VerifyProblem(who, "no checksum in the database"));
      }
      check(problems, who, "package name", e.name(), pkg.info().name());
      check(problems, who, "package version", e.version(), pkg.info().version());
    }
    String pgpsig = e.first("PGPSIG");
    if (pgpsig != null) {
      Path sig = location.directory().resolve(fileName + ".sig");
      try {
        if (!Files.exists(sig)) {
          problems.add(new VerifyProblem(who, "%PGPSIG% is set but " + sig.getFileName() + " is missing"));
        } else if (!Base64.getEncoder().encodeToString(Files.readAllBytes(sig)).equals(pgpsig)) {
          problems.add(new VerifyProblem(who, sig.getFileName() + " differs from %PGPSIG%"));
        }
      } catch (IOException ex) {
        problems.add(new VerifyProblem(who, "cannot read " + sig.getFileName() + ": " + ex.getMessage()));
      }
    }
    if (filesDb != null) {
      Optional<RepoEntry> f = filesDb.get(e.name());
      if (f.isEmpty() || !f.get().version().equals(e.version())) {
        problems.add(new VerifyProblem(who, "missing from " + location.filesFile().getFileName()));
      } else if (pkg != null && f.get().files() != null && !f.get().files().equals(pkg.files())) {
        problems.add(new VerifyProblem(who, "file list in " + location.filesFile().getFileName()
            + " differs from the package's"));
      }
    }
  }

  /** Compares size and checksums of a file with the entry's, without parsing the file. */
  private static void checkDigests(Path file, RepoEntry e, List<VerifyProblem> problems) {
    String who = e.directoryName();
    try (java.io.InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
      java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      long size = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        md5.update(buf, 0, n);
        sha256.update(buf, 0, n);
        size += n;
      }
      check(problems, who, "%CSIZE%", e.first("CSIZE"), Long.toString(size));
      if (e.first("MD5SUM") != null) {
        check(problems, who, "%MD5SUM%", e.first("MD5SUM"), java.util.HexFormat.of().formatHex(md5.digest()));
      }
      if (e.first("SHA256SUM") != null) {
        check(problems, who, "%SHA256SUM%", e.first("SHA256SUM"), java.util.HexFormat.of().formatHex(sha256.digest()));
      }
    } catch (IOException | java.security.NoSuchAlgorithmException ex) {
      problems.add(new VerifyProblem(who, "cannot read " + file + ": " + ex.getMessage()));
    }
  }

  private static void check(List<VerifyProblem> problems, String who, String what, String db, String actual) {
    if (!actual.equals(db)) {
      problems.add(new VerifyProblem(who, what + " is " + db + " in the database but "
          + actual + " in the package file"));
    }
  }

  @Override
  public List<String> prune(boolean all, Duration lockWait) throws IOException {
    checkDirectory();
    try (RepoLock lock = RepoLock.acquire(location.lockFile(), lockWait)) {
      return purge(read(), all);
    }
  }

  @Override
  public List<PendingDeletes.Entry> pendingDeletes() throws IOException {
    return Files.exists(pendingFile()) ? readPending().entries() : List.of();
  }

  private Path pendingFile() {
    return location.directory().resolve(location.dbFile().getFileName() + ".pending-deletes");
  }

  private PendingDeletes readPending() throws IOException {
    Path file = pendingFile();
    return Files.exists(file) ? PendingDeletes.parse(Files.readAllBytes(file), file.toString())
        : new PendingDeletes();
  }

  private void writePending(PendingDeletes pending) throws IOException {
    Path file = pendingFile();
    if (pending.isEmpty()) {
      Files.deleteIfExists(file);
      return;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, pending.toBytes());
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Records replaced package files (and their signatures) to be deleted after the grace. */
  private void keepForGrace(List<Path> replaced) throws IOException {
    PendingDeletes pending = readPending();
    java.time.Instant due = retention.clock().instant().plus(retention.grace());
    for (Path old : replaced) {
      listener.info("Keeping old package file '" + old.getFileName() + "' until " + due
          + " (clients holding the previous database still download it)");
      for (Path f : List.of(old, old.resolveSibling(old.getFileName() + ".sig"))) {
        if (Files.exists(f)) {
          pending.add(f.getFileName().toString(), due);
        }
      }
    }
    writePending(pending);
  }

  /** Deletes recorded files that are due (all with {@code all}) and not named by {@code db}. */
  private List<String> purge(RepoDatabase db, boolean all) throws IOException {
    if (!Files.exists(pendingFile())) {
      return List.of();
    }
    PendingDeletes pending = readPending();
    java.util.Set<String> named = new java.util.HashSet<>();
    db.entries().forEach(e -> named.add(e.fileName()));
    List<String> deleted = new ArrayList<>();
    for (String file : pending.takeDue(retention.clock().instant(), all, named)) {
      Path f = location.directory().resolve(file);
      listener.info("Removing old package file '" + file + "' (its grace period is over)");
      if (Files.deleteIfExists(f)) {
        deleted.add(f.toString());
      }
    }
    writePending(pending);
    return deleted;
  }

  private void checkDirectory() throws RepoException {
    if (!Files.isDirectory(location.directory())) {
      throw new RepoException(location.directory() + " does not exist or is not a directory");
    }
  }

  private static boolean isSameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return true; // when in doubt, do not delete
    }
  }
}
