package io.s3repofs.sync;

import io.s3repofs.cache.WritebackQueue;
import io.s3repofs.daemon.MountConfig;
import io.s3repofs.pacman.DatabaseReader;
import io.s3repofs.pacman.PackageException;
import io.s3repofs.pacman.PackageFile;
import io.s3repofs.pacman.PackageReader;
import io.s3repofs.pacman.RepoDatabase;
import io.s3repofs.pacman.RepoEntry;
import io.s3repofs.pacman.RepoException;
import io.s3repofs.pacman.RepoListener;
import io.s3repofs.pacman.RepoLocation;
import io.s3repofs.pacman.Vercmp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code s3repofs sync}: mount the bucket in this process, build what is asked (or, with
 * {@code -u}, what is out of date), copy the packages into the repository directory, update the
 * database, unmount, and return once every file is in the bucket.
 *
 * <p>Order of work, so that a failure publishes nothing: targets are checked and PKGBUILDs read
 * before anything is mounted; every build finishes and every package is read and checked before
 * the first file is copied into the mount; the database is updated after the packages, and the
 * replaced package files are deleted last (the mount uploads in close order and deletes after
 * the uploads queued before them, so pacman never sees a database naming a missing file).
 */
public final class Sync {

  /** What to sync. {@code root} is relative to the bucket (or its prefix). */
  public record Settings(String repo, String root, boolean upgrades, Publisher.Tool tool,
      List<String> targets) {}

  /** What a sync did. */
  public record Summary(List<String> added, List<String> updated, List<String> unchanged,
      List<String> removed, long uploadedFiles, long uploadedBytes, Map<String, Long> requests,
      String url, double seconds) {

    public long totalRequests() {
      return requests.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The lines printed at the end of a sync. */
    public List<String> lines() {
      List<String> out = new ArrayList<>();
      out.add("packages: " + added.size() + " added, " + updated.size() + " updated, "
          + unchanged.size() + " unchanged" + (removed.isEmpty() ? "" : ", " + removed.size()
          + " old file(s) removed"));
      added.forEach(p -> out.add("  added     " + p));
      updated.forEach(p -> out.add("  updated   " + p));
      unchanged.forEach(p -> out.add("  unchanged " + p));
      out.add("uploaded: " + uploadedFiles + " file(s), " + Progress.size(uploadedBytes) + "; S3 requests: "
          + totalRequests() + " " + requests + String.format(java.util.Locale.ROOT, "; %.1f s", seconds));
      out.add("repository: " + url);
      return out;
    }
  }

  private final Settings settings;
  private final Function<Path, MountConfig> mountConfig;
  private final String publicUrl;
  private final Progress progress;
  private final PackageReader reader = new PackageReader();

  /**
   * @param mountConfig the mount's configuration (from the {@code -o} options) for a mount point
   * @param publicUrl the URL pacman reads the repository directory from, for the summary
   */
  public Sync(Settings settings, Function<Path, MountConfig> mountConfig, String publicUrl,
      Progress progress) {
    this.settings = settings;
    this.mountConfig = mountConfig;
    this.publicUrl = publicUrl;
    this.progress = progress;
  }

  /** A package to publish: a file built or given, and what it replaces. */
  private record Planned(PackageFile pkg, Optional<RepoEntry> old) {}

  public Summary run() throws IOException, InterruptedException {
    long started = System.nanoTime();
    checkName(settings.repo());
    String root = settings.root().replaceAll("^/+", "").replaceAll("/+$", "");
    if (root.contains("..")) {
      throw new SyncException("--root must be a path inside the bucket, without '..': " + settings.root());
    }
    List<Target> targets = Targets.resolve(settings.targets());
    List<String> aurNames = targets.stream().filter(t -> t instanceof Target.AurName).map(Object::toString).toList();
    if (targets.isEmpty() && !settings.upgrades()) {
      throw new SyncException("nothing to sync: give TARGETs (PKGBUILD directories, package files,"
          + " AUR names) or -u");
    }
    Aurutils aurutils = !aurNames.isEmpty() || targets.isEmpty() ? Aurutils.find(aurNames) : null;
    Publisher publisher = Publisher.of(settings.tool(), listener());

    Path work = Files.createTempDirectory("s3repofs-sync.");
    Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    boolean keepWork = false;
    try {
      Makepkg makepkg = null;
      List<Makepkg.Prepared> dirs = new ArrayList<>();
      List<Path> files = new ArrayList<>();
      for (Target t : targets) {
        if (t instanceof Target.PkgbuildDir d) {
          if (makepkg == null) {
            makepkg = new Makepkg(work.resolve("build"));
          }
          progress.status("reading " + d.directory().resolve("PKGBUILD"));
          dirs.add(makepkg.prepare(d.directory()));
        } else if (t instanceof Target.PackageFile f) {
          files.add(f.file());
        }
      }
      List<PackageFile> givenFiles = readAll(files);

      // What the bucket holds, read directly (one LIST, one GET): an up-to-date run needs no
      // mount at all, and a wrong database name is refused before anything is built.
      Path mountPoint = work.resolve("mnt");
      MountConfig config = mountConfig.apply(mountPoint);
      BucketView view = BucketView.read(config.store(), root, settings.repo());
      RepoDatabase existing = view.database();
      List<String> added = new ArrayList<>();
      List<String> updated = new ArrayList<>();
      List<String> unchanged = new ArrayList<>();
      List<String> removed = new ArrayList<>();

      // What is out of date: skip builds whose version the repository already has (with -u),
      // and package files whose exact bytes it already has.
      List<Makepkg.Prepared> toBuild = new ArrayList<>();
      for (Makepkg.Prepared p : dirs) {
        boolean current = p.srcinfo().pkgnames().stream().allMatch(n -> existing.get(n)
            .map(e -> Vercmp.compare(p.srcinfo().version(), e.version()) <= 0).orElse(false));
        if (settings.upgrades() && current) {
          p.srcinfo().pkgnames().forEach(n -> unchanged.add(n + " " + existing.get(n).get().version()));
        } else {
          toBuild.add(p);
        }
      }
      List<PackageFile> publish = new ArrayList<>();
      for (PackageFile f : givenFiles) {
        Optional<RepoEntry> e = existing.get(f.info().name());
        boolean same = e.isPresent() && e.get().fileName().equals(f.fileName())
            && f.sha256().equals(e.get().first("SHA256SUM"));
        boolean notNewer = e.isPresent() && Vercmp.compare(f.info().version(), e.get().version()) <= 0;
        if (same || (settings.upgrades() && notNewer)) {
          unchanged.add(f.info().name() + " " + e.get().version());
        } else {
          publish.add(f);
        }
      }
      // Every build before the mount: a failed one publishes nothing, and no mount is held
      // (nor its cache locked) while makepkg runs.
      Makepkg builder = makepkg;
      for (Makepkg.Prepared p : toBuild) {
        progress.step("building " + p.srcinfo().pkgbase() + " " + p.srcinfo().version()
            + " with makepkg" + (makepkg.builder() == null ? "" : " (as " + makepkg.builder() + ")"));
        List<Path> built = whileShowing(p.log(), "makepkg: ", () -> builder.build(p));
        publish.addAll(readAll(built.stream().filter(f -> !f.toString().endsWith(".sig")).toList()));
      }
      if (publish.isEmpty() && aurutils == null) {
        return new Summary(added, updated, unchanged, removed, 0, 0, view.requests(), publicUrl,
            (System.nanoTime() - started) / 1e9);
      }

      progress.step("mounting the bucket");
      InProcessMount mount = InProcessMount.open(config);
      Throwable failure = null;
      List<Path> copied = new ArrayList<>();
      try {
        Path rootDir = mount.path().resolve(root);
        RepoLocation db = database(rootDir, settings.repo());
        List<Planned> plan = new ArrayList<>();
        Map<String, PackageFile> newest = new LinkedHashMap<>();
        for (PackageFile f : publish) {
          newest.merge(f.info().name(), f, (a, b) -> Vercmp.compare(b.info().version(), a.info().version()) > 0 ? b : a);
        }
        newest.values().forEach(f -> plan.add(new Planned(f, existing.get(f.info().name()))));

        if (!plan.isEmpty()) {
          Files.createDirectories(rootDir);
          long bytes = plan.stream().mapToLong(p -> p.pkg().compressedSize()).sum();
          progress.step("copying " + plan.size() + " package(s), " + Progress.size(bytes) + ", into "
              + root + "/");
          List<Path> inRoot = new ArrayList<>();
          for (Planned p : plan) {
            Path target = rootDir.resolve(p.pkg().fileName());
            copy(p.pkg().path(), target, copied);
            if (Files.exists(p.pkg().signaturePath())) {
              copy(p.pkg().signaturePath(), rootDir.resolve(p.pkg().fileName() + ".sig"), copied);
            }
            inRoot.add(target);
            String what = p.pkg().info().name() + " " + p.pkg().info().version();
            if (p.old().isPresent()) {
              updated.add(what + " (was " + p.old().get().version() + ")");
            } else {
              added.add(what);
            }
          }
          progress.step("updating " + settings.repo() + " with " + settings.tool());
          publisher.publish(db, inRoot, work);
          copied.clear(); // published: no longer ours to take back
          // Replaced files go last (repo add -R / repo-add -R did it already; repose does not).
          for (Planned p : plan) {
            if (p.old().isPresent() && !p.old().get().fileName().equals(p.pkg().fileName())) {
              Path old = rootDir.resolve(p.old().get().fileName());
              Files.deleteIfExists(old);
              Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".sig"));
              removed.add(p.old().get().fileName());
            }
          }
        }
        if (aurutils != null) {
          Files.createDirectories(rootDir);
          progress.step("aurutils: " + (aurNames.isEmpty() ? "upgrading" : String.join(" ", aurNames)));
          aurutils.sync(settings.repo(), rootDir, aurNames, settings.upgrades(), work);
        }
      } catch (IOException | InterruptedException | RuntimeException e) {
        failure = e;
        keepWork = true; // keeps makepkg logs the message names
        for (Path p : copied) {
          Files.deleteIfExists(p); // closed within the write-back delay: never uploaded
        }
        throw e;
      } finally {
        List<String> left = unmountShowingUploads(mount);
        if (!left.isEmpty() && failure == null) {
          throw new SyncException(left.size() + " file(s) could not be uploaded: "
              + String.join(", ", left) + " (they stay in " + config.cache().directory()
              + " and are uploaded at the next mount or sync of this bucket)");
        }
      }
      WritebackQueue.Status s = mount.uploads();
      Map<String, Long> requests = new java.util.TreeMap<>(view.requests());
      mount.requests().forEach((k, v) -> requests.merge(k, v, Long::sum));
      return new Summary(added, updated, unchanged, removed, s.uploaded(), s.uploadedBytes(),
          requests, publicUrl, (System.nanoTime() - started) / 1e9);
    } finally {
      if (!keepWork) {
        deleteTree(work);
      }
    }
  }

  /** A step that may take long; on a terminal, the last line of its log is shown meanwhile. */
  private interface Step<T> {
    T run() throws IOException, InterruptedException;
  }

  private <T> T whileShowing(Path log, String label, Step<T> step) throws IOException, InterruptedException {
    if (!progress.terminal()) {
      return step.run();
    }
    Thread ticker = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          String line = Processes.lastLine(log);
          if (!line.isEmpty()) {
            progress.status(label + (line.length() > 100 ? line.substring(0, 100) + "..." : line));
          }
          Thread.sleep(300);
        }
      } catch (InterruptedException e) {
        // done
      }
    }, "s3repofs-sync-build-progress");
    ticker.setDaemon(true);
    ticker.start();
    try {
      return step.run();
    } finally {
      ticker.interrupt();
      ticker.join();
      progress.finish();
    }
  }

  private List<String> unmountShowingUploads(InProcessMount mount) throws IOException, InterruptedException {
    progress.step("unmounting: uploading what is left");
    Thread ticker = null;
    if (progress.terminal()) {
      ticker = new Thread(() -> {
        try {
          while (!Thread.currentThread().isInterrupted()) {
            WritebackQueue.Status s = mount.uploads();
            long bytes = s.pendingBytes();
            int files = s.pendingFiles();
            progress.status("uploading: " + files + " file(s), " + Progress.size(bytes) + " left"
                + (s.uploading().isEmpty() ? "" : " (" + s.uploading().get(0).path() + ")"));
            Thread.sleep(200);
          }
        } catch (InterruptedException | RuntimeException e) {
          // done
        }
      }, "s3repofs-sync-progress");
      ticker.setDaemon(true);
      ticker.start();
    }
    try {
      return mount.unmount();
    } finally {
      if (ticker != null) {
        ticker.interrupt();
        ticker.join();
      }
      progress.finish();
    }
  }

  private List<PackageFile> readAll(List<Path> files) throws IOException {
    List<PackageFile> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(reader.read(f));
      } catch (PackageException e) {
        throw new SyncException(e.getMessage());
      }
    }
    return out;
  }

  private static void copy(Path from, Path to, List<Path> copied) throws IOException {
    Path tmp = to.resolveSibling("." + to.getFileName() + ".part");
    Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
    copied.add(tmp);
    Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING);
    copied.set(copied.size() - 1, to);
  }

  /**
   * The database in the root: {@code NAME.db.tar.EXT} if one exists, else {@code NAME.db.tar.gz}
   * (repo-add's and aurutils' default). A root that holds only another repository's database is
   * refused: adding would start a second database beside it, which is never what was meant.
   */
  static RepoLocation database(Path rootDir, String name) throws IOException {
    List<String> others = new ArrayList<>();
    if (Files.isDirectory(rootDir)) {
      try (Stream<Path> s = Files.list(rootDir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          String f = p.getFileName().toString();
          int at = f.indexOf(".db.tar");
          if (at > 0 && !f.endsWith(".old") && !f.endsWith(".sig") && !f.endsWith(".lck")) {
            String dbName = f.substring(0, at);
            if (dbName.equals(name)) {
              return RepoLocation.of(p);
            }
            others.add(dbName);
          }
        }
      }
    }
    if (!others.isEmpty()) {
      throw new SyncException("the root holds the database '" + String.join("', '", others)
          + "', not '" + name + "' (use --repo " + others.get(0) + ", or another --root)");
    }
    try {
      return RepoLocation.of(rootDir.resolve(name + ".db.tar.gz"));
    } catch (RepoException e) {
      throw new SyncException(e.getMessage());
    }
  }

  static void checkName(String repo) {
    if (repo == null || !repo.matches("[A-Za-z0-9][A-Za-z0-9._+-]*") || repo.contains("..")) {
      throw new SyncException("bad repository name '" + repo + "' (letters, digits, '.', '_', '+', '-')");
    }
  }

  private RepoListener listener() {
    return new RepoListener() {
      @Override
      public void info(String message) {
        progress.status(message);
      }

      @Override
      public void warn(String message) {
        progress.warn(message);
      }
    };
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind: harmless
    }
  }
}
