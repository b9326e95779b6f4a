package io.s3repofs.cli.repo;

import picocli.CommandLine.Option;

/** The output options repo-add and repo-remove take. */
final class OutputOptions {
  @Option(names = {"-q", "--quiet"}, description = "print neither progress nor warnings")
  boolean quiet;

  @Option(names = "--nocolor", hidden = true, description = "accepted for repo-add compatibility; output is never colored")
  boolean noColor;
}
