package io.s3repofs.cli.repo;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of repo commands that concern a database in a bucket ({@code s3://...}). */
final class BucketOptions {
  @Option(names = "-o", paramLabel = "OPTIONS",
      description = "for s3://BUCKET/... databases: how to reach the bucket, comma-separated, with"
          + " the names and meaning of mount's -o: url=URL, endpoint=REGION,"
          + " use_path_request_style, passwd_file=FILE, default_acl=ACL (e.g. public-read),"
          + " multipart_size=MB, parallel_count=N, retries=N, connect_timeout=SEC,"
          + " readwrite_timeout=SEC")
  List<String> options = new ArrayList<>();

  @Option(names = "--single-writer",
      description = "for s3:// databases on servers that ignore conditional writes (S3Proxy,"
          + " older Ceph and others): proceed anyway, vouching that no other add or remove"
          + " runs on this database at the same time")
  boolean singleWriter;
}
