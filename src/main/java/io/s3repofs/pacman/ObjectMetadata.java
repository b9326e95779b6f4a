package io.s3repofs.pacman;

import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.PosixAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The s3fs metadata {@link BucketRepository} puts on the objects it writes, so that a mount of
 * the bucket (s3repofs or s3fs) shows them as files of mode 0644 owned by the user who ran the
 * command, with sane times, and the {@code NAME.db} copies as symlinks.
 */
final class ObjectMetadata {
  private final int uid;
  private final int gid;

  ObjectMetadata() {
    com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
    this.uid = (int) me.getUid();
    this.gid = (int) me.getGid();
  }

  /** For an object written now from memory. */
  Map<String, String> now() {
    return MetadataCodec.encode(attributes(System.currentTimeMillis() * 1_000_000L));
  }

  /** For an object uploaded from a local file: its modification time is kept. */
  Map<String, String> file(Path file) throws IOException {
    long mtime = Files.getLastModifiedTime(file).toMillis() * 1_000_000L;
    return MetadataCodec.encode(attributes(mtime));
  }

  /** For a copy of {@code target} standing for a symlink to it. */
  Map<String, String> link(String target) {
    return MetadataCodec.encodeContentLink(attributes(System.currentTimeMillis() * 1_000_000L),
        target);
  }

  private PosixAttributes attributes(long mtimeNanos) {
    long now = System.currentTimeMillis() * 1_000_000L;
    return new PosixAttributes(PosixAttributes.S_IFREG | 0644, uid, gid, mtimeNanos, now, now);
  }
}
