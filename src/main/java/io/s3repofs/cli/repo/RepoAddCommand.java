package io.s3repofs.cli.repo;

import io.s3repofs.pacman.AddOptions;
import io.s3repofs.pacman.AddResult;
import io.s3repofs.pacman.RepoListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3repofs repo add}: repo-add's job. */
@Command(name = "add",
    header = "Add packages to a repository database (like repo-add).",
    mixinStandardHelpOptions = true,
    description = {
      "Add packages to a repository database, like repo-add: reads each package's .PKGINFO,"
        + " file list and checksums, and writes NAME.db.tar.EXT and NAME.files.tar.EXT"
        + " (keeping the previous ones as .old) plus the NAME.db and NAME.files links."
        + " The database is created if missing.",
      "If any package is missing or broken, nothing is changed. When several versions of"
        + " one package are given, the newest (by vercmp) is added."},
    footerHeading = "%nExamples:%n",
    footer = {
      "  s3repofs repo add myrepo.db.tar.zst foo-1.0-1-x86_64.pkg.tar.zst",
      "  s3repofs repo add -R -p --wait 60 /srv/repo/myrepo.db.tar.zst ~/build/*.pkg.tar.zst",
      "  s3repofs repo add -R --sign s3://mybucket/repo/x86_64/myrepo.db.tar.zst ~/build/*.pkg.tar.zst \\",
      "      -o url=https://ams3.digitaloceanspaces.com,default_acl=public-read",
      "",
      "A path: lock NAME.db.tar.EXT.lck, as repo-add; without --wait a held lock fails at once.",
      "s3://BUCKET/[PREFIX/]NAME.db.tar.EXT: works on the bucket without a mount (keys as for",
      "mount: passwd_file, ~/.passwd-s3fs, AWS environment). Packages (and .sig) are uploaded",
      "first, then the files database, then the database, then NAME.db and NAME.files as copies;",
      "with -R replaced packages are kept for --grace, then deleted by a later add, remove or",
      "prune. The database is written with If-Match, so concurrent adds merge instead of losing",
      "entries; on servers that ignore conditional writes the command refuses unless",
      "--single-writer is given."})
final class RepoAddCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-n", "--new"}, description = "only add packages that are not already in the database (same name and version)")
  boolean onlyNew;

  @Option(names = {"-R", "--remove"}, description = "delete the replaced package file (and its .sig) from the database's directory after updating the database (after --grace)")
  boolean removeOld;

  @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "24h",
      converter = DurationConverter.class,
      description = "with -R: keep replaced package files this long (90, 30s, 15m, 24h, 7d), so"
          + " clients and CDNs holding the previous database can still download them; they are"
          + " recorded in NAME.db.tar.EXT.pending-deletes and deleted by a later add, remove or"
          + " prune. 0 deletes them at once, as repo-add (default: ${DEFAULT-VALUE})")
  Duration grace;

  @Option(names = {"-p", "--prevent-downgrade"}, description = "do not add a package if a newer version is already in the database")
  boolean preventDowngrade;

  @Option(names = "--include-sigs", description = "put each package's detached PKG.sig (base64) into the database as %%PGPSIG%%")
  boolean includeSigs;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
      description = "wait up to SECONDS for a lock held by another repo-add or s3repofs (default: ${DEFAULT-VALUE}, fail at once)")
  long waitSeconds;

  @Option(names = {"-v", "--verify"}, description = "check each package's PKG.sig with gpg --verify before adding anything")
  boolean verify;

  @picocli.CommandLine.Mixin
  SignOptions signing = new SignOptions();

  @picocli.CommandLine.Mixin
  DatabaseOptions database = new DatabaseOptions();

  @picocli.CommandLine.Mixin
  OutputOptions output = new OutputOptions();


  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PKG", description = "package files (.pkg.tar.zst, .xz, .gz)")
  List<Path> packages;

  @Override
  public Integer call() {
    return CommandSupport.run(spec, () -> {
      if (waitSeconds < 0) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--wait must not be negative");
      }
      AddOptions options = new AddOptions(onlyNew, removeOld, preventDowngrade, includeSigs,
          Duration.ofSeconds(waitSeconds), verify);
      RepoListener listener = CommandSupport.listener(spec, output.quiet);
      try (Repositories.Opened opened = database.open("add", listener, signing.signer(),
          io.s3repofs.pacman.Retention.of(grace))) {
        AddResult result = opened.repository().add(packages, options);
        listener.info(result.added().size() + " package(s) added, " + result.skipped().size()
            + " skipped");
      }
      return CommandSupport.OK;
    });
  }
}
