package io.s3repofs.cli.repo;

import io.s3repofs.pacman.RepoListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3repofs repo prune}: deletes replaced package files whose grace period is over. */
@Command(name = "prune",
    header = "Delete replaced package files whose grace period is over.",
    mixinStandardHelpOptions = true,
    description = "repo add -R keeps the package files it replaces for a grace period (--grace),"
        + " recorded in NAME.db.tar.EXT.pending-deletes next to the database, so that clients"
        + " holding the previous database can still download them. Every later add and remove"
        + " deletes those that are due; prune does only that, from any machine (a cron job, say)."
        + " A file the database names again is kept.",
    footerHeading = "%nExamples:%n",
    footer = {"  s3repofs repo prune /srv/repo/myrepo.db.tar.zst",
      "  s3repofs repo prune --all s3://mybucket/repo/x86_64/myrepo.db.tar.zst -o url=..."})
final class RepoPruneCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--all", description = "delete every waiting file now, due or not")
  boolean all;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
      description = "on a path: wait up to SECONDS for the lock (default: ${DEFAULT-VALUE})")
  long waitSeconds;

  @picocli.CommandLine.Mixin
  DatabaseOptions database = new DatabaseOptions();

  @picocli.CommandLine.Mixin
  OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    return CommandSupport.run(spec, () -> {
      RepoListener listener = CommandSupport.listener(spec, output.quiet);
      try (Repositories.Opened opened = database.open("prune", listener, null)) {
        List<String> deleted = opened.repository().prune(all, Duration.ofSeconds(Math.max(0, waitSeconds)));
        int waiting = opened.repository().pendingDeletes().size();
        if (!output.quiet) {
          java.io.PrintWriter out = spec.commandLine().getOut();
          deleted.forEach(d -> out.println("deleted: " + d));
          out.println(deleted.size() + " file(s) deleted, " + waiting + " waiting");
          out.flush();
        }
      }
      return CommandSupport.OK;
    });
  }
}
