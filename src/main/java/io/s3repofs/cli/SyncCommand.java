package io.s3repofs.cli;

import io.s3repofs.store.StoreSettings;
import io.s3repofs.sync.Progress;
import io.s3repofs.sync.PublicUrl;
import io.s3repofs.sync.Publisher;
import io.s3repofs.sync.Sync;
import io.s3repofs.sync.SyncException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code s3repofs sync BUCKET[:/PREFIX] --repo NAME --root DIR [-u] [TARGET...]}: the wiring only. */
@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    header = "Build packages and publish them to a pacman repository in a bucket, in one command.",
    description = {
        "Mounts the bucket in this process (same -o options and keys as mount), builds each",
        "PKGBUILD directory with makepkg (as an unprivileged user when run as root), copies the",
        "packages into ROOT, updates the database NAME.db.tar.EXT there, unmounts, and returns",
        "once every file is in the bucket (exit status 1 naming what is not). Replaced package",
        "files are deleted once the new database is in place. Nothing is published if a build",
        "or a package fails. aursync's flag names are accepted (--repo/-d/--database, --root,",
        "-u/--upgrades).",
        "",
        "A TARGET is a directory holding a PKGBUILD (split packages included), a package file",
        "(*.pkg.tar.zst, .xz, .gz; its .sig goes along), or an AUR package name (handed to",
        "aurutils: 'aur sync' or 'aursync', pointed at the mounted ROOT).",
        ""},
    footer = {
        "",
        "Examples:",
        "  s3repofs sync mybucket --repo myrepo --root repo/x86_64 ~/pkgbuilds/foo ~/pkgbuilds/bar \\",
        "      -o default_acl=public-read,url=https://ams3.digitaloceanspaces.com",
        "  s3repofs sync mybucket --repo myrepo --root repo/x86_64 -u ~/pkgbuilds/*   # only what is newer",
        "  s3repofs sync mybucket --repo myrepo --root repo/x86_64 ./foo-1.0-1-x86_64.pkg.tar.zst",
        "  s3repofs sync mybucket -d myrepo --root repo/x86_64 --tool repo-add ~/pkgbuilds/foo",
        "  s3repofs pacman-conf mybucket --repo myrepo --root repo/x86_64 -o ...   # for pacman.conf"})
final class SyncCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUCKET[:/PREFIX]", description = "Bucket, optionally with a key prefix.")
  String bucket;

  @Parameters(index = "1..*", paramLabel = "TARGET", description = "PKGBUILD directories, package files or AUR names.")
  List<String> targets = new ArrayList<>();

  @Option(names = {"--repo", "-d", "--database"}, required = true, paramLabel = "NAME",
      description = "Repository (database) name.")
  String repo;

  @Option(names = "--root", required = true, paramLabel = "DIR",
      description = "Directory of the repository in the bucket, e.g. repo/x86_64.")
  String root;

  @Option(names = {"-u", "--upgrades"},
      description = "Publish only what is out of date: a PKGBUILD whose version is newer than the"
          + " repository's is built, nothing else (passed on to aurutils).")
  boolean upgrades;

  @Option(names = "--tool", paramLabel = "TOOL", defaultValue = "native",
      description = "What updates the database: native (default, s3repofs's repo add -R),"
          + " repo-add (pacman's, run on the mount) or repose (repose -r ROOT NAME).")
  String tool;

  @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma-separated (see: s3repofs mount --help).")
  List<String> options = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "Print only errors and the summary.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    MountOptions parsed = MountOptions.parse(options, null, "sync");
    MountConfigFactory.BucketSpec where = MountConfigFactory.BucketSpec.parse(bucket);
    StoreSettings store = StoreOptions.settings(where.bucket(), where.prefix(), parsed);
    PrintWriter err = spec.commandLine().getErr();
    Progress progress = new Progress(err, System.console() != null, quiet);
    Sync sync = new Sync(new Sync.Settings(repo, root, upgrades, Publisher.Tool.of(tool), targets),
        mountPoint -> MountConfigFactory.create(bucket, mountPoint, parsed),
        PublicUrl.directory(store, root), progress);
    try {
      Sync.Summary summary = sync.run();
      PrintWriter out = spec.commandLine().getOut();
      summary.lines().forEach(out::println);
      out.flush();
      return 0;
    } catch (SyncException e) {
      throw new Failure(e.getMessage());
    } catch (io.s3repofs.pacman.RepoException e) {
      throw new Failure(e.getMessage());
    }
  }
}
