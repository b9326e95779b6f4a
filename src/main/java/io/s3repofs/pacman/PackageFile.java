package io.s3repofs.pacman;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link PackageReader} learnt from one package file.
 *
 * @param path the package file
 * @param info its parsed {@code .PKGINFO}
 * @param compression the compression found from the file's magic bytes
 * @param compressedSize the file's size in bytes (repo-add's %CSIZE%)
 * @param md5 hex MD5 of the file (%MD5SUM%)
 * @param sha256 hex SHA-256 of the file (%SHA256SUM%)
 * @param files the file list as repo-add writes it in the files database: every entry not
 *     starting with '.', directories with a trailing '/', sorted bytewise, without duplicates
 */
public record PackageFile(Path path, PackageInfo info, Compression compression,
    long compressedSize, String md5, String sha256, List<String> files) {
  public PackageFile {
    files = List.copyOf(files);
  }

  /** The file's name, which the database records as %FILENAME%. */
  public String fileName() {
    return path.getFileName().toString();
  }

  /** The detached signature's path: the package's path plus {@code .sig}. */
  public Path signaturePath() {
    return path.resolveSibling(fileName() + ".sig");
  }
}
