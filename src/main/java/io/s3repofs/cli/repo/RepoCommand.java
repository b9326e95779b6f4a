package io.s3repofs.cli.repo;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code s3repofs repo}: pacman repository maintenance without repo-add, compatible with it
 * (same database format, same lock file). Subcommands: {@code add}, {@code remove},
 * {@code list}, {@code verify}. Exit codes: 0 success, 1 failure, 2 wrong usage.
 */
@Command(name = "repo",
    mixinStandardHelpOptions = true,
    versionProvider = RepoCommand.Version.class,
    description = {"Maintain a pacman repository database, like repo-add and repo-remove.",
      "The databases are NAME.db.tar.{zst,xz,gz} and NAME.files.tar.*, compatible with repo-add:"
        + " the same format and the same lock file, so both tools can update the same repository.",
      "The database is a path (in a directory or on a mount) or s3://BUCKET/[PREFIX/]NAME.db.tar.EXT"
        + " (the bucket directly, no mount; -o takes mount's bucket options)."},
    subcommands = {RepoAddCommand.class, RepoRemoveCommand.class, RepoListCommand.class,
      RepoVerifyCommand.class, RepoPruneCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (bad package, locked or broken database, problems found)",
      "2:wrong usage"},
    footerHeading = "%nExamples:%n",
    footer = {
      "  s3repofs repo add -R /srv/repo/x86_64/myrepo.db.tar.zst ~/build/*.pkg.tar.zst",
      "  s3repofs repo remove /srv/repo/x86_64/myrepo.db.tar.zst oldpkg",
      "  s3repofs repo list /srv/repo/x86_64/myrepo.db.tar.zst",
      "  s3repofs repo verify /srv/repo/x86_64/myrepo.db.tar.zst",
      "  s3repofs repo prune /srv/repo/x86_64/myrepo.db.tar.zst",
      "  s3repofs repo add -R --sign s3://mybucket/repo/x86_64/myrepo.db.tar.zst ~/build/*.pkg.tar.zst \\",
      "      -o default_acl=public-read,url=https://ams3.digitaloceanspaces.com"})
public final class RepoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(spec.qualifiedName() + ": a subcommand is required (add, remove, list, verify, prune)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandSupport.USAGE;
  }

  /** Runs {@code s3repofs repo ARGS...} standalone (for tests and scripts); returns the exit code. */
  public static int execute(String... args) {
    return new CommandLine(new RepoCommand()).execute(args);
  }

  /** The version shown by {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = RepoCommand.class.getPackage().getImplementationVersion();
      return new String[] {"s3repofs repo " + (v == null ? "(development build)" : v)};
    }
  }
}
