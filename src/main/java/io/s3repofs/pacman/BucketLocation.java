package io.s3repofs.pacman;

/**
 * A repository in a bucket, named {@code s3://BUCKET[/PREFIX...]/NAME.db.tar.EXT}: the bucket,
 * the key prefix of the repository's directory (empty or ending in '/'), and the database name.
 * Keys of the repository's objects are relative to the prefix.
 */
public record BucketLocation(String bucket, String prefix, DatabaseName database) {

  /** The URL scheme that selects a bucket repository. */
  public static final String SCHEME = "s3://";

  /** Whether a database argument names a bucket repository. */
  public static boolean isBucketUrl(String argument) {
    return argument.startsWith(SCHEME);
  }

  /**
   * Parses {@code s3://BUCKET[/PREFIX...]/NAME.db.tar.EXT}.
   *
   * @throws RepoException with a one-line message if the URL is not of that form
   */
  public static BucketLocation parse(String url) throws RepoException {
    if (!isBucketUrl(url)) {
      throw bad(url);
    }
    String rest = url.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    int last = rest.lastIndexOf('/');
    if (slash <= 0 || last == rest.length() - 1) {
      throw bad(url);
    }
    String bucket = rest.substring(0, slash);
    java.util.Optional<String> problem = io.s3repofs.store.BucketNames.problem(bucket);
    if (problem.isPresent()) {
      throw new RepoException("bad bucket name '" + bucket + "' in '" + url + "': " + problem.get());
    }
    String prefix = rest.substring(slash + 1, last + 1);
    if (prefix.startsWith("/") || prefix.contains("//")) {
      throw bad(url);
    }
    for (String part : prefix.split("/")) {
      if (part.equals(".") || part.equals("..")) {
        throw bad(url);
      }
    }
    return new BucketLocation(bucket, prefix, DatabaseName.parse(rest.substring(last + 1), url));
  }

  private static RepoException bad(String url) {
    return new RepoException("bad repository URL '" + url
        + "' (expected s3://BUCKET/[PREFIX/]NAME.db.tar.zst, .tar.xz or .tar.gz)");
  }

  /** The URL of an object of the repository, for messages. */
  public String url(String key) {
    return SCHEME + bucket + "/" + prefix + key;
  }

  @Override
  public String toString() {
    return url(database.dbFile());
  }
}
