package io.s3repofs.cli.repo;

import io.s3repofs.pacman.Repository;
import io.s3repofs.pacman.VerifyProblem;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code s3repofs repo verify}: checks the database against the package files next to it. */
@Command(name = "verify",
    header = "Check a repository against its package files.",
    mixinStandardHelpOptions = true,
    description = "Check a repository: every package the database lists is next to it with the"
        + " recorded size, MD5 and SHA-256, name and version; its .sig is there where %%PGPSIG%%"
        + " is set; the files database lists the same packages and file lists; NAME.db and"
        + " NAME.files lead to the databases. Prints one line per problem and exits 1 if there"
        + " is any. Lists the replaced package files waiting for their grace period (repo add"
        + " -R --grace) as 'waiting: FILE ...' lines, which are no problem. For s3:// databases, a package object's ETag is compared with %%MD5SUM%%;"
        + " where that cannot tell (multipart uploads, no %%MD5SUM%%), the object is read"
        + " and its SHA-256 checked.",
    footerHeading = "%nExample:%n",
    footer = "  s3repofs repo verify /srv/repo/myrepo.db.tar.zst")
final class RepoVerifyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = {"-q", "--quiet"}, description = "print only the problems, not the summary")
  boolean quiet;

  @picocli.CommandLine.Mixin
  DatabaseOptions database = new DatabaseOptions();


  @Override
  public Integer call() {
    return CommandSupport.run(spec, () -> {
      try (Repositories.Opened opened = database.open("verify",
          CommandSupport.listener(spec, quiet), null)) {
        return verify(opened.repository());
      }
    });
  }

  private int verify(Repository repo) throws java.io.IOException {
    List<VerifyProblem> problems = repo.verify();
    PrintWriter out = spec.commandLine().getOut();
    for (VerifyProblem p : problems) {
      out.println(p);
    }
    for (io.s3repofs.pacman.PendingDeletes.Entry e : repo.pendingDeletes()) {
      out.println("waiting: " + e.file() + " (replaced; deleted from " + e.due()
          + " on by a later add, remove or prune)");
    }
    out.flush();
    if (!problems.isEmpty()) {
      spec.commandLine().getErr().println(spec.qualifiedName() + ": " + problems.size()
          + " problem(s) found in " + repo.displayName());
      spec.commandLine().getErr().flush();
      return CommandSupport.FAILURE;
    }
    if (!quiet) {
      out.println(repo.read().size() + " package(s) verified in " + repo.displayName());
      out.flush();
    }
    return CommandSupport.OK;
  }
}
