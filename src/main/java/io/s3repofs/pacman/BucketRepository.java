package io.s3repofs.pacman;

import io.s3repofs.store.ListedObject;
import io.s3repofs.store.ObjectStore;
import io.s3repofs.store.StoreException;
import io.s3repofs.store.StoredObject;
import io.s3repofs.store.WriteCondition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A repository kept directly in a bucket, without a mount: the same rules as
 * {@link LocalRepository}, with the bucket's order of writes and optimistic concurrency.
 *
 * <p>An add reads the database with its entity tag, merges, uploads the new packages (and their
 * {@code .sig}), then the files database, then the database with {@code If-Match} (or
 * {@code If-None-Match: *} when creating it), then {@code NAME.db} and {@code NAME.files} as
 * server-side copies marked as symlinks (so HTTP clients get the databases and a mount shows
 * links), and with {@code -R} deletes the replaced package objects last. When the database changed
 * meanwhile (412), the add starts over from the new database, up to {@value #MAX_ATTEMPTS}
 * times: concurrent adds lose no entry. Entries whose file lists are missing from the files
 * database (because a concurrent writer's files database was overwritten) are healed from their
 * package objects. Servers that ignore conditional writes are refused unless the caller vouches
 * that it is the only writer.
 */
public final class BucketRepository implements Repository {
  /** Attempts of one add or remove when the database keeps changing under it. */
  static final int MAX_ATTEMPTS = 10;

  private final ObjectStore store;
  private final BucketLocation location;
  private final PackageReader reader;
  private final RepoListener listener;
  private final Gpg signer;
  private final boolean singleWriter;
  private final Retention retention;
  private final ObjectMetadata metadata = new ObjectMetadata();
  private Boolean conditionsHonoured;

  /**
   * @param store the store, whose prefix is {@link BucketLocation#prefix()}
   * @param signer signs the databases each time they are written, or null
   * @param singleWriter the caller vouches that nobody else writes this database at the same
   *     time: allowed on servers that ignore conditional writes
   */
  public BucketRepository(ObjectStore store, BucketLocation location, PackageReader reader,
      RepoListener listener, Gpg signer, boolean singleWriter) {
    this(store, location, reader, listener, signer, singleWriter, Retention.NONE);
  }

  /** @param retention how long package objects replaced with {@code -R} stay */
  public BucketRepository(ObjectStore store, BucketLocation location, PackageReader reader,
      RepoListener listener, Gpg signer, boolean singleWriter, Retention retention) {
    this.retention = retention;
    this.store = store;
    this.location = location;
    this.reader = reader;
    this.listener = listener;
    this.signer = signer;
    this.singleWriter = singleWriter;
  }

  @Override
  public String displayName() {
    return location.toString();
  }

  private DatabaseName names() {
    return location.database();
  }

  @Override
  public AddResult add(List<Path> packages, AddOptions options) throws IOException {
    requireSafeConcurrency();
    PackageSelection selection = PackageSelection.of(packages, options, reader,
        signer != null ? signer : new Gpg(null), listener);
    Map<String, ListedObject> present = listing();
    Set<String> uploaded = new HashSet<>();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Snapshot snap = snapshot();
      RepoDatabase db = snap.database();
      DatabaseMerge merge = DatabaseMerge.apply(db, selection, options,
          attempt == 1 ? listener : RepoListener.SILENT);
      boolean write = !merge.added().isEmpty() || !snap.complete();
      if (!write) {
        listener.info("Database unchanged: '" + location + "'");
        return new AddResult(List.of(), merge.skipped(), List.of(), false);
      }
      for (PackageFile pkg : selection.packages()) {
        if (merge.added().stream().anyMatch(e -> pkg.fileName().equals(e.fileName()))) {
          uploadPackage(pkg, present, uploaded);
        }
      }
      healFileLists(db);
      if (!commit(db, snap, present)) {
        listener.info("the database changed meanwhile; merging again (attempt " + (attempt + 1) + ")");
        pause(attempt);
        continue;
      }
      List<String> deleted = new ArrayList<>(deleteReplaced(merge.replaced(), db, present));
      deleted.addAll(purge(db, false, present));
      return new AddResult(merge.added(), merge.skipped(), deleted, true);
    }
    throw gaveUp();
  }

  @Override
  public RemoveResult remove(List<String> names, Duration lockWait) throws IOException {
    if (names.isEmpty()) {
      throw new RepoException("no package name given");
    }
    requireSafeConcurrency();
    Map<String, ListedObject> present = listing();
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Snapshot snap = snapshot();
      if (snap.dbEtag() == null) {
        throw new RepoException("repository file '" + location + "' was not found");
      }
      RepoDatabase db = snap.database();
      List<RepoEntry> removed = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (String name : names) {
        Optional<RepoEntry> gone = db.remove(name);
        if (gone.isPresent()) {
          removed.add(gone.get());
        } else {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        throw new RepoException("package matching '" + String.join("', '", missing)
            + "' not found in " + location + " (the database is unchanged)");
      }
      healFileLists(db);
      if (commit(db, snap, present)) {
        purge(db, false, present);
        return new RemoveResult(List.copyOf(removed));
      }
      pause(attempt);
    }
    throw gaveUp();
  }

  @Override
  public RepoDatabase read() throws IOException {
    Snapshot snap = snapshot();
    if (snap.dbEtag() == null) {
      throw new RepoException("repository file '" + location + "' was not found");
    }
    return snap.database();
  }

  /**
   * Checks that every entry's package object is in the bucket with the recorded size, with its
   * {@code .sig} where %PGPSIG% is set (and equal to it); the files database lists the same
   * entries; {@code NAME.db} and {@code NAME.files} hold the databases. Checksums are not
   * recomputed (that would download every package); {@code pacman -S} checks them.
   */
  /**
   * Compares a package object with the entry's checksums. A single-part object's ETag is its MD5,
   * so a match against %MD5SUM% costs nothing; otherwise (multipart uploads, servers whose ETags
   * are not MD5s, databases without %MD5SUM%) the object is streamed through SHA-256.
   */
  private Optional<String> checksumProblem(RepoEntry e, ListedObject object) throws IOException {
    String md5 = e.first("MD5SUM");
    if (md5 != null && md5.equalsIgnoreCase(object.etag())) {
      return Optional.empty();
    }
    String sha256 = e.first("SHA256SUM");
    if (sha256 == null) {
      return md5 == null ? Optional.empty()
          : Optional.of(e.fileName() + " does not match %MD5SUM% (ETag " + object.etag() + ")");
    }
    listener.info("Reading '" + e.fileName() + "' to check its SHA-256");
    java.security.MessageDigest digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
    if (object.size() > 0) {
      try (java.io.InputStream in = new java.security.DigestInputStream(
          store.read(e.fileName(), 0, object.size() - 1), digest)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
    String actual = java.util.HexFormat.of().formatHex(digest.digest());
    return actual.equalsIgnoreCase(sha256) ? Optional.empty()
        : Optional.of(e.fileName() + " does not match %SHA256SUM% (the bucket holds other bytes)");
  }

  @Override
  public List<VerifyProblem> verify() throws IOException {
    Snapshot snap = snapshot();
    if (snap.dbEtag() == null) {
      throw new RepoException("repository file '" + location + "' was not found");
    }
    RepoDatabase db = snap.database();
    List<VerifyProblem> problems = new ArrayList<>();
    Map<String, ListedObject> present = listing();
    if (snap.filesBytes() == null) {
      problems.add(new VerifyProblem(names().filesFile(), "missing"));
    }
    RepoDatabase filesDb = snap.filesBytes() == null ? null
        : DatabaseReader.read(snap.filesBytes(), location.url(names().filesFile()));
    for (String[] link : List.of(new String[] {names().dbLink(), names().dbFile()},
        new String[] {names().filesLink(), names().filesFile()})) {
      Optional<StoredObject> copy = store.get(link[0]);
      byte[] target = link[1].equals(names().dbFile()) ? snap.dbBytes() : snap.filesBytes();
      if (copy.isEmpty()) {
        problems.add(new VerifyProblem(link[0], "missing (pacman downloads this name)"));
      } else if (target != null && !java.util.Arrays.equals(copy.get().bytes(), target)) {
        problems.add(new VerifyProblem(link[0], "differs from " + link[1]));
      }
    }
    for (RepoEntry e : db.entries()) {
      String who = e.directoryName();
      listener.info("Checking '" + who + "'");
      ListedObject object = e.fileName() == null ? null : present.get(e.fileName());
      if (object == null) {
        problems.add(new VerifyProblem(who, "package file " + e.fileName() + " is missing"));
      } else if (!Long.toString(object.size()).equals(e.first("CSIZE"))) {
        problems.add(new VerifyProblem(who, "%CSIZE% is " + e.first("CSIZE")
            + " in the database but " + object.size() + " in the bucket"));
      } else {
        checksumProblem(e, object).ifPresent(problem -> problems.add(new VerifyProblem(who, problem)));
      }
      String pgpsig = e.first("PGPSIG");
      if (pgpsig != null) {
        Optional<StoredObject> sig = present.containsKey(e.fileName() + ".sig")
            ? store.get(e.fileName() + ".sig") : Optional.empty();
        if (sig.isEmpty()) {
          problems.add(new VerifyProblem(who, "%PGPSIG% is set but " + e.fileName() + ".sig is missing"));
        } else if (!Base64.getEncoder().encodeToString(sig.get().bytes()).equals(pgpsig)) {
          problems.add(new VerifyProblem(who, e.fileName() + ".sig differs from %PGPSIG%"));
        }
      }
      if (filesDb != null) {
        Optional<RepoEntry> f = filesDb.get(e.name());
        if (f.isEmpty() || !f.get().version().equals(e.version())) {
          problems.add(new VerifyProblem(who, "missing from " + names().filesFile()));
        }
      }
    }
    if (filesDb != null) {
      for (RepoEntry f : filesDb.entries()) {
        if (db.get(f.name()).isEmpty()) {
          problems.add(new VerifyProblem(f.directoryName(), "in " + names().filesFile()
              + " but not in " + names().dbFile()));
        }
      }
    }
    return problems;
  }

  /** The database and files database as read now, with the database's entity tag. */
  private record Snapshot(byte[] dbBytes, String dbEtag, byte[] filesBytes, RepoDatabase database) {
    boolean complete() {
      return dbEtag != null && filesBytes != null;
    }
  }

  private Snapshot snapshot() throws IOException {
    Optional<StoredObject> db = store.get(names().dbFile());
    Optional<StoredObject> files = store.get(names().filesFile());
    RepoDatabase database = db.isEmpty() ? new RepoDatabase()
        : DatabaseReader.read(db.get().bytes(), location.url(names().dbFile()));
    if (files.isPresent()) {
      DatabaseReader.withFileLists(database,
          DatabaseReader.read(files.get().bytes(), location.url(names().filesFile())));
    }
    return new Snapshot(db.map(StoredObject::bytes).orElse(null),
        db.map(StoredObject::etag).orElse(null), files.map(StoredObject::bytes).orElse(null),
        database);
  }

  private Map<String, ListedObject> listing() {
    Map<String, ListedObject> byName = new HashMap<>();
    for (ListedObject o : store.list("").objects()) {
      byName.put(o.key(), o);
    }
    return byName;
  }

  /** Uploads a package and its signature unless the bucket already holds the same bytes. */
  private void uploadPackage(PackageFile pkg, Map<String, ListedObject> present,
      Set<String> uploaded) throws IOException {
    if (!uploaded.add(pkg.fileName())) {
      return;
    }
    ListedObject there = present.get(pkg.fileName());
    if (there != null && there.size() == pkg.compressedSize() && pkg.md5().equals(there.etag())) {
      listener.info("Package '" + pkg.fileName() + "' is already in the bucket");
    } else {
      listener.info("Uploading package '" + pkg.fileName() + "'");
      store.putFile(pkg.fileName(), pkg.path(), pkg.compressedSize(), metadata.file(pkg.path()));
      copyPlusAlias(pkg.fileName());
    }
    Path sig = pkg.signaturePath();
    if (Files.isRegularFile(sig)) {
      store.putFile(sig.getFileName().toString(), sig, Files.size(sig), metadata.file(sig));
      copyPlusAlias(sig.getFileName().toString());
    }
  }

  /**
   * AWS S3 reads a '+' in a URL path as a space, so pacman's GET of a package named with '+'
   * looks up the key with spaces: keep a copy there (as the mount does; see fs.PlusAliases).
   */
  private void copyPlusAlias(String key) {
    if (key.indexOf('+') >= 0) {
      store.copy(key, key.replace('+', ' '), null);
    }
  }

  /**
   * Entries without a file list (a concurrent writer's files database was overwritten, or the
   * repository was made by a tool without one) get it from their package object.
   */
  private void healFileLists(RepoDatabase db) throws IOException {
    Path dir = null;
    try {
      for (RepoEntry e : db.entries()) {
        if (e.files() != null || e.fileName() == null) {
          continue;
        }
        if (dir == null) {
          dir = Files.createTempDirectory("s3repofs-heal");
        }
        Path file = dir.resolve(e.fileName());
        try {
          store.download(e.fileName(), file);
          PackageFile pkg = reader.read(file);
          if (pkg.info().version().equals(e.version())) {
            db.put(e.withFiles(pkg.files()));
          }
        } catch (StoreException | PackageException ex) {
          listener.warn("no file list for '" + e.directoryName() + "' in " + names().filesFile()
              + ": " + ex.getMessage());
        } finally {
          Files.deleteIfExists(file);
        }
      }
    } finally {
      if (dir != null) {
        Files.deleteIfExists(dir);
      }
    }
  }

  /**
   * Writes the files database, the {@code .old} copies, the database (conditionally: the commit),
   * the signatures and the link copies. Returns false if the database changed since
   * {@code snap} was read (nothing is committed then).
   */
  private boolean commit(RepoDatabase db, Snapshot snap, Map<String, ListedObject> present)
      throws IOException {
    byte[] dbBytes = archive(db, false);
    byte[] filesBytes = archive(db, true);
    if (signer == null) {
      dropStaleSignatures(present);
    }
    listener.info("Uploading updated database '" + location + "'");
    String filesEtag = store.putBytes(names().filesFile(), filesBytes, metadata.now());
    if (snap.dbEtag() != null) {
      store.copy(names().dbFile(), names().dbFile() + ".old", null);
    }
    if (snap.filesBytes() != null) {
      store.copy(names().filesFile(), names().filesFile() + ".old", null);
    }
    String etag;
    try {
      etag = store.putBytes(names().dbFile(), dbBytes, metadata.now(), snap.dbEtag() == null
          ? WriteCondition.ifAbsent() : WriteCondition.ifMatch(snap.dbEtag()));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.PRECONDITION_FAILED) {
        return false;
      }
      throw e;
    }
    if (signer != null) {
      new BucketSigner(store, signer, listener, metadata).sign(names().dbFile(), dbBytes, etag);
      new BucketSigner(store, signer, listener, metadata).sign(names().filesFile(), filesBytes, filesEtag);
    }
    link(names().dbFile(), names().dbLink());
    link(names().filesFile(), names().filesLink());
    if (signer != null) {
      link(names().dbFile() + ".sig", names().dbLink() + ".sig");
      link(names().filesFile() + ".sig", names().filesLink() + ".sig");
    }
    return true;
  }

  /**
   * Deletes database signatures an unsigned write would leave stale (pacman refuses a database
   * whose signature does not match, even with {@code SigLevel = Optional}).
   */
  private void dropStaleSignatures(Map<String, ListedObject> present) {
    for (String file : List.of(names().dbFile(), names().filesFile(), names().dbLink(),
        names().filesLink())) {
      String sig = file + ".sig";
      if (present.remove(sig) != null) {
        listener.warn("deleting " + sig + ": it signs the previous database"
            + " (use --sign to sign the new one)");
        store.delete(sig);
      }
    }
  }

  private byte[] archive(RepoDatabase db, boolean withFiles) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DatabaseWriter.writeArchive(db, withFiles, names().compression(), out);
    return out.toByteArray();
  }

  /** {@code link} as a copy of {@code target}, marked as a symlink to it for mounts. */
  private void link(String target, String link) {
    store.copy(target, link, metadata.link(target));
  }

  /**
   * With {@code -R}: deletes replaced package objects the committed database no longer names,
   * or, with a grace period, records them to be deleted by a later run.
   */
  private List<String> deleteReplaced(List<DatabaseMerge.Replacement> replaced, RepoDatabase db,
      Map<String, ListedObject> present) throws IOException {
    Set<String> named = namedFiles(db);
    List<String> deleted = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (DatabaseMerge.Replacement r : replaced) {
      String old = r.old().fileName();
      if (old.contains("/") || named.contains(old)) {
        continue;
      }
      if (!retention.immediate()) {
        listener.info("Keeping old package file '" + old + "' until "
            + retention.clock().instant().plus(retention.grace())
            + " (clients holding the previous database still download it)");
      } else {
        listener.info("Removing old package file '" + old + "'");
      }
      for (String key : List.of(old, old + ".sig")) {
        if (!present.containsKey(key)) {
          continue;
        }
        if (retention.immediate()) {
          deleteWithAlias(key);
          deleted.add(location.url(key));
        } else {
          kept.add(key);
        }
      }
    }
    if (!kept.isEmpty()) {
      java.time.Instant due = retention.clock().instant().plus(retention.grace());
      updatePending(pending -> {
        kept.forEach(k -> pending.add(k, due));
        return List.of();
      });
    }
    return deleted;
  }

  private void deleteWithAlias(String key) {
    store.delete(key);
    if (key.indexOf('+') >= 0) {
      store.delete(key.replace('+', ' '));
    }
  }

  private static Set<String> namedFiles(RepoDatabase db) {
    Set<String> named = new HashSet<>();
    db.entries().forEach(e -> named.add(e.fileName()));
    return named;
  }

  private String pendingKey() {
    return PendingDeletes.fileName(names());
  }

  /**
   * Reads the record of pending deletes, lets {@code change} edit it, and writes it back with
   * If-Match on the ETag it was read with (If-None-Match when new), again on a 412, so two runs
   * at once lose no entry; an empty record is deleted. Returns what {@code change} returned.
   */
  private List<String> updatePending(java.util.function.Function<PendingDeletes, List<String>> change)
      throws IOException {
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      Optional<StoredObject> found = store.get(pendingKey());
      PendingDeletes pending = found.isEmpty() ? new PendingDeletes()
          : PendingDeletes.parse(found.get().bytes(), location.url(pendingKey()));
      List<String> result = change.apply(pending);
      if (pending.isEmpty()) {
        if (found.isPresent()) {
          store.delete(pendingKey());
        }
        return result;
      }
      try {
        store.putBytes(pendingKey(), pending.toBytes(), metadata.now(), found.isEmpty()
            ? WriteCondition.ifAbsent() : WriteCondition.ifMatch(found.get().etag()));
        return result;
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.PRECONDITION_FAILED) {
          throw e;
        }
        pause(attempt);
      }
    }
    throw new RepoException(location.url(pendingKey()) + " kept changing; run again");
  }

  /** Deletes recorded objects that are due (all with {@code all}) and not named by {@code db}. */
  private List<String> purge(RepoDatabase db, boolean all, Map<String, ListedObject> present)
      throws IOException {
    if (present != null && !present.containsKey(pendingKey())) {
      return List.of();
    }
    Set<String> named = namedFiles(db);
    List<String> deleted = new ArrayList<>();
    updatePending(pending -> {
      List<String> due = pending.takeDue(retention.clock().instant(), all, named);
      for (String key : due) {
        listener.info("Removing old package file '" + key + "' (its grace period is over)");
        deleteWithAlias(key);
        deleted.add(location.url(key));
      }
      return due;
    });
    return deleted;
  }

  @Override
  public List<String> prune(boolean all, Duration lockWait) throws IOException {
    return purge(read(), all, null);
  }

  @Override
  public List<PendingDeletes.Entry> pendingDeletes() throws IOException {
    Optional<StoredObject> found = store.get(pendingKey());
    return found.isEmpty() ? List.of()
        : PendingDeletes.parse(found.get().bytes(), location.url(pendingKey())).entries();
  }

  private void requireSafeConcurrency() throws RepoException {
    if (singleWriter) {
      return;
    }
    if (conditionsHonoured == null) {
      conditionsHonoured = ConditionalWrites.honoured(store, names().dbFile());
    }
    if (!conditionsHonoured) {
      throw new RepoException("the S3 server of '" + location + "' ignores conditional writes"
          + " (If-Match/If-None-Match), so two adds at the same time could lose entries;"
          + " if nothing else writes this database meanwhile, run again with --single-writer");
    }
  }

  private static void pause(int attempt) throws RepoException {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(20, 100L * Math.min(attempt, 10)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepoException("interrupted", e);
    }
  }

  private RepoException gaveUp() {
    return new RepoException("the database " + location + " kept changing under this update;"
        + " gave up after " + MAX_ATTEMPTS + " attempts (nothing was committed; run again)");
  }
}
