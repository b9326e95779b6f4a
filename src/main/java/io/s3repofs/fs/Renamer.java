package io.s3repofs.fs;

import io.s3repofs.cache.CachedBucket;
import io.s3repofs.store.ListedObject;
import io.s3repofs.store.MetadataCodec;
import io.s3repofs.store.ObjectHead;
import io.s3repofs.store.PosixAttributes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * rename(2): a file not yet in the bucket just changes its name (its upload goes to the new key;
 * nothing is sent for the old one); a file whose object is current is copied server-side; a
 * directory is copied object by object. Callers hold the namespace lock, so the swap is atomic
 * as seen through the mount.
 */
final class Renamer {

  private final Namespace names;
  private final CachedBucket bucket;
  private final FileData data;

  Renamer(Namespace names, FileData data) {
    this.names = names;
    this.bucket = names.bucket;
    this.data = data;
  }

  void rename(String from, String to) throws FsException, IOException {
    if (from.isEmpty() || to.isEmpty()) {
      throw new FsException(Errno.EBUSY, "cannot rename the mount point");
    }
    Resolved source = names.resolveExisting(from);
    if (from.equals(to)) {
      return;
    }
    names.requireDirectory(KeyPaths.parent(to));
    Resolved target = names.resolve(to);
    if (source instanceof Resolved.RemoteDirectory) {
      renameDirectory(from, to, target);
      return;
    }
    if (target instanceof Resolved.RemoteDirectory) {
      throw new FsException(Errno.EISDIR, "/" + to + ": is a directory");
    }
    boolean objectAtTarget = target instanceof Resolved.RemoteFile || names.reviveTombstone(to);
    if (target instanceof Resolved.Local replaced) {
      objectAtTarget = replaced.node().remoteExists;
      if (replaced.node() instanceof FileNode f) {
        data.keepForOpenHandles(f); // its object is about to be overwritten
      }
      names.detach(replaced.node());
    }
    if (source instanceof Resolved.Local local) {
      moveNode(local.node(), to, objectAtTarget);
    } else {
      bucket.copy(from, to, renamedMetadata(from));
      names.plusAliases.written(to);
      names.bury(from);
    }
  }

  /**
   * The metadata of a file object renamed on the server: its own, with ctime now, as rename(2)
   * changes it (the HEAD is the one resolving the name just cached); null (keep it as is) for a
   * symlink stored as a copy of its target.
   */
  private java.util.Map<String, String> renamedMetadata(String from) {
    ObjectHead head = bucket.head(from).orElse(null);
    if (head == null || head.metadata().containsKey(MetadataCodec.SYMLINK_KEY)) {
      return null;
    }
    PosixAttributes a = names.decode(head, false);
    return MetadataCodec.encode(a.withTimes(a.atimeNanos(), a.mtimeNanos(), FileSystemCore.now()));
  }

  private void moveNode(Node node, String to, boolean objectAtTarget) throws IOException {
    String from = node.path;
    boolean pending = names.isPending(node);
    if (node instanceof FileNode) { // rename(2) changes the file's ctime
      node.attributes = node.attributes.withTimes(node.attributes.atimeNanos(), node.attributes.mtimeNanos(),
          FileSystemCore.now());
    }
    if (pending) {
      if (node.remoteExists) {
        names.bury(from); // an older version under the old name
      }
      node.remoteExists = objectAtTarget;
    } else {
      bucket.copy(from, to, node instanceof FileNode ? MetadataCodec.encode(node.attributes) : null);
      names.plusAliases.written(to);
      names.bury(from);
      node.remoteExists = true;
    }
    names.move(node, to);
    if (node.journalSequence >= 0) {
      names.journal(node);
    }
    if (node instanceof FileNode f && f.contentFile == null && !pending) {
      f.etag = bucket.head(to).map(ObjectHead::etag).orElse(f.etag);
    }
  }

  private void renameDirectory(String from, String to, Resolved target) throws FsException, IOException {
    if (KeyPaths.isWithin(to, from)) {
      throw new FsException(Errno.EINVAL, "cannot move a directory into itself");
    }
    if (target != null) {
      if (!(target instanceof Resolved.RemoteDirectory)) {
        throw new FsException(Errno.ENOTDIR, "/" + to + ": not a directory");
      }
      names.requireEmptyDirectory(to);
      if (bucket.head(KeyPaths.dirKey(to)).isPresent()) {
        bucket.delete(KeyPaths.dirKey(to));
      }
    }
    String fromDir = KeyPaths.dirKey(from);
    String toDir = KeyPaths.dirKey(to);
    List<Node> moved = new ArrayList<>();
    Set<String> buried = new HashSet<>();
    Set<String> pendingKeys = new HashSet<>();
    for (Node n : names.nodesWithin(from)) {
      if (n instanceof Tombstone t) {
        buried.add(t.path);
        names.detach(t); // deleted below, with the rest of the old tree
      } else {
        moved.add(n);
        if (names.isPending(n)) {
          pendingKeys.add(n.path);
        }
      }
    }
    for (ListedObject o : bucket.listRecursive(fromDir)) {
      if (!pendingKeys.contains(o.key()) && !buried.contains(o.key())) {
        bucket.copy(o.key(), toDir + o.key().substring(fromDir.length()), null);
      }
      bucket.delete(o.key());
    }
    for (Node n : moved) {
      String oldPath = n.path;
      names.remove(n);
      n.path = to + oldPath.substring(from.length());
      // Current objects were copied; pending ones were not (their old versions are deleted).
      n.remoteExists = !pendingKeys.contains(oldPath);
    }
    for (Node n : moved) {
      names.add(n);
      if (n.journalSequence >= 0) {
        names.journal(n);
      }
    }
    bucket.forgetTree(fromDir);
    bucket.forgetTree(toDir);
    bucket.forgetDirectory(fromDir);
    bucket.rememberDirectory(toDir);
  }
}
