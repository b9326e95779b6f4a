package io.s3repofs.pacman;

/** Receives progress messages and warnings from repository operations. */
public interface RepoListener {
  /** Ignores everything. */
  RepoListener SILENT = new RepoListener() {
    @Override
    public void info(String message) {}

    @Override
    public void warn(String message) {}
  };

  /** A step, e.g. "Adding package 'x'" (shown on a terminal only). */
  void info(String message);

  /** Something the user should know, e.g. that a newer version is already present. */
  void warn(String message);
}
