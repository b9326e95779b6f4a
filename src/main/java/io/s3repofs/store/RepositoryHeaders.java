package io.s3repofs.store;

/**
 * The default {@link HeaderRules} for a pacman repository's files. Packages and their signatures
 * never change (the name holds the version), so caches may keep them for good; databases
 * ({@code NAME.db*}, {@code NAME.files*}, their {@code .sig} and {@code .old} copies) change in
 * place, so caches must revalidate them. Content-Type follows the compression. Other files get
 * nothing.
 */
public final class RepositoryHeaders {

  /** Cache-Control of packages by default: a year, immutable. */
  public static final long PACKAGE_MAX_AGE = 31_536_000;

  private static final String[][] TYPES = {
      {"", "application/x-tar"},
      {".zst", "application/zstd"},
      {".xz", "application/x-xz"},
      {".gz", "application/gzip"},
      {".bz2", "application/x-bzip2"},
      {".lz4", "application/x-lz4"},
      {".lzo", "application/x-lzop"},
      {".lrz", "application/x-lrzip"},
      {".lz", "application/x-lzip"},
      {".Z", "application/x-compress"},
  };

  private RepositoryHeaders() {}

  /**
   * The rules, with packages' and databases' max-age in seconds (0 means {@code no-cache}).
   */
  public static HeaderRules rules(long packageMaxAge, long databaseMaxAge) {
    StringBuilder ext = new StringBuilder();
    for (String[] type : TYPES) {
      ext.append(',').append(type[0]);
    }
    String packages = "*.pkg.tar{" + ext.substring(1) + "}{,.sig}";
    String tars = "{,.tar" + ext.toString().replace(",.", ",.tar.") + "}";
    String databases = "*.{db,files}" + tars + "{,.old}{,.sig}";
    StringBuilder text = new StringBuilder();
    text.append(packages).append(" Cache-Control ")
        .append(cacheControl(packageMaxAge, true)).append('\n');
    text.append(databases).append(" Cache-Control ")
        .append(cacheControl(databaseMaxAge, false)).append('\n');
    for (String[] type : TYPES) {
      text.append("*.{pkg,db,files}.tar").append(type[0]).append("{,.old} Content-Type ")
          .append(type[1]).append('\n');
    }
    text.append("*.pkg.tar{").append(ext.substring(1)).append("}.sig")
        .append(" Content-Type application/pgp-signature\n");
    text.append("*.{db,files}").append(tars).append("{,.old}.sig")
        .append(" Content-Type application/pgp-signature\n");
    return HeaderRules.parse(text.toString(), "built-in repository rules");
  }

  /** The defaults: packages a year, immutable; databases {@code no-cache}. */
  public static HeaderRules defaults() {
    return rules(PACKAGE_MAX_AGE, 0);
  }

  private static String cacheControl(long maxAge, boolean immutable) {
    if (maxAge == 0) {
      return "no-cache";
    }
    return "public, max-age=" + maxAge + (immutable ? ", immutable" : "");
  }
}
