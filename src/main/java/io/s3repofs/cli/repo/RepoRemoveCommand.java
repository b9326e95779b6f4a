package io.s3repofs.cli.repo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3repofs repo remove}: repo-remove's job. */
@Command(name = "remove",
    header = "Remove packages from a repository database (like repo-remove).",
    mixinStandardHelpOptions = true,
    description = "Remove packages (by name) from a repository database, like repo-remove."
        + " Package files are not deleted. If a name is not in the database, nothing is changed.",
    footerHeading = "%nExample:%n",
    footer = "  s3repofs repo remove /srv/repo/myrepo.db.tar.zst foo bar")
final class RepoRemoveCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
      description = "wait up to SECONDS for a lock held by another process (default: ${DEFAULT-VALUE})")
  long waitSeconds;

  @picocli.CommandLine.Mixin
  SignOptions signing = new SignOptions();

  @picocli.CommandLine.Mixin
  DatabaseOptions database = new DatabaseOptions();

  @picocli.CommandLine.Mixin
  OutputOptions output = new OutputOptions();


  @Parameters(index = "1..*", arity = "1..*", paramLabel = "NAME", description = "package names")
  List<String> names;

  @Override
  public Integer call() {
    return CommandSupport.run(spec, () -> {
      try (Repositories.Opened opened = database.open("remove",
          CommandSupport.listener(spec, output.quiet), signing.signer())) {
        opened.repository().remove(names, Duration.ofSeconds(Math.max(0, waitSeconds)));
      }
      return CommandSupport.OK;
    });
  }
}
