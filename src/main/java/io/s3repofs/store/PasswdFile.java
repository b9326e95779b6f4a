package io.s3repofs.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;

/**
 * Reads keys the way s3fs does: lines {@code bucket:access_key:secret_key} or
 * {@code access_key:secret_key} (a line naming the bucket wins), '#' comments, and a file that
 * group or others can read is refused. Messages never contain the keys.
 */
public final class PasswdFile {

  private PasswdFile() {}

  /** The candidate files, in s3fs's order, when no {@code passwd_file} option is given ($HOME's first). */
  public static List<Path> defaultLocations() {
    return List.of(UserHome.directory().resolve(".passwd-s3fs"), Path.of("/etc/passwd-s3fs"));
  }

  /**
   * Reads the keys for {@code bucket} from {@code file}.
   *
   * @throws IllegalArgumentException with a one-line message when the file is unreadable, too
   *     open, or holds no usable line
   */
  public static Optional<AwsBasicCredentials> read(Path file, String bucket) {
    Set<PosixFilePermission> perms;
    List<String> lines;
    try {
      perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read passwd file " + file + ": " + e.getClass().getSimpleName());
    }
    if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
        || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalArgumentException("passwd file " + file
          + " is readable by group or others; run: chmod 600 " + file);
    }
    AwsBasicCredentials general = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(":", -1);
      if (parts.length == 3 && parts[0].equals(bucket)) {
        return Optional.of(credentials(file, parts[1], parts[2]));
      }
      if (parts.length == 2 && general == null) {
        general = credentials(file, parts[0], parts[1]);
      }
      if (parts.length < 2 || parts.length > 3) {
        throw new IllegalArgumentException("passwd file " + file
            + " has a malformed line (expected bucket:access_key:secret_key or access_key:secret_key)");
      }
    }
    return Optional.ofNullable(general);
  }

  private static AwsBasicCredentials credentials(Path file, String accessKey, String secretKey) {
    if (accessKey.isEmpty() || secretKey.isEmpty()) {
      throw new IllegalArgumentException("passwd file " + file + " has an empty access key or secret key");
    }
    return AwsBasicCredentials.create(accessKey, secretKey);
  }
}
