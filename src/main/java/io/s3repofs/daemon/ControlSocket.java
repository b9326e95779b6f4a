package io.s3repofs.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Where a mount's control socket lives: one per mount point, in a directory only its user reads. */
public final class ControlSocket {

  private ControlSocket() {}

  public static Path pathFor(Path mountPoint) throws IOException {
    String runtime = System.getenv("XDG_RUNTIME_DIR");
    Path base = runtime != null && Files.isDirectory(Path.of(runtime))
        ? Path.of(runtime) : Path.of(System.getProperty("java.io.tmpdir"));
    Path dir = base.resolve("s3repofs-" + System.getProperty("user.name"));
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    // In a shared /tmp another user could have made the directory first: never use theirs.
    if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name"))) {
      throw new IOException(dir + " belongs to another user");
    }
    String canonical = mountPoint.toAbsolutePath().normalize().toString();
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return dir.resolve(HexFormat.of().formatHex(digest, 0, 8) + ".sock");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
