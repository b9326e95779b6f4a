package io.s3repofs.pacman;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The first step of every add: reads and checks each package (and, with {@code --verify}, its
 * signature) before anything is locked or written. Several versions of one package may be named:
 * they are added in turn, as repo-add adds them.
 *
 * @param packages the packages to add, in the order given
 * @param skipped file names not added (none: kept for callers that report them)
 * @param signatures base64 of each package's {@code .sig} for %PGPSIG%, by package path
 */
public record PackageSelection(List<PackageFile> packages, List<String> skipped,
    Map<Path, String> signatures) {

  /** repo-add's limit for a detached signature. */
  static final int MAX_SIGNATURE_BYTES = 16384;

  /**
   * Reads and checks the packages.
   *
   * @param gpg checks each package's signature when {@link AddOptions#verifySignatures()} is set
   * @throws RepoException naming every bad package, if any is missing or broken
   */
  public static PackageSelection of(List<Path> paths, AddOptions options, PackageReader reader,
      Gpg gpg, RepoListener listener) throws RepoException {
    if (paths.isEmpty()) {
      throw new RepoException("no package given");
    }
    List<PackageFile> read = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    Map<Path, String> signatures = new LinkedHashMap<>();
    for (Path p : paths) {
      listener.info("Reading package '" + p + "'");
      try {
        PackageFile pkg = reader.read(p);
        if (options.verifySignatures()) {
          listener.info("Checking package signature '" + pkg.signaturePath() + "'");
          gpg.verify(pkg.signaturePath(), pkg.path());
        }
        if (options.includeSigs()) {
          String sig = signature(pkg);
          if (sig != null) {
            signatures.put(pkg.path(), sig);
          }
        }
        read.add(pkg);
      } catch (PackageException e) {
        errors.add(e.getMessage());
      } catch (RepoException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new RepoException(String.join("; ", errors)
          + " (no packages added, the database is unchanged)");
    }
    // As repo-add: every package is added in the order given, so when one run names several
    // versions of a package the last one named wins (DatabaseMerge warns when it is older) and,
    // with -R, the files of the versions it replaces are deleted.
    return new PackageSelection(List.copyOf(read), List.of(), Map.copyOf(signatures));
  }

  /** Base64 of the package's detached signature, as repo-add computes %PGPSIG%, or null. */
  private static String signature(PackageFile pkg) throws PackageException {
    Path sig = pkg.signaturePath();
    if (!Files.isRegularFile(sig)) {
      return null;
    }
    try {
      long size = Files.size(sig);
      if (size > MAX_SIGNATURE_BYTES) {
        throw new PackageException(sig, "invalid package signature file (" + size
            + " bytes, more than " + MAX_SIGNATURE_BYTES + ")");
      }
      byte[] bytes = Files.readAllBytes(sig);
      if (new String(bytes, StandardCharsets.ISO_8859_1).contains("BEGIN PGP SIGNATURE")) {
        throw new PackageException(sig, "cannot use armored signatures for packages"
            + " (make a binary one: gpg --detach-sign --no-armor)");
      }
      return Base64.getEncoder().encodeToString(bytes);
    } catch (IOException e) {
      if (e instanceof PackageException pe) {
        throw pe;
      }
      throw new PackageException(sig, "cannot read the signature: " + e.getMessage(), e);
    }
  }
}
