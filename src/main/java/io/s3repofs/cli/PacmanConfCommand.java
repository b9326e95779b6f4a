package io.s3repofs.cli;

import io.s3repofs.store.StoreSettings;
import io.s3repofs.sync.RepositorySection;
import io.s3repofs.sync.SyncException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code s3repofs pacman-conf BUCKET[:/PREFIX] --repo NAME --root DIR [-o ...]}. */
@Command(
    name = "pacman-conf",
    mixinStandardHelpOptions = true,
    header = "Print the [NAME] section of /etc/pacman.conf for a repository in a bucket.",
    description = {
        "Prints the section pacman needs to download the repository anonymously: Server is the",
        "bucket's public URL (AWS: https://BUCKET.s3.REGION.amazonaws.com for DNS-safe names, path",
        "style otherwise, REGION from -o endpoint=; -o url=: https://BUCKET.HOST, e.g. DigitalOcean",
        "Spaces; with use_path_request_style: URL/BUCKET), SigLevel is Required when the database",
        "is signed (NAME.db.sig is in the bucket), Optional TrustAll otherwise. Takes the same -o",
        "options as mount and sync.",
        ""},
    footer = {"", "Example:",
        "  s3repofs pacman-conf mybucket --repo myrepo --root repo/x86_64 \\",
        "      -o url=https://ams3.digitaloceanspaces.com | sudo tee -a /etc/pacman.conf"})
final class PacmanConfCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BUCKET[:/PREFIX]", description = "Bucket, optionally with a key prefix.")
  String bucket;

  @Option(names = {"--repo", "-d", "--database"}, required = true, paramLabel = "NAME", description = "Repository name.")
  String repo;

  @Option(names = "--root", required = true, paramLabel = "DIR", description = "Directory of the repository in the bucket.")
  String root;

  @Option(names = "-o", paramLabel = "OPTIONS", description = "Mount options, comma-separated.")
  List<String> options = new ArrayList<>();

  @Override
  public Integer call() {
    MountOptions parsed = MountOptions.parse(options, null, "pacman-conf");
    MountConfigFactory.BucketSpec where = MountConfigFactory.BucketSpec.parse(bucket);
    StoreSettings store = StoreOptions.settings(where.bucket(), where.prefix(), parsed);
    try {
      spec.commandLine().getOut().print(RepositorySection.of(store, repo, root));
      spec.commandLine().getOut().flush();
    } catch (SyncException e) {
      throw new Failure(e.getMessage());
    }
    return 0;
  }
}
