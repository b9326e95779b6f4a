package io.s3repofs.cli.repo;

import io.s3repofs.pacman.Gpg;
import io.s3repofs.pacman.RepoException;
import io.s3repofs.pacman.RepoListener;
import io.s3repofs.pacman.Retention;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The database argument every repo command takes, and the options that say how to reach it
 * when it lies in a bucket ({@code s3://...}).
 */
final class DatabaseOptions {
  @Parameters(index = "0", paramLabel = "DB",
      description = "the database: PATH/NAME.db.tar.zst (.tar.xz, .tar.gz) or s3://BUCKET/[PREFIX/]NAME.db.tar.zst")
  String db;

  @Option(names = "-o", paramLabel = "OPTIONS",
      description = "for s3://BUCKET/... databases: how to reach the bucket, comma-separated, with"
          + " the names and meaning of mount's -o: url=URL, endpoint=REGION,"
          + " use_path_request_style, passwd_file=FILE, default_acl=ACL (e.g. public-read),"
          + " multipart_size=MB, parallel_count=N, retries=N, connect_timeout=SEC,"
          + " readwrite_timeout=SEC; the HTTP headers of objects: pkg_max_age=SEC,"
          + " db_max_age=SEC, header_rules=FILE, ahbe_conf=FILE, no_repo_headers")
  List<String> options = new ArrayList<>();

  @Option(names = "--single-writer",
      description = "for s3:// databases on servers that ignore conditional writes (S3Proxy,"
          + " older Ceph and others): proceed anyway, vouching that no other add or remove"
          + " runs on this database at the same time")
  boolean singleWriter;

  /** Opens the repository {@link #db} names, for the command called {@code command}. */
  Repositories.Opened open(String command, RepoListener listener, Gpg signer) throws RepoException {
    return open(command, listener, signer, Retention.NONE);
  }

  /** Opens it with a grace period for package files replaced with {@code -R}. */
  Repositories.Opened open(String command, RepoListener listener, Gpg signer, Retention retention)
      throws RepoException {
    return Repositories.open(db, this, command, listener, signer, retention);
  }
}
