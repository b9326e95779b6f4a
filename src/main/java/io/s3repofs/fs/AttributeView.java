package io.s3repofs.fs;

import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What {@code stat} shows: stored attributes with the mount's {@code uid}, {@code gid},
 * {@code umask} and {@code mp_umask} options applied, and defaults for objects and directories
 * that carry none.
 */
final class AttributeView {

  private final Namespace names;
  private final FsSettings settings;
  private final long mountTimeNanos = System.currentTimeMillis() * 1_000_000L;

  AttributeView(Namespace names) {
    this.names = names;
    this.settings = names.settings;
  }

  FileAttributes of(String key, Resolved r) throws FsException {
    if (r == null) {
      throw names.missing(key);
    }
    if (r instanceof Resolved.Root) {
      int mask = settings.mountPointUmask() < 0 ? 0 : settings.mountPointUmask();
      return display(new PosixAttributes(PosixAttributes.S_IFDIR | 0777 & ~mask, settings.ownerUid(),
          settings.ownerGid(), mountTimeNanos, mountTimeNanos, mountTimeNanos), 4096);
    }
    if (r instanceof Resolved.Local local) {
      Node n = local.node();
      long size = n instanceof FileNode f ? f.size : ((SymlinkNode) n).target.getBytes(StandardCharsets.UTF_8).length;
      return display(n.attributes, size);
    }
    if (r instanceof Resolved.RemoteFile) {
      ObjectHead head = names.statHead(key).orElseThrow(() -> Namespace.notFound(key));
      return display(names.decode(head, false), head.size());
    }
    return display(directory(key), 4096);
  }

  /** A directory's stored attributes: its marker's metadata, or defaults for an implicit one. */
  PosixAttributes directory(String key) {
    Optional<ObjectHead> marker = names.statHead(KeyPaths.dirKey(key));
    if (marker.isPresent()) {
      return names.decode(marker.get(), true);
    }
    return new PosixAttributes(PosixAttributes.S_IFDIR | 0755, settings.ownerUid(), settings.ownerGid(),
        mountTimeNanos, mountTimeNanos, mountTimeNanos);
  }

  FileAttributes display(PosixAttributes a, long size) {
    int mode = a.mode();
    if (settings.umask() >= 0 && !a.isSymlink()) {
      mode = (mode & ~07777) | (mode & 07777 & ~settings.umask());
    }
    int uid = settings.forcedUid() >= 0 ? settings.forcedUid() : a.uid();
    int gid = settings.forcedGid() >= 0 ? settings.forcedGid() : a.gid();
    return new FileAttributes(mode, uid, gid, size, a.atimeNanos(), a.mtimeNanos(), a.ctimeNanos(),
        a.isDirectory() ? 2 : 1, a.rdev());
  }
}
