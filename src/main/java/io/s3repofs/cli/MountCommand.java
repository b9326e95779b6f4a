package io.s3repofs.cli;

import io.s3repofs.daemon.ControlServer;
import io.s3repofs.daemon.ControlSocket;
import io.s3repofs.daemon.MountConfig;
import io.s3repofs.daemon.MountedFilesystem;
import io.s3repofs.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code s3repofs mount BUCKET[:/PREFIX] MOUNTPOINT [-o OPTIONS] [-f]}. */
@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    description = {
        "Mount a bucket (or a prefix in it) as a filesystem.",
        "",
        "Writes go to a local cache and are uploaded after each file is closed (in close",
        "order, after the write-back delay); fsync waits for the upload. Unmounting with",
        "'fusermount -u', 's3repofs umount' or SIGTERM lets the process exit only once every",
        "closed file is in the bucket. After a crash, mounting again with the same cache",
        "finishes the uploads. Objects are read and written in s3fs's format.",
        ""},
    footer = {
        "",
        "Options for -o (comma-separated, as s3fs takes them):",
        "  url=URL                  S3 endpoint URL (default: AWS)",
        "  endpoint=REGION          signing region (default: us-east-1)",
        "  use_path_request_style   path-style requests (MinIO, Ceph, S3Proxy)",
        "  passwd_file=FILE         keys as bucket:access_key:secret_key or access_key:secret_key",
        "                           (default: ~/.passwd-s3fs, /etc/passwd-s3fs, then the AWS",
        "                           environment and profiles); must not be readable by others",
        "  default_acl=ACL          canned ACL of every object written, e.g. public-read",
        "  allow_other, nosuid, nodev, noexec, nonempty, ro   as for any FUSE mount",
        "  uid=N, gid=N             show every file as owned by N",
        "  umask=OCTAL, mp_umask=OCTAL   mask permission bits of files / of the mount point",
        "  use_cache=DIR            cache directory root (default: ~/.cache/s3repofs)",
        "  stat_cache_expire=SEC    lifetime of cached attributes and listings (default: 900)",
        "  max_stat_cache_size=N    entries in the attribute cache (default: 100000)",
        "  multipart_size=MB        part size of multipart uploads (default: 10)",
        "  parallel_count=N         parts uploaded in parallel, GETs reading ahead (default: 5)",
        "  streamupload             (the default) a file of two parts or more sends its parts",
        "                           while it is written, and its close only completes the",
        "                           upload (at its place in the queue: nothing shows early)",
        "  nostreamupload           upload every file whole, after its close",
        "  parallel_uploads=N       files uploaded at once (default: 8); a database renamed",
        "                           into place, a symlink, an fsync'ed file and a delete still",
        "                           go up only after every file closed before them",
        "  multireq_max=N           HEADs in flight at once when the entries of a directory",
        "                           just read are stat'ed, as by ls -l (default: 64)",
        "  retries=N                attempts per request (default: 5)",
        "  connect_timeout=SEC, readwrite_timeout=SEC",
        "  ahbe_conf=FILE           extra HTTP headers by name suffix, in s3fs's format",
        "s3repofs's own:",
        "  pkg_max_age=SEC          Cache-Control of packages and their .sig (default: a year,",
        "                           'public, max-age=31536000, immutable'; 0: no-cache)",
        "  db_max_age=SEC           Cache-Control of databases, their .sig and .old copies",
        "                           (default 0: no-cache)",
        "  header_rules=FILE        lines 'GLOB HEADER VALUE' (Cache-Control, Content-Type, ...)",
        "                           applied after the defaults; an empty VALUE removes the header",
        "  no_repo_headers          no default headers for repository files",
        "  stat_from_list           stat answers from LIST pages only, no HEAD per file (as",
        "                           goofys): size, Last-Modified as the times, mode 0644/0755",
        "                           (then umask), owner the mounting user (or uid=, gid=).",
        "                           Modes, owners and times stored in metadata (by s3fs or",
        "                           s3repofs) are not shown, nor are symlinks: links show as",
        "                           regular files, until the mount has a file's HEAD (it",
        "                           wrote or opened it)",
        "  writeback_delay=SEC      wait after close before uploading (default: 5); a file",
        "                           rewritten or replaced within it is uploaded once.",
        "                           Commit points do not wait: a rename onto, a symlink named,",
        "                           or a close of NAME.db*/NAME.files* returns only once it and",
        "                           everything closed before it are in the bucket (repo-add,",
        "                           repose: pacman over HTTP sees the new database at exit)",
        "  upload_on_close          every close(2) of a written file returns only once it is",
        "                           in the bucket, as with s3fs (slower; for readers over HTTP)",
        "  cache_size=MB            clean file data kept on disk for reads (default: 1024)",
        "  symlinks=copy|s3fs       copy (default): a link to a file is stored as a copy of",
        "                           the file, so HTTP clients (pacman) can download it;",
        "                           s3fs: store links as s3fs does (body = target path)",
        "  no_plus_aliases          do not keep a copy of each file named with '+' under the",
        "                           name with spaces (AWS reads '+' in URLs as a space)",
        "  drain_timeout=SEC        longest wait for uploads at unmount (default: 3600);",
        "                           what is left stays in the cache for the next mount",
        "",
        "Examples:",
        "  printf 'mybucket:AKIA...:SECRET\\n' > ~/.passwd-s3fs && chmod 600 ~/.passwd-s3fs",
        "  s3repofs mount mybucket ~/bucket -o nosuid,nodev,default_acl=public-read",
        "  s3repofs mount mybucket:/repo ~/repo -o url=http://127.0.0.1:9000,use_path_request_style",
        "  fusermount -u ~/bucket    # the mount process exits once everything is uploaded"})
final class MountCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUCKET[:/PREFIX]", description = "Bucket, optionally with a key prefix.")
  String bucket;

  @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An existing, empty directory.")
  Path mountPoint;

  @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma-separated (see below).")
  List<String> options = new ArrayList<>();

  @Option(names = {"-f", "--foreground"}, description = "Stay in the foreground (default: run in the background, like s3fs).")
  boolean foreground;

  @Override
  public Integer call() throws Exception {
    MountOptions parsed = MountOptions.parse(options);
    if (!Files.isDirectory(mountPoint)) {
      throw new UsageException("mount point " + mountPoint + " does not exist or is not a directory");
    }
    if (MountTable.isMounted(mountPoint)) {
      throw new Failure(mountPoint + " is already a mount point");
    }
    MountConfig config = MountConfigFactory.create(bucket, mountPoint, parsed);
    if (foreground) {
      return runForeground(config, spec.commandLine().getErr(), JitDirectives::addInBackground);
    }
    if (!LauncherHandoff.requested()) {
      return Daemon.start(config, this);
    }
    Path log = config.cache().directory().resolve("mount.log");
    return runForeground(config, spec.commandLine().getErr(), () -> {
      LauncherHandoff.handOff(log);
      JitDirectives.addInBackground();
    });
  }

  /** Everything the daemonizing parent must pass to the background process. */
  List<String> arguments() {
    List<String> args = new ArrayList<>(List.of("mount", bucket, mountPoint.toAbsolutePath().toString(), "-f"));
    for (String o : options) {
      args.add("-o");
      args.add(o);
    }
    return args;
  }

  /** Mounts and serves until unmounted; {@code onMounted} runs once the kernel has the mount. */
  static int runForeground(MountConfig config, java.io.PrintWriter err, Runnable onMounted) throws Exception {
    MountedFilesystem mounted;
    try {
      mounted = MountedFilesystem.open(config);
    } catch (StoreException e) {
      throw new Failure(e.getMessage());
    } catch (IllegalStateException e) {
      throw new Failure(e.getMessage());
    }
    if (mounted.recovered() > 0) {
      err.println("s3repofs: resuming " + mounted.recovered()
          + " upload(s) left by an earlier run in " + mounted.cacheDirectory());
    }
    Path socket = ControlSocket.pathFor(config.mountPoint());
    CountDownLatch drained = new CountDownLatch(1);
    int[] left = {0};
    try (ControlServer control = new ControlServer(socket, mounted::statusText)) {
      // SIGTERM: jnr-fuse's own hook unmounts; this one keeps the JVM alive until the drain ends.
      Thread hook = new Thread(() -> {
        try {
          drained.await();
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }, "s3repofs-drain-wait");
      Runtime.getRuntime().addShutdownHook(hook);
      mounted.runFuse(onMounted);
      ClassArchive.keep(); // it served, so its classes are a mount's
      left[0] = mounted.drain();
      if (left[0] == 0) {
        err.println("s3repofs: unmounted " + config.mountPoint() + "; every file is in the bucket");
      } else {
        err.println("s3repofs: unmounted " + config.mountPoint() + " with " + left[0]
            + " upload(s) pending; they stay in " + mounted.cacheDirectory()
            + " and resume at the next mount of this bucket");
      }
    } finally {
      mounted.close();
      drained.countDown();
    }
    return left[0] == 0 ? 0 : 1;
  }
}
