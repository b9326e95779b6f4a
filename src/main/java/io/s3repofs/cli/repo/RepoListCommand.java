package io.s3repofs.cli.repo;

import io.s3repofs.pacman.RepoEntry;
import io.s3repofs.pacman.RepoListener;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3repofs repo list}: the database's packages, one "NAME VERSION" a line. */
@Command(name = "list",
    header = "List the packages in a repository database.",
    mixinStandardHelpOptions = true,
    description = "List the packages in a repository database: NAME VERSION, one a line, sorted by name.",
    footerHeading = "%nExample:%n",
    footer = "  s3repofs repo list /srv/repo/myrepo.db.tar.zst")
final class RepoListCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-l", "--long"}, description = "also print the package file name")
  boolean longFormat;

  @picocli.CommandLine.Mixin
  DatabaseOptions database = new DatabaseOptions();


  @Override
  public Integer call() {
    return CommandSupport.run(spec, () -> {
      PrintWriter out = spec.commandLine().getOut();
      try (Repositories.Opened opened = database.open("list", RepoListener.SILENT, null)) {
        for (RepoEntry e : opened.repository().read().entries()) {
          out.println(e.name() + " " + e.version() + (longFormat ? " " + e.fileName() : ""));
        }
      }
      out.flush();
      return CommandSupport.OK;
    });
  }
}
